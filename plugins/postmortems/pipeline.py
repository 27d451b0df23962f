"""The one pipeline: find files, read, validate and check them, in a single pass.

The CLI and the MkDocs plugin both call :func:`check_collection_at`; neither adds checks of
its own, so they cannot disagree.
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import checks, htmlcheck, secretscan
from .findings import Finding, Level, Suppression, fails
from .language import LanguageChecker, LanguageSettings, names_from_postmortem
from .levels import LevelPolicy, check_names, resolve
from .model import Postmortem
from .policy import Policy
from .rulebook import with_language_rules
from .settings import Settings
from .source import MARKDOWN_SUFFIXES, SourceFile, display_path, read_source

#: The rule of a finding that reports a failure of the checker itself (exit status 3).
INTERNAL_ERROR = "internal-error"


@dataclass
class CheckResult:
    """Every post-mortem of one run, and every finding, sorted by file and line."""

    postmortems: list[Postmortem]
    findings: list[Finding]
    suppressions: list[Suppression] = field(default_factory=list)
    files_checked: int = 0

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

    def __init__(self, settings: Settings, *, only_language: bool = False) -> None:
        self.settings = settings
        self.only_language = only_language
        self.policy = None if only_language else Policy(settings.schema_path)
        self.language = _language_checker(settings) if settings.language or only_language else None
        rulebook = with_language_rules(self.language.rules if self.language else None)
        known = set(rulebook.rules) | {info.category for info in rulebook.rules.values()}
        known |= {*secretscan.rule_ids(), "security"}
        check_names(settings.rule_levels, known - {""}, "rule_levels")
        check_names(settings.draft_rules, known - {""}, "draft_rules")
        data = self.language.rules if self.language else None
        self.levels = LevelPolicy(
            overrides={**(data.level_overrides if data else {}), **settings.rule_levels},
            draft_level=settings.draft_level,
            draft_rules=frozenset(settings.draft_rules),
            blockquote_level=data.blockquote_level if data else "info",
        )

    def check_paths(self, paths: Sequence[Path]) -> CheckResult:
        """Check the files under ``paths``.

        Files named inside the configured collection are checked in its context: ids and
        related ids resolve against every post-mortem there (read cheaply: front matter
        only), while findings are reported for the named files alone.
        """
        files = discover(paths)
        postmortems = [self.check_file(path) for path in files]
        if not self.only_language:
            context = self._context(files)
            collection = checks.check_collection(postmortems, context)
            by_path = {pm.path: pm for pm in postmortems}
            for finding in collection:
                by_path[finding.path].findings.append(finding)
        for pm in postmortems:
            pm.findings = [
                r for f in pm.findings if (r := resolve(f, self.levels, draft=pm.is_draft))
            ]
        findings = sorted((f for pm in postmortems for f in pm.findings), key=Finding.sort_key)
        suppressions = [s for pm in postmortems for s in pm.suppressions]
        return CheckResult(postmortems, findings, suppressions, len(files))

    def _context(self, files: Sequence[Path]) -> list[checks.IdRef]:
        """Ids of the collection's other post-mortems, when only some files are checked."""
        collection = self.settings.incidents_path
        if not collection.is_dir():
            return []
        named = {path.resolve() for path in files}
        refs = []
        for path in discover([collection]):
            if path.resolve() in named:
                continue
            ref = checks.id_ref(path, display_path(path, self.settings.project_dir))
            if ref is not None:
                refs.append(ref)
        return refs

    def check_file(self, path: Path) -> Postmortem:
        """Read, validate and check one file; any failure inside becomes a finding."""
        shown = display_path(path, self.settings.project_dir)
        try:
            return self._check_file(path, shown)
        except Exception as exc:
            pm = Postmortem(SourceFile(shown, abs_path=path))
            pm.findings.append(internal_error(shown, exc))
            return pm

    def _check_file(self, path: Path, shown: str) -> Postmortem:
        source = read_source(path, shown)
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
                known_names=names_from_postmortem(source.meta, source.document),
                resolve_levels=False,
            )
            pm.findings.extend(result.findings)
            pm.suppressions.extend(result.suppressions)
        pm.findings += htmlcheck.check_raw_html(source.document, pm.path, self.settings.raw_html)
        if secrets is not None:
            pm.findings = _masked(pm.findings, source.text, secrets.hits)
            pm.findings.extend(secretscan.to_finding(hit, pm.path) for hit in secrets.hits)
            pm.suppressions.extend(
                Suppression(pm.path, a.hit.line, a.hit.rule, a.reason) for a in secrets.allowed
            )
        return pm


def _masked(
    findings: list[Finding], text: str, hits: Sequence[secretscan.SecretHit]
) -> list[Finding]:
    """``findings`` with every secret value that a message quotes masked."""
    if not hits:
        return findings
    lines = text.split("\n")
    values = []
    for hit in hits:
        if hit.line == (hit.end_line or hit.line) and 0 < hit.line <= len(lines):
            raw = lines[hit.line - 1][hit.column - 1 : hit.end_column - 1]
            if len(raw) >= 4:
                values.append((raw, secretscan.mask(raw)))
    out = []
    for finding in findings:
        fields = {name: getattr(finding, name) for name in ("message", "hint", "match")}
        for raw, masked in values:
            fields = {name: value.replace(raw, masked) for name, value in fields.items()}
        out.append(replace(finding, **fields))
    return out


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


def _language_checker(settings: Settings) -> LanguageChecker:
    return LanguageChecker(
        LanguageSettings(
            rules_path=settings.language_rules_path,
            allowed_phrases=tuple(settings.allowed_phrases),
            extra_role_nouns=tuple(settings.extra_role_nouns),
            blockquote_level=settings.blockquote_level,
        )
    )
