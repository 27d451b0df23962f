"""Search ranking: post-mortems above other pages, their *Root Cause* sections above all.

Material for MkDocs (9.x) reads a page-level ``search: {boost: N}`` from page meta and puts
it on every search entry of that page; its search worker passes each entry's ``boost`` to
lunr, which multiplies the entry's score by it. There is no per-section setting, so before
the search plugin writes ``search_index.json`` (or in the file, if its entries are not
reachable), each Root Cause entry gets its own boost, and its title becomes
``Root Cause: <summary>``: Material weighs title matches 1000 times text matches, so
without the summary in the title any page whose title shares one word with the query
would outrank the cause itself. The index format is the one the theme's worker reads:
``{"config": ..., "docs": [{"location", "title", "text", "boost"?, "tags"?}]}``, titles
being HTML-escaped text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Section slugs whose search entries get the root-cause boost.
ROOT_CAUSE_SLUGS = ("root-cause",)


def find_anchor(toc: Iterable[Any], slugs: Iterable[str], normalize: Any) -> str | None:
    """The ``id`` of the first table-of-contents item whose title normalizes to a slug."""
    wanted = set(slugs)
    for item in toc:
        if normalize(item.title) in wanted:
            return str(item.id)
        found = find_anchor(item.children, wanted, normalize)
        if found:
            return found
    return None


@dataclass(frozen=True)
class SectionBoost:
    """What a section's search entry gets: a boost, and text to add to its title."""

    boost: float
    summary: str = ""


def boost_entries(entries: Iterable[dict[str, Any]], boosts: Mapping[str, SectionBoost]) -> int:
    """Boost (and retitle) the entries whose location is in ``boosts``; how many changed."""
    changed = 0
    for entry in entries:
        section = boosts.get(entry.get("location", ""))
        if section is None:
            continue
        entry["boost"] = section.boost
        if section.summary:
            entry["title"] = f"{entry.get('title', '')}: {html.escape(section.summary, False)}"
        changed += 1
    return changed


def index_entries(search_plugin: Any) -> list[dict[str, Any]] | None:
    """The entries Material's search plugin is about to write, when it exposes them."""
    entries = getattr(getattr(search_plugin, "search_index", None), "entries", None)
    return entries if isinstance(entries, list) else None


def rewrite_index(path: Path, boosts: Mapping[str, SectionBoost]) -> int:
    """Apply ``boosts`` to the search index file at ``path`` (when the entries could not be
    changed before the search plugin wrote them)."""
    if not path.is_file():
        return 0
    index = json.loads(path.read_text(encoding="utf-8"))
    changed = boost_entries(index.get("docs", []), boosts)
    path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
    return changed


def escape_markup(path: Path) -> None:
    """Write ``<``, ``>`` and ``&`` of a JSON file as ``\\u`` escapes: the same strings to a
    JSON reader, but no markup in the file whatever the post-mortems hold. Outside strings
    JSON has none of these characters, so a text replacement is exact."""
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    if any(c in text for c in "<>&"):
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        path.write_text(text, encoding="utf-8")
