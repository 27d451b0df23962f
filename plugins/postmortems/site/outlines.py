"""The outline of each post-mortem page, kept between builds.

Placing the site's additions needs the page's headings. The checker's parse is used when the
check read the file; when its results came from the check cache, the body would be parsed
again for every page. The outlines are therefore stored by the digest of the text, under a
key of the parsing code, in ``.cache/postmortems/site-outlines.json``.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..cachefiles import write_json
from ..markdown import Body
from .incident_page import Outline, outline

CACHE_FORMAT = 1
CACHE_FILE = Path(".cache") / "postmortems" / "site-outlines.json"


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _code_key() -> str:
    """What an outline depends on besides the text: the parser and this format."""
    try:
        package = version("mkdocs-postmortems")
    except PackageNotFoundError:
        package = "unknown"
    here = Path(__file__).resolve().parent
    parts = [str(CACHE_FORMAT), package]
    for path in (here.parent / "markdown.py", here / "incident_page.py"):
        try:
            parts.append(_digest(path.read_bytes()))
        except OSError:
            parts.append(f"{path.name}:missing")
    return _digest("\n".join(parts).encode("utf-8"))


class OutlineCache:
    """Outlines by text digest; only those used in this build are written back."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.key = _code_key()
        self.stored: dict[str, Outline] = {}
        self.used: dict[str, Outline] = {}
        self.changed = False
        if path is None:
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("key") == self.key:
                self.stored = {k: Outline.from_json(v) for k, v in data["outlines"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            self.stored = {}

    def prime(self, body: Body) -> None:
        """Work out the outline of the page MkDocs will make of ``body`` (the checker's parse,
        not kept: the page finds its outline by the digest of its text)."""
        text = "\n".join(body.lines).lstrip("\n")
        digest = _digest(text.encode("utf-8"))
        if digest not in self.stored:
            self.stored[digest] = outline(text, body)
            self.changed = True

    def outline(self, markdown: str, body: Body | None) -> Outline:
        """The outline of ``markdown``: stored, else worked out (from ``body`` if it fits)."""
        digest = _digest(markdown.encode("utf-8"))
        found = self.stored.get(digest)
        if found is None:
            found = outline(markdown, body)
            self.changed = True
        self.used[digest] = found
        return found

    def save(self) -> None:
        """Write the outlines of this build (atomically) if any was new or one went unused."""
        if self.path is None or not (self.changed or len(self.used) != len(self.stored)):
            return
        data = {"key": self.key, "outlines": {k: v.to_json() for k, v in self.used.items()}}
        write_json(self.path, data)
