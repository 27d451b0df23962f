"""A cache of per-file check results, keyed by the file's content and the policy in force.

Checking a file is a pure function of its bytes and of the configuration (settings, schema,
rules data, the package's code), so the result of an unchanged file can be reused: a
pre-commit run or a rebuild of ``mkdocs serve`` then checks only what changed. Collection
checks (ids, related) and level resolution always run again over the cached results.

The cache lives under ``.cache/postmortems/`` in the project, in two parts, so that a run
reads only what it needs:

- ``check.json``, the index, read whole by every run: per file its content digest, size,
  modification and change times, inode, when it was stat'ed, its case digest, how many
  findings and suppressions it has, and its id with the id's line;
- ``check-results.sqlite``, the heavy results, read row by row as they are needed: per file
  its findings and suppressions, its whole front matter, the few front-matter fields
  collection checks use (:data:`CONTEXT_FIELDS`) with their positions, and its similarity
  case; and the collection's ``similar-not-related`` findings per file.

A file whose digest, or a configuration whose fingerprint, differs is checked again; a
cache that cannot be read (or of another format or key) is ignored and rewritten. A file
whose size, modification time, change time and inode are as cached is taken as unchanged
without being read, unless it was modified within :data:`RACY_NS` of being checked (a later
edit could then keep the same times). Every heavy row carries the cache key and the content
digest it was computed from, and is used only when both match the index: runs that write
at the same time (each atomically: the index by renaming, the rows in one transaction)
cannot mix results of different contents or configurations.

The ``similar-not-related`` findings are kept under a digest of every case text: the
ranking is collection-wide (IDF), so any changed case discards them all.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cachefiles import make_cache_folder, write_json
from .findings import Finding, Level, Suppression

if TYPE_CHECKING:
    import sqlite3

CACHE_FORMAT = 5
#: A file modified this close to (or after) the moment it was checked is re-hashed next time.
RACY_NS = 2_000_000_000
#: The index (small, read whole).
CACHE_FILE = Path(".cache") / "postmortems" / "check.json"
#: The heavy results (read by row).
RESULTS_FILE = Path(".cache") / "postmortems" / "check-results.sqlite"
#: The front-matter fields kept apart from the whole front matter: what collection checks and
#: the verdict read of a file taken from the cache.
CONTEXT_FIELDS = ("id", "status", "related", "services", "tags", "title", "started")
#: From this many rows asked for, a table is read in one query rather than row by row.
_BULK_FROM = 64
#: An entry's context fields not read yet: they are in the results store.
_IN_STORE = object()


def digest(data: bytes) -> str:
    """The content digest of ``data``."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def fingerprint(settings: object, files: Iterable[Path], bases: Sequence[Path] = ()) -> str:
    """What a per-file result depends on besides the file: settings, data files and code
    (``files``: the package's own files are among them, so no version is needed).

    A file inside one of ``bases`` (the project, the package) is named relative to it, and
    each base's path is left out of ``settings`` too, so the key does not change when the
    project is cloned or restored elsewhere (a CI cache) with the same contents.
    """
    text = repr(settings)
    for base in bases:
        text = text.replace(repr(base), "<base>")
    parts = [str(CACHE_FORMAT), text]
    for path in files:
        name = path.as_posix()
        for i, base in enumerate(bases):
            if path.is_relative_to(base):
                name = f"<{i}>/{path.relative_to(base).as_posix()}"
                break
        try:
            parts.append(f"{name}:{digest(path.read_bytes())}")
        except OSError:
            parts.append(f"{name}:missing")
    return digest("\n".join(parts).encode("utf-8"))


def context_of(meta: Any) -> Any:
    """What the index keeps of a file's front matter (all of it when it is not a mapping)."""
    if not isinstance(meta, dict):
        return meta
    return {name: meta[name] for name in CONTEXT_FIELDS if name in meta}


class Entry:
    """One file's cached result: its raw findings and what collection checks and pages need.

    The index fields are always there; ``findings``, ``suppressions``, ``meta``, ``context``
    (with ``positions``) and ``case`` are read from the results store on first use when the
    entry came from the index.
    """

    __slots__ = (
        "_blob",
        "_case",
        "_context",
        "_findings",
        "_meta",
        "_path",
        "_positions",
        "_store",
        "_suppressions",
        "case_digest",
        "ctime_ns",
        "digest",
        "has_front_matter",
        "heavy",
        "id",
        "id_line",
        "inode",
        "mtime_ns",
        "seen_ns",
        "size",
    )

    def __init__(self, digest: str, size: int, mtime_ns: int, findings: list[Finding] | None,
                 suppressions: list[Suppression] | None, meta: Any,
                 positions: list[tuple[list[str | int], int, int]] | None,
                 has_front_matter: bool, case: dict[str, Any] | None = None,
                 case_digest: str | None = None, ctime_ns: int = 0, inode: int = 0,
                 seen_ns: int = 0) -> None:
        self.digest, self.size, self.mtime_ns = digest, size, mtime_ns
        self.ctime_ns, self.inode = ctime_ns, inode
        #: When the file was stat'ed before it was read and checked.
        self.seen_ns = seen_ns
        self.has_front_matter = has_front_matter
        #: The digest of ``case`` (so that a check need not decode every case to compare).
        self.case_digest = case_digest
        self.heavy = len(findings or ()) + len(suppressions or ())
        self._findings, self._suppressions = findings, suppressions
        self._meta, self._case = meta, case
        #: Where the heavy fields are, for an entry of the index (see :meth:`from_index`).
        self._store: ResultStore | None = None
        self._path = ""
        #: The context fields and positions, as JSON until first used, or :data:`_IN_STORE`
        #: (a check of one file needs only the other files' ids).
        self._blob: Any = None
        self._context: Any = context_of(meta)
        self._positions = positions
        ident = self._context.get("id") if isinstance(self._context, dict) else None
        #: The front matter's id (when it is a string) and its line (0 when unknown).
        self.id = ident if isinstance(ident, str) else None
        self.id_line = next((line for p, line, _ in positions or () if list(p) == ["id"]), 0)

    def _unpack(self) -> None:
        blob = self._blob if self.in_store() else None
        try:
            self._context, positions = json.loads(blob or "[null, []]")
            self._positions = positions if isinstance(positions, list) else []
        except (ValueError, TypeError):
            self._context, self._positions = None, []
        self._blob = None

    def in_store(self) -> bool:
        """Whether what the index leaves to the results store can still be read there
        (another run may have replaced the row since the index was read)."""
        if self._blob is _IN_STORE:
            blob = self._store.context(self._path, self.digest) if self._store else None
            if blob is None:
                return False
            self._blob = blob
        return True

    @property
    def context(self) -> Any:
        """The front-matter fields collection checks read (:data:`CONTEXT_FIELDS`)."""
        if self._blob is not None:
            self._unpack()
        return self._context

    @property
    def positions(self) -> list[tuple[list[str | int], int, int]]:
        if self._blob is not None:
            self._unpack()
        return self._positions or []

    def matches_stat(self, stat: os.stat_result) -> bool:
        """Whether ``stat`` shows the file as it was checked, safely (not racily) so."""
        return (
            (self.size, self.mtime_ns, self.ctime_ns, self.inode)
            == (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
            and max(self.mtime_ns, self.ctime_ns) < self.seen_ns - RACY_NS
        )

    def _load(self) -> None:
        findings: list[Finding] = []
        suppressions: list[Suppression] = []
        meta: Any = self.context
        if self._store is not None:
            row = self._store.results(self._path, self.digest)
            if row is not None:
                findings, suppressions, meta = row
        self._findings, self._suppressions, self._meta = findings, suppressions, meta

    @property
    def findings(self) -> list[Finding]:
        if self._findings is None:
            if self.heavy == 0:
                return []
            self._load()
        return self._findings or []

    @property
    def suppressions(self) -> list[Suppression]:
        if self._suppressions is None:
            if self.heavy == 0:
                return []
            self._load()
        return self._suppressions or []

    @property
    def meta(self) -> Any:
        """The whole front matter (read from the store for an entry of the index)."""
        if self._meta is None and self._store is not None:
            self._load()
        return self._meta

    @property
    def case(self) -> dict[str, Any] | None:
        if self._case is None and self.case_digest is not None and self._store is not None:
            self._case = self._store.case(self._path, self.digest)
        return self._case

    def index_record(self) -> list[Any]:
        """The entry's line of the index."""
        return [self.digest, self.size, self.mtime_ns, self.ctime_ns, self.inode, self.seen_ns,
                self.case_digest, self.heavy, self.has_front_matter, self.id, self.id_line]

    @classmethod
    def from_index(cls, record: list[Any], store: ResultStore, path: str) -> Entry:
        """An entry from its line of the index; its heavy fields come from ``store``."""
        (digest_, size, mtime_ns, ctime_ns, inode, seen_ns, case_digest, heavy, has_front,
         ident, id_line) = record
        if not isinstance(digest_, str) or not isinstance(heavy, int) or \
                not isinstance(id_line, int):
            raise TypeError("not an index record")
        # Set directly rather than through __init__: a check of one file makes one entry for
        # every other file of the collection.
        entry = cls.__new__(cls)
        entry.digest, entry.size, entry.mtime_ns = digest_, int(size), int(mtime_ns)
        entry.ctime_ns, entry.inode, entry.seen_ns = int(ctime_ns), int(inode), int(seen_ns)
        entry.has_front_matter, entry.case_digest, entry.heavy = bool(has_front), case_digest, heavy
        entry._findings = entry._suppressions = entry._meta = entry._case = None
        entry._store, entry._path, entry._blob = store, path, _IN_STORE
        entry._context = entry._positions = None
        entry.id, entry.id_line = (ident if isinstance(ident, str) else None), id_line
        return entry

    def heavy_row(self) -> tuple[str, str, str, str]:
        """The findings with suppressions, the case, the front matter and the context fields
        with their positions, as JSON."""
        findings = [[f.to_dict() for f in self.findings],
                    [[s.path, s.line, s.rule, s.reason, s.column] for s in self.suppressions]]
        context = _dumps([self.context, [list(p) for p in self.positions]])
        return (_dumps(findings), _dumps(self.case), _dumps(self.meta), context)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def finding_from_json(data: Mapping[str, Any]) -> Finding:
    """A finding from its ``to_dict()``."""
    values = dict(data)
    values["level"] = Level(values["level"])
    values["suggestions"] = tuple(values.get("suggestions", ()))
    return Finding(**values)


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS results (path TEXT PRIMARY KEY, key TEXT, digest TEXT, "
    "findings TEXT, ccase TEXT, meta TEXT, context TEXT)",
    # Which rows a key holds is read from this index alone, not from the rows (kilobytes
    # each): a check of one file asks it of the whole collection. Reads of a column of every
    # row say ``+key`` so as to scan the table in order rather than look each row up.
    "CREATE INDEX IF NOT EXISTS results_by_key ON results (key, path, digest)",
    "CREATE TABLE IF NOT EXISTS ranking (path TEXT PRIMARY KEY, key TEXT, data TEXT)",
    # The similarity index's per-case features (``SimilarityIndex.to_data()``), one row.
    "CREATE TABLE IF NOT EXISTS features (name TEXT PRIMARY KEY, key TEXT, data TEXT)",
)


class ResultStore:
    """The heavy per-file results, in SQLite (data only: a restored cache runs no code)."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key
        self._db: sqlite3.Connection | None = None
        self._cases: dict[str, tuple[str, str]] | None = None
        self._contexts: dict[str, tuple[str, str]] | None = None
        #: Rows read, by table (what a run had to read).
        self.reads: dict[str, int] = {"results": 0, "cases": 0, "ranking": 0, "contexts": 0}
        #: The rows this key holds: path -> content digest (read on first use).
        self._present: dict[str, str] | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None:
            import sqlite3

            if not self.path.is_file():
                return None
            try:
                # Read-only: reading never creates or changes the file.
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, timeout=10)
                self._db.execute("SELECT count(*) FROM results").fetchone()
            except (sqlite3.Error, ValueError):
                self.close()
                return None
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
        self._db = None

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import sqlite3

        db = self._connect()
        if db is None:
            return []
        try:
            return db.execute(sql, args).fetchall()
        except sqlite3.Error:
            return []

    def present(self) -> dict[str, str]:
        """Path -> content digest of the rows held under this key."""
        if self._present is None:
            rows = self._query("SELECT path, digest FROM results WHERE key = ?", (self.key,))
            self._present = dict(rows)
        return self._present

    def results(self, path: str, content: str) -> tuple[list[Finding], list[Suppression],
                                                        Any] | None:
        """The findings, suppressions and front matter kept for this content of ``path``."""
        rows = self._query("SELECT findings, meta FROM results WHERE path = ? AND key = ? "
                           "AND digest = ?", (path, self.key, content))
        if not rows:
            return None
        self.reads["results"] += 1
        try:
            findings, suppressions = json.loads(rows[0][0])
            return ([finding_from_json(f) for f in findings],
                    [Suppression(*s) for s in suppressions], json.loads(rows[0][1]))
        except (ValueError, TypeError, KeyError):
            return None

    def case(self, path: str, content: str) -> dict[str, Any] | None:
        """The similarity case kept for this content of ``path`` (all cases are read at
        once: whoever needs one case needs the collection's)."""
        if self._cases is None:
            rows = self._query("SELECT path, digest, ccase FROM results WHERE +key = ?",
                               (self.key,))
            self._cases = {p: (d, c) for p, d, c in rows}
            self.reads["cases"] += len(rows)
        found = self._cases.get(path)
        if found is None or found[0] != content:
            return None
        try:
            value = json.loads(found[1])
        except (ValueError, TypeError):
            return None
        return value if isinstance(value, dict) else None

    def context(self, path: str, content: str) -> str | None:
        """The context fields and positions kept for this content of ``path``, as JSON (row
        by row at first; from the :data:`_BULK_FROM`-th on, all at once)."""
        if self._contexts is None and self.reads["contexts"] >= _BULK_FROM:
            rows = self._query("SELECT path, digest, context FROM results WHERE +key = ?",
                               (self.key,))
            self._contexts = {p: (d, c) for p, d, c in rows}
        self.reads["contexts"] += 1
        if self._contexts is not None:
            found = self._contexts.get(path)
            return found[1] if found is not None and found[0] == content else None
        rows = self._query("SELECT context FROM results WHERE path = ? AND key = ? AND "
                           "digest = ?", (path, self.key, content))
        return rows[0][0] if rows else None

    def rankings(self, key: str, paths: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The similar findings records of ``paths`` kept under the cases digest ``key``."""
        wanted = list(paths)
        if len(wanted) >= _BULK_FROM:
            rows = self._query("SELECT path, data FROM ranking WHERE key = ?", (key,))
            chosen = set(wanted)
            rows = [r for r in rows if r[0] in chosen]
        else:
            rows = [r for p in wanted
                    for r in self._query("SELECT path, data FROM ranking WHERE path = ? AND "
                                         "key = ?", (p, key))]
        self.reads["ranking"] += len(rows)
        out = {}
        for path, data in rows:
            try:
                record = json.loads(data)
            except (ValueError, TypeError):
                continue
            if isinstance(record, dict):
                out[path] = record
        return out

    def features(self) -> dict[str, Any] | None:
        """The similarity features kept under this key (``SimilarityIndex.to_data()``)."""
        rows = self._query("SELECT data FROM features WHERE name = 'index' AND key = ?",
                           (self.key,))
        try:
            data = json.loads(rows[0][0]) if rows else None
        except (ValueError, TypeError):
            return None
        return data if isinstance(data, dict) else None

    def write(self, results: Mapping[str, Entry], ranking_key: str | None,
              ranking: Mapping[str, dict[str, Any]], keep: set[str] | None,
              features: Mapping[str, Any] | None = None) -> bool:
        """Write new rows in one transaction (and, with ``keep``, drop rows of other paths);
        a store that cannot be opened as one is replaced. Whether it was written."""
        import sqlite3

        self.close()
        for attempt in (1, 2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=10)
                try:
                    with db:
                        for statement in _SCHEMA:
                            db.execute(statement)
                        db.executemany(
                            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
                            ((p, self.key, e.digest, *e.heavy_row()) for p, e in results.items()))
                        db.executemany("INSERT OR REPLACE INTO ranking VALUES (?, ?, ?)",
                                       ((p, ranking_key, _dumps(r)) for p, r in ranking.items()))
                        if features is not None:
                            db.execute("INSERT OR REPLACE INTO features VALUES ('index', ?, ?)",
                                       (self.key, _dumps(features)))
                        if keep is not None:
                            for table in ("results", "ranking"):
                                stale = [(p,) for (p,) in db.execute(f"SELECT path FROM {table}")
                                         if p not in keep]
                                db.executemany(f"DELETE FROM {table} WHERE path = ?", stale)
                finally:
                    db.close()
                self._present = None
                self._cases = self._contexts = None
                return True
            except sqlite3.DatabaseError:
                if attempt == 2:
                    return False
                try:  # not a database (corrupt, or another file): start again
                    self.path.unlink()
                except OSError:
                    return False
            except (sqlite3.Error, OSError):
                return False
        return False


class CheckCache:
    """Cached per-file results of one project under one configuration."""

    def __init__(self, project_dir: Path, key: str) -> None:
        self.path = project_dir / CACHE_FILE
        self.key = key
        self.store = ResultStore(project_dir / RESULTS_FILE, key)
        #: Index lines as read, decoded into ``entries`` when first asked for.
        self._stored: dict[str, Any] = {}
        self.entries: dict[str, Entry] = {}
        #: Entries checked (or re-stat'ed) by this run, to be written.
        self._new: dict[str, Entry] = {}
        #: The similar-not-related findings: the digest of the cases they were computed from,
        #: and the records of this run, per shown path.
        self.ranking_key: str | None = None
        self._ranked: dict[str, dict[str, Any]] = {}
        #: Similarity features to write (``SimilarityIndex.to_data()``).
        self._features: Mapping[str, Any] | None = None
        #: What the pipeline reads of the language rules data before compiling it.
        self.outline: Any = None
        #: Whether the file held results of this very configuration (so a run has already
        #: loaded its schema and rules without error).
        self.loaded = False
        self.changed = False
        try:
            data = json.loads(self.path.read_bytes())
            if data.get("format") == CACHE_FORMAT and data.get("key") == key:
                self._stored = dict(data["files"])
                self.ranking_key = (data.get("similar") or {}).get("key")
                self.outline = data.get("outline")
                self.loaded = True
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._stored, self.ranking_key, self.outline = {}, None, None
            self.loaded = False

    def _entry(self, path: str) -> Entry | None:
        entry = self.entries.get(path)
        if entry is None and path in self._stored:
            record = self._stored.pop(path)
            try:
                entry = Entry.from_index(record, self.store, path)
            except (KeyError, TypeError, ValueError, IndexError):
                return None  # an entry of another shape: the file is checked again
            if self.store.present().get(path) != entry.digest:
                return None  # its results are not in the store (any more)
            self.entries[path] = entry
        return entry

    def get(self, path: str, content_digest: str) -> Entry | None:
        """The entry of a file whose content has this digest."""
        entry = self._entry(path)
        return entry if entry is not None and entry.digest == content_digest else None

    def unchanged(self, path: str, stat: os.stat_result) -> Entry | None:
        """The entry of a file that its stat shows unchanged since it was checked."""
        entry = self._entry(path)
        return entry if entry is not None and entry.matches_stat(stat) else None

    def ranking_for(self, key: str) -> RankingRecords:
        """The records kept for the cases whose digest is ``key`` (none, and the old ones
        dropped, if the cases changed); add to them with :meth:`rank`."""
        if self.ranking_key != key:
            self.ranking_key, self._ranked = key, {}
            self.changed = True
        return RankingRecords(self, key)

    def rank(self, path: str, record: dict[str, Any]) -> None:
        """Keep the similar findings record of ``path`` under the current cases."""
        self._ranked[path] = record
        self.changed = True

    def keep_features(self, data: Mapping[str, Any]) -> None:
        """Keep the similarity index's features (``to_data()``) for the next index built."""
        self._features = data
        self.changed = True

    def keep_outline(self, outline: Any) -> None:
        """Keep the rules' outline (JSON data) with the results of this configuration."""
        self.outline = outline
        self.changed = True

    def refresh(self, path: str, entry: Entry, stat: os.stat_result, seen_ns: int) -> None:
        """Record the new stat of a file whose content is as cached (touched, copied...)."""
        entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
        entry.ctime_ns, entry.inode, entry.seen_ns = stat.st_ctime_ns, stat.st_ino, seen_ns
        self.entries[path] = entry
        self.changed = True

    def put(self, path: str, entry: Entry) -> None:
        """Keep the result of a file checked by this run."""
        self.entries[path] = entry
        self._new[path] = entry
        self._stored.pop(path, None)
        self.changed = True

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the cache (atomically); with ``keep``, drop entries of files not in it."""
        wanted = set(keep) if keep is not None else None
        if wanted is not None:
            stale = [p for p in [*self.entries, *self._stored] if p not in wanted]
            for path in stale:
                self.entries.pop(path, None)
                self._stored.pop(path, None)
                self._new.pop(path, None)
            self.changed = self.changed or bool(stale)
        if not self.changed:
            return
        if not make_cache_folder(self.path.parent):
            return  # a read-only project still checks; it only checks everything each time
        if not self.store.write(self._new, self.ranking_key, self._ranked, wanted,
                                self._features):
            return
        files = {**self._stored, **{p: e.index_record() for p, e in self.entries.items()}}
        data = {"format": CACHE_FORMAT, "key": self.key, "files": files,
                "similar": {"key": self.ranking_key}, "outline": self.outline}
        write_json(self.path, data)
        self._new, self._ranked, self._features = {}, {}, None
        self.changed = False


class RankingRecords:
    """The similar findings records kept under one cases digest (read when asked for)."""

    def __init__(self, cache: CheckCache, key: str) -> None:
        self._cache = cache
        self._key = key

    def fetch(self, paths: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The records of ``paths`` (those kept): this run's, else the stored ones."""
        wanted = list(paths)
        out = {p: r for p in wanted if (r := self._cache._ranked.get(p)) is not None}
        # A stored record is valid under its own cases digest, whichever run wrote it.
        out.update(self._cache.store.rankings(self._key, [p for p in wanted if p not in out]))
        return out

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache._ranked)
