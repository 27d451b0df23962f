"""The body of a post-mortem, parsed once by a CommonMark parser, with exact source positions.

:func:`parse_body` walks the events of pulldown-cmark (through ``pyromark``) and builds the one
model every consumer reads: the ``# title``, the ``##`` sections as the reader sees them,
pipe tables, the prose a reader sees (for the language rules), HTML comments (for
suppressions), code blocks, and the body's lines with code and comments blanked (for
placeholders and secrets). Two constructs of the site's renderer (Python-Markdown) that
CommonMark reads differently are mapped onto it: admonitions (``!!!``, ``???``) are parsed
as nested documents, and a raw block-level HTML element runs to its closing tag.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from itertools import accumulate

import pyromark

SEPARATOR = "\x00"
"""Joins prose segments in :attr:`Prose.text`; no pattern can match across it."""

_OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_HEADING_ATTRIBUTES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_FOOTNOTES
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ADMONITION = re.compile(r"(?P<indent>[ ]*)(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?P<rest>.*)$")
_QUOTED_TITLE = re.compile(r'"[^"]*"')
_HTML_OPEN = re.compile(r"[ ]{0,3}<(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>[^>]*)>")
_HTML_TAG = re.compile(r"<[^>\n]*>")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
#: Block-level elements that Python-Markdown keeps as raw HTML up to their closing tag.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "details", "dialog", "div", "dl",
        "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr", "main",
        "nav", "ol", "p", "pre", "section", "summary", "table", "ul",
    }
)
#: Masks applied to the joined prose: bare URLs, e-mail addresses and character entities.
_MASKS = (
    # (what a match needs in the text, the pattern): URLs, e-mail addresses, entities.
    (("://", "www."), r"\b(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>\"'`\x00]+"),
    (("@",), r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    (("&",), r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);"),
)


@functools.lru_cache(maxsize=8)
def _masks_for(present: tuple[bool, ...]) -> re.Pattern[str] | None:
    """The masks whose alternatives can match, in the same order (so the same matches)."""
    wanted = [pattern for (_, pattern), keep in zip(_MASKS, present, strict=True) if keep]
    return re.compile("|".join(wanted)) if wanted else None


def _mask_prose(text: str) -> str:
    """``text`` with URLs, e-mail addresses and entities blanked out (newlines kept).

    Scanning every word boundary for them costs more than the rest of the prose build, so
    only the alternatives whose telltale substring occurs are tried.
    """
    pattern = _masks_for(tuple(any(t in text for t in needs) for needs, _ in _MASKS))
    if pattern is None:
        return text
    return pattern.sub(lambda m: _NOT_NEWLINE.sub(" ", m.group()), text)
_NOT_NEWLINE = re.compile(r"[^\n\x00]")


def slugify(heading: str) -> str:
    """``Root Cause`` -> ``root-cause``: the key a section has in the validation instance."""
    return "-".join(re.findall(r"[a-z0-9]+", heading.lower()))


# -- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: its source text (stripped, ``\\|`` unescaped) and where it starts."""

    text: str
    line: int
    column: int


@dataclass
class TableRow:
    """One body row of a pipe table: cells by header, and the source line."""

    line: int
    cells: dict[str, str]
    positions: tuple[Cell, ...] = ()


@dataclass
class Table:
    line: int
    headers: list[str]
    rows: list[TableRow] = field(default_factory=list)


@dataclass
class Section:
    """A top-level ``#``/``##`` heading and what follows up to the next such heading."""

    heading: str
    line: int
    end_line: int = 0  # last line of the section
    tables: list[Table] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)  # indexes into Prose.segments

    @property
    def slug(self) -> str:
        return slugify(self.heading)


@dataclass(frozen=True)
class Segment:
    """A run of prose: a paragraph, list item, heading or table cell.

    ``starts``, ``lines`` and ``cols`` describe its pieces, one per source line: the piece
    beginning at offset ``starts[i]`` of :attr:`Prose.text` is line ``lines[i]``, starting
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
    kind: str = "paragraph"

    def locate(self, offset: int) -> tuple[int, int]:
        """Source line and 1-based column of a prose-text offset inside this segment."""
        i = bisect_right(self.starts, offset) - 1
        return self.lines[i], self.cols[i] + offset - self.starts[i] + 1


@dataclass(frozen=True)
class Comment:
    """An HTML comment: its full text, where it starts and ends, and the block it annotates."""

    text: str
    line: int
    column: int
    block: int
    end_line: int = 0


@dataclass(frozen=True)
class CodeBlock:
    line: int
    end_line: int
    info: str
    text: str
    fenced: bool = False  # ``` or ~~~, not indented


@dataclass
class Prose:
    """The prose of a body: segments joined by :data:`SEPARATOR`, character for character."""

    text: str
    segments: list[Segment]
    _starts: list[int] = field(default_factory=list, repr=False)

    def segment_at(self, offset: int) -> Segment:
        """The segment containing a prose-text offset."""
        if not self._starts:
            self._starts = [s.start for s in self.segments]
        return self.segments[bisect_right(self._starts, offset) - 1]

    def section_text(self, section: Section) -> str:
        return "\n".join(self.text[self.segments[i].start : self.segments[i].end]
                         for i in section.segments)


def join_prose(parts: list[Prose]) -> tuple[Prose, list[int]]:
    """One prose of several, in order, and the offset where each part starts in it.

    Segments keep their own lines and columns; a part's text ends with a separator, so
    no sentence runs from one part into the next.
    """
    segments: list[Segment] = []
    offsets: list[int] = []
    offset = 0
    for part in parts:
        offsets.append(offset)
        segments += [
            replace(s, start=s.start + offset, end=s.end + offset,
                    starts=tuple(x + offset for x in s.starts))
            for s in part.segments
        ]
        offset += len(part.text)
    return Prose("".join(part.text for part in parts), segments), offsets


@dataclass
class Body:
    """A parsed Markdown body; line numbers are lines of the whole file."""

    first_line: int
    lines: list[str]
    title: str | None
    title_line: int
    sections: list[Section]
    preamble: Section
    prose: Prose
    comments: list[Comment]
    code_blocks: list[CodeBlock]
    visible: list[str]  # ``lines`` with code, comments and inline code blanked

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s.slug == slug), None)

    def visible_lines(self) -> list[tuple[int, str]]:
        """(file line, text) of every line outside code and comments."""
        return [(self.first_line + i, line) for i, line in enumerate(self.visible)
                if line.strip()]

    def words(self, section: Section, ignore: list[re.Pattern[str]] | None = None) -> int:
        """Words of real content a reader sees in ``section``, ``ignore`` patterns removed."""
        text = self.prose.section_text(section)
        for pattern in ignore or []:
            text = pattern.sub(" ", text)
        return len(_WORD.findall(text))


# -- building it -------------------------------------------------------------------------


class _Offsets:
    """Converts pulldown-cmark's UTF-8 byte offsets into character offsets of the text."""

    def __init__(self, text: str) -> None:
        if text.isascii():
            self.bytes_at: list[int] = []
            self.extra: list[int] = []
            return
        # Byte offset where each non-ASCII character ends, and the extra bytes up to there.
        ends: list[int] = []
        extras: list[int] = []
        extra = 0
        for m in _NON_ASCII.finditer(text):
            width = len(m.group().encode("utf-8")) - 1
            ends.append(m.start() + extra + width + 1)
            extra += width
            extras.append(extra)
        self.bytes_at, self.extra = ends, extras

    def char(self, byte: int) -> int:
        if not self.bytes_at:
            return byte
        i = bisect_right(self.bytes_at, byte)
        return byte - (self.extra[i - 1] if i else 0)


@dataclass
class _Raw:
    """A segment being built: character ranges of visible text, per source line."""

    kind: str
    quoted: bool
    people: bool
    block: int
    ranges: list[tuple[int, int]] = field(default_factory=list)


class _Builder:
    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.first_line = first_line
        self.line_starts = [0, *accumulate(len(line) + 1 for line in text.split("\n"))]
        self.raw_segments: list[_Raw] = []
        self.comments: list[tuple[str, int, int, int]] = []  # text, line, column, last line
        self.code_blocks: list[CodeBlock] = []
        self.blank_ranges: list[tuple[int, int]] = []  # char ranges hidden from `visible`
        self.headings: list[tuple[int, str, int]] = []  # (level, text, line), top level only
        self.tables: list[Table] = []
        self.next_block = 0

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset) - 1

    def new_block(self) -> int:
        self.next_block += 1
        return self.next_block - 1

    def add(self, raw: _Raw) -> None:
        if raw.ranges:
            self.raw_segments.append(raw)

    def hide(self, start: int, end: int) -> None:
        """Keep ``text[start:end]`` out of :attr:`Body.visible` (code, comments)."""
        self.blank_ranges.append((start, end))

    def comment(self, text: str, start: int, end: int) -> None:
        line = self.line_of(start)
        column = start - self.line_starts[line] + 1
        self.comments.append((text, line, column, self.line_of(max(start, end - 1))))
        self.hide(start, end)


def _admonition_region(lines: list[str], line: int) -> tuple[int, int] | None:
    """(indent, last line) of a Python-Markdown admonition whose marker is on ``line``."""
    m = _ADMONITION.match(lines[line])
    if not m:
        return None
    indent = len(m.group("indent")) + 4
    last = line
    for i in range(line + 1, len(lines)):
        current = lines[i]
        if not current.strip():
            continue
        if len(current) - len(current.lstrip(" ")) < indent:
            break
        last = i
    return indent, last


def _raw_html_end(lines: list[str], line: int) -> tuple[int, bool] | None:
    """(last line, content is Markdown) of a block-level HTML element opened on ``line``.

    Python-Markdown keeps such an element raw up to its closing tag, blank lines included;
    with a ``markdown`` attribute (md_in_html) its content is Markdown inside the element.
    """
    m = _HTML_OPEN.match(lines[line])
    if not m or m.group("tag").lower() not in _BLOCK_TAGS:
        return None
    markdown_inside = re.search(r"\bmarkdown\b", m.group("attrs")) is not None
    tag = m.group("tag").lower()
    opening = re.compile(rf"<{tag}\b", re.I)
    closing = re.compile(rf"</{tag}\s*>", re.I)
    depth = 0
    for i in range(line, len(lines)):
        depth += len(opening.findall(lines[i])) - len(closing.findall(lines[i]))
        if depth <= 0:
            return i, markdown_inside
    return len(lines) - 1, markdown_inside


def _walk(b: _Builder, text: str, line_shift: int, col_shift: int, *, quoted: bool,
          top: bool, people: list[bool]) -> None:
    """Walk one (sub-)document; ``line_shift``/``col_shift`` place it inside ``b.text``.

    ``people`` holds one flag, shared with nested documents: whether the current section is
    "Who Was Involved" (its tables list people, not blame).
    """
    offsets = _Offsets(text)
    lines = text.split("\n")
    local_starts = [0, *accumulate(len(line) + 1 for line in lines)]

    def to_global(char: int) -> int:
        line = bisect_right(local_starts, char) - 1
        column = char - local_starts[line]
        return b.line_starts[line + line_shift] + column + (col_shift if lines[line] else 0)

    depth = quote_depth = 0
    stack: list[_Raw] = []  # open paragraphs, headings and cells
    items: list[_Raw] = []  # open list items (text of tight lists sits directly in them)
    skip = (0, 0)  # events starting in this range were handled already
    table: Table | None = None
    row: list[Cell] | None = None
    row_block: int | None = None
    cell_start = 0
    heading_level = 0
    pending_comment: tuple[int, list[str]] | None = None

    def is_quoted() -> bool:
        return quoted or quote_depth > 0

    def open_raw(kind: str, block: int | None = None) -> _Raw:
        block = b.new_block() if block is None else block
        return _Raw(kind, is_quoted(), kind == "cell" and people[0], block)

    for event, rng in pyromark.events_with_range(text, options=_OPTIONS):
        start, end = offsets.char(rng["start"]), offsets.char(rng["end"])
        if skip[0] <= start < skip[1]:
            continue
        if isinstance(event, str):  # SoftBreak, HardBreak, Rule
            continue
        kind = next(iter(event))
        if kind == "Start":
            tag = event["Start"]
            name = tag if isinstance(tag, str) else next(iter(tag))
            if name == "Paragraph":
                line = bisect_right(local_starts, start) - 1
                region = _admonition_region(lines, line)
                if region is None:
                    stack.append(open_raw("paragraph"))
                    continue
                indent, last = region
                title = _Raw("title", is_quoted(), False, b.new_block())
                for m in _QUOTED_TITLE.finditer(lines[line]):
                    title.ranges.append((to_global(local_starts[line] + m.start() + 1),
                                         to_global(local_starts[line] + m.end() - 1)))
                b.add(title)
                inner = "\n".join(ln[indent:] for ln in lines[line + 1 : last + 1])
                _walk(b, inner, line_shift + line + 1, col_shift + indent,
                      quoted=is_quoted(), top=False, people=people)
                skip = (start, local_starts[last + 1])
            elif name == "Heading":
                heading_level = int(tag["Heading"]["level"][1])
                stack.append(open_raw("heading"))
            elif name in _CONTAINERS:
                depth += 1
                quote_depth += name == "BlockQuote"
            elif name == "Item":
                items.append(open_raw("item"))
            elif name == "Table":
                table = Table(b.line_of(to_global(start)) + b.first_line, [])
                b.tables.append(table)
            elif name in ("TableHead", "TableRow"):
                row, row_block = [], (None if name == "TableHead" else b.new_block())
            elif name == "TableCell":
                cell_start = start
                stack.append(open_raw("cell", row_block))
            elif name == "CodeBlock":
                code = tag["CodeBlock"]
                info = code.get("Fenced", "") if isinstance(code, dict) else ""
                first, last_char = to_global(start), to_global(max(start, end - 1))
                b.code_blocks.append(CodeBlock(b.line_of(first) + b.first_line,
                                               b.line_of(last_char) + b.first_line, info,
                                               text[start:end], isinstance(code, dict)))
                b.hide(first, last_char + 1)
                skip = (start, end)
            elif name == "HtmlBlock":
                line = bisect_right(local_starts, start) - 1
                element = _raw_html_end(lines, line) if depth == 0 else None
                if element is not None and element[1] and element[0] > line + 1:
                    last = element[0]
                    end = local_starts[last] + len(lines[last])
                    _html_block(b, lines[line], start, to_global, is_quoted())
                    _html_block(b, lines[last], local_starts[last], to_global, is_quoted())
                    inner = "\n".join(lines[line + 1 : last])
                    _walk(b, inner, line_shift + line + 1, col_shift, quoted=is_quoted(),
                          top=False, people=people)
                else:
                    if element is not None:
                        end = max(end, local_starts[element[0]] + len(lines[element[0]]))
                    _html_block(b, text[start:end], start, to_global, is_quoted())
                skip = (start, end)
        elif kind == "End":
            tag = event["End"]
            name = tag if isinstance(tag, str) else next(iter(tag))
            if name in ("Paragraph", "Heading", "TableCell") and stack:
                raw = stack.pop()
                b.add(raw)
                if name == "Heading" and top and depth == 0:
                    heading = "".join(b.text[s:e] for s, e in raw.ranges).strip()
                    line = b.line_of(to_global(start)) + b.first_line
                    b.headings.append((heading_level, heading, line))
                    people[0] = slugify(heading) == "who-was-involved"
                elif name == "TableCell" and row is not None:
                    g = to_global(cell_start)
                    cell = text[cell_start:end].strip().strip("|").strip().replace("\\|", "|")
                    row.append(Cell(cell, b.line_of(g) + b.first_line,
                                    g - b.line_starts[b.line_of(g)] + 1))
            elif name in _CONTAINERS:
                depth -= 1
                quote_depth -= name == "BlockQuote"
            elif name == "Item" and items:
                b.add(items.pop())
            elif name == "TableHead" and table is not None and row is not None:
                table.headers = [c.text for c in row]
            elif name == "TableRow" and table is not None and row is not None:
                cells = dict(zip(table.headers, (c.text for c in row), strict=False))
                line = b.line_of(to_global(start)) + b.first_line
                table.rows.append(TableRow(line, cells, tuple(row)))
            elif name == "Table":
                table = None
        elif kind == "Text":
            target = stack[-1] if stack else (items[-1] if items else None)
            if target is not None:
                target.ranges.append((to_global(start), to_global(end)))
        elif kind == "Code":
            b.hide(to_global(start), to_global(end))
        elif kind == "InlineHtml":
            html = event["InlineHtml"]
            if pending_comment is not None:
                pending_comment[1].append(html)
                if "-->" in html:
                    b.comment("".join(pending_comment[1]), pending_comment[0], to_global(end))
                    pending_comment = None
            elif html.startswith("<!--"):
                if "-->" in html:
                    b.comment(html, to_global(start), to_global(end))
                else:
                    pending_comment = (to_global(start), [html])


_CONTAINERS = frozenset({"List", "BlockQuote", "FootnoteDefinition", "DefinitionList"})


def _html_block(b: _Builder, chunk: str, start: int, to_global, quoted: bool) -> None:
    """Comments of a raw HTML block, and its visible text (tags removed) as one segment."""
    comments = [(m.start(), m.end()) for m in _COMMENT.finditer(chunk)]
    for s, e in comments:
        b.comment(chunk[s:e], to_global(start + s), to_global(start + e))
    raw = _Raw("html", quoted, False, b.new_block())
    position = 0
    for line in chunk.split("\n"):
        cuts = [(m.start(), m.end()) for m in _HTML_TAG.finditer(line)]
        cuts += [(max(s, position) - position, min(e, position + len(line)) - position)
                 for s, e in comments if s < position + len(line) and e > position]
        kept = 0
        for s, e in sorted(cuts):
            if s > kept and line[kept:s].strip():
                raw.ranges.append((to_global(start + position + kept),
                                   to_global(start + position + s)))
            kept = max(kept, e)
        if kept < len(line) and line[kept:].strip():
            raw.ranges.append((to_global(start + position + kept),
                               to_global(start + position + len(line))))
        position += len(line) + 1
    b.add(raw)


def _build_prose(b: _Builder) -> tuple[Prose, list[tuple[int, int]]]:
    """Join the segments' visible text; return the prose and each segment's first/last line."""
    parts: list[str] = []
    segments: list[Segment] = []
    spans: list[tuple[int, int]] = []
    offset = 0
    for raw in sorted(b.raw_segments, key=lambda raw: raw.ranges[0][0]):
        by_line: dict[int, list[tuple[int, int]]] = {}
        for s, e in raw.ranges:
            # A range never spans lines (soft breaks are events of their own), except in
            # HTML blocks, where it was split by line already.
            by_line.setdefault(b.line_of(s), []).append((s, e))
        start = offset
        starts, line_nos, cols = [], [], []
        for i, (line, ranges) in enumerate(sorted(by_line.items())):
            ranges.sort()
            left, right = ranges[0][0], ranges[-1][1]
            if i:
                parts.append("\n")
                offset += 1
            starts.append(offset)
            line_nos.append(line + b.first_line)
            cols.append(left - b.line_starts[line])
            parts.append(_line_piece(b.text, ranges, left, right))
            offset += right - left
        segments.append(
            Segment(start, offset, tuple(starts), tuple(line_nos), tuple(cols), raw.block,
                    raw.quoted, raw.people, raw.kind)
        )
        spans.append((line_nos[0], line_nos[-1]))
        parts.append(SEPARATOR)
        offset += 1
    text = _mask_prose("".join(parts))
    return Prose(text, segments), spans


def _line_piece(text: str, ranges: list[tuple[int, int]], left: int, right: int) -> str:
    """``text[left:right]`` with what no range covers blanked; later ranges win overlaps."""
    if len(ranges) == 1:
        return text[left:right]
    pieces = []
    kept = left
    for s, e in ranges:
        if s < kept:  # overlapping ranges: write them over each other in order
            chars = [" "] * (right - left)
            for s2, e2 in ranges:
                chars[s2 - left : e2 - left] = text[s2:e2]
            return "".join(chars)
        pieces.append(" " * (s - kept))
        pieces.append(text[s:e])
        kept = e
    pieces.append(" " * (right - kept))
    return "".join(pieces)


def parse_body(body: str, first_line: int = 1) -> Body:
    """Parse ``body``, whose first line is line ``first_line`` of the file."""
    b = _Builder(body, first_line)
    _walk(b, body, 0, 0, quoted=False, top=True, people=[False])
    prose, spans = _build_prose(b)
    lines = body.split("\n")

    # Sections: the first level-1 heading is the title; later level-1 and level-2 headings
    # open sections.
    title: str | None = None
    title_line = 0
    preamble = Section("", first_line)
    sections: list[Section] = []
    for level, text, line in b.headings:
        if level > 2:
            continue
        if level == 1 and title is None:
            title, title_line = text, line
            continue
        sections.append(Section(text, line))
    last_line = first_line + len(lines) - (2 if len(lines) > 1 and not lines[-1] else 1)
    ordered = [preamble, *sections]
    for i, section in enumerate(ordered):
        section.end_line = ordered[i + 1].line - 1 if i + 1 < len(ordered) else last_line
    section_starts = [s.line for s in ordered]

    def owner(line: int) -> Section:
        return ordered[max(bisect_right(section_starts, line) - 1, 0)]

    heading_lines = {line for level, _, line in b.headings if level <= 2}
    for index, (seg, (first, _)) in enumerate(zip(prose.segments, spans, strict=True)):
        if seg.kind == "heading" and first in heading_lines:
            continue
        owner(first).segments.append(index)
    for table in b.tables:
        owner(table.line).tables.append(table)

    comments = [(text, line + first_line, column, last + first_line)
                for text, line, column, last in b.comments]
    blocks_by_line: dict[int, int] = {}
    first_blocks: list[tuple[int, int]] = []
    for seg in prose.segments:
        for line in seg.lines:
            blocks_by_line.setdefault(line, seg.block)
        first_blocks.append((seg.lines[0], seg.block))
    first_blocks.sort()
    annotated = []
    for text, line, column, end_line in comments:
        block = blocks_by_line.get(end_line)
        if block is None:
            later = [blk for ln, blk in first_blocks if ln > end_line]
            block = later[0] if later else b.next_block
        annotated.append(Comment(text, line, column, block, end_line))
    annotated.sort(key=lambda c: (c.line, c.column))

    visible = list(lines)
    for s, e in sorted(b.blank_ranges):
        first, last = b.line_of(s), b.line_of(max(s, e - 1))
        for line in range(first, last + 1):
            ls = b.line_starts[line]
            a, z = max(s, ls) - ls, min(e, ls + len(lines[line])) - ls
            if z > a:
                visible[line] = visible[line][:a] + " " * (z - a) + visible[line][z:]
    return Body(first_line, lines, title, title_line, sections, preamble, prose, annotated,
                b.code_blocks, visible)
