"""People's names: collected from a post-mortem, expanded into the forms prose uses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .prose import TABLE_DELIMITER, UNESCAPED_PIPE, section_name
from .rules import RuleSet

_HEADING = re.compile(r"^[ ]{0,3}#{1,6}[ \t]+(?P<title>.*?)[ \t#]*$")
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`~]|<[^>]*>")
_SPLIT = re.compile(r"\s*(?:,|;|/|&|\band\b|\+)\s*")
_PERSON_HEADERS = ("person", "people", "name", "names", "who")
_PLACEHOLDER = re.compile(r"^(?:\.{3}|…|-+|—|–|n/?a|none|tbd|todo|\?+|<[^>]*>)$", re.IGNORECASE)


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [c.strip() for c in UNESCAPED_PIPE.split(text)]


def _people_column(body: str) -> list[str]:
    """Cells of the Person column of the table under a "Who Was Involved" heading."""
    lines = body.split("\n")
    in_section = in_fence = False
    out: list[str] = []
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if heading := _HEADING.match(line):
            in_section = section_name(heading.group("title")) == "who was involved"
            continue
        if not in_section or "|" not in line or i + 1 >= len(lines):
            continue
        if not TABLE_DELIMITER.match(lines[i + 1]):
            continue
        headers = [section_name(c) for c in _cells(line)]
        column = next((k for k, h in enumerate(headers) if h in _PERSON_HEADERS), None)
        if column is None:
            return out
        for row in lines[i + 2 :]:
            if "|" not in row or not row.strip():
                break
            cells = _cells(row)
            if column < len(cells):
                out.append(cells[column])
        return out
    return out


def _clean(cell: str) -> list[str]:
    text = _MARKUP.sub("", _LINK.sub(r"\1", cell))
    text = re.sub(r"\([^)]*\)", "", text)  # "Priya Raman (IC)"
    names = [n.strip(" .:") for n in _SPLIT.split(text)]
    return [n for n in names if n and not _PLACEHOLDER.match(n)]


def names_from_postmortem(front_matter: Mapping[str, Any] | None, body: str) -> list[str]:
    """Names a post-mortem itself gives: authors, action-item owners, "Who Was Involved".

    The list is raw (team slugs such as ``db-team`` included, in order of first
    appearance, without duplicates); the checker decides which entries are people.
    """
    front_matter = front_matter if isinstance(front_matter, Mapping) else {}
    found: list[str] = []
    authors = front_matter.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    found += [str(a) for a in authors if a]
    items = front_matter.get("action_items")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and item.get("owner"):
            found.append(str(item["owner"]))
    for cell in _people_column(body):
        found += _clean(cell)
    return list(dict.fromkeys(n.strip() for n in found if n and n.strip()))


@dataclass(frozen=True)
class KnownNames:
    """The forms of the known names that count as a person in prose (case-sensitive)."""

    tokens: frozenset[str]
    regex: re.Pattern[str] | None

    def accepts(self, value: str, mode: str, rules: RuleSet, *, initial: bool) -> bool:
        """Whether a ``{name}`` capture is a person.

        A known name always is. In mode ``any`` an unknown capitalised word is too, unless
        it is in ``not_names``; at the start of a sentence (where every word is
        capitalised) it must also be in ``first_names``.
        """
        first = value.split(" ")[0]
        if value in self.tokens or first in self.tokens:
            return True
        if mode != "any" or not value[:1].isupper() or first.lower() in rules.not_names:
            return False
        return not initial or first.lower() in rules.first_names


EMPTY_NAMES = KnownNames(frozenset(), None)


def _is_team_or_role(name: str, rules: RuleSet) -> bool:
    lowered = name.lower()
    return "-" in name or lowered.endswith("team") or lowered in rules.role_words


def known_names(names: Iterable[str], rules: RuleSet) -> KnownNames:
    """Expand names (``Priya Raman``, ``priya.raman``, ``@ben``) into the forms to match.

    Team slugs (containing ``-`` or ending in ``team``) and role words are ignored. A full
    name also yields its parts; a handle ``priya.raman`` also yields ``Priya Raman``,
    ``Priya`` and ``Raman``. Parts that are common words (the data's
    ``ambiguous_names``) count only as part of the full name; a full name also yields the
    handles ``priya.raman``, ``priya_raman`` and the mention ``@priya``. A lone lowercase
    handle counts only as an ``@`` mention.
    """
    tokens: set[str] = set()

    def add_part(part: str) -> None:
        if (
            len(part) >= 2
            and part[0].isupper()
            and part.lower() not in rules.ambiguous_names
            and part.lower() not in rules.not_names
        ):
            tokens.add(part)

    for raw in names:
        name = " ".join(str(raw).split()).lstrip("@")
        if not name or "<" in name or "..." in name or _is_team_or_role(name, rules):
            continue
        if " " in name:
            tokens.add(name)
            parts = name.split(" ")
            for part in parts:
                add_part(part)
            first, last = parts[0].lower(), parts[-1].lower()
            for handle in (f"{first}.{last}", f"{first}_{last}"):
                tokens.update((handle, "@" + handle))
            tokens.add("@" + first)
        elif re.search(r"[._]", name):
            tokens.update((name, "@" + name))
            parts = [p.capitalize() for p in re.split(r"[._]+", name) if p.isalpha()]
            if len(parts) >= 2:
                tokens.add(" ".join(parts))
            for part in parts:
                add_part(part)
        elif name[0].isupper():
            tokens.add(name)
        else:
            tokens.add("@" + name)
    if not tokens:
        return EMPTY_NAMES
    alternatives = sorted(tokens, key=lambda t: (-len(t), t))
    body = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in alternatives)
    regex = re.compile(rf"(?<![\w@.-])(?:{body})(?![\w@-]|\.\w)")
    return KnownNames(frozenset(tokens), regex)
