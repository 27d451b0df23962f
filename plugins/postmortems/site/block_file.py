"""Blocks of HTML written to one file by one process and read back, one at a time, by another.

A large build renders each post-mortem page's card, action table and similar incidents in a
child process (see :mod:`postmortems.site.apart`) while MkDocs reads the pages. At 10,000
post-mortems that is tens of MB of HTML, so it goes to a file, and the build reads each block
when it writes its page instead of keeping them all in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

#: A block's key: the page's source path and the kind of block.
Key = tuple[str, str]


def write_blocks(path: Path, blocks: Iterable[tuple[Key, str]]) -> dict[Key, tuple[int, int]]:
    """Write each block to ``path``; where each one is, as (offset, length) in bytes."""
    index: dict[Key, tuple[int, int]] = {}
    offset = 0
    with path.open("wb") as out:
        for key, html in blocks:
            data = html.encode("utf-8")
            out.write(data)
            index[key] = (offset, len(data))
            offset += len(data)
    return index


class BlockFile:
    """The blocks :func:`write_blocks` wrote, read on demand."""

    def __init__(self, path: Path, index: dict[Key, tuple[int, int]]) -> None:
        self.path = path
        self.index = index
        self._file: BinaryIO | None = None

    def get(self, key: Key) -> str | None:
        """The block under ``key``, or None if none was written."""
        where = self.index.get(key)
        if where is None:
            return None
        if self._file is None:
            self._file = self.path.open("rb")
        self._file.seek(where[0])
        return self._file.read(where[1]).decode("utf-8")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
