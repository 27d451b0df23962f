"""Blameless-language checker: systems, not people.

Flags prose that blames people (a person as the agent of a failure, counterfactual
judgement, judgement words, who-questions, names in the narrative, person-dependent action
items) and leaves the vocabulary of incidents alone. The rules are data
(``schemas/blameless-rules.yml``), validated against ``schemas/blameless-rules.schema.json``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..fieldtext import FieldText
from ..findings import Finding, Suppression
from ..levels import QUOTE_SCOPE, LevelPolicy, resolve
from ..markdown import Body, Prose, join_prose, parse_body
from .matcher import Hit, find_hits, sentence_bounds
from .names import EMPTY_NAMES, KnownNames, known_names, names_from_postmortem
from .rules import RulesError, RuleSet, default_rules_path, load_rules
from .settings import LanguageSettings
from .suggest import Source, suggestion
from .suppress import apply_suppressions, parse_directives

__all__ = [
    "LanguageChecker",
    "LanguageResult",
    "LanguageSettings",
    "RulesError",
    "names_from_postmortem",
]



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
        markdown: str | Body,
        path: str,
        *,
        first_line: int = 1,
        known_names: Iterable[str] = (),
        resolve_levels: bool = True,
    ) -> LanguageResult:
        """Check a parsed body, or Markdown text whose line 1 is line ``first_line`` of ``path``.

        Given text, a leading ``---`` front matter block is skipped, keeping line numbers.
        ``known_names`` are the people the post-mortem names (see
        :func:`names_from_postmortem`); they are matched case-sensitively as words.
        Findings get the levels of :attr:`level_policy`; with ``resolve_levels=False`` they
        keep their rules' defaults, for a caller that resolves every finding itself.
        """
        body = markdown if isinstance(markdown, Body) else _parse_text(markdown, first_line)
        doc = body.prose
        source = Source.of(body.lines, body.first_line)
        pairs = [
            (f, hit.segment.block)
            for hit, f in self._findings(doc, path, known_names, source)
        ]
        directives, problems = parse_directives(body.comments, self.rules, path)
        kept, suppressions = apply_suppressions(pairs, directives)
        findings = kept + problems
        if resolve_levels:
            findings = [r for f in findings if (r := resolve(f, self.level_policy)) is not None]
        return LanguageResult(sorted(findings, key=Finding.sort_key), suppressions)

    def check_fields(
        self,
        fields: Sequence[FieldText | tuple[str, str, int, int]],
        path: str,
        known_names: Iterable[str] = (),
        *,
        resolve_levels: bool = True,
    ) -> LanguageResult:
        """Check front-matter free text: a ``FieldText`` or ``(name, text, line, column)``
        per field.

        Each value is checked as Markdown prose with every rule (the ``person-action``
        rules included, as fields hold action items), and each finding is placed in the file
        by the field's ``place``. A plain tuple gives the 1-based position of the value's
        first character; its lines are taken to share that column. Suppression comments in a
        value apply to that value. Values without comments are matched together, as one
        prose of their segments (no sentence runs from one value into the next); the others
        are checked one by one, each with its own comments.
        """
        together: list[tuple[FieldText, Prose, list[str]]] = []
        findings: list[Finding] = []
        suppressed: list[Suppression] = []
        for item in fields:
            value = item if isinstance(item, FieldText) else FieldText(*item)
            if not value.text or not value.text.strip():
                continue
            body = parse_body(value.text, 1)
            if not body.comments:
                together.append((value, body.prose, body.lines))
                continue
            alone = self.check(body, path, known_names=known_names, resolve_levels=resolve_levels)
            findings += [_in_field(f, value) for f in alone.findings]
            suppressed += [_suppressed_in_field(x, value) for x in alone.suppressions]
        if together:
            doc, offsets = join_prose([prose for _, prose, _ in together])
            source = Source(tuple(
                (offset, lines, 1) for offset, (_, _, lines) in zip(offsets, together, strict=True)
            ))
            for hit, found in self._findings(doc, path, known_names, source):
                if resolve_levels and (found := resolve(found, self.level_policy)) is None:
                    continue
                entry, _, _ = together[bisect_right(offsets, hit.start) - 1]
                findings.append(_in_field(found, entry))
        return LanguageResult(sorted(findings, key=Finding.sort_key), suppressed)

    @property
    def level_policy(self) -> LevelPolicy:
        """The levels of the rules data, with the settings' overrides."""
        return LevelPolicy(
            overrides=self.rules.level_overrides, blockquote_level=self.rules.blockquote_level
        )

    def _known(self, names: Iterable[str]) -> KnownNames:
        key = frozenset(str(n) for n in names)
        if not key:
            return EMPTY_NAMES
        if key not in self._names:
            if len(self._names) > 4096:
                self._names.clear()
            self._names[key] = known_names(key, self.rules)
        return self._names[key]

    def _findings(
        self, doc: Prose, path: str, known_names: Iterable[str], source: Source
    ) -> list[tuple[Hit, Finding]]:
        """Each accepted match in ``doc`` with its finding (levels as the rules give them).

        ``source`` holds the lines the segments of ``doc`` point into: a suggestion is the
        sentence as written there, inline code and markup kept, with the match rewritten.
        """
        hits = find_hits(self.rules, doc, self._known(known_names))
        bounds = sentence_bounds(doc.text) if hits else []
        return [
            (hit, f)
            for hit in hits
            if (f := self._finding(hit, doc, path, bounds, source)) is not None
        ]

    def _finding(
        self, hit: Hit, doc: Prose, path: str, bounds: list[int], source: Source
    ) -> Finding | None:
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
            level=rule.level,
            message=rule.message.replace("{match}", match),
            hint=rule.hint.replace("{match}", match),
            column=column,
            end_column=end_col + 1,
            category=rule.category,
            match=match,
            suggestions=suggestion(hit, doc.text, bounds, source),
            scope=QUOTE_SCOPE if seg.quoted else "",
        )


def _in_field(found: Finding, value: FieldText) -> Finding:
    """A finding of a value checked on its own, placed in the file and named by its field."""
    line, column = value.place(found.line, found.column or 1)
    end_column = 0
    if found.end_column:
        end_line, last = value.place(found.line, max(found.end_column - 1, 1))
        end_column = last + 1 if end_line == line else value.line_end(line)
    return replace(
        found,
        line=line,
        column=column if found.column else 0,
        end_column=end_column,
        message=f"{value.name}: {found.message}",
    )


def _suppressed_in_field(suppression: Suppression, value: FieldText) -> Suppression:
    """A suppression of a value checked on its own, placed in the file."""
    line, column = value.place(suppression.line, suppression.column or 1)
    return replace(suppression, line=line, column=column if suppression.column else 0)


_KEY_LINE = re.compile(r"[\w\"'-][^:]*:(?:\s|$)")


def _parse_text(markdown: str, first_line: int) -> Body:
    """Parse Markdown text, skipping a leading YAML block (a ``---`` rule is not one)."""
    lines = markdown.replace("\r\n", "\n").split("\n")
    skip = 0
    if lines and lines[0].rstrip() == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip() in ("---", "..."):
                content = [
                    ln for ln in lines[1:i] if ln.strip() and not ln.lstrip().startswith("#")
                ]
                if content and _KEY_LINE.match(content[0]):
                    skip = i + 1
                break
    return parse_body("\n".join(lines[skip:]), first_line + skip)
