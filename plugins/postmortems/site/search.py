"""Search ranking: post-mortems above other pages, their *Root Cause* sections above all.

Material for MkDocs (9.x) puts a page's ``search: {boost: N}`` on every search entry of
that page; its search worker passes each entry's ``boost`` to lunr, which multiplies the
entry's score by it, so only the ratios of boosts rank. Before the search plugin writes
``search_index.json`` (or in the file, if its entries are not reachable), the entries are
boosted relative to the post-mortems' own: a Root Cause entry gets ``root_cause_boost /
search_boost``, the other entries of a post-mortem none (1), and every entry of another page
its own boost divided by ``search_boost``. That ranks exactly as boosting every entry of
every post-mortem would, without a ``boost`` field on each of them (there are far more
post-mortem entries than others). A Root Cause entry's title becomes ``Root Cause: <summary>
(<categories>)``: Material weighs title matches 1000 times text matches, so without the
summary in the title any page whose title shares one word with the query would outrank the
cause itself. Two things keep the index small without losing what a search finds: a
page's tags are kept on its first entry only (the worker groups a page's entries under that
one, so a tag still finds the page), and the generated pages are not parsed by the search
plugin (their tables are left out of search anyway) but get one entry each, for their
title. The index format is the one the theme's worker reads:
``{"config": ..., "docs": [{"location", "title", "text", "boost"?, "tags"?}]}``, titles
being HTML-escaped text.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Section slugs whose search entries get the root-cause boost.
ROOT_CAUSE_SLUGS = ("root-cause",)
#: The tags Material's search plugin keeps in an entry's text, always written bare (no
#: attributes); all other text it writes HTML-escaped.
KEPT_TAGS = ("p", "code", "pre", "li", "ol", "ul", "sub", "sup")
_KEPT = tuple(f"<{tag}>" for tag in KEPT_TAGS) + tuple(f"</{tag}>" for tag in KEPT_TAGS)
_ANGLE = re.compile("(" + "|".join(_KEPT) + ")|[<>]")


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.DOTALL)
_PERMALINK = re.compile(r'<a\b[^>]*class="headerlink"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


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


def cause_title(summaries: str, categories: Iterable[str]) -> str:
    """What a Root Cause entry's title adds: the summaries, then the categories (so that a
    search for a category finds its causes first)."""
    named = ", ".join(c for c in categories if c)
    return f"{summaries} ({named})" if summaries and named else summaries or named


def boost_entries(entries: Iterable[dict[str, Any]], boosts: Mapping[str, SectionBoost],
                  pages: Iterable[str] = (), page_boost: float = 1) -> int:
    """Boost (and retitle) the entries whose location is in ``boosts``; how many were.

    ``pages``: the post-mortems' page URLs, whose entries rank ``page_boost`` times those of
    other pages: their entries get no boost, the others' are divided by it (and the
    sections' boosts too)."""
    incident_pages = set(pages)
    changed = 0
    for entry in entries:
        location = entry.get("location", "")
        section = boosts.get(location)
        if section is not None:
            _set_boost(entry, section.boost / page_boost)
            if section.summary:
                title = f"{entry.get('title', '')}: {html.escape(section.summary, False)}"
                entry["title"] = title
            changed += 1
        elif location.partition("#")[0] in incident_pages:
            entry.pop("boost", None)
        elif page_boost != 1:
            try:
                own = float(entry.get("boost") or 1)
            except (TypeError, ValueError):
                continue  # not a number: the theme's worker makes of it what it does
            _set_boost(entry, own / page_boost)
    return changed


def tags_on_articles(entries: Iterable[dict[str, Any]]) -> None:
    """Keep each page's tags on its first entry only: the theme's worker makes that entry the
    article its other entries are grouped under, so a search for a tag ranks the page as
    before, without the same tags on every section of it."""
    seen: set[str] = set()
    for entry in entries:
        page = str(entry.get("location", "")).partition("#")[0]
        if page in seen:
            entry.pop("tags", None)
        else:
            seen.add(page)


def title_entry(location: str, content: str, fallback: str) -> dict[str, Any]:
    """The one search entry of a page the search plugin does not parse: its first heading,
    as the plugin would write it (HTML-escaped text, no permalink), or ``fallback``."""
    match = _H1.search(content)
    title = _TAG.sub("", _PERMALINK.sub("", match.group(1))).strip() if match else ""
    return {"location": location, "title": title or html.escape(fallback, False), "text": ""}


def _set_boost(entry: dict[str, Any], boost: float) -> None:
    boost = float(f"{boost:.4g}")  # four significant digits, however small
    if boost == 1:
        entry.pop("boost", None)
    else:
        entry["boost"] = int(boost) if boost.is_integer() else boost


def index_entries(search_plugin: Any) -> list[dict[str, Any]] | None:
    """The entries Material's search plugin is about to write, when it exposes them."""
    entries = getattr(getattr(search_plugin, "search_index", None), "entries", None)
    return entries if isinstance(entries, list) else None


def shape_entries(entries: list[dict[str, Any]], boosts: Mapping[str, SectionBoost],
                  pages: Iterable[str] = (), page_boost: float = 1,
                  added: Iterable[dict[str, Any]] = ()) -> int:
    """Add ``added`` (the title entries of pages the search plugin did not parse), boost the
    entries (:func:`boost_entries`) and keep tags on articles only; how many were boosted."""
    entries.extend(added)
    changed = boost_entries(entries, boosts, pages, page_boost)
    tags_on_articles(entries)
    return changed


def rewrite_index(path: Path, boosts: Mapping[str, SectionBoost], pages: Iterable[str] = (),
                  page_boost: float = 1, added: Iterable[dict[str, Any]] = ()) -> int:
    """Shape the entries (as :func:`shape_entries`) of the search index file at ``path``
    (when they could not be changed before the search plugin wrote them)."""
    if not path.is_file():
        return 0
    index = json.loads(path.read_text(encoding="utf-8"))
    changed = shape_entries(index.setdefault("docs", []), boosts, pages, page_boost, added)
    path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
    return changed


def escape_markup(path: Path) -> None:
    """Write every ``<`` and ``>`` of the search index that is not part of a bare tag Material
    keeps (:data:`KEPT_TAGS`) as a ``\\u`` escape: the same strings to a JSON reader, and
    no markup in the file but those attribute-less formatting tags, whatever the post-mortems
    hold. Outside strings JSON has none of these characters, so a text replacement is exact.

    Material writes all other text HTML-escaped, so the file is normally left as it is (each
    ``<`` and ``>`` is counted against the kept tags', without a copy of the file)."""
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    kept = sum(text.count(tag) for tag in _KEPT)  # no tag can overlap another
    if text.count("<") == kept and text.count(">") == kept:
        return
    text = _ANGLE.sub(_escape_angle, text)
    path.write_text(text, encoding="utf-8")


def _escape_angle(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1)
    return "\\u003c" if match.group(0) == "<" else "\\u003e"
