"""HTML that skips Python-Markdown: held under a marker, put back into the rendered page.

The site's additions are finished HTML (escaped by the templates, links already relative),
yet Markdown would still read every tag of them with its HTML parser, which on a post-mortem
page costs more than the authors' text. The page's Markdown gets an HTML comment instead,
which Markdown copies as it is, and the held HTML replaces it once the page is rendered. The
markers carry a random token of the build, so no text of a post-mortem can name one.

A block that search leaves out anyway (its element carries ``data-search-exclude``) is put
back only into the finished page, after the search plugin has read the content: it is then
not parsed for nothing. Such a block may also be held as the function that renders it
(:meth:`HtmlStash.defer`): MkDocs reads every page before it writes the first one, so the
post-mortem pages' cards and tables are then rendered one page at a time instead of being
held, rendered, for the whole build.
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
        self._pattern = re.compile(f"<!--pm-{token}-([sx][0-9]+)-->")
        self._held: dict[str, str | Callable[[], str]] = {}
        self._count = 0  # not len(_held): filling releases blocks, numbers must stay unique

    def hold(self, html: str, *, searchable: bool | None = None) -> str:
        """The marker to put in the Markdown, on a block of its own, instead of ``html``.

        ``searchable``: whether search reads the block; by default, unless ``html`` is one
        element with ``data-search-exclude``.
        """
        if searchable is None:
            searchable = not excluded_element(html)
        number = ("s" if searchable else "x") + str(self._count)
        self._count += 1
        self._held[number] = html
        return f"{self._prefix}{number}-->"

    def defer(self, render: Callable[[], str]) -> str:
        """The marker of a block search leaves out, rendered by ``render()`` when put back
        into the finished page (it must return one ``data-search-exclude`` element)."""
        number = f"x{self._count}"
        self._count += 1
        self._held[number] = render
        return f"{self._prefix}{number}-->"

    def fill(self, html: str, *, excluded: bool = False) -> str:
        """``html`` with each marker replaced by what it holds (released: used once); the
        blocks search leaves out only with ``excluded`` (the finished page)."""
        if self._prefix not in html:
            return html

        def put(match: re.Match[str]) -> str:
            number = match.group(1)
            if number[0] == "x" and not excluded:
                return match.group(0)
            held = self._held.pop(number, "")
            return held if isinstance(held, str) else held()

        return self._pattern.sub(put, html)


_OPENING = re.compile(r"<([a-z][a-z0-9]*)\b[^>]*>")


def excluded_element(html: str) -> bool:
    """Whether ``html`` is a single element whose opening tag has ``data-search-exclude``."""
    text = html.strip()
    first = _OPENING.match(text)
    if first is None or "data-search-exclude" not in first.group(0):
        return False
    name = first.group(1)
    depth = 0
    for tag in re.finditer(rf"<(/?){name}\b[^>]*>", text):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.end() == len(text)
    return False


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
