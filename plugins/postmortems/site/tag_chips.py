"""The tags shown at the top of a post-mortem page, linked to the plugin's own tag pages.

Material's tags plugin links each tag to the listings that include it, and finds them by
comparing every page with every listing: with one listing per tag that grows with the number
of tags times the number of pages (about 11 s of a 10,000 post-mortem build). A split site
has its own tag pages instead, so the plugin gives the theme the tags of each post-mortem,
already linked, under the name the theme's template reads; the tags plugin then leaves the
page alone.
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


def chips(tags: Iterable[str], urls: Mapping[str, str]) -> list[TagChip]:
    """The tags in order, escaped, each linked to its page in ``urls`` if it has one."""
    return [TagChip(str(escape(clean_text(tag))), urls.get(tag)) for tag in tags]


def tags_variable(plugins: Mapping[str, Any]) -> str | None:
    """The template variable under which the theme's tags plugin puts a page's tags, or
    None when no such plugin renders tags."""
    for name in TAGS_PLUGINS:
        plugin = plugins.get(name)
        if plugin is None:
            continue
        config = getattr(plugin, "config", None)
        if not getattr(config, "enabled", True) or not getattr(config, "tags", True):
            return None
        return str(getattr(config, "tags_name_variable", "tags") or "tags")
    return None
