"""People's names: collected from a post-mortem, expanded into the forms prose uses."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..markdown import Body, parse_body
from .rules import RuleSet

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`~]|<[^>]*>")
_SPLIT = re.compile(r"\s*(?:,|;|/|&|\band\b|\+)\s*")
_PERSON_HEADERS = ("person", "people", "name", "names", "who")
def section_name(title: str) -> str:
    """A heading's text, normalised: ``Who Was Involved`` -> ``who was involved``."""
    return " ".join(re.sub(r"[^\w\s]", " ", title).lower().split())


_PLACEHOLDER = re.compile(r"^(?:\.{3}|…|-+|—|–|n/?a|none|tbd|todo|\?+|<[^>]*>)$", re.IGNORECASE)


def _people_column(document: Body) -> list[str]:
    """Cells of the Person column of the first table under "Who Was Involved"."""
    section = document.section("who-was-involved")
    for table in section.tables if section else []:
        header = next((h for h in table.headers if section_name(h) in _PERSON_HEADERS), None)
        if header is None:
            return []
        return [row.cells[header] for row in table.rows if row.cells.get(header)]
    return []


def _clean(cell: str) -> list[str]:
    text = _MARKUP.sub("", _LINK.sub(r"\1", cell))
    text = re.sub(r"\([^)]*\)", "", text)  # "Priya Raman (IC)"
    names = [n.strip(" .:") for n in _SPLIT.split(text)]
    return [n for n in names if n and not _PLACEHOLDER.match(n)]


def names_from_postmortem(
    front_matter: Mapping[str, Any] | None, body: str | Body
) -> list[str]:
    """Names a post-mortem itself gives: authors, action-item owners, "Who Was Involved".

    ``body`` is the Markdown body, or the :class:`Body` already parsed from it.

    The list is raw (team slugs such as ``db-team`` included, in order of first
    appearance, without duplicates); the checker decides which entries are people.
    """
    front_matter = front_matter if isinstance(front_matter, Mapping) else {}
    found: list[str] = []
    authors = front_matter.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    elif not isinstance(authors, list):  # a mistyped value: the schema reports it
        authors = []
    found += [str(a) for a in authors if a]
    items = front_matter.get("action_items")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and item.get("owner"):
            found.append(str(item["owner"]))
    document = parse_body(body) if isinstance(body, str) else body
    for cell in _people_column(document):
        found += _clean(cell)
    return list(dict.fromkeys(n.strip() for n in found if n and n.strip()))


_SPACES = re.compile(r"\s+")
# A name never continues one of these, nor runs on into these: the finder and its pattern
# both use them.
_BEFORE_NAME = r"[\w@.-]"
_AFTER_NAME = r"[\w@-]|\.\w"
_NAME_BEFORE = re.compile(_BEFORE_NAME)
_NAME_AFTER = re.compile(_AFTER_NAME)


class NameMatch:
    """Where a known name was found (the parts of :class:`re.Match` the matcher uses)."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def group(self) -> str:
        return self._text[self._start : self._end]


class NameFinder:
    """Finds known names as :attr:`pattern` would, without compiling it.

    Every file names other people, so a compiled alternation of its names would cost more
    (about 1.5 ms) than the search itself; plain substring searches find the same matches:
    at each place the first name in :attr:`alternatives` order that fits, words of a full
    name apart by any whitespace, not inside a longer word, handle or address.
    """

    def __init__(self, tokens: Iterable[str]) -> None:
        self.alternatives = sorted(tokens, key=lambda t: (-len(t), t))
        self._parts = [t.split() for t in self.alternatives]
        self._pattern: re.Pattern[str] | None = None
        self._text: str | None = None
        self._found: list[tuple[int, int]] = []
        self._starts: list[int] = []

    @property
    def pattern(self) -> re.Pattern[str]:
        """The equivalent regular expression (compiled on first use)."""
        if self._pattern is None:
            body = "|".join(r"\s+".join(map(re.escape, parts)) for parts in self._parts)
            self._pattern = re.compile(rf"(?<!{_BEFORE_NAME})(?:{body})(?!{_AFTER_NAME})")
        return self._pattern

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> NameMatch | None:
        """The first known name starting at ``pos`` or later, as ``pattern.search``."""
        if endpos is not None and endpos < len(text):
            m = self.pattern.search(text, pos, endpos)
            return NameMatch(text, m.start(), m.end()) if m else None
        if text is not self._text:
            self._index(text)
        i = bisect_left(self._starts, pos)
        if i == len(self._starts):
            return None
        start, end = self._found[i]
        return NameMatch(text, start, end)

    def forget(self) -> None:
        """Let go of the last text searched (a cached finder would keep it alive)."""
        self._text, self._found, self._starts = None, [], []

    def _index(self, text: str) -> None:
        best: dict[int, tuple[int, int]] = {}
        for order, parts in enumerate(self._parts):
            first = parts[0]
            at = text.find(first)
            while at >= 0:
                end = self._fit(text, at + len(first), parts)
                if (
                    end >= 0
                    and (at == 0 or not _NAME_BEFORE.match(text, at - 1))
                    and not _NAME_AFTER.match(text, end)
                    and (at not in best or best[at][0] > order)
                ):
                    best[at] = (order, end)
                at = text.find(first, at + 1)
        self._found = [(start, best[start][1]) for start in sorted(best)]
        self._starts = [start for start, _ in self._found]
        self._text = text

    @staticmethod
    def _fit(text: str, end: int, parts: list[str]) -> int:
        """Where a name whose first word ends at ``end`` ends, or -1 if it does not fit."""
        for part in parts[1:]:
            gap = _SPACES.match(text, end)
            if gap is None or not text.startswith(part, gap.end()):
                return -1
            end = gap.end() + len(part)
        return end


@dataclass(frozen=True)
class KnownNames:
    """The forms of the known names that count as a person in prose (case-sensitive)."""

    tokens: frozenset[str]
    finder: NameFinder | None

    def knows(self, value: str) -> bool:
        """Whether ``value`` is one of the known forms, its words apart by any whitespace."""
        return " ".join(value.split()) in self.tokens

    def accepts(self, value: str, mode: str, rules: RuleSet, *, initial: bool) -> bool:
        """Whether a ``{name}`` capture is a person.

        A known name always is. Otherwise, by the rule's ``names`` mode: ``known`` accepts
        nothing more; ``any`` an unknown capitalised word not in ``not_names``, which at the
        start of a sentence (where every word is capitalised) must also be in
        ``first_names``; ``first`` only a word of ``first_names`` (not ``ambiguous_names``),
        anywhere; ``actor`` like ``any`` but also at the start of a sentence, for patterns
        whose context (a timeline entry's actor and a verb of speech) already says it is a
        person. The words of ``value`` may be apart by any whitespace.
        """
        value = " ".join(value.split())
        first = value.split(" ")[0]
        if value in self.tokens or first in self.tokens:
            return True
        lowered = first.lower()
        if mode == "known" or not value[:1].isupper() or lowered in rules.not_names:
            return False
        if mode == "first":
            return lowered in rules.first_names and lowered not in rules.ambiguous_names
        if mode == "actor":
            return len(first) > 1 or " " in value
        return not initial or lowered in rules.first_names


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
    return KnownNames(frozenset(tokens), NameFinder(tokens))
