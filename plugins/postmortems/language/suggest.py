"""Rewrite suggestions: a finding's own sentence with its match rewritten by its rule.

The rules read prose, in which inline code is blanked and markup left out. A suggestion is
the sentence as the author wrote it (code, links and emphasis kept), taken from the source
lines the prose points into, when that can be done exactly: the match is written as plain
text, no markup touches it, and the sentence's markup is balanced. Otherwise it is the
prose sentence when that reads as the written one without its emphasis and link targets,
and else there is none: a rewrite that drops part of the sentence (inline code, an
autolink, HTML) would not fit it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from ..markdown import Segment
from .matcher import Hit

#: Characters that make a written sentence unsafe to copy when they touch the match.
_MARKUP = frozenset("*_~[]()`<>\\!")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SPACE_BEFORE_MARK = re.compile(r"\s+([,.;:!?])")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)


@dataclass(frozen=True)
class Source:
    """The lines a prose's segments point into, by the offset where each part of the prose
    starts: one part for a body, one per value for front-matter fields checked together.
    ``parts`` holds ``(offset, lines, first_line)``; ``lines[0]`` is line ``first_line``."""

    parts: Sequence[tuple[int, Sequence[str], int]]

    @classmethod
    def of(cls, lines: Sequence[str], first_line: int) -> Source:
        return cls(((0, lines, first_line),))

    def text(self, segment: Segment, start: int, end: int) -> str | None:
        """What the file holds for prose offsets ``[start, end)`` of ``segment`` (its lines
        joined by a space), or None when the positions fall outside the lines."""
        if start >= end:
            return ""
        offsets = [p[0] for p in self.parts]
        _, lines, first_line = self.parts[bisect_right(offsets, start) - 1]
        first, first_col = segment.locate(start)
        last, last_col = segment.locate(end - 1)
        pieces = []
        for line in sorted({n for n in segment.lines if first <= n <= last}):
            i = line - first_line
            if not 0 <= i < len(lines):
                return None
            written = lines[i]
            piece = segment.cols[segment.lines.index(line)]
            begin = first_col - 1 if line == first else piece
            stop = last_col if line == last else len(written)
            if begin == piece:  # the prose of a line leaves out markup and code opening it
                begin = _markup_before(written, begin)
            if line == last:
                stop = _markup_after(written, stop)
            pieces.append(written[begin:stop])
        return " ".join(pieces)

    def around(self, segment: Segment, offset: int) -> tuple[str, str] | None:
        """The written characters right before and right after the one at prose offset
        ``offset`` ("" at a line's ends), or None outside the lines."""
        offsets = [p[0] for p in self.parts]
        _, lines, first_line = self.parts[bisect_right(offsets, offset) - 1]
        line, column = segment.locate(offset)
        i = line - first_line
        if not 0 <= i < len(lines):
            return None
        written = lines[i]
        return written[column - 2 : column - 1] if column > 1 else "", written[column : column + 1]


def _markup_before(written: str, at: int) -> int:
    """Where the inline code spans and opening emphasis or link brackets right before
    ``written[at]`` begin."""
    while at > 0:
        j = at
        while j > 0 and written[j - 1] in " \t":
            j -= 1
        if j > 0 and written[j - 1] == "`":
            k = j - 1
            while k > 0 and written[k - 1] == "`":
                k -= 1
            opening = written.rfind(written[k:j], 0, k)
            if opening < 0:
                break
            at = opening
        elif written[at - 1] in "*_[~":
            at -= 1
        else:
            break
    return at


def _markup_after(written: str, at: int) -> int:
    """Where the inline code spans, closing emphasis, a link's closing bracket and its target
    right after ``written[:at]`` end."""
    while at < len(written):
        j = at
        while j < len(written) and written[j] in " \t":
            j += 1
        if j < len(written) and written[j] == "`":
            k = j
            while k < len(written) and written[k] == "`":
                k += 1
            closing = written.find(written[j:k], k)
            if closing < 0:
                break
            at = closing + (k - j)
        elif written[at] in "*_~":
            at += 1
        elif written.startswith("](", at) and (close := written.find(")", at)) > 0:
            at = close + 1
        elif written[at] == "]":
            at += 1
        else:
            break
    return at


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*+|~+|(?<!\w)_+|_+(?!\w)")


def _plain(written: str) -> str:
    """A sentence as its prose reads: comments dropped, links as their text, emphasis
    markers removed, whitespace collapsed (none before punctuation)."""
    plain = _EMPHASIS.sub("", _LINK.sub(r"\1", _COMMENT.sub("", written)))
    return _SPACE_BEFORE_MARK.sub(r"\1", " ".join(plain.split()))


def _balanced(sentence: str) -> bool:
    """Whether the written sentence's markup is whole: code spans closed, then no stray
    backtick, HTML, escape, and emphasis and brackets paired."""
    outside = _CODE_SPAN.sub("", sentence)
    if any(ch in outside for ch in "`<>\\"):
        return False
    return (outside.count("*") % 2 == 0 and outside.count("~") % 2 == 0
            and outside.count("[") == outside.count("]"))


def _as_written(
    hit: Hit, text: str, start: int, end: int, source: Source
) -> tuple[str, str, str] | None:
    """The sentence's written text before and after the match, and all of it, or None when
    it cannot be taken exactly."""
    seg = hit.segment
    if source.text(seg, hit.start, hit.end) != text[hit.start : hit.end]:
        return None  # markup or code inside the match
    first, last = source.around(seg, hit.start), source.around(seg, hit.end - 1)
    if first is None or last is None or first[0] in _MARKUP or last[1] in _MARKUP:
        return None  # emphasis, a link or code touches the match
    parts = (source.text(seg, start, hit.start), source.text(seg, hit.end, end),
             source.text(seg, start, end))
    if any(p is None for p in parts):
        return None
    before, after, original = (_COMMENT.sub("", p or "") for p in parts)
    if not _balanced(original):
        return None
    # A line break between the match and its neighbours is a space; otherwise the written
    # characters between them are already in ``before`` and ``after``.
    if hit.start > start and seg.locate(hit.start - 1)[0] != seg.locate(hit.start)[0]:
        before += " "
    if hit.end < end and seg.locate(hit.end)[0] != seg.locate(hit.end - 1)[0]:
        after = " " + after
    return before, after, original


def suggestion(
    hit: Hit, text: str, bounds: list[int], source: Source | None = None
) -> tuple[str, ...]:
    """The hit's sentence with the match rewritten by its rule, or nothing. ``bounds`` are
    the prose's sentence ends; ``source`` the lines it was read from."""
    rewritten = hit.rule.rewrite(text[hit.start : hit.end])
    if rewritten is None:
        return ()
    i = bisect_right(bounds, hit.start)
    start = bounds[i - 1] if i else 0
    end = bounds[i] if i < len(bounds) else len(text)
    start = max(start, text.rfind("\x00", 0, hit.start) + 1)
    stop = text.find("\x00", hit.end)
    end = min(end, stop) if stop >= 0 else end
    parts = _as_written(hit, text, start, end, source) if source is not None else None
    if parts is None:
        parts = (text[start : hit.start], text[hit.end : end], text[start:end])
        if source is not None:
            written = source.text(hit.segment, start, end)
            if written is None or _plain(written) != _plain(parts[2]):
                return ()  # the prose sentence lost part of it (code, a link): none fits
    before, after, original = parts
    sentence = " ".join(f"{before}{rewritten}{after}".split())
    sentence = _SPACE_BEFORE_MARK.sub(r"\1", sentence)
    if not sentence or sentence == " ".join(original.split()):
        return ()
    return (sentence[0].upper() + sentence[1:],)
