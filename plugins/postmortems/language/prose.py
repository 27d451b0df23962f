"""Markdown to prose: the text a reader sees, with exact source positions.

The scanner walks the Markdown line by line and keeps only prose: paragraphs, list items,
headings, table cells and block quotes. Code (fenced, indented, inline), HTML comments and
tags, URLs and link targets are blanked out character for character, so every offset in the
prose maps back to a line and column of the source file. HTML comments are collected
separately because suppression directives live in them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

SEPARATOR = "\x00"
"""Joins segments in :attr:`Document.text`; no pattern can match across it."""

_NOT_NEWLINE = re.compile(r"[^\n\x00]")
_BACKTICKS_OR_COMMENT = re.compile(r"`+|<!--")
_QUOTE_MARK = re.compile(r"[ ]{0,3}>[ ]?")
_FENCE = re.compile(r"(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_LIST_ITEM = re.compile(r"(?P<marker>[-*+]|\d{1,9}[.)])(?P<space>[ \t]+|$)")
_TASK_BOX = re.compile(r"\[[ xX]\][ \t]")
_HEADING = re.compile(r"(?P<hashes>#{1,6})(?:[ \t]+|$)")
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
_RULE_LINE = re.compile(r"(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*)$")
TABLE_DELIMITER = re.compile(r"[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*(?::?-+:?[ \t]*)?$")
_REFERENCE_DEFINITION = re.compile(r"\[[^\]]+\]:[ \t]*\S")
_CONTAINER_MARKER = re.compile(r"(?:!!!|\?\?\?\+?|===)(?:[ \t]|$)")
_QUOTED_TITLE = re.compile(r'"[^"]*"')
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")

_INLINE_MASKS = re.compile(
    "|".join(
        (
            # link and image targets: ](url "title")
            r"\]\((?:[^()\s\x00]|\([^()\s\x00]*\))*(?:\s+(?:\"[^\"\x00]*\"|'[^'\x00]*'))?\s*\)",
            r"\]\[[^\]\x00]*\]",  # reference link labels: ][label]
            r"\[\^[^\]\x00]*\]",  # footnote references
            # autolinks and HTML tags
            r"<(?:[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\x00]*|/?[A-Za-z][\w:-]*(?:\s[^<>\x00]*)?/?)>",
            r"\b(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>\"'`\x00]+",  # bare URLs
            r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # e-mail addresses
            r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);",  # entities
            r"\\(?=[^\w\s])",  # backslash escapes
            r"\*+|~~|(?<!\w)_+|_+(?!\w)|[\[\]]",  # emphasis markers and brackets
        )
    )
)


@dataclass(frozen=True)
class Segment:
    """A run of prose: a paragraph, list item, heading or table cell.

    ``starts``, ``lines`` and ``cols`` describe its pieces, one per source line: the piece
    beginning at offset ``starts[i]`` of the document text is line ``lines[i]``, starting
    at 0-based column ``cols[i]``.
    """

    start: int
    end: int
    starts: tuple[int, ...]
    lines: tuple[int, ...]
    cols: tuple[int, ...]
    block: int
    quoted: bool
    people_table: bool

    def locate(self, offset: int) -> tuple[int, int]:
        """Source line and 1-based column of a document-text offset inside this segment."""
        i = bisect_right(self.starts, offset) - 1
        return self.lines[i], self.cols[i] + offset - self.starts[i] + 1


@dataclass(frozen=True)
class Comment:
    """An HTML comment: its full text, where it starts, and the block it annotates."""

    text: str
    line: int
    column: int
    block: int


@dataclass
class Document:
    """Prose of one Markdown file: segments joined by :data:`SEPARATOR`, plus comments."""

    text: str
    segments: list[Segment]
    comments: list[Comment]
    _starts: list[int] = field(default_factory=list, repr=False)

    def segment_at(self, offset: int) -> Segment:
        """The segment containing a document-text offset."""
        if not self._starts:
            self._starts = [s.start for s in self.segments]
        return self.segments[bisect_right(self._starts, offset) - 1]


@lru_cache(maxsize=16)
def _closing_backticks(count: int) -> re.Pattern[str]:
    return re.compile(r"(?<!`)" + "`" * count + r"(?!`)")


def _blank(text: str) -> str:
    return _NOT_NEWLINE.sub(" ", text)


def _mask_inline_match(match: re.Match[str]) -> str:
    return _blank(match.group())


def front_matter_end(lines: list[str]) -> int:
    """Index of the first body line: past a leading ``---`` YAML block, else 0."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            body = [ln for ln in lines[1:i] if ln.strip() and not ln.lstrip().startswith("#")]
            if body and re.match(r"[\w\"'-][^:]*:(?:\s|$)", body[0]):
                return i + 1
            return 0
    return 0


def _indent_width(text: str) -> int:
    width = 0
    for ch in text:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _strip_indent(text: str, width: int) -> int:
    """Number of characters of ``text`` that make up ``width`` columns of indentation."""
    seen = 0
    for i, ch in enumerate(text):
        if seen >= width or ch not in " \t":
            return i
        seen += 1 if ch == " " else 4 - seen % 4
    return len(text)


def _quote_prefix(line: str) -> tuple[int, int]:
    """(characters taken by ``>`` markers, nesting depth) at the start of a line."""
    pos = depth = 0
    while True:
        m = _QUOTE_MARK.match(line, pos)
        if not m:
            return pos, depth
        pos, depth = m.end(), depth + 1


@dataclass
class _Para:
    block: int
    quoted: bool
    people_table: bool
    pieces: list[tuple[int, int, str]] = field(default_factory=list)


class _Scanner:
    """Line-by-line scanner; see :func:`parse`."""

    def __init__(self, first_line: int) -> None:
        self.first_line = first_line
        self.segments_raw: list[tuple[list[tuple[int, int, str]], int, bool, bool]] = []
        self.comments: list[Comment] = []
        self.next_block = 0
        self.para: _Para | None = None
        self.fence: tuple[str, int] | None = None
        self.in_comment: tuple[int, int, list[str]] | None = None
        self.containers: list[int] = []
        self.section = ""
        self.table_people: bool | None = None
        self.prev_blank = True

    # -- helpers ---------------------------------------------------------------------------

    def _new_block(self) -> int:
        self.next_block += 1
        return self.next_block - 1

    def _close_para(self) -> None:
        if self.para and self.para.pieces:
            p = self.para
            self.segments_raw.append((p.pieces, p.block, p.quoted, p.people_table))
        self.para = None

    def _emit(self, line_no: int, col: int, text: str, block: int, quoted: bool) -> None:
        people = self.table_people is True
        self.segments_raw.append(([(line_no, col, text)], block, quoted, people))

    def _mask_line(self, raw: str, line_no: int) -> tuple[str, list[tuple[int, str]], bool]:
        """Blank inline code and comments; return (masked, comments, had_code_span)."""
        out = list(raw)
        found: list[tuple[int, str]] = []
        had_code = False
        i = 0
        if self.in_comment is not None:
            end = raw.find("-->")
            start_line, start_col, buf = self.in_comment
            if end < 0:
                buf.append(raw)
                return " " * len(raw), found, False
            buf.append(raw[: end + 3])
            self._add_comment("\n".join(buf), start_line, start_col)
            self.in_comment = None
            out[: end + 3] = " " * (end + 3)
            i = end + 3
        while i < len(raw):
            m = _BACKTICKS_OR_COMMENT.search(raw, i)
            if not m:
                break
            token = m.group()
            if token.startswith("`"):
                close = _closing_backticks(len(token)).search(raw, m.end())
                if close is None:
                    i = m.end()
                    continue
                out[m.start() : close.end()] = " " * (close.end() - m.start())
                had_code = True
                i = close.end()
                continue
            end = raw.find("-->", m.end())
            if end < 0:
                self.in_comment = (line_no, m.start() + 1, [raw[m.start() :]])
                out[m.start() :] = " " * (len(raw) - m.start())
                break
            found.append((m.start() + 1, raw[m.start() : end + 3]))
            out[m.start() : end + 3] = " " * (end + 3 - m.start())
            i = end + 3
        return "".join(out), found, had_code

    def _add_comment(self, text: str, line: int, column: int) -> None:
        # The block is settled once the line that closes the comment has been scanned.
        self.comments.append(Comment(text, line, column, -1))

    # -- the scan --------------------------------------------------------------------------

    def scan(self, lines: list[str], start: int) -> None:
        for idx in range(start, len(lines)):
            line_no = self.first_line + idx
            raw = lines[idx]
            if raw.endswith("\r"):
                raw = raw[:-1]
            nxt = lines[idx + 1] if idx + 1 < len(lines) else ""
            comments_before = len(self.comments)
            line_block = self._scan_line(raw, nxt, line_no)
            # A comment on a line with prose annotates that line's block; a comment on a
            # line of its own annotates the next block.
            for k in range(comments_before, len(self.comments)):
                c = self.comments[k]
                block = line_block if line_block is not None else self.next_block
                self.comments[k] = Comment(c.text, c.line, c.column, block)
        self._close_para()

    def _scan_line(self, raw: str, nxt: str, line_no: int) -> int | None:
        if self.fence is not None:
            qlen, _ = _quote_prefix(raw)
            rest = raw[qlen:].strip()
            char, length = self.fence
            if rest and set(rest) == {char} and len(rest) >= length:
                self.fence = None
            return None

        was_in_comment = self.in_comment is not None
        masked, found, had_code = self._mask_line(raw, line_no)
        for col, text in found:
            self._add_comment(text, line_no, col)
        qlen, depth = _quote_prefix(masked)
        content = masked[qlen:]
        quoted = depth > 0

        if not content.strip():
            if had_code and not found and not was_in_comment and self.para is not None:
                return self.para.block  # a line holding only inline code
            self._close_para()
            self.table_people = None
            self.prev_blank = True
            return None

        indent = _indent_width(content)
        continuing = self.para is not None and not self.prev_blank
        if depth == 0 and continuing and self.para is not None and self.para.quoted:
            quoted = True  # lazy continuation of a block quote
        while self.containers and indent < self.containers[-1] and not continuing:
            self.containers.pop()
        base = self.containers[-1] if self.containers else 0
        rel = indent - base
        body_at = qlen + _strip_indent(content, indent)
        body = masked[body_at:]
        self.prev_blank = False

        if rel < 4:
            fence = _FENCE.match(raw, qlen + _strip_indent(raw[qlen:], indent))
            if fence and not (fence.group("fence")[0] == "`" and "`" in fence.group("info")):
                self._close_para()
                self.fence = (fence.group("fence")[0], len(fence.group("fence")))
                return None
        elif not continuing:
            return None  # indented code block

        if rel < 4 and (heading := _HEADING.match(body)):
            self._close_para()
            self.table_people = None
            text_end = len(masked)
            closing = _CLOSING_HASHES.search(masked, body_at + heading.end())
            if closing:
                text_end = closing.start()
            title = masked[body_at + heading.end() : text_end]
            self.section = section_name(title)
            block = self._new_block()
            self._emit(line_no, body_at + heading.end(), title, block, quoted)
            return block

        if rel < 4 and _RULE_LINE.match(body):
            setext = continuing and self.para is not None and body.lstrip()[0] in "-="
            if setext and self.para is not None and len(self.para.pieces) == 1:
                self.section = section_name(self.para.pieces[0][2])  # setext heading
            self._close_para()
            return None

        if "|" in content and (
            self.table_people is not None or TABLE_DELIMITER.match(nxt, _quote_prefix(nxt)[0])
        ):
            return self._table_row(masked, qlen, line_no, quoted, body)
        self.table_people = None

        if rel < 4 and not continuing and _REFERENCE_DEFINITION.match(body):
            return None

        if rel < 4 and (marker := _CONTAINER_MARKER.match(body)):
            self._close_para()
            self.containers.append(indent + 4)
            block = self._new_block()
            for title in _QUOTED_TITLE.finditer(masked, body_at + marker.end()):
                self._emit(line_no, title.start() + 1, title.group()[1:-1], block, quoted)
            return block

        if rel < 4 and (item := _LIST_ITEM.match(body)):
            self._close_para()
            while self.containers and self.containers[-1] > indent:
                self.containers.pop()
            width = len(item.group("space").expandtabs(4))
            text_at = body_at + item.end()
            self.containers.append(indent + len(item.group("marker")) + min(max(width, 1), 4))
            if task := _TASK_BOX.match(masked, text_at):
                text_at = task.end()
            self.para = _Para(self._new_block(), quoted, False)
            self.para.pieces.append((line_no, text_at, masked[text_at:]))
            return self.para.block

        if self.para is None or not continuing or self.para.quoted != quoted:
            self._close_para()
            self.para = _Para(self._new_block(), quoted, False)
        self.para.pieces.append((line_no, body_at, body))
        return self.para.block

    def _table_row(
        self, masked: str, qlen: int, line_no: int, quoted: bool, body: str
    ) -> int | None:
        self._close_para()
        if self.table_people is None:
            self.table_people = self.section == "who was involved"
        if TABLE_DELIMITER.match(body):
            return None
        block = self._new_block()
        bounds = [m.start() for m in UNESCAPED_PIPE.finditer(masked, qlen)]
        edges = [qlen - 1, *bounds, len(masked)]
        for left, right in pairwise(edges):
            cell = masked[left + 1 : right]
            if cell.strip():
                self._emit(line_no, left + 1, cell, block, quoted)
        return block


def section_name(title: str) -> str:
    """A heading's text, normalised for comparison: ``Who Was Involved`` -> ``who was involved``."""
    return " ".join(re.sub(r"[^\w\s]", " ", title).lower().split())


def parse(markdown: str, first_line: int = 1) -> Document:
    """Scan Markdown into prose segments; line 1 of ``markdown`` is ``first_line`` of the file.

    A leading ``---`` front matter block is skipped (its lines still count).
    """
    lines = markdown.split("\n")
    scanner = _Scanner(first_line)
    scanner.scan(lines, front_matter_end(lines))

    parts: list[str] = []
    segments: list[Segment] = []
    offset = 0
    for pieces, block, quoted, people in scanner.segments_raw:
        start = offset
        starts, line_nos, cols = [], [], []
        for i, (line_no, col, text) in enumerate(pieces):
            if i:
                parts.append("\n")
                offset += 1
            starts.append(offset)
            line_nos.append(line_no)
            cols.append(col)
            parts.append(text)
            offset += len(text)
        segments.append(
            Segment(
                start, offset, tuple(starts), tuple(line_nos), tuple(cols), block, quoted, people
            )
        )
        parts.append(SEPARATOR)
        offset += 1
    text = _INLINE_MASKS.sub(_mask_inline_match, "".join(parts))
    return Document(text, segments, scanner.comments)
