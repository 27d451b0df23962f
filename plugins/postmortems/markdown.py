"""Split a Markdown body into headed sections and tables, keeping source line numbers.

Only what the checks need: ATX headings (``## Root Cause``) outside fenced code blocks,
and pipe tables. Rendering is left to Python-Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def slugify(heading: str) -> str:
    """``Root Cause`` -> ``root-cause``: the key a section has in the validation instance."""
    words = re.findall(r"[a-z0-9]+", heading.lower())
    return "-".join(words)


@dataclass
class TableRow:
    """One body row of a pipe table: cells by header, and the source line."""

    line: int
    cells: dict[str, str]


@dataclass
class Table:
    line: int
    headers: list[str]
    rows: list[TableRow] = field(default_factory=list)


@dataclass
class Section:
    """A level-2 heading and everything under it up to the next level-1 or level-2 heading."""

    heading: str
    line: int
    lines: list[str] = field(default_factory=list)  # content lines, heading excluded
    tables: list[Table] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slugify(self.heading)

    @property
    def first_content_line(self) -> int:
        return self.line + 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Document:
    """The body of a post-mortem: its ``# title`` and its sections."""

    title: str | None
    title_line: int
    sections: list[Section]
    preamble: Section  # text between the title and the first section

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s.slug == slug), None)


def split_cells(line: str) -> list[str]:
    """Cells of a pipe-table row; escaped pipes (``\\|``) stay inside a cell."""
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", stripped)]


def parse_document(body: str, first_line: int = 1) -> Document:
    """Parse ``body`` whose first line is line ``first_line`` of the file."""
    title: str | None = None
    title_line = 0
    preamble = Section("", first_line)
    sections: list[Section] = []
    current = preamble
    fence: str | None = None
    for offset, raw in enumerate(body.split("\n")):
        lineno = first_line + offset
        line = raw.rstrip("\r")
        fence_match = _FENCE.match(line)
        if fence is not None:
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                fence = None
            current.lines.append(line)
            continue
        if fence_match:
            fence = fence_match.group(1)
            current.lines.append(line)
            continue
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) <= 2:
            text = heading.group(2).strip()
            if len(heading.group(1)) == 1 and title is None:
                title, title_line = text, lineno
                current = preamble
            else:
                current = Section(text, lineno)
                sections.append(current)
            continue
        current.lines.append(line)
    for section in [preamble, *sections]:
        section.tables = parse_tables(section.lines, section.first_content_line)
    return Document(title, title_line, sections, preamble)


def parse_tables(lines: list[str], first_line: int) -> list[Table]:
    """Pipe tables found in ``lines`` (outside code fences)."""
    tables: list[Table] = []
    fence: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        fence_match = _FENCE.match(line)
        if fence_match:
            fence = None if fence else fence_match.group(1)
            index += 1
            continue
        if (
            fence is None
            and "|" in line
            and index + 1 < len(lines)
            and _TABLE_SEPARATOR.match(lines[index + 1])
        ):
            headers = split_cells(line)
            table = Table(first_line + index, headers)
            index += 2
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                cells = split_cells(lines[index])
                table.rows.append(
                    TableRow(first_line + index, dict(zip(headers, cells, strict=False)))
                )
                index += 1
            tables.append(table)
            continue
        index += 1
    return tables


def prose_words(text: str, ignore: list[re.Pattern[str]] | None = None) -> int:
    """Number of words of real content: code fences, comments and ignored patterns removed."""
    text = _COMMENT.sub(" ", text)
    kept: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        if _FENCE.match(line):
            fence = None if fence else "x"
            continue
        if fence is None and not _TABLE_SEPARATOR.match(line):
            kept.append(line)
    content = "\n".join(kept)
    for pattern in ignore or []:
        content = pattern.sub(" ", content)
    return len(_WORD.findall(content))
