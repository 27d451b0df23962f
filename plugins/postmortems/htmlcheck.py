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
from html.parser import HTMLParser

from .findings import Finding, Level
from .markdown import Body

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
    except (AssertionError, ValueError):  # pragma: no cover - the parser is lenient
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
