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
from functools import cached_property

from .positions import Position, skip_properties

__all__ = ["FieldText", "align_value"]

#: Most written characters, besides whitespace, that may stand between two characters of
#: the value: an escape (``\U0001F600`` is ten), a doubled quote, an escaped line break.
_SKIPPABLE = 10


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
    #: ``(file line, column just past its end)`` for each file line the value covers.
    line_ends: tuple[tuple[int, int], ...] = ()

    def place(self, line: int, column: int) -> tuple[int, int]:
        """The file position of the value's 1-based ``line`` and ``column``."""
        if not self.runs:
            return self.line + line - 1, column + self.column - 1
        starts = self._line_starts
        offset = min(starts[min(line, len(starts)) - 1] + column - 1, len(self.text))
        i = max(bisect_right(self._run_offsets, offset) - 1, 0)
        start, file_line, file_column = self.runs[i]
        return file_line, file_column + offset - start

    def line_end(self, line: int) -> int:
        """1-based column just past the end of file line ``line``, if the value covers it."""
        return self._ends.get(line, 0)

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [i + 1 for i, char in enumerate(self.text) if char == "\n"]

    @cached_property
    def _run_offsets(self) -> list[int]:
        return [run[0] for run in self.runs]

    @cached_property
    def _ends(self) -> dict[int, int]:
        return dict(self.line_ends)


def align_value(
    value: str, lines: Sequence[str], start: Position, end: Position, style: str | None
) -> tuple[tuple[int, int, int], ...]:
    """Runs mapping ``value`` onto the file text from ``start`` to ``end`` (1-based marks).

    Each value character is matched to the next written character equal to it, passing
    whitespace (indentation, folded line breaks) and at most a few other characters (quotes,
    escapes); in a double-quoted value an escape is the character it stands for. A character
    with no match keeps the current position. Linear in the length.
    """
    source = _written(lines, start, end, style)
    if style == '"':
        source = _unescaped(source)
    # The index of the first non-whitespace character at or after each position.
    after = [len(source)] * (len(source) + 1)
    for k in range(len(source) - 1, -1, -1):
        after[k] = after[k + 1] if source[k][0].isspace() else k
    j = _past_properties(source, style)
    runs: list[tuple[int, int, int]] = []
    previous: tuple[int, int] | None = None
    for i, char in enumerate(value):
        if j >= len(source):
            break
        found = j if char.isspace() and source[j][0].isspace() else None
        if not char.isspace():
            k, skipped = after[j], 0
            while k < len(source) and source[k][0] != char and skipped < _SKIPPABLE:
                k, skipped = after[k + 1], skipped + 1
            found = k if k < len(source) and source[k][0] == char else None
        _, line, column = source[found if found is not None else j]
        if previous is None or line != previous[0] or column != previous[1] + 1:
            runs.append((i, line, column))
        previous = (line, column)
        if found is not None:
            j = found + 1
    return tuple(runs)


def _written(
    lines: Sequence[str], start: Position, end: Position, style: str | None
) -> list[tuple[str, int, int]]:
    """Each written character from ``start`` to ``end``, with its line and column; line
    breaks as ``"\\n"``. A block scalar's header line is left out."""
    source: list[tuple[str, int, int]] = []
    first_line = start.line + (1 if style in ("|", ">") else 0)
    for number in range(first_line, min(end.line, len(lines)) + 1):
        text = lines[number - 1]
        begin = start.column - 1 if number == start.line else 0
        stop = end.column - 1 if number == end.line else len(text)
        source += [(text[i], number, i + 1) for i in range(begin, min(stop, len(text)))]
        if number != end.line:
            source.append(("\n", number, len(text) + 1))
    return source


#: A double-quoted scalar's escapes of one character after the backslash, and the number
#: of hex digits after ``x``, ``u`` and ``U``.
_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
            "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
            "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}


def _unescaped(source: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """A double-quoted scalar's written characters with each escape as the character it
    stands for, placed at its backslash (at the character itself when written, as in
    ``\\"``): a run of escapes (``\\xE9\\xE9\\xE9``, as ``yaml.dump`` writes text that is
    not ASCII) is then matched like plain text."""
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(source):
        char, line, column = source[i]
        code = source[i + 1][0] if char == "\\" and i + 1 < len(source) else ""
        digits = "".join(c for c, _, _ in source[i + 2 : i + 2 + _HEX_DIGITS.get(code, 0)])
        if code in _ESCAPES:
            out.append(source[i + 1] if _ESCAPES[code] == code else (_ESCAPES[code], line, column))
            i += 2
        elif code in _HEX_DIGITS and len(digits) == _HEX_DIGITS[code] \
                and all(c in "0123456789abcdefABCDEF" for c in digits) \
                and int(digits, 16) <= 0x10FFFF:
            out.append((chr(int(digits, 16)), line, column))
            i += 2 + len(digits)
        else:  # a plain character, or an escaped line break (YAML drops it)
            out.append(source[i])
            i += 1
    return out


def _past_properties(source: list[tuple[str, int, int]], style: str | None) -> int:
    """Where the value's own text starts: past an anchor or tag (``&name``, ``!!str``) that
    the node's start mark includes, and past the opening quote."""
    if style in ("|", ">"):
        return 0
    j, _ = skip_properties("".join(char for char, _, _ in source))
    if style in ('"', "'") and j < len(source) and source[j][0] == style:
        j += 1
    return j
