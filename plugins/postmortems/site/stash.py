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
