"""The one pipeline: find files, read, validate and check them, in a single pass.

The CLI and the MkDocs plugin both call :func:`check_collection_at`; neither adds checks of
its own, so they cannot disagree.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import stat as file_modes
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import checks, publishing
from .cache import RACY_NS, CheckCache, Entry, digest, finding_from_json, fingerprint
from .fieldtext import FieldText, align_value
from .findings import Finding, Level, Suppression, fails
from .levels import LevelPolicy, check_names, resolve
from .model import Postmortem
from .positions import LoadedYaml, Position, dotted, value_at
from .settings import Settings
from .source import MARKDOWN_SUFFIXES, SourceFile, display_path, read_source

if TYPE_CHECKING:
    from . import secretscan
    from .language import LanguageChecker
    from .policy import Policy
    from .similar import CaseText

# What only a file checked again needs (the schema, the language rules, the secret patterns,
# the similarity index) is imported where it is used: a check whose files are all cached
# imports none of it.

#: The rule of a finding that reports a failure of the checker itself (exit status 3).
INTERNAL_ERROR = "internal-error"


@dataclass
class CheckResult:
    """Every post-mortem of one run, and every finding, sorted by file and line."""

    postmortems: list[Postmortem]
    findings: list[Finding]
    suppressions: list[Suppression] = field(default_factory=list)
    files_checked: int = 0
    #: Files found that are not post-mortems, with why (``ignored-file`` notes).
    ignored: list[Finding] = field(default_factory=list)

    def fails(self, *, strict: bool = False) -> bool:
        return fails(self.findings, strict=strict)

    @property
    def internal_errors(self) -> list[Finding]:
        return [f for f in self.findings if f.rule == INTERNAL_ERROR]

    @property
    def published(self) -> list[Postmortem]:
        return [pm for pm in self.postmortems if pm.published]

    def suppression_counts(self) -> Counter[str]:
        return Counter(s.rule for s in self.suppressions)

    def accounting(self) -> str:
        """Where every file went: ``checked N post-mortem(s): P published, D drafts, ...``."""
        failed = {f.path for f in self.findings if f.level is Level.ERROR}
        refused = failed - {pm.path for pm in self.postmortems}
        published = sum(1 for pm in self.published if pm.path not in failed)
        drafts = sum(1 for pm in self.postmortems
                     if pm.path not in failed and not pm.published)
        total = len(self.postmortems) + len(refused)
        return (f"checked {total} post-mortem(s): {published} published, {drafts} drafts, "
                f"{len(failed)} failed, {len(self.ignored)} ignored")


def discover(paths: Iterable[Path]) -> list[Path]:
    """Markdown files under the given folders, plus files named directly, in a stable order.

    Files and folders whose name starts with ``.`` or ``_`` are skipped inside folders
    (``_template.md``, ``.drafts``), so teams can keep helpers next to the post-mortems.
    """
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path).parts
                if any(part.startswith((".", "_")) for part in relative):
                    continue
                if candidate.is_file() and candidate.suffix.lower() in MARKDOWN_SUFFIXES:
                    found.setdefault(candidate, None)
        else:
            found.setdefault(path, None)
    return list(found)


class Checker:
    """Loads the policy and the language rules once; checks any number of files."""

    def __init__(self, settings: Settings, *, only_language: bool = False,
                 full_meta: bool = True) -> None:
        """``full_meta=False``: post-mortems taken from the cache carry only the front-matter
        fields that checks read (:data:`cache.CONTEXT_FIELDS`), for a run that only reports
        findings; the site needs all of it."""
        self.settings = settings
        self.only_language = only_language
        self.full_meta = full_meta
        self.use_language = settings.language or only_language
        # Opened here for the first check_paths: it also keeps the rules' outline, valid
        # while its key (which covers the rules data) is.
        self._cache = self._open_cache()
        self._digests: dict[str, str | None] = {}
        outline = None
        if self.use_language:
            outline = _outline_from(self._cache.outline) if self._cache is not None else None
            if outline is None:
                outline = _rules_outline(settings.language_rules_path)
                if outline is not None and self._cache is not None:
                    self._cache.keep_outline(_outline_data(outline))
        if self.use_language and outline is None:
            outline = _outline_of(self.language)  # unreadable data: compiling says why
        # A configuration that the cache holds results of passed these checks already (its
        # key covers the settings, the rules data and the code).
        if self._cache is None or not self._cache.loaded:
            from . import secretscan
            from .rulebook import core_rulebook

            rulebook = core_rulebook()
            known = set(rulebook.rules) | {info.category for info in rulebook.rules.values()}
            known |= {*secretscan.rule_ids(), "security"}
            if outline is not None:
                known |= outline.names
            check_names(settings.rule_levels, known - {""}, "rule_levels")
            check_names(settings.draft_rules, known - {""}, "draft_rules")
        self.levels = LevelPolicy(
            overrides={**(outline.overrides if outline else {}), **settings.rule_levels},
            draft_level=settings.draft_level,
            draft_rules=frozenset(settings.draft_rules),
            blockquote_level=settings.blockquote_level
            or (outline.blockquote_level if outline else "info"),
        )
        if self._cache is None or not self._cache.loaded:
            _ = self.policy  # a configuration not seen before: its schema errors show now

    @functools.cached_property
    def policy(self) -> Policy | None:
        """The schema policy, loaded on first use: files taken from the cache need none."""
        if self.only_language:
            return None
        from .policy import Policy

        return Policy(self.settings.schema_path)

    # The rules' patterns are compiled on first use: a run whose files are all cached does
    # not need them (their data was read and validated above).
    @functools.cached_property
    def language(self) -> LanguageChecker | None:
        return _language_checker(self.settings) if self.use_language else None

    def check_paths(self, paths: Sequence[Path]) -> CheckResult:
        """Check the files under ``paths``.

        Files named inside the configured collection are checked in its context: ids and
        related ids resolve against every post-mortem there (read cheaply: front matter
        only), while findings are reported for the named files alone.
        """
        shown = ShownPaths(self.settings.project_dir)
        found = publishing.discover_all(paths, shown)
        files = found.markdown
        cache, self._cache = self._cache or self._open_cache(), None
        self._digests = {}  # the case digests of files taken from the cache, by shown path
        postmortems = self._check_all(files, cache, shown, found.stats)
        collection_path = self.settings.incidents_path
        whole = {p.resolve() for p in paths} == {collection_path.resolve()}
        if not self.only_language:
            if whole and len(paths) == 1 and paths[0] in found.folders:
                # Everything under the collection was walked: its other Markdown files are
                # the refused ones.
                others = self._others(files, cache, found.stats, found.refused_markdown)
                folders = found.folders[paths[0]]
            else:
                others, folders = self._others(files, cache, found.stats), None
            collection = checks.check_collection(postmortems, _context(others))
            collection += publishing.check_publishing(postmortems, collection_path, folders)
            by_path = {pm.path: pm for pm in postmortems}
            collection.extend(self._similar(postmortems, files, others, cache))
            for finding in collection:
                by_path[finding.path].findings.append(finding)
        if cache is not None:
            cache.save(keep=[pm.path for pm in postmortems] if whole else None)
        for pm in postmortems:
            pm.findings = [
                r for f in pm.findings if (r := resolve(f, self.levels, draft=pm.is_draft))
            ]
        refused = [r for f in found.findings if (r := resolve(f, self.levels, draft=False))]
        ignored = [r for f in found.ignored if (r := resolve(f, self.levels, draft=False))]
        if self.only_language:  # any Markdown file: publishing is not this mode's business
            refused, ignored = [], []
        findings = sorted(
            [*(f for pm in postmortems for f in pm.findings), *refused, *ignored],
            key=Finding.sort_key,
        )
        suppressions = [s for pm in postmortems for s in pm.suppressions]
        return CheckResult(
            postmortems, findings, suppressions, len(files) + len(found.findings), ignored
        )

    def _similar(self, postmortems: list[Postmortem], files: Sequence[Path],
                 others: Sequence[_Other], cache: CheckCache | None = None) -> list[Finding]:
        """``similar-not-related`` findings, for files checked within the collection only.

        The other files' cases come from the cache where it holds them unchanged, and so
        do the findings of each checked file while no case of the collection changed.
        """
        collection = self.settings.incidents_path
        if not collection.is_dir():
            return []
        root = collection.resolve()
        if not any(p == root or root in p.parents for p in (f.resolve() for f in files)):
            return []
        extra: list[CaseRef] = []
        unread = []
        ids: set[str] = set()
        for path, _, entry in others:
            if entry is None:
                unread.append(path)
            elif entry.case_digest is not None and entry.id is not None \
                    and entry.id not in ids:  # the first one of an id wins
                # A case's id is its front matter's (the case is read only if ranked).
                ids.add(entry.id)
                extra.append(CaseRef(entry.id, entry.case_digest, entry=entry))
        if unread:
            from . import recurrence

            for case in recurrence.context_cases(unread):
                if case.id not in ids:
                    ids.add(case.id)
                    extra.append(CaseRef(case.id, case_digest(case), text=case))
        return similar_with_cache(postmortems, extra, cache, self._digests)

    def _others(self, files: Sequence[Path], cache: CheckCache | None,
                stats: Mapping[Path, tuple[os.stat_result, int, bool]] | None = None,
                candidates: Sequence[Path] | None = None) -> list[_Other]:
        """The collection's post-mortems that are not being checked, with their cache entry
        when the cache holds them unchanged: the context of a check of some files.

        ``candidates``: the only files of the collection that can be among them (when the
        whole collection was walked), else the collection is walked for them."""
        collection = self.settings.incidents_path
        if not collection.is_dir():
            return []
        named = set()
        for path in files:
            known = stats.get(path) if stats else None
            if known is not None:
                stat = known[0]
            else:
                try:
                    stat = path.stat()
                except OSError:
                    continue
            named.add((stat.st_dev, stat.st_ino))
        if candidates is None:
            walked = _walk_markdown(collection, self.settings.project_dir)
        else:
            walked = _stat_markdown(candidates, self.settings.project_dir)
        others = []
        for path, shown, stat, seen_ns in walked:
            if (stat.st_dev, stat.st_ino) in named:
                continue
            entry = None
            if cache is not None:
                entry = cache.unchanged(shown, stat) or _by_content(cache, Path(path), shown,
                                                                    (stat, seen_ns))
            others.append((Path(path) if entry is None else path, shown, entry))
        return others

    def _open_cache(self) -> CheckCache | None:
        if not self.settings.cache or os.environ.get("POSTMORTEMS_NO_CACHE"):
            return None
        package = Path(__file__).parent
        rules = self.settings.language_rules_path
        data = [self.settings.schema_path, rules, rules.with_name(RULES_SCHEMA_NAME),
                *sorted(package.glob("defaults/*")), *sorted(package.rglob("*.py"))]
        key = fingerprint((self.settings, self.only_language, runtime_versions()), data,
                          (self.settings.project_dir, package))
        return CheckCache(self.settings.project_dir, key)

    def _check_all(self, files: Sequence[Path], cache: CheckCache | None,
                   shown_as: Callable[[Path], str] | None = None,
                   stats: Mapping[Path, tuple[os.stat_result, int, bool]] | None = None,
                   ) -> list[Postmortem]:
        """Every file checked (or taken from the cache), in order; misses on both cores.

        ``stats``: the files' stats as the walk took them (others are stat'ed here)."""
        shown_as = shown_as or ShownPaths(self.settings.project_dir)
        found: list[Postmortem | None] = []
        misses: list[tuple[int, Path, str, bytes | None, str | None, _Seen | None]] = []
        for path in files:
            shown = shown_as(path)
            raw, key, seen, entry = None, None, None, None
            if cache is not None:
                known = stats.get(path) if stats else None
                seen = (known[0], known[1]) if known is not None else _stat(path)
                if seen is not None:
                    entry = _stored(cache.unchanged(shown, seen[0]))
                if entry is None:
                    raw = _read(path)
                    key = digest(raw) if raw is not None else None
                    entry = _stored(_by_content(cache, path, shown, seen, raw, key))
            if entry is not None:
                real = shown_as.real(path) if isinstance(shown_as, ShownPaths) else None
                found.append(_from_cache(path, shown, entry, real, full_meta=self.full_meta))
                self._digests[shown] = entry.case_digest
            else:
                found.append(None)
                misses.append((len(found) - 1, path, shown, raw, key, seen))
        if cache is not None and len(misses) >= PARALLEL_FROM:
            cache.store.close()  # no database connection across a fork (reopened when used)
        checked = self._check_misses([(path, shown, raw) for _, path, shown, raw, _, _ in misses])
        for (index, _, shown, _, key, seen), pm in zip(misses, checked, strict=True):
            found[index] = pm
            if cache is not None and key is not None and seen is not None \
                    and not pm.internal_error:
                cache.put(shown, _entry(seen, key, pm))
        return [pm for pm in found if pm is not None]

    def _check_misses(self, jobs: list[tuple[Path, str, bytes | None]]) -> list[Postmortem]:
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
        if len(jobs) < PARALLEL_FROM or workers < 2 or threading.active_count() > 1:
            return [self.check_file(*job) for job in jobs]
        # Forked workers inherit this checker, compiled rules included; only the results
        # travel back. (Forking is safe here: the process has a single thread.)
        import gc
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        from . import htmlcheck, secretscan  # noqa: F401  (imported once, before the fork)

        _ = self.language, self.policy
        global _FORKED
        _FORKED = self
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                     initializer=gc.enable) as pool:
                size = max(1, len(jobs) // (workers * 8))
                return list(pool.map(_check_in_worker, jobs, chunksize=size))
        except (OSError, RuntimeError, BrokenProcessPool):
            enabled = gc.isenabled()
            gc.enable()  # many files checked here: their garbage is collected as usual
            try:
                return [self.check_file(*job) for job in jobs]
            finally:
                if not enabled:
                    gc.disable()
        finally:
            _FORKED = None

    def check_file(self, path: Path, shown: str | None = None,
                   raw: bytes | None = None) -> Postmortem:
        """Read, validate and check one file; any failure inside becomes a finding."""
        shown = shown or display_path(path, self.settings.project_dir)
        try:
            return self._check_file(path, shown, raw)
        except Exception as exc:  # one bad file must not stop the run
            pm = Postmortem(SourceFile(shown, abs_path=path))
            pm.findings.append(internal_error(shown, exc))
            return pm

    def _check_file(self, path: Path, shown: str, raw: bytes | None = None) -> Postmortem:
        from . import htmlcheck, secretscan
        from .language import names_from_postmortem

        source = read_source(path, shown, raw)
        pm = Postmortem(source)
        secrets = secretscan.scan(source.text) if source.text else None
        if self.only_language:
            # Any Markdown file: front-matter problems are not this mode's business.
            source.findings = [f for f in source.findings if f.rule != "front-matter-missing"]
        pm.findings.extend(source.findings)
        if self.policy is not None and source.readable and source.document is not None:
            instance = self.policy.instance(source.meta, source.document)
            pm.findings.extend(
                self.policy.validate(pm.path, instance, source.front_matter, source.document)
            )
            pm.findings.extend(checks.check_postmortem(pm, self.policy))
        if self.language is not None and source.document is not None:
            result = self.language.check(
                source.document,
                pm.path,
                known_names=(names := names_from_postmortem(source.meta, source.document)),
                resolve_levels=False,
            )
            pm.findings.extend(result.findings)
            pm.suppressions.extend(result.suppressions)
            if self.policy is not None and source.readable:
                fields = prose_fields(
                    source.front_matter, self.policy.prose_fields, source.text
                )
                in_fields = self.language.check_fields(
                    fields, pm.path, known_names=names, resolve_levels=False
                )
                pm.findings.extend(in_fields.findings)
                pm.suppressions.extend(in_fields.suppressions)
        pm.findings += htmlcheck.check_raw_html(source.document, pm.path, self.settings.raw_html)
        pm.findings += htmlcheck.check_readable(source.document, pm.path)
        if secrets is not None:
            pm.findings = _masked(pm.findings, source.text, secrets.hits)
            pm.findings.extend(secretscan.to_finding(hit, pm.path) for hit in secrets.hits)
            pm.suppressions.extend(
                Suppression(pm.path, a.hit.line, a.hit.rule, a.reason, a.hit.column)
                for a in secrets.allowed
            )
        return pm


def _masked(
    findings: list[Finding], text: str, hits: Sequence[secretscan.SecretHit]
) -> list[Finding]:
    """``findings`` with every secret value that a message quotes masked."""
    if not hits:
        return findings
    from . import secretscan

    lines = text.split("\n")
    values = []
    pieces: set[str] = set()
    for hit in hits:
        last = hit.end_line or hit.line
        if not 0 < hit.line <= last <= len(lines):
            continue
        if hit.line == last:
            raw = lines[hit.line - 1][hit.column - 1 : hit.end_column - 1]
            if len(raw) >= 4:
                values.append((raw, secretscan.mask(raw)))
        else:
            raw = "\n".join([lines[hit.line - 1][hit.column - 1 :], *lines[hit.line : last - 1],
                             lines[last - 1][: hit.end_column - 1]])
        # A suggestion copies its sentence as written, joined over lines or read from a
        # YAML value with escapes: it is dropped if any piece of a secret is in it.
        pieces.update(p for p in _SECRET_PIECE.split(raw) if p)
    out = []
    for finding in findings:
        fields = {name: getattr(finding, name) for name in ("message", "hint", "match")}
        for raw, masked in values:
            fields = {name: value.replace(raw, masked) for name, value in fields.items()}
        suggestions = finding.suggestions
        if any(piece in s for piece in pieces for s in suggestions):
            suggestions = ()
        out.append(replace(finding, **fields, suggestions=suggestions))
    return out


#: What separates the pieces of a secret value as a suggestion may hold them: whitespace
#: and the escapes of a quoted YAML value.
_SECRET_PIECE = re.compile(r"\s+|\\[nrt]")


def prose_fields(front: LoadedYaml, patterns: Sequence[str], text: str) -> list[FieldText]:
    """Front-matter values the schema marks as prose (``x-prose-fields``), each aligned with
    the file's ``text`` so that a finding on any of its lines (a block or folded scalar, a
    quoted value with escapes) is placed where it is written.

    A pattern is a dotted path; ``name[]`` matches every item of a list.
    """
    wanted = [re.compile("^" + re.escape(p).replace(r"\[\]", r"\[\d+\]") + "$")
              for p in patterns]
    lines = text.split("\n")
    fields = []
    seen: set[Position] = set()  # a value reused by aliases is written, and checked, once
    for path, (position, style, end) in front.values.items():
        label = dotted(path)
        if position in seen or not any(w.match(label) for w in wanted):
            continue
        seen.add(position)
        value = value_at(front.data, path)
        if not isinstance(value, str):
            continue
        runs = align_value(value, lines, position, end, style)
        last = min(end.line, len(lines))
        ends = tuple((n, len(lines[n - 1]) + 1) for n in range(position.line, last + 1))
        line, column = (runs[0][1], runs[0][2]) if runs else (position.line, position.column)
        fields.append(FieldText(label, value, line, column, runs, ends))
    return fields


#: The rules schema read beside a rules file when it is there (see language.rules).
RULES_SCHEMA_NAME = "blameless-rules.schema.json"
#: The libraries whose versions findings depend on: positions (pyromark, PyYAML), schema
#: messages (jsonschema, referencing), similarity scores (numpy), the raw-HTML reader the
#: site build uses (Markdown), and the optional packages whose presence decides which of a
#: team schema's other ``format`` values jsonschema checks.
RESULT_LIBRARIES = (
    "pyromark", "PyYAML", "jsonschema", "referencing", "numpy", "Markdown",
    "fqdn", "idna", "rfc3339-validator", "rfc3986-validator", "rfc3987", "uri-template",
    "isoduration", "jsonpointer", "webcolors",
)


def runtime_versions() -> tuple[str, ...]:
    """The Python and the library versions a cached result was computed with.

    Read from the installed distributions' metadata folder names, the first on ``sys.path``
    winning as for imports: a warm check must not pay for importing ``importlib.metadata``
    or the libraries themselves (whether PyYAML has libyaml is a file beside it).
    """
    wanted = {_dist_key(name): name for name in RESULT_LIBRARIES}
    found: dict[str, str] = {}
    yaml_dirs: list[str] = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            stem, dot, kind = name.rpartition(".")
            if dot and kind in ("dist-info", "egg-info"):
                dist, _, version = stem.partition("-")
                key = _dist_key(dist)
                if key in wanted and key not in found:
                    found[key] = version
            elif name == "yaml" and not yaml_dirs:
                yaml_dirs.append(os.path.join(entry or ".", name))
    libyaml = any(n.startswith("_yaml.") for d in yaml_dirs for n in os.listdir(d))
    out = [sys.version, f"libyaml={libyaml}"]
    out += [f"{name}=={found.get(key, 'missing')}" for key, name in wanted.items()]
    return tuple(out)


def _dist_key(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


#: The similarity features are kept again when more cases than this had to be computed.
REFEATURE = 16
#: Below this many files to check, workers cost more than they save.
PARALLEL_FROM = 64
MAX_WORKERS = 4
_FORKED: Checker | None = None


def _check_in_worker(job: tuple[Path, str, bytes | None]) -> Postmortem:
    assert _FORKED is not None
    return _FORKED.check_file(*job)


#: A file's stat, and when it was taken (before the file was read).
_Seen = tuple[os.stat_result, int]


def _stat(path: Path) -> _Seen | None:
    seen_ns = time.time_ns()
    try:
        return path.stat(), seen_ns
    except OSError:
        return None


def _trusted_later(seen: _Seen) -> bool:
    """Whether a stat taken at this moment will validate the file by itself next time."""
    stat, seen_ns = seen
    return max(stat.st_mtime_ns, stat.st_ctime_ns) < seen_ns - RACY_NS


def _stored(entry: Entry | None) -> Entry | None:
    """``entry``, unless its row in the results store was replaced since the index was read
    (by another run): the file is then checked again."""
    return entry if entry is not None and entry.in_store() else None


def _by_content(cache: CheckCache, path: Path, shown: str, seen: _Seen | None,
                raw: bytes | None = None, key: str | None = None) -> Entry | None:
    """The entry of a file whose content is as cached (read and hashed); its stat is
    recorded when that will validate it next time."""
    if key is None:
        raw = _read(path)
        key = digest(raw) if raw is not None else None
    entry = cache.get(shown, key) if key is not None else None
    if entry is not None and seen is not None and _trusted_later(seen):
        cache.refresh(shown, entry, *seen)
    return entry


class ShownPaths:
    """:func:`display_path` of many files in few folders: each folder is resolved once."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._real_base = base.resolve()
        self._folders: dict[Path, Path] = {}
        self._shown: dict[Path, str] = {}
        self._real: dict[Path, Path] = {}
        #: Per real folder, what its files' shown paths start with (None: outside the base).
        self._prefixes: dict[Path, str | None] = {}

    def __call__(self, path: Path) -> str:
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = self._show(path)
        return shown

    def not_a_link(self, path: Path, folder: Path | None = None) -> None:
        """Note that ``path`` (in ``folder``, if given) is known not to be a symbolic link,
        as a walk saw it: its real and shown paths follow from its folder's."""
        if path in self._real:
            return
        folder = path.parent if folder is None else folder
        real_folder = self._folders.get(folder)
        if real_folder is None:
            real_folder = self._folders[folder] = folder.resolve()
        name = path.name
        self._real[path] = real_folder / name
        prefix = self._prefix(real_folder)
        if prefix is not None and path not in self._shown:
            self._shown[path] = prefix + name

    def _prefix(self, real_folder: Path) -> str | None:
        """What the shown paths of the files in this real folder start with (None: it is
        not inside the base)."""
        if real_folder not in self._prefixes:
            try:
                relative = real_folder.relative_to(self._real_base).as_posix()
                self._prefixes[real_folder] = "" if relative == "." else f"{relative}/"
            except ValueError:
                self._prefixes[real_folder] = None
        return self._prefixes[real_folder]

    def real(self, path: Path) -> Path:
        """``path.resolve()``."""
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = self._resolve(path)
        return real

    def _resolve(self, path: Path) -> Path:
        try:
            if path.is_symlink():
                return path.resolve()
        except OSError:
            return path.resolve()
        # Not a link: its real path is its folder's real path and its name.
        folder = self._folders.get(path.parent)
        if folder is None:
            folder = self._folders[path.parent] = path.parent.resolve()
        return folder / path.name

    def _show(self, path: Path) -> str:
        real = self.real(path)
        prefix = self._prefix(real.parent)
        if prefix is None or real == self._real_base:
            return self._slow_show(path, real)
        return prefix + real.name

    def _slow_show(self, path: Path, real: Path) -> str:
        try:
            return real.relative_to(self._real_base).as_posix()
        except ValueError:
            return path.as_posix()


def _walk_markdown(collection: Path, project_dir: Path) -> list[_Walked]:
    """What :func:`discover` finds under one folder, each file with its shown path, its
    stat and when that was taken, in the order of their paths: one stat a file, and a
    file's real path is resolved only when it is a link. Paths are strings (a ``Path`` per
    file costs more than its stat)."""
    top = collection.resolve()
    try:
        prefix: str | None = top.relative_to(project_dir.resolve()).as_posix()
    except ValueError:
        prefix = None
    shown_base = "" if prefix in (None, ".") else f"{prefix}/"
    found: list[_Walked] = []
    # Each folder's entries in name order, a subfolder's files where its name sorts: the
    # order of the paths' parts below ``collection`` (case-blind where the system is; there,
    # a case-sensitive folder holding both ``A/`` and ``a/`` lists one after the other).
    if os.path.normcase("A") == "A":
        def by_name(entry: os.DirEntry[str]) -> str:
            return entry.name
    else:
        def by_name(entry: os.DirEntry[str]) -> str:
            return os.path.normcase(entry.name)

    def listing(folder: str) -> tuple[Iterator[os.DirEntry[str]], int]:
        # The time is taken before the folder's stats: a file changed after it is never
        # taken as unchanged (see :data:`RACY_NS`).
        seen_ns = time.time_ns()
        try:
            with os.scandir(folder) as entries:
                return iter(sorted(entries, key=by_name)), seen_ns
        except OSError:
            return iter(()), seen_ns

    # A stack of open folders rather than recursion: no depth of folders is too deep.
    stack = [(*listing(os.fspath(collection)), "")]
    while stack:
        entries, seen_ns, relative = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        name = entry.name
        if name[0] in "._":
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                stack.append((*listing(entry.path), f"{relative}{name}/"))
                continue
        except OSError:
            continue
        if not name.lower().endswith(MARKDOWN_SUFFIXES):  # (not hidden: a suffix)
            continue
        try:
            stat = entry.stat()  # links followed, as Path.stat() does
            link = entry.is_symlink()
        except OSError:
            continue
        if not file_modes.S_ISREG(stat.st_mode):
            continue
        path = entry.path
        if link:
            shown = display_path(Path(path), project_dir)
        elif prefix is None:
            shown = Path(path).as_posix()
        else:
            shown = f"{shown_base}{relative}{name}"
        found.append((path, shown, stat, seen_ns))
    return found


def _stat_markdown(paths: Sequence[Path], project_dir: Path) -> list[_Walked]:
    """What :func:`_walk_markdown` gives of these files (a stat each)."""
    found = []
    for path in paths:
        seen_ns = time.time_ns()
        try:
            stat = path.stat()
        except OSError:
            continue
        if file_modes.S_ISREG(stat.st_mode):
            found.append((path, os.fspath(path), display_path(path, project_dir), stat,
                          seen_ns))
    found.sort(key=lambda item: tuple(map(os.path.normcase, item[0].parts)))
    return [item[1:] for item in found]


#: A file found under the collection: path, shown path, stat, when it was taken.
_Walked = tuple[str, str, os.stat_result, int]


class CaseRef(NamedTuple):
    """A case of the collection by id and digest; its text is decoded only if needed."""

    id: str
    digest: str | None
    data: dict[str, Any] | None = None  # as kept in the cache
    text: CaseText | None = None
    entry: Entry | None = None  # the cache entry that keeps it

    def case(self) -> CaseText:
        """The case text."""
        if self.text is not None:
            return self.text
        from . import recurrence

        case = recurrence.case_from_cache(self.data if self.entry is None else self.entry.case)
        assert case is not None
        return case


def similar_with_cache(postmortems: Sequence[Postmortem], extra: Sequence[CaseRef],
                       cache: CheckCache | None,
                       digests: Mapping[str, str | None] | None = None) -> list[Finding]:
    """:func:`recurrence.similar_findings` of ``postmortems``, from the cache where it can.

    The findings depend on every case of the collection (the ranking's IDF), so the cache
    keeps them under a digest of all the cases; per post-mortem, also on its id, its
    ``related`` ids and where they are. Only the post-mortems whose record does not match
    are ranked, and the index is built only if there is one. ``digests`` holds the case
    digests of post-mortems taken from the cache, by shown path.
    """
    kept = cache.ranking_for(_collection_key(postmortems, extra, digests or {})) if cache \
        else {}
    findings: list[Finding] = []
    pending: list[Postmortem] = []
    ranked = [pm for pm in postmortems if pm.source.readable and pm.id is not None]
    records = kept.fetch(pm.path for pm in ranked) if cache else {}
    for pm in ranked:
        record = records.get(pm.path)
        if isinstance(record, dict) and record.get("about") == _similar_about(pm):
            findings.extend(finding_from_json(f) for f in record["findings"])
        else:
            pending.append(pm)
    if not pending:
        return findings
    from . import recurrence

    # The features of unchanged cases are kept: a check of one edited file then computes
    # only its own, not the collection's.
    reuse = cache.store.features() if cache is not None else None
    index = recurrence.build_index(postmortems, [ref.case() for ref in extra], reuse=reuse)
    if cache is not None:
        data = index.to_data()
        same = reuse is not None and all(reuse.get(k) == data[k] for k in ("format", "config"))
        known = {r.get("digest") for r in (reuse or {}).get("cases", ())
                 if isinstance(r, dict)} if same else set()
        if not same or sum(r["digest"] not in known for r in data["cases"]) > REFEATURE:
            cache.keep_features(data)
    found = recurrence.similar_findings(pending, index, checks.related_line)
    findings += found
    if cache is not None:
        by_path: dict[str, list[Finding]] = {pm.path: [] for pm in pending}
        for finding in found:
            by_path.setdefault(finding.path, []).append(finding)
        for pm in pending:
            cache.rank(pm.path, {"about": _similar_about(pm),
                                 "findings": [f.to_dict() for f in by_path[pm.path]]})
    return findings


def _collection_key(postmortems: Sequence[Postmortem], extra: Sequence[CaseRef],
                    digests: Mapping[str, str | None]) -> str:
    """The digest of the cases that :func:`recurrence.build_index` would index (the first
    post-mortem of an id wins, then the extra cases of other ids), in id order: the ranking
    does not depend on their order. Cached cases are not decoded for it."""
    ids: dict[str, str] = {}
    for pm in postmortems:
        if not pm.source.readable:
            continue
        if pm.document is not None:
            from . import recurrence

            case = recurrence.case_from_document(pm.meta, pm.document)
            ref = (case.id, case_digest(case)) if case is not None else None
        elif (known := digests.get(pm.path)) is not None and pm.id is not None:
            ref = (pm.id, known)  # a cached case: its id is the front matter's
        elif pm.cached_case:
            ref = (str(pm.cached_case["id"]), case_digest(
                CaseRef("", None, data=pm.cached_case).case()))
        else:
            ref = None
        if ref is not None and ref[0] not in ids:
            ids[ref[0]] = ref[1]
    listed = sorted([*ids.items(), *((r.id, r.digest or case_digest(r.case())) for r in extra
                                     if r.id not in ids)])
    return digest("".join(f"{len(i)}:{i}{d}" for i, d in listed).encode("utf-8",
                                                                       "surrogatepass"))


def case_digest(case: CaseText) -> str:
    """A digest of one case text."""
    return cases_digest([case])


def _similar_about(pm: Postmortem) -> list[object]:
    """What a post-mortem's own similar findings depend on besides the cases: its id, its
    related ids and where they are reported."""
    related = pm.meta.get("related")
    listed = [r for r in related if isinstance(r, str)] if isinstance(related, list) else []
    return [pm.id, listed, list(checks.related_line(pm))]


_CASE_FIELDS: tuple[str, ...] = ()


def cases_digest(cases: Iterable[CaseText]) -> str:
    """A digest of case texts, in order (each field length-prefixed: unambiguous)."""
    global _CASE_FIELDS
    if not _CASE_FIELDS:
        from .similar import CaseText

        _CASE_FIELDS = tuple(f.name for f in dataclasses.fields(CaseText))
    parts = []
    for case in cases:
        for name in _CASE_FIELDS:
            value = getattr(case, name)
            if isinstance(value, tuple):
                parts.append(f"{len(value)}(")
                parts.extend(f"{len(v)}:{v}" for v in value)
            else:
                parts.append("-" if value is None else f"{len(value)}:{value}")
        parts.append("\n")
    return digest("".join(parts).encode("utf-8", "surrogatepass"))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _entry(seen: _Seen, key: str, pm: Postmortem) -> Entry:
    """What the cache keeps of one checked file (before levels are resolved)."""
    stat, seen_ns = seen
    positions = pm.source.front_matter.positions
    # The positions that collection checks report at: ids, related ids, services, tags.
    kept: list[tuple[str | int, ...]] = [("id",)]
    for name in ("related", "services", "tags"):
        value = pm.meta.get(name)
        kept += [(name,), *((name, i) for i in range(len(value) if isinstance(value, list)
                                                     else 0))]
    return Entry(
        digest=key,
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        ctime_ns=stat.st_ctime_ns,
        inode=stat.st_ino,
        seen_ns=seen_ns,
        findings=list(pm.findings),
        suppressions=list(pm.suppressions),
        meta=pm.source.front_matter.data if pm.source.readable else None,
        positions=[(list(k), positions[k].line, positions[k].column) for k in kept
                   if k in positions],
        has_front_matter=pm.source.has_front_matter,
        case=dataclasses.asdict(case) if (case := _case_of(pm)) else None,
        case_digest=case_digest(case) if case else None,
    )


def _case_of(pm: Postmortem) -> CaseText | None:
    from . import recurrence

    return recurrence.case_from_document(pm.meta, pm.document) if pm.source.readable else None


#: A post-mortem of the collection that is not being checked: path (a ``Path`` when it has no
#: cache entry, else a string), shown path, cache entry.
_Other = tuple["Path | str", str, "Entry | None"]


def _context(others: Sequence[_Other]) -> list[checks.IdRef]:
    """Ids of the other post-mortems: from the cache, else read from their front matter."""
    refs = []
    for path, shown, entry in others:
        ref = _cached_ref(shown, entry) if entry is not None else checks.id_ref(path, shown)
        if ref is not None:
            refs.append(ref)
    return refs


def _cached_ref(shown: str, entry: Entry) -> checks.IdRef | None:
    return checks.IdRef(shown, entry.id, entry.id_line) if entry.id is not None else None


class _CachedPostmortem(Postmortem):
    """A post-mortem taken from the cache: its case is read from the store when first used."""

    _entry: Entry | None = None

    @property  # type: ignore[override]
    def cached_case(self) -> dict[str, Any] | None:
        if self._entry is not None:
            return self._entry.case
        return self.__dict__.get("_cached_case")

    @cached_case.setter
    def cached_case(self, value: dict[str, Any] | None) -> None:
        self.__dict__["_cached_case"] = value


def _from_cache(path: Path, shown: str, entry: Entry, real: Path | None = None, *,
                full_meta: bool = True) -> Postmortem:
    """A checked post-mortem rebuilt from its cache entry (its body is parsed only if shown);
    ``real`` is ``path`` resolved, if known. Without ``full_meta``, its front matter is the
    index's fields only."""
    front = LoadedYaml(
        data=entry.meta if full_meta else entry.context,
        positions={tuple(p): Position(line, column) for p, line, column in entry.positions},
    )
    source = SourceFile(shown, abs_path=real or path.resolve(), front_matter=front,
                        has_front_matter=entry.has_front_matter)
    pm = _CachedPostmortem(source, list(entry.findings), list(entry.suppressions))
    pm._entry = entry
    return pm


def internal_error(path: str, exc: BaseException) -> Finding:
    """A finding for a failure of the checker itself on one file."""
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    origin = f" in {Path(where.filename).name}:{where.lineno}" if where else ""
    return Finding(
        path, 0, INTERNAL_ERROR, Level.ERROR,
        f"the checker failed on this file: {type(exc).__name__}{origin}",
        "this is a bug in mkdocs-postmortems, not in the post-mortem; please report it with "
        "the file",
    )


def check_collection_at(settings: Settings, paths: Sequence[Path] | None = None) -> CheckResult:
    """Check ``paths`` (default: the configured incidents folder)."""
    return Checker(settings).check_paths(list(paths) if paths else [settings.incidents_path])


@dataclass(frozen=True)
class _RulesOutline:
    """What the pipeline needs of the rules data before compiling it."""

    names: frozenset[str]  # rule ids and categories
    overrides: dict[str, str]
    blockquote_level: str


def _rules_outline(path: Path) -> _RulesOutline | None:
    """The outline read from the rules data, or None when it cannot be read as such."""
    import yaml

    from .language.rules import rules_schema
    from .language.rules import validate as validate_rules

    try:
        data = yaml.load(path.read_text(encoding="utf-8"),
                         Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        validate_rules(data, rules_schema(path), path)
        rules = data["rules"]
        defaults = data.get("settings") or {}
        names = {str(r["id"]) for r in rules} | {str(r["category"]) for r in rules}
        return _RulesOutline(
            frozenset(names),
            {str(k): str(v) for k, v in (defaults.get("level_overrides") or {}).items()},
            str(defaults.get("blockquote_level") or "info"),
        )
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, AttributeError):
        return None


def _outline_data(outline: _RulesOutline) -> dict[str, object]:
    return {"names": sorted(outline.names), "overrides": outline.overrides,
            "blockquote_level": outline.blockquote_level}


def _outline_from(data: object) -> _RulesOutline | None:
    """The outline kept in the cache, or None if it holds none (or not one of this shape)."""
    if not isinstance(data, dict):
        return None
    try:
        return _RulesOutline(frozenset(map(str, data["names"])),
                             {str(k): str(v) for k, v in data["overrides"].items()},
                             str(data["blockquote_level"]))
    except (KeyError, TypeError, AttributeError):
        return None


def _outline_of(language: LanguageChecker | None) -> _RulesOutline | None:
    if language is None:
        return None
    rules = language.rules
    names = frozenset({r.id for r in rules.rules} | set(rules.categories))
    return _RulesOutline(names, dict(rules.level_overrides), rules.blockquote_level)


def _language_checker(settings: Settings) -> LanguageChecker:
    from .language import LanguageChecker, LanguageSettings

    return LanguageChecker(
        LanguageSettings(
            rules_path=settings.language_rules_path,
            allowed_phrases=tuple(settings.allowed_phrases),
            extra_role_nouns=tuple(settings.extra_role_nouns),
            blockquote_level=settings.blockquote_level,
        )
    )
