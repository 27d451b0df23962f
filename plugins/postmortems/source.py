"""Read one post-mortem file: bytes to text, text to front matter and body, with line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .findings import Finding, Level
from .positions import LoadedYaml

if TYPE_CHECKING:
    from .markdown import Body

#: Larger files are refused before parsing: a post-mortem is prose, not a data dump.
MAX_FILE_BYTES = 2 * 1024 * 1024

_OPEN = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")
MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass
class SourceFile:
    """A post-mortem as read from disk, before any policy is applied."""

    path: str  # as shown to users: relative to the project folder where possible
    abs_path: Path | None = None
    text: str = ""
    front_matter: LoadedYaml = field(default_factory=LoadedYaml)
    has_front_matter: bool = False
    front_matter_end: int = 0  # line of the closing ``---``
    body: str = ""
    body_line: int = 1  # line of the file where the body starts
    document: Body | None = None  # the body, parsed once; None when the file was not read
    findings: list[Finding] = field(default_factory=list)

    @property
    def meta(self) -> dict[str, Any]:
        data = self.front_matter.data
        return data if isinstance(data, dict) else {}

    @property
    def readable(self) -> bool:
        """True when the file has a front-matter mapping worth validating."""
        return self.has_front_matter and isinstance(self.front_matter.data, dict)

    def error(self, line: int, rule: str, message: str, hint: str, column: int = 0) -> None:
        self.findings.append(Finding(self.path, line, rule, Level.ERROR, message, hint, column))


def display_path(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the working directory) when inside it."""
    base = base or Path.cwd()
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """(front matter or None when absent, closing line, body, first body line)."""
    lines = text.split("\n")
    if not lines or not _OPEN.match(lines[0].lstrip("\ufeff")):
        return None, 0, text, 1
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index]):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return front, index + 1, body, index + 2
    return None, 0, text, 1


def read_source(path: Path, shown: str | None = None, raw: bytes | None = None) -> SourceFile:
    """Read and parse ``path`` (or its bytes ``raw``, already read); every problem becomes a
    finding, never an exception."""
    source = SourceFile(shown or display_path(path), abs_path=path.resolve())
    if path.suffix.lower() not in MARKDOWN_SUFFIXES:
        source.error(
            0,
            "not-markdown",
            f"'{path.name}' is not a Markdown file",
            "post-mortems are .md files; move other files out of the incidents folder",
        )
        return source
    try:
        raw = path.read_bytes() if raw is None else raw
    except OSError as exc:
        source.error(
            0, "unreadable", f"cannot read file: {exc.strerror}", "check the path and permissions"
        )
        return source
    if len(raw) > MAX_FILE_BYTES:
        source.error(
            0,
            "file-too-large",
            f"file is {len(raw)} bytes, over the {MAX_FILE_BYTES} limit",
            "move logs and command output to an attachment and link to it",
        )
        return source
    if not raw.strip():
        source.error(
            1, "empty-file", "file is empty", "start from the template: run 'postmortem new'"
        )
        return source
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(raw):
        source.error(
            1,
            "encoding",
            "file is saved as UTF-16, not UTF-8",
            "save the file as UTF-8 (in most editors: 'Save with encoding', UTF-8)",
            1,
        )
        return source
    if b"\x00" in raw:
        source.error(
            0,
            "not-markdown",
            "file holds binary data, not Markdown text",
            "post-mortems are UTF-8 Markdown text files",
        )
        return source
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        source.error(
            line,
            "encoding",
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
            "save the file as UTF-8",
            column,
        )
        return source
    # One notion of a line for every consumer (and for MkDocs, which reads with universal
    # newlines): CRLF and lone CR become LF; columns do not move.
    source.text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    parse_text(source)
    return source


def _utf16_without_bom(raw: bytes) -> bool:
    """Text whose every other byte is NUL: UTF-16 of ASCII, as some tools write it."""
    head = raw[:512]
    if len(head) < 8:
        return False
    even, odd = head[0::2], head[1::2]
    return even.count(0) == len(even) or odd.count(0) == len(odd)


def parse_text(source: SourceFile) -> None:
    """Fill in front matter, body and document of ``source`` from its text."""
    front, closing, body, body_line = split_front_matter(source.text)
    source.body, source.body_line = body, body_line
    from .markdown import parse_body  # not needed by a run whose files are all cached

    source.document = parse_body(body, body_line)
    if front is None:
        source.error(
            1,
            "front-matter-missing",
            "no YAML front matter",
            "start the file with a '---' line, the fields (id, title, severity, ...), then '---'",
        )
        return
    source.has_front_matter = True
    source.front_matter_end = closing
    from .yamlpos import load_yaml  # (not needed to read a cached result)

    source.front_matter = load_yaml(front, line_offset=1)
    for problem in source.front_matter.problems:
        source.error(
            problem.position.line,
            problem.rule,
            problem.message,
            problem.hint,
            problem.position.column,
        )
    data = source.front_matter.data
    if not source.front_matter.problems and not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        source.error(
            2 if data is None else source.front_matter.positions[()].line,
            "front-matter-not-mapping",
            f"front matter is {kind}, not a mapping of fields",
            "write one 'key: value' per line, e.g. 'severity: SEV2'",
        )
