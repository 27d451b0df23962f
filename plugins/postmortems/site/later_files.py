"""Generated files whose content another process may still be making.

A large build renders the generated pages and writes the exports in a forked child
(:class:`~postmortems.site.apart.Pending`) while MkDocs reads the post-mortems. These files
are added to the build at once, as MkDocs needs them for the nav; reading a page's Markdown,
or copying an export, waits for the child the first time.
"""

from __future__ import annotations

from collections.abc import Callable

from mkdocs.structure.files import File


class _LaterFile(File):
    """A generated file that must be made ready before its content is read; setting its
    content makes it ready."""

    def _make_ready(self) -> None:
        raise NotImplementedError

    def _forget(self) -> None:
        raise NotImplementedError

    @property
    def content_string(self) -> str:
        self._make_ready()
        return super().content_string

    @content_string.setter
    def content_string(self, value: str) -> None:
        self._forget()
        File.content_string.fset(self, value)  # type: ignore[attr-defined]

    @property
    def content_bytes(self) -> bytes:
        self._make_ready()
        return super().content_bytes

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self._forget()
        File.content_bytes.fset(self, value)  # type: ignore[attr-defined]


class LaterPage(_LaterFile):
    """A generated Markdown page whose text ``source()`` gives when it is first read."""

    _source: Callable[[], str] | None = None

    def set_source(self, source: Callable[[], str]) -> None:
        self._source = source

    def _make_ready(self) -> None:
        if self._source is not None:
            self._content, self._source = self._source(), None

    def _forget(self) -> None:
        self._source = None


class LaterExport(_LaterFile):
    """A generated file on disk that exists once ``ready()`` has returned: copying or
    reading it waits for that."""

    _ready: Callable[[], object] | None = None

    def set_ready(self, ready: Callable[[], object]) -> None:
        self._ready = ready

    def _make_ready(self) -> None:
        if self._ready is not None:
            self._ready()
            self._ready = None

    def _forget(self) -> None:
        self._ready = None

    def copy_file(self, dirty: bool = False) -> None:
        self._make_ready()
        super().copy_file(dirty)

    def is_modified(self) -> bool:
        self._make_ready()
        return super().is_modified()
