"""The tags shown at the top of a post-mortem page, linked to the plugin's own tag pages.

Material's tags plugin links each tag to the listings that include it, and finds them by
comparing every page with every listing: with one listing per tag that grows with the number
of tags times the number of pages (about 11 s of a 10,000 post-mortem build). A split site
has its own tag pages instead, so the plugin gives the theme the tags of each post-mortem,
already linked, under the name the theme's template reads; the tags plugin then leaves the
page alone. The chips follow the tags plugin's order (by name) and its shadow tags; with
``tags_hierarchy`` on, the tags plugin renders them as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from .templating import clean_text

#: Where the theme's tags plugin may be registered.
TAGS_PLUGINS = ("material/tags", "tags")


@dataclass(frozen=True)
class TagChip:
    """A tag as the theme's ``partials/tags.html`` reads it (``name`` is printed as is)."""

    name: str
    url: str | None
    hidden: bool = False


@dataclass(frozen=True)
class ChipStyle:
    """What of the tags plugin's settings the chips follow: its variable name and its
    shadow tags (shown dimmed)."""

    variable: str = "tags"
    shadow: frozenset[str] = frozenset()
    shadow_prefix: str = ""
    shadow_suffix: str = ""

    def hidden(self, name: str) -> bool:
        return (name in self.shadow
                or (bool(self.shadow_prefix) and name.startswith(self.shadow_prefix))
                or (bool(self.shadow_suffix) and name.endswith(self.shadow_suffix)))


def chips(tags: Iterable[str], urls: Mapping[str, str],
          style: ChipStyle = ChipStyle()) -> list[TagChip]:
    """The tags sorted by name as the theme sorts them, escaped, each linked to its page in
    ``urls`` if it has one."""
    made = []
    for tag in tags:
        name = str(escape(clean_text(tag)))
        made.append(TagChip(name, urls.get(tag), style.hidden(name)))
    return sorted(made, key=lambda chip: chip.name)


def chip_style(plugins: Mapping[str, Any]) -> ChipStyle | None:
    """How the theme's tags plugin shows a page's tags, or None when no such plugin renders
    them, or it nests them (``tags_hierarchy``: the plugin then links them itself)."""
    for name in TAGS_PLUGINS:
        plugin = plugins.get(name)
        if plugin is None:
            continue
        config = getattr(plugin, "config", None)
        if (not getattr(config, "enabled", True) or not getattr(config, "tags", True)
                or getattr(config, "tags_hierarchy", False)):
            return None
        shadow = getattr(config, "shadow_tags", None) or ()
        return ChipStyle(
            variable=str(getattr(config, "tags_name_variable", "tags") or "tags"),
            shadow=frozenset(str(getattr(tag, "name", tag)) for tag in shadow),
            shadow_prefix=str(getattr(config, "shadow_tags_prefix", "") or ""),
            shadow_suffix=str(getattr(config, "shadow_tags_suffix", "") or ""),
        )
    return None
