"""Internal-only content, and the public build profile that leaves it out.

A post-mortem marks what only the team may read:

- in the body, a section whose heading starts with ``Internal:`` (up to the next heading of
  the same or a higher level), and any text between ``<!-- internal -->`` and
  ``<!-- /internal -->`` (an unclosed marker runs to the end of the file);
- in the front matter, ``internal: [authors, root_cause.summary, ...]`` (the fields the
  schema allows), and ``internal: true`` on an action item.

With ``profile: public`` the site is built from the copies made here, so neither the pages,
the search index, the exports nor the feed ever see that content. Markers inside fenced
code blocks are text, not markers.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any

from ..markdown import parse_body
from ..model import Postmortem

PROFILES = ("full", "public")
_MARKER = re.compile(r"<!--\s*(/?)\s*internal\s*-->", re.I)
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*)$")
_INTERNAL_HEADING = re.compile(r"internal\s*:", re.I)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def strip_internal(markdown: str) -> str:
    """``markdown`` without its internal sections and marked regions."""
    out: list[str] = []
    fence = ""
    marked = False
    section_level = 0  # the level of the internal section being skipped, 0 outside one
    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(
                    fence):
                fence = ""
            if not marked and not section_level:
                out.append(line)
            continue
        heading = _HEADING.match(line)
        if heading and not marked:
            level = len(heading.group(1))
            if section_level and level <= section_level:
                section_level = 0
            if not section_level and _INTERNAL_HEADING.match(heading.group(2)):
                section_level = level
        if section_level:
            if opening:
                fence = opening.group(1)
            continue
        kept, position = [], 0
        for match in _MARKER.finditer(line):
            if not marked:
                kept.append(line[position:match.start()])
            marked = match.group(1) != "/"
            position = match.end()
        if not marked:
            kept.append(line[position:])
        if kept and (position == 0 or "".join(kept).strip()):
            out.append("".join(kept))
        if opening and not marked and position == 0:
            fence = opening.group(1)
    return "\n".join(out)


def public_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The front matter without its internal fields and internal action items."""
    data = copy.deepcopy(meta)
    names = data.pop("internal", None)
    for name in names if isinstance(names, list) else []:
        if not isinstance(name, str):
            continue
        head, _, rest = name.partition(".")
        if rest and isinstance(data.get(head), dict):
            data[head].pop(rest, None)
        elif not rest:
            data.pop(head, None)
    items = data.get("action_items")
    if isinstance(items, list):
        data["action_items"] = [
            {k: v for k, v in item.items() if k != "internal"} if isinstance(item, dict) else item
            for item in items if not (isinstance(item, dict) and item.get("internal") is True)
        ]
    return data


def internal_fields(meta: dict[str, Any]) -> list[str]:
    """The top-level front-matter keys that a public page must not carry in its meta."""
    names = meta.get("internal")
    fields = [n.partition(".")[0] for n in names if isinstance(n, str)] if isinstance(
        names, list) else []
    return ["internal", *fields]


def public_postmortem(pm: Postmortem) -> Postmortem:
    """A copy of ``pm`` as a public site may show it (findings and suppressions kept)."""
    source = pm.source
    body = strip_internal(source.body)
    front = dataclasses.replace(source.front_matter, data=public_meta(source.meta))
    document = parse_body(body, source.body_line) if source.document is not None else None
    public = dataclasses.replace(source, front_matter=front, body=body, text=body,
                                 document=document)
    return Postmortem(public, list(pm.findings), list(pm.suppressions))
