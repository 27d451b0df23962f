"""Where each character of a front-matter text value is written in the file.

YAML changes a value on the way in: a block scalar loses its indentation, a folded or
multi-line plain scalar turns line breaks into spaces, a quoted one loses its quotes and
escapes. A finding in a value is reported at the file's line and column, so the value is
aligned with the file's text between the node's start and end marks.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from .positions import Position

__all__ = ["FieldText", "align_value"]

#: Most source characters an escape can stand for one value character with (``\U0001F600``).
_ESCAPE_SPAN = 10


@dataclass(frozen=True)
class FieldText:
    """A front-matter text value, its dotted name, and where its characters are in the file."""

    name: str
    text: str
    line: int
    column: int
    #: ``(value offset, file line, file column)`` where each contiguous run of the value
    #: starts; empty means the value is written as is from ``line`` and ``column``.
    runs: tuple[tuple[int, int, int], ...] = ()
    #: Length of each file line the value covers, by line number (to end a span there).
    line_ends: tuple[tuple[int, int], ...] = ()

    def place(self, line: int, column: int) -> tuple[int, int]:
        """The file position of the value's 1-based ``line`` and ``column``."""
        if not self.runs:
            return self.line + line - 1, column + self.column - 1
        offset = _offset(self.text, line, column)
        i = max(bisect_right([r[0] for r in self.runs], offset) - 1, 0)
        start, file_line, file_column = self.runs[i]
        return file_line, file_column + offset - start

    def line_end(self, line: int) -> int:
        """1-based column just past the end of file line ``line``, if the value covers it."""
        return dict(self.line_ends).get(line, 0)


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            break
        start = found + 1
    return min(start + column - 1, len(text))


def align_value(
    value: str, lines: Sequence[str], start: Position, end: Position, style: str | None
) -> tuple[tuple[int, int, int], ...]:
    """Runs mapping ``value`` onto the file text from ``start`` to ``end`` (1-based marks).

    Each value character is matched to the next source character equal to it, skipping
    source whitespace (indentation, folded line breaks) and at most a few other characters
    (quotes, escapes); a character with no match keeps the current source position.
    """
    source: list[tuple[str, int, int]] = []
    first_line = start.line + (1 if style in ("|", ">") else 0)
    for number in range(first_line, min(end.line, len(lines)) + 1):
        text = lines[number - 1]
        begin = start.column - 1 if number == start.line else 0
        if number == start.line and style in ('"', "'"):
            begin += 1
        stop = end.column - 1 if number == end.line else len(text)
        source += [(text[i], number, i + 1) for i in range(begin, min(stop, len(text)))]
        if number != end.line:
            source.append(("\n", number, len(text) + 1))
    runs: list[tuple[int, int, int]] = []
    j, previous = 0, None
    for i, char in enumerate(value):
        if j >= len(source):
            break
        if char.isspace():
            k = j if source[j][0].isspace() else None
        else:
            k = j
            while k < len(source) and source[k][0].isspace():
                k += 1
            limit = k + _ESCAPE_SPAN
            while k < len(source) and k <= limit and source[k][0] != char:
                k += 1
            if k >= len(source) or source[k][0] != char:
                k = None
        at = source[k if k is not None else j]
        if previous is None or at[1] != previous[0] or at[2] != previous[1] + 1:
            runs.append((i, at[1], at[2]))
        previous = (at[1], at[2])
        if k is not None:
            j = k + 1
    return tuple(runs)
