"""The search plugin's parse of the post-mortem pages, done in a forked child.

Material's search plugin parses each page's HTML into its search entries as the page is
written: about a quarter of a plain build's time. For a large collection the post-mortem
pages are sent instead, as they are written, to a child process forked before the pages are
built, where the same search index code (a fresh copy of the search plugin's own index
object, with its configuration) parses them on the second core. Each page is marked as
excluded for the search plugin while the plugin reads it, and a slot takes its place in the
plugin's list of entries; the child's entries fill the slots before the index is written,
so the index is the same, entry for entry and in the same order, as one made in-process.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from types import SimpleNamespace
from typing import Any

from mkdocs.exceptions import PluginError

from .apart import can_fork, fork_child, stop_child

__all__ = ["SearchApart", "searchable"]

#: The page metadata the search index reads (Material's ``create_entry_for_section``).
_META = ("title", "tags", "search")


def searchable(search_plugin: Any) -> Any:
    """The search plugin's index object when it can parse pages apart (Material's), or None."""
    index = getattr(search_plugin, "search_index", None)
    if (isinstance(getattr(index, "entries", None), list)
            and callable(getattr(index, "add_entry_from_context", None))
            and isinstance(getattr(index, "config", None), dict)):
        return index
    return None


class _Slot:
    """The place of a page parsed apart among the search plugin's entries."""

    __slots__ = ("page",)

    def __init__(self, page: int) -> None:
        self.page = page


#: Pages whose entries go back in one message (so that no pickle of every entry is made).
_CHUNK = 200


def _child(index: Any, conn: Connection) -> None:
    fresh = type(index)(**index.config)
    parsed: list[list[dict[str, Any]]] = []
    try:
        while (page := conn.recv()) is not None:
            start = len(fresh.entries)
            fresh.add_entry_from_context(page)
            parsed.append(fresh.entries[start:])
        fresh.entries.clear()
        for start in range(0, len(parsed), _CHUNK):
            conn.send((True, parsed[start:start + _CHUNK]))
        conn.send((True, None))
    except BaseException as exc:  # the parent reports it
        conn.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class SearchApart:
    """A child process that parses pages into search entries, for one build."""

    def __init__(self, index: Any) -> None:
        self._index = index
        self._sent = 0  # pages, each with a slot in the plugin's entries
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        if not can_fork():
            return
        started = fork_child(_child, index, duplex=True)
        if started is not None:  # else the search plugin parses the pages, as it would
            self._process, self._conn = started

    @property
    def running(self) -> bool:
        return self._conn is not None

    def send(self, page: Any) -> bool:
        """Have the child parse ``page`` (a MkDocs page about to be written), and hold its
        place among the search plugin's entries; False if the child cannot take it (the
        search plugin then parses it, as it would anyway)."""
        meta = page.meta or {}
        search = meta.get("search") or {}
        if self._conn is None or search.get("exclude"):
            return False
        shim = SimpleNamespace(url=page.url, title=page.title, toc=page.toc,
                               content=page.content,
                               meta={k: meta[k] for k in _META if k in meta})
        try:
            self._conn.send(shim)
        except (OSError, EOFError):  # the child is gone: the error is reported at the end
            self._conn.close()
            self._conn = None
            if not self._sent:
                return False
            self._fail()
        self._index.entries.append(_Slot(self._sent))
        self._sent += 1
        return True

    def fill(self) -> int:
        """Put the child's entries in their slots (before the search index is written);
        how many pages it parsed."""
        if self._process is None:
            return 0
        if self._conn is None:  # gone before it was sent a page
            self._stop()
            return 0
        parsed: list[list[dict[str, Any]]] = []
        try:
            self._conn.send(None)
            while True:
                ok, part = self._conn.recv()
                if not ok:
                    self._stop()
                    raise PluginError(f"postmortems: the search index could not be made: "
                                      f"{part}")
                if part is None:
                    break
                parsed.extend(part)
        except (OSError, EOFError):
            self._fail()
        self._stop()
        if len(parsed) != self._sent:
            raise PluginError(f"postmortems: the search index could not be made: "
                              f"{len(parsed)} pages parsed of {self._sent}")
        entries: list[dict[str, Any]] = []
        for entry in self._index.entries:
            if isinstance(entry, _Slot):
                entries.extend(parsed[entry.page])
            else:
                entries.append(entry)
        self._index.entries[:] = entries
        count, self._sent = self._sent, 0
        return count

    def cancel(self) -> None:
        """Stop the child (a build that failed)."""
        if self._process is not None:
            self._process.terminate()
        self._stop()

    def _fail(self) -> None:
        code = stop_child(self._process, self._conn)
        self._process, self._conn = None, None
        raise PluginError("postmortems: the process that parses post-mortem pages for search "
                          f"ended without a result (exit code {code}); the search index "
                          "would be incomplete")

    def _stop(self) -> None:
        stop_child(self._process, self._conn)
        self._process, self._conn = None, None
