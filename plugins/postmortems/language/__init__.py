"""Blameless-language checker: systems, not people.

Flags prose that blames people (a person as the agent of a failure, counterfactual
judgement, judgement words, who-questions, names in the narrative, person-dependent action
items) and leaves the vocabulary of incidents alone. The rules are data
(``schemas/blameless-rules.yml``), validated against ``schemas/blameless-rules.schema.json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding, Level, Suppression
from .matcher import Hit, find_hits
from .names import EMPTY_NAMES, KnownNames, known_names, names_from_postmortem
from .prose import Document, parse
from .rules import RulesError, RuleSet, default_rules_path, load_rules
from .settings import LanguageSettings
from .suppress import apply_suppressions, parse_directives

__all__ = [
    "LanguageChecker",
    "LanguageResult",
    "LanguageSettings",
    "RulesError",
    "names_from_postmortem",
]

_RANK = {"error": 2, "warning": 1, "info": 0}


@dataclass
class LanguageResult:
    """What one file's check found, and what its authors suppressed (with reasons)."""

    findings: list[Finding] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)


class LanguageChecker:
    """Checks Markdown prose against the blameless-language rules.

    The rules are loaded, validated and compiled once, in the constructor; one checker can
    be reused for any number of files. Raises :class:`RulesError` for invalid rules data.
    """

    def __init__(self, settings: LanguageSettings | None = None) -> None:
        self.settings = settings or LanguageSettings()
        path = self.settings.rules_path or default_rules_path()
        self.rules: RuleSet = load_rules(Path(path), self.settings)
        self._names: dict[frozenset[str], KnownNames] = {}

    def check(
        self,
        markdown: str,
        path: str,
        *,
        first_line: int = 1,
        known_names: Iterable[str] = (),
    ) -> LanguageResult:
        """Check ``markdown`` (a body whose line 1 is line ``first_line`` of ``path``).

        A leading ``---`` front matter block is skipped, keeping line numbers.
        ``known_names`` are the people the post-mortem names (see
        :func:`names_from_postmortem`); they are matched case-sensitively as words.
        """
        doc = parse(markdown, first_line)
        names = self._known(known_names)
        pairs = [
            (f, hit.segment.block)
            for hit in find_hits(self.rules, doc, names)
            if (f := self._finding(hit, doc, path)) is not None
        ]
        directives, problems = parse_directives(doc.comments, self.rules, path)
        kept, suppressions = apply_suppressions(pairs, directives)
        findings = sorted(kept + problems, key=Finding.sort_key)
        return LanguageResult(findings, suppressions)

    def _known(self, names: Iterable[str]) -> KnownNames:
        key = frozenset(str(n) for n in names)
        if not key:
            return EMPTY_NAMES
        if key not in self._names:
            if len(self._names) > 4096:
                self._names.clear()
            self._names[key] = known_names(key, self.rules)
        return self._names[key]

    def _level(self, hit: Hit) -> str:
        overrides = self.rules.level_overrides
        rule = hit.rule
        level = overrides.get(rule.id) or overrides.get(rule.category) or rule.level.value
        if level != "off" and hit.segment.quoted:
            cap = self.rules.blockquote_level
            level = "off" if cap == "off" else min(level, cap, key=_RANK.__getitem__)
        return level

    def _finding(self, hit: Hit, doc: Document, path: str) -> Finding | None:
        level = self._level(hit)
        if level == "off":
            return None
        seg = hit.segment
        line, column = seg.locate(hit.start)
        end_line, end_col = seg.locate(hit.end - 1)
        if end_line != line:  # runs on to the next line: end at the end of this one
            i = seg.lines.index(line)
            end_col = seg.cols[i] + seg.starts[i + 1] - 1 - seg.starts[i]
        match = " ".join(doc.text[hit.start : hit.end].split())
        rule = hit.rule
        return Finding(
            path=path,
            line=line,
            rule=rule.id,
            level=Level(level),
            message=rule.message.replace("{match}", match),
            hint=rule.hint.replace("{match}", match),
            column=column,
            end_column=end_col + 1,
            category=rule.category,
            match=match,
            suggestions=rule.suggestions,
        )
