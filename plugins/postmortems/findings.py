"""Findings: what the checks report, as plain data that every renderer formats."""

from __future__ import annotations

import enum
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

#: Characters a terminal or a log viewer acts on rather than shows: C0 and C1 controls (ESC
#: starts the sequences that move the cursor, recolour or retitle the terminal), DEL, and the
#: bidirectional controls that reorder what is shown.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def printable(text: str, *, newlines: bool = False) -> str:
    """``text`` for a terminal or a log line: every control character as a visible escape
    (but line breaks, with ``newlines``, for a format that escapes them itself)."""
    def visible(match: re.Match[str]) -> str:
        char = match.group()
        if newlines and char in "\r\n":
            return char
        return char.encode("unicode_escape").decode("ascii")

    return _UNPRINTABLE.sub(visible, text)


#: Characters JSON may carry raw but a viewer would act on: written as ``\uXXXX`` escapes,
#: which decode to the same text.
_JSON_INVISIBLE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(data: object) -> str:
    """``data`` as indented JSON, exact text, with invisible controls escaped."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _JSON_INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class Level(str, enum.Enum):
    """How serious a finding is. Errors fail; warnings fail under ``--strict``; info never fails."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True)
class Finding:
    """One problem at one place in one file.

    ``line`` and ``column`` are 1-based; 0 means "not known" (for example a file
    that cannot be decoded has no line).
    """

    path: str
    line: int
    rule: str
    level: Level
    message: str
    hint: str = ""
    column: int = 0
    end_column: int = 0
    category: str = ""
    match: str = ""
    suggestions: tuple[str, ...] = field(default_factory=tuple)
    scope: str = ""  # where it was found when that caps its level: "quote" (a block quote)

    def with_level(self, level: Level) -> Finding:
        return replace(self, level=level)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

    def location(self) -> str:
        """``path:line:column`` with the unknown parts left out."""
        parts = [self.path]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["level"] = self.level.value
        data["suggestions"] = list(self.suggestions)
        return data


@dataclass(frozen=True)
class Suppression:
    """A finding that an author silenced on purpose, with the reason they gave.

    ``line`` and ``column`` are where the silenced finding is, as for :class:`Finding`.
    """

    path: str
    line: int
    rule: str
    reason: str
    column: int = 0


def fails(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    """Whether these findings fail a check: any error, or any warning when strict."""
    threshold = Level.WARNING.rank if strict else Level.ERROR.rank
    return any(f.level.rank >= threshold for f in findings)


def count_levels(findings: Iterable[Finding]) -> Counter[Level]:
    return Counter(f.level for f in findings)
