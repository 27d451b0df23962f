"""Raw HTML in a post-mortem body that would run code or load content on the published site.

Markdown passes raw HTML through, so a body could carry a ``<script>``, an ``onerror=``
handler, a ``javascript:`` link or an ``<iframe>`` to every reader of the site. With
``raw_html: refuse`` (the default) each of these is an error at its line and column; harmless
HTML (``<details>``, ``<kbd>``, ``<br>``, tables) stays allowed. Code blocks, inline code and
comments are not looked at: the parser's ``visible`` lines have them blanked.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection
from html.parser import HTMLParser
from typing import Any

from .findings import Finding, Level
from .markdown import Body, parse_body

RAW_HTML_CHOICES = ("refuse", "allow")
EMBEDDING = frozenset({"iframe", "object", "embed", "frame", "frameset", "applet", "portal"})
#: Attributes whose value a browser loads or follows as a URL.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "srcdoc", "lowsrc", "dynsrc", "codebase", "cite",
})
_SCRIPT_SCHEME = re.compile(r"(?:javascript|vbscript|data):", re.I)
#: What a browser drops from a URL before it reads the scheme.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
#: A Markdown link, image or reference definition whose target is a script URL.
_MARKDOWN_URL = re.compile(
    r"(?:\]\(\s*<?|^\s{0,3}\[[^\]]+\]:\s*<?|<)(?P<url>(?:javascript|vbscript|data):)", re.I | re.M
)


def _is_script_url(value: str) -> bool:
    return bool(_SCRIPT_SCHEME.match(_URL_IGNORED.sub("", value)))


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hits: list[tuple[int, int, str, str]] = []  # line (1-based), offset, rule, text

    def _hit(self, rule: str, message: str, attribute: str | None = None) -> None:
        line, offset = self.getpos()
        if attribute is not None:
            tag = self.get_starttag_text() or ""
            found = re.search(rf"\s{re.escape(attribute)}\s*=|\s{re.escape(attribute)}\b", tag,
                              re.I)
            if found:
                before = tag[: found.start() + 1]
                newlines = before.count("\n")
                line += newlines
                offset = (len(before) - before.rfind("\n") - 1) if newlines else offset + len(
                    before)
        self.hits.append((line, offset, rule, message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._hit("html/script", "a <script> element in the body")
        elif tag == "style":
            self._hit("html/style", "a <style> element in the body")
        elif tag in EMBEDDING:
            self._hit("html/embedded-content", f"an <{tag}> element embeds other content")
        for name, value in attrs:
            if name.startswith("on"):
                self._hit("html/event-handler", f"an event-handler attribute {name}= on <{tag}>",
                          name)
            elif name in URL_ATTRIBUTES and value and _is_script_url(value):
                self._hit("html/script-url", f"a script URL in {name}= of <{tag}>", name)

    handle_startendtag = handle_starttag


def check_raw_html(body: Body | None, path: str, mode: str = "refuse") -> list[Finding]:
    """Errors for script, style, embedding elements, handlers and script URLs in ``body``.

    Nothing when ``mode`` is ``allow`` or there is no body.
    """
    if body is None or mode == "allow":
        return []
    text = "\n".join(body.visible)
    if "<" not in text and ":" not in text:
        return []
    scanner = _Scanner()
    try:
        scanner.feed(text)
        scanner.close()
    except (AssertionError, ValueError):  # markup it cannot read: see check_readable
        pass
    hits = list(scanner.hits)
    starts = [0]
    for line in body.visible:
        starts.append(starts[-1] + len(line) + 1)
    for match in _MARKDOWN_URL.finditer(text):
        index = bisect.bisect_right(starts, match.start("url")) - 1
        hits.append((index + 1, match.start("url") - starts[index], "html/script-url",
                     "a Markdown link to a script URL"))
    findings = []
    for line, offset, rule, message in sorted(set(hits)):
        findings.append(Finding(
            path, body.first_line + line - 1, rule, Level.ERROR, message,
            hint="the site does not publish HTML that runs code or embeds pages; describe it "
                 "in words or quote it in a code block (`raw_html: allow` turns this off)",
            column=offset + 1, category="html",
        ))
    return findings


def _reader_module() -> Any:
    """The HTML parser the site build reads every page with (Python-Markdown's copy of the
    standard library's, which MkDocs runs over each page's whole source for its anchors)."""
    try:
        from markdown.htmlparser import htmlparser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python-Markdown comes with MkDocs
        import html.parser as htmlparser
    return htmlparser


# The fence that opens or closes a fenced code block (in a list, a quote or an admonition too).
_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")
_CLOSING_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})\s*$")
# "<![" that the reader stops at: no name after it, or a name that opens no known section.
_UNREADABLE = re.compile(
    r"<!\[(?!(?:cdata|temp|ignore|include|rcdata|if|else|endif)(?![-_.a-zA-Z0-9]))", re.I
)


def _closed_fence_lines(body: Body) -> set[int]:
    """Indices into ``body.lines`` of closed fenced code blocks: the site's fence extension
    sets them aside before MkDocs' reader runs (an unclosed fence is read as text)."""
    hidden: set[int] = set()
    for block in body.code_blocks:
        first, last = block.line - body.first_line, block.end_line - body.first_line
        if not block.fenced or last <= first:
            continue
        opening = _FENCE.match(body.lines[first])
        closing = _CLOSING_FENCE.match(body.lines[last])
        if opening and closing and closing.group(1)[0] == opening.group(1)[0] \
                and len(closing.group(1)) >= len(opening.group(1)):
            hidden.update(range(first, last + 1))
    return hidden


def unreadable_at(text: str, hidden: Collection[int] = ()) -> tuple[int, int] | None:
    """Where the site build's HTML reader stops on ``text`` (1-based line, 0-based column),
    or ``None``; the lines ``hidden`` (0-based) are left out as it never sees them. It stops
    with an error at ``<![`` that does not open a known marked section (``<![CDATA[``),
    anywhere in a page, inline and indented code included."""
    if "<![" not in text:
        return None
    # The reader reads the page as Python-Markdown has normalised it: one kind of line
    # break, tabs expanded, and two line breaks added at the end.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    normal = [
        "" if i in hidden else line.replace("\x02", "").replace("\x03", "").expandtabs(4)
        for i, line in enumerate(lines)
    ]
    reader = _reader_module().HTMLParser()
    try:
        reader.feed("\n".join(normal) + "\n\n")
        reader.close()
    except AssertionError:
        line, column = reader.getpos()  # at the "<![", or (no name after it) just past it
        if line > len(lines):
            return None
        at = normal[line - 1].find("<![", max(0, column - 3))
        nth = normal[line - 1].count("<![", 0, max(at, 0))
        found = -1
        for _ in range(nth + 1):
            found = lines[line - 1].find("<![", found + 1)
        return line, max(found, 0)
    return None


def readable_markup(text: str) -> str:
    """``text`` with a zero-width space after the ``<!`` of every ``<![`` outside closed
    fenced code that opens no known marked section, so that the site build's reader reads
    the page (a page previewed despite the error, or one whose additions end it oddly)."""
    if "<![" not in text:
        return text
    body = parse_body(text, 1)
    hidden = _closed_fence_lines(body)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "<![" in line and i not in hidden:
            lines[i] = _UNREADABLE.sub("<!\u200b[", line)
    return "\n".join(lines)


#: Most ``<![`` reported in one file: past this, the first ones make the point.
MAX_UNREADABLE = 10


def unreadable_all(text: str, hidden: Collection[int] = ()) -> list[tuple[int, int]]:
    """Every place the reader would stop, as :func:`unreadable_at` gives them: each one
    found is written off as the fix would (no longer a marked section), then it reads on."""
    found: list[tuple[int, int]] = []
    lines = text.split("\n")
    while len(found) < MAX_UNREADABLE and (at := unreadable_at("\n".join(lines), hidden)):
        line, column = at
        if lines[line - 1][column : column + 3] != "<![":
            break
        found.append(at)
        lines[line - 1] = lines[line - 1][:column] + "&![" + lines[line - 1][column + 3 :]
    return found


def check_readable(body: Body | None, path: str) -> list[Finding]:
    """An error at each place the site build's HTML reader would stop on the body (and the
    build with a traceback): ``<![`` not opening a CDATA section, in prose or in inline or
    indented code (closed fenced blocks are set aside before it reads)."""
    if body is None:
        return []
    places = unreadable_all("\n".join(body.lines), _closed_fence_lines(body))
    message = ("'<![' here stops the site build: MkDocs reads every page as HTML, inline and "
               "indented code included, and '<![' must open a CDATA section there")
    return [
        Finding(
            path, body.first_line + line - 1, "html/marked-section", Level.ERROR,
            message + (f" (only the first {MAX_UNREADABLE} are listed; check again after "
                       "fixing them)" if n == MAX_UNREADABLE else ""),
            hint="put it in a fenced code block (``` above and below), or write it another "
                 "way: '< ![' in prose; in a regular expression, '(?<![^a])' is "
                 "'(?<!(?:[^a]))'",
            column=column + 1, category="html",
        )
        for n, (line, column) in enumerate(places, start=1)
    ]
