"""A cache of per-file check results, keyed by the file's content and the policy in force.

Checking a file is a pure function of its bytes and of the configuration (settings, schema,
rules data, package version), so the result of an unchanged file can be reused: a
pre-commit run or a rebuild of ``mkdocs serve`` then checks only what changed. Collection
checks (ids, related) and level resolution always run again over the cached results.

The cache is one JSON file under ``.cache/postmortems/`` in the project. A file whose
digest, or a configuration whose fingerprint, differs is checked again; a cache that
cannot be read is ignored and rewritten. A file whose size, modification time, change time
and inode are as cached is taken as unchanged without being read, unless it was modified
within :data:`RACY_NS` of being checked (a later edit could then keep the same times).

Besides the per-file results, the cache keeps the collection's ``similar-not-related``
findings, keyed by a digest of every case text: the ranking is collection-wide (IDF), so any
changed case discards them all.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .findings import Finding, Level, Suppression

CACHE_FORMAT = 3
#: A file modified this close to (or after) the moment it was checked is re-hashed next time.
RACY_NS = 2_000_000_000
CACHE_FILE = Path(".cache") / "postmortems" / "check.json"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def fingerprint(settings: object, files: Iterable[Path]) -> str:
    """What a per-file result depends on besides the file: settings, data files, version."""
    try:
        package = version("mkdocs-postmortems")
    except PackageNotFoundError:  # running from a checkout without installing
        package = "unknown"
    parts = [str(CACHE_FORMAT), package, repr(settings)]
    for path in files:
        try:
            parts.append(f"{path}:{digest(path.read_bytes())}")
        except OSError:
            parts.append(f"{path}:missing")
    return digest("\n".join(parts).encode("utf-8"))


@dataclass
class Entry:
    """One file's cached result: its raw findings and what collection checks and pages need."""

    digest: str
    size: int
    mtime_ns: int
    findings: list[Finding]
    suppressions: list[Suppression]
    meta: Any
    positions: list[tuple[list[str | int], int, int]]
    has_front_matter: bool
    case: dict[str, Any] | None = None
    #: The digest of ``case`` (so that a check need not decode every case to compare).
    case_digest: str | None = None
    ctime_ns: int = 0
    inode: int = 0
    #: When the file was stat'ed before it was read and checked.
    seen_ns: int = 0

    def matches_stat(self, stat: os.stat_result) -> bool:
        """Whether ``stat`` shows the file as it was checked, safely (not racily) so."""
        return (
            (self.size, self.mtime_ns, self.ctime_ns, self.inode)
            == (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
            and max(self.mtime_ns, self.ctime_ns) < self.seen_ns - RACY_NS
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "ctime_ns": self.ctime_ns,
            "inode": self.inode,
            "seen_ns": self.seen_ns,
            "findings": [f.to_dict() for f in self.findings],
            "suppressions": [[s.path, s.line, s.rule, s.reason] for s in self.suppressions],
            "meta": self.meta,
            "positions": [list(p) for p in self.positions],
            "has_front_matter": self.has_front_matter,
            "case": self.case,
            "case_digest": self.case_digest,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Entry:
        return cls(
            digest=data["digest"],
            size=data["size"],
            mtime_ns=data["mtime_ns"],
            findings=[finding_from_json(f) for f in data["findings"]],
            suppressions=[Suppression(*s) for s in data["suppressions"]],
            meta=data["meta"],
            positions=[(list(p[0]), p[1], p[2]) for p in data["positions"]],
            has_front_matter=data["has_front_matter"],
            case=data.get("case"),
            case_digest=data.get("case_digest"),
            ctime_ns=data.get("ctime_ns", 0),
            inode=data.get("inode", 0),
            seen_ns=data.get("seen_ns", 0),
        )


def finding_from_json(data: Mapping[str, Any]) -> Finding:
    """A finding from its ``to_dict()``."""
    values = dict(data)
    values["level"] = Level(values["level"])
    values["suggestions"] = tuple(values.get("suggestions", ()))
    return Finding(**values)


class CheckCache:
    """Cached per-file results of one project under one configuration."""

    def __init__(self, project_dir: Path, key: str) -> None:
        self.path = project_dir / CACHE_FILE
        self.key = key
        #: Entries as read (JSON), decoded into ``entries`` when first asked for: a check
        #: of one file needs the others' ids and cases, not their findings.
        self._stored: dict[str, Any] = {}
        self.entries: dict[str, Entry] = {}
        #: The similar-not-related findings: the digest of the cases they were computed from,
        #: and per shown path a record (what else they depend on, the findings as JSON).
        self.ranking_key: str | None = None
        self.ranking: dict[str, dict[str, Any]] = {}
        #: What the pipeline reads of the language rules data before compiling it.
        self.outline: Any = None
        #: Whether the file held results of this very configuration (so a run has already
        #: loaded its schema and rules without error).
        self.loaded = False
        self.changed = False
        try:
            data = json.loads(self.path.read_bytes())
            if data.get("key") == key:
                self._stored = dict(data["files"])
                similar = data.get("similar") or {}
                self.ranking_key = similar.get("key")
                self.ranking = dict(similar.get("ranking") or {})
                self.outline = data.get("outline")
                self.loaded = True
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._stored, self.ranking_key, self.ranking, self.outline = {}, None, {}, None
            self.loaded = False

    def _entry(self, path: str) -> Entry | None:
        entry = self.entries.get(path)
        if entry is None and path in self._stored:
            try:
                entry = self.entries[path] = Entry.from_json(self._stored.pop(path))
            except (KeyError, TypeError, ValueError, IndexError):
                return None  # an entry of another shape: the file is checked again
        return entry

    def get(self, path: str, content_digest: str) -> Entry | None:
        """The entry of a file whose content has this digest."""
        entry = self._entry(path)
        return entry if entry is not None and entry.digest == content_digest else None

    def unchanged(self, path: str, stat: os.stat_result) -> Entry | None:
        """The entry of a file that its stat shows unchanged since it was checked."""
        entry = self._entry(path)
        return entry if entry is not None and entry.matches_stat(stat) else None

    def ranking_for(self, key: str) -> dict[str, dict[str, Any]]:
        """The records kept for the cases whose digest is ``key`` (none, and the old ones
        dropped, if the cases changed); add to them with :meth:`rank`."""
        if self.ranking_key != key:
            self.ranking_key, self.ranking = key, {}
            self.changed = True
        return self.ranking

    def rank(self, path: str, record: dict[str, Any]) -> None:
        """Keep the similar findings record of ``path`` under the current cases."""
        self.ranking[path] = record
        self.changed = True

    def keep_outline(self, outline: Any) -> None:
        """Keep the rules' outline (JSON data) with the results of this configuration."""
        self.outline = outline
        self.changed = True

    def refresh(self, path: str, entry: Entry, stat: os.stat_result, seen_ns: int) -> None:
        """Record the new stat of a file whose content is as cached (touched, copied...)."""
        entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
        entry.ctime_ns, entry.inode, entry.seen_ns = stat.st_ctime_ns, stat.st_ino, seen_ns
        self.put(path, entry)

    def put(self, path: str, entry: Entry) -> None:
        self.entries[path] = entry
        self._stored.pop(path, None)
        self.changed = True

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the cache (atomically); with ``keep``, drop entries of files not in it."""
        if keep is not None:
            wanted = set(keep)
            stale = [p for p in [*self.entries, *self._stored] if p not in wanted]
            for path in stale:
                self.entries.pop(path, None)
                self._stored.pop(path, None)
            self.changed = self.changed or bool(stale)
        if not self.changed:
            return
        files = {**self._stored, **{p: e.to_json() for p, e in self.entries.items()}}
        data = {"key": self.key, "files": files,
                "similar": {"key": self.ranking_key, "ranking": self.ranking},
                "outline": self.outline}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            (self.path.parent / ".gitignore").write_text("*\n", encoding="utf-8")
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, separators=(",", ":"))
            os.replace(temporary, self.path)
        except OSError:
            pass  # a read-only project still checks; it only checks everything each time
        self.changed = False
