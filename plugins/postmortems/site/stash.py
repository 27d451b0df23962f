"""HTML that skips Python-Markdown: held under a marker, put back into the rendered page.

The site's additions are finished HTML (escaped by the templates, links already relative),
yet Markdown would still read every tag of them with its HTML parser, which on a post-mortem
page costs more than the authors' text. The page's Markdown gets an HTML comment instead,
which Markdown copies as it is, and the held HTML replaces it once the page is rendered. The
markers carry a random token of the build, so no text of a post-mortem can name one.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable


class HtmlStash:
    """Blocks of HTML held for one build, each under its own marker."""

    def __init__(self) -> None:
        token = secrets.token_hex(8)
        self._prefix = f"<!--pm-{token}-"
        self._pattern = re.compile(f"<!--pm-{token}-([0-9]+)-->")
        self._held: dict[str, str] = {}

    def hold(self, html: str) -> str:
        """The marker to put in the Markdown, on a block of its own, instead of ``html``."""
        number = str(len(self._held))
        self._held[number] = html
        return f"{self._prefix}{number}-->"

    def fill(self, html: str) -> str:
        """``html`` with each marker replaced by what it holds (released: used once)."""
        if self._prefix not in html:
            return html
        return self._pattern.sub(lambda m: self._held.pop(m.group(1), ""), html)


#: The first tag of an HTML block that Markdown copies as it is (Python-Markdown's block-level
#: elements that the templates start blocks with), opening or closing.
_BLOCK_START = re.compile(
    r"</?(?:div|table|thead|tbody|tr|figure|ul|ol|li|details|summary|aside|section|p|form|dl)"
    r"[\s>]"
)


def hold_blocks(markdown: str, hold: Callable[[str], str]) -> str:
    """``markdown`` (a generated page) with each paragraph-separated run of HTML lines held.

    Only runs whose every line is a tag line and whose first tag is a block element are
    held: those Markdown would copy unchanged. Front matter and everything else stay.
    """
    head, body = "", markdown
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 4)
        if end >= 0:
            head, body = markdown[: end + 5], markdown[end + 5:]
    chunks = body.split("\n\n")
    for n, chunk in enumerate(chunks):
        lines = chunk.strip("\n").split("\n")
        if lines[0] and _BLOCK_START.match(lines[0]) and all(
                line.startswith("<") and not line.startswith("<!--") for line in lines):
            chunks[n] = chunk.replace(chunk.strip("\n"), hold(chunk.strip("\n")), 1)
    return head + "\n\n".join(chunks)
