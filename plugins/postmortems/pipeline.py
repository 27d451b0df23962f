"""The one pipeline: find files, read, validate and check them, in a single pass.

The CLI and the MkDocs plugin both call :func:`check_collection_at`; neither adds checks of
its own, so they cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import checks
from .findings import Finding, Level, Suppression, fails
from .language import LanguageChecker, LanguageSettings, names_from_postmortem
from .model import Postmortem
from .policy import Policy
from .settings import Settings
from .source import MARKDOWN_SUFFIXES, display_path, read_source


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

    def check_paths(self, paths: Sequence[Path]) -> CheckResult:
        files = discover(paths)
        postmortems = [self.check_file(path) for path in files]
        collection = [] if self.only_language else checks.check_collection(postmortems)
        by_path = {pm.path: pm for pm in postmortems}
        for finding in collection:
            by_path[finding.path].findings.append(finding)
        for pm in postmortems:
            pm.findings = self._apply_levels(pm)
        findings = sorted((f for pm in postmortems for f in pm.findings), key=Finding.sort_key)
        suppressions = [s for pm in postmortems for s in pm.suppressions]
        return CheckResult(postmortems, findings, suppressions, len(files))

    def check_file(self, path: Path) -> Postmortem:
        source = read_source(path, display_path(path, self.settings.project_dir))
        pm = Postmortem(source)
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
                source.body,
                pm.path,
                first_line=source.body_line,
                known_names=names_from_postmortem(source.meta, source.document),
            )
            pm.findings.extend(result.findings)
            pm.suppressions.extend(result.suppressions)
        return pm

    def _apply_levels(self, pm: Postmortem) -> list[Finding]:
        """Team level overrides (by rule id or category), then the draft leniency."""
        levels = self.settings.rule_levels
        out = []
        for finding in pm.findings:
            level_name = levels.get(finding.rule) or levels.get(finding.category)
            if level_name == "off":
                continue
            if level_name:
                finding = replace(finding, level=Level(level_name))
            if pm.is_draft and finding.rule in self.settings.draft_rules:
                if self.settings.draft_level == "off":
                    continue
                finding = replace(finding, level=Level(self.settings.draft_level))
            out.append(finding)
        return out


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
