"""Rewrite suggestions: a finding's own sentence with its match rewritten by its rule.

The rules read prose, in which inline code and link targets are blanked and other markup is
left out. A suggestion is the sentence as the author wrote it, copied character for
character from the lines the prose points into, with only the match replaced. It is given
only when that copy is exact and whole: the match is written as plain text, no markup
touches it or the sentence's edges, and every piece of markup in the sentence is complete
(code spans, links, emphasis pairs, balanced brackets). Otherwise there is no suggestion,
since a rewrite that drops or breaks part of the sentence would not fit it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from ..markdown import Segment
from .matcher import Hit, sentence_bounds

#: Characters of inline markup; one of them at a piece's edge (where the prose leaves
#: markup out) makes the written sentence unsafe to copy, and so does one touching the
#: match, parentheses apart (``(by @someone)`` is plain text).
_MARKUP = frozenset("`*_~[]()!<>\\")
_TOUCHING = _MARKUP - {"(", ")"}
_COMMENT = re.compile(r"[ \t]*<!--.*?-->", re.S)
_COMMENT_IN_CODE = re.compile(r"`[^`]*<!--|-->[^`]*`")
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_CELL_EDGE = re.compile(r"(?<!\\)\|")
#: Only complete code spans and spaces: what a line's prose may leave out at its ends.
_ONLY_CODE = re.compile(r"\s*(?:(`+)(?!`).+?(?<!`)\1(?!`)\s*)+")
_LINK = re.compile(r"\[[^\[\]`]*\]\([^()\s]*\)")
_EMPHASIS = re.compile(r"(\*\*|\*|~~|(?<!\w)__|(?<!\w)_)(?=\S)[^*~`]*?(?<=\S)\1(?!\w)")
_INTRAWORD_UNDERSCORE = re.compile(r"(?<=\w)_+(?=\w)")
_APPROXIMATELY = re.compile(r"(?<![~\w])~(?=\d)")  # "~13 times"
#: A line's block markers, before its prose: quote markers, a list marker, a task box.
_BLOCK_PREFIX = re.compile(r"\s*(?:>\s*)*(?:(?:[-*+]|\d{1,9}[.)])\s+)?(?:\[[ xX]\]\s+)?")


@dataclass(frozen=True)
class Source:
    """The lines a prose's segments point into, by the offset where each part of the prose
    starts: one part for a body, one per value for front-matter fields checked together.
    ``parts`` holds ``(offset, lines, first_line)``; ``lines[0]`` is line ``first_line``."""

    parts: Sequence[tuple[int, Sequence[str], int]]

    @classmethod
    def of(cls, lines: Sequence[str], first_line: int) -> Source:
        return cls(((0, lines, first_line),))

    def lines_at(self, offset: int) -> tuple[Sequence[str], int]:
        """The lines, and the number of the first, of the part holding prose ``offset``."""
        _, lines, first_line = self.parts[bisect_right([p[0] for p in self.parts], offset) - 1]
        return lines, first_line


def _pieces(segment: Segment, text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """The segment's pieces that ``[start, end)`` overlaps: ``(index, piece start, piece
    end)`` in prose offsets, the end without the piece's line break."""
    out = []
    for i, piece_start in enumerate(segment.starts):
        piece_end = segment.starts[i + 1] if i + 1 < len(segment.starts) else segment.end
        while piece_end > piece_start and text[piece_end - 1] in "\n\x00":
            piece_end -= 1
        if piece_start < end and start < max(piece_end, piece_start + 1):
            out.append((i, piece_start, piece_end))
    return out


def _written(
    hit: Hit, text: str, start: int, end: int, source: Source
) -> tuple[str, str, str] | None:
    """The sentence ``[start, end)`` as written: the text before the match, the match and
    the text after it, each with its lines joined by a space; None unless exact and whole."""
    seg = hit.segment
    lines, first_line = source.lines_at(start)
    parts = ["", "", ""]
    bounds = (start, hit.start, hit.end, end)
    for i, piece_start, piece_end in _pieces(seg, text, start, end):
        n = seg.lines[i] - first_line
        if not 0 <= n < len(lines):
            return None
        line, col = lines[n], seg.cols[i]
        if piece_end - piece_start > len(line) - col:
            return None
        # The prose of a line leaves out the markup around it: complete code spans there
        # are taken in, anything else means the sentence cannot be copied whole.
        opening = closing = ""
        if start <= piece_start:
            left = line[:col]
            left = left[_BLOCK_PREFIX.match(left).end() :]  # type: ignore[union-attr]
            if seg.kind == "cell":  # a table cell's own text, after its opening pipe
                left = _CELL_EDGE.split(left)[-1]
            if (taken := _left_out(left, -1)) is None:
                return None
            opening = taken
        if end >= piece_end:
            right = line[col + piece_end - piece_start :]
            if seg.kind == "cell":
                right = _CELL_EDGE.split(right)[0]
            if (taken := _left_out(right, 0)) is None:
                return None
            closing = taken
        for k in range(3):
            a, b = max(bounds[k], piece_start), min(bounds[k + 1], piece_end)
            if a < b:
                chunk = line[col + a - piece_start : col + b - piece_start]
                if a == piece_start:
                    chunk = opening + chunk
                if b == piece_end:
                    chunk += closing
                if parts[k] and a == piece_start:  # the next line: one space between
                    parts[k] = f"{parts[k].rstrip(' ')} {chunk}"
                else:
                    parts[k] += chunk
            elif bounds[k] <= piece_start < bounds[k + 1] and parts[k]:
                parts[k] = parts[k].rstrip(" ") + " "  # a line break inside this part
    before, match, after = parts
    # A line break between the match and its neighbours is a space in the sentence.
    if hit.start > start and text[hit.start - 1] == "\n" and before[-1:] not in ("", " "):
        before += " "
    if hit.end < end and text[hit.end] == "\n" and after[:1] not in ("", " "):
        after = " " + after
    if " ".join(match.split()) != " ".join(text[hit.start : hit.end].split()):
        return None  # markup or code inside the match
    if (before and before[-1] in _TOUCHING) or (after and after[0] in _TOUCHING):
        return None  # emphasis, a link or code touching the match
    if _COMMENT_IN_CODE.search(before + match + after):
        return None  # "<!--" inside a code span is code; which is which is the parser's call
    before, after = _COMMENT.sub("", before), _COMMENT.sub("", after)
    if not _whole(before + match + after):
        return None
    return before, match, after


def _left_out(text: str, side: int) -> str | None:
    """What to take in of ``text``, written beside a line's prose but left out of it (its
    character next to the prose is ``text[side]``): all of it when it is only complete code
    spans, nothing when no markup is next to the prose, and None when markup is."""
    if _ONLY_CODE.fullmatch(text):
        return text
    edge = text.strip()
    return None if edge and edge[side] in _MARKUP else ""


def _whole(sentence: str) -> bool:
    """Whether every piece of markup in the written sentence is complete: after complete
    code spans, inline links and emphasis pairs are taken out, no markup character is left
    but intraword underscores and balanced parentheses, and no HTML, escape or image."""
    if any(bad in sentence for bad in ("<", ">", "\\", "![", "[^")):
        return False
    rest = _CODE_SPAN.sub("", sentence)
    rest = _LINK.sub("", rest)
    rest = _INTRAWORD_UNDERSCORE.sub("", rest)
    rest = _APPROXIMATELY.sub("", rest)
    while (shorter := _EMPHASIS.sub("", rest)) != rest:
        rest = shorter
    if any(ch in rest for ch in "`*_~[]"):
        return False
    depth = 0
    for ch in rest:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


def _code_blanked(text: str) -> str:
    """``text`` with the inside of its code spans blanked, so that no sentence ends there."""
    return _CODE_SPAN.sub(lambda m: m.group(1) + "x" * len(m.group(2)) + m.group(1), text)


def _join(before: str, rewritten: str, after: str) -> str:
    """``before + rewritten + after`` with one space at each junction where there was
    space, and none before punctuation that follows a removed match. The written text
    itself is left as it is."""
    core = " ".join(rewritten.split())
    spaced_before = before[-1:].isspace() or rewritten[:1].isspace()
    spaced_after = after[:1].isspace() or rewritten[-1:].isspace()
    before, after = before.rstrip(), after.lstrip()
    if not core:
        if not before:
            return after.lstrip(",;: ")
        if not after or after[0] in ",.;:!?" or not (spaced_before or spaced_after):
            return before + after
        return f"{before} {after}"
    left = f"{before} " if before and spaced_before else before
    right = f" {after}" if after and spaced_after else after
    return left + core + right


def _opening(sentence: str, match: str, opens: bool) -> str:
    """The sentence with a capital first letter when the match opened it with anything but
    a small letter (a capital, a handle's ``@``)."""
    if opens and not match[:1].islower() and sentence[:1].islower():
        return sentence[0].upper() + sentence[1:]
    return sentence


def suggestion(hit: Hit, text: str, bounds: list[int], source: Source) -> tuple[str, ...]:
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
    written = _written(hit, text, start, end, source)
    if written is None:
        return ()
    before, match, after = written
    # The written text may hold a sentence end that the prose did not (a link's target
    # blanked a full stop): keep only the sentence of the match.
    cut = [b for b in sentence_bounds(_code_blanked(before)) if b < len(before)]
    if cut:
        before = before[cut[-1] :]
    ends = [b for b in sentence_bounds(_code_blanked(after)) if b < len(after.rstrip())]
    if ends:
        after = after[: ends[0]]
    before, after = before.lstrip(), after.rstrip()
    sentence = _join(before, rewritten, after)
    if not sentence.strip() or sentence == before + match + after:
        return ()
    if not _whole(sentence.replace(rewritten.strip(), "", 1) if rewritten.strip() else sentence):
        return ()  # a last guard: what is given is whole
    return (_opening(sentence, match, not before),)
