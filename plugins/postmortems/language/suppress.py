"""Suppression comments: ``blameless-ignore``, ``blameless-disable`` and ``blameless-enable``.

``<!-- blameless-ignore RULE: reason -->`` silences RULE in one block: the block the comment
sits in, or (on a line of its own) the next block. ``<!-- blameless-disable RULE: reason -->``
silences RULE until ``<!-- blameless-enable RULE -->`` or the end of the file. RULE is a rule
id, a category or ``all``; several may be given, separated by commas or spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..findings import Finding, Level, Suppression
from ..markdown import Comment
from .rules import RuleSet

WITHOUT_REASON = "blameless/suppression-without-reason"
UNKNOWN_TARGET = "blameless/unknown-suppression-target"
META_RULES = {
    WITHOUT_REASON: (
        "Suppression without a reason",
        "give the reason after a colon: <!-- blameless-ignore RULE: why this wording stays -->",
    ),
    UNKNOWN_TARGET: (
        "Suppression names no known rule",
        "name a rule id, a category or `all`: <!-- blameless-ignore agent: reason -->",
    ),
}

_DIRECTIVE = re.compile(
    r"<!--\s*blameless-(?P<kind>ignore|disable|enable)(?![\w-])(?P<body>.*?)-->\Z", re.S
)
_END = (1 << 62, 0)


@dataclass(frozen=True)
class Directive:
    """One parsed suppression comment; ``valid`` is False when it must not take effect."""

    kind: str
    targets: tuple[str, ...]
    reason: str
    comment: Comment
    valid: bool

    @property
    def position(self) -> tuple[int, int]:
        return self.comment.line, self.comment.column


def parse_directives(
    comments: Iterable[Comment], rules: RuleSet, path: str
) -> tuple[list[Directive], list[Finding]]:
    """Suppression directives found in comments, plus findings for malformed ones."""
    directives: list[Directive] = []
    problems: list[Finding | None] = []
    known = {r.id for r in rules.rules} | rules.categories | {"all"}
    for comment in comments:
        m = _DIRECTIVE.match(comment.text.strip())
        if not m:
            continue
        kind = m.group("kind")
        names, _, reason = m.group("body").partition(":")
        targets = tuple(t for t in re.split(r"[\s,]+", names.strip()) if t)
        reason = " ".join(reason.split())
        valid = True
        unknown = [t for t in targets if t not in known]
        if not targets or unknown:
            what = ", ".join(unknown) if unknown else "nothing"
            problems.append(_meta(UNKNOWN_TARGET, comment, path, what, rules))
            targets = tuple(t for t in targets if t in known)
            valid = bool(targets)
        if kind != "enable" and not reason:
            problems.append(_meta(WITHOUT_REASON, comment, path, "", rules))
            valid = False
        directives.append(Directive(kind, targets, reason, comment, valid))
    return directives, [p for p in problems if p is not None]


def _meta(rule: str, comment: Comment, path: str, detail: str, rules: RuleSet) -> Finding | None:
    """A finding about a malformed comment (at its default level, error)."""
    message, hint = META_RULES[rule]
    first_line = comment.text.split("\n", 1)[0]
    return Finding(
        path=path,
        line=comment.line,
        rule=rule,
        level=Level.ERROR,
        message=f"{message}: {detail}" if detail else message,
        hint=hint,
        column=comment.column,
        end_column=comment.column + len(first_line),
        category="suppression",
        match=first_line,
    )


def _targets(finding: Finding, targets: tuple[str, ...]) -> bool:
    return "all" in targets or finding.rule in targets or finding.category in targets


def apply_suppressions(
    findings: Iterable[tuple[Finding, int]], directives: list[Directive]
) -> tuple[list[Finding], list[Suppression]]:
    """Split (finding, block) pairs into kept findings and suppressions with reasons."""
    ignores = [d for d in directives if d.valid and d.kind == "ignore"]
    regions: list[tuple[tuple[int, int], tuple[int, int], tuple[str, ...], str]] = []
    open_regions: list[Directive] = []
    for d in sorted((d for d in directives if d.valid), key=lambda d: d.position):
        if d.kind == "disable":
            open_regions.append(d)
        elif d.kind == "enable":
            still_open = []
            for o in open_regions:
                closed = tuple(t for t in o.targets if "all" in d.targets or t in d.targets)
                if closed:
                    regions.append((o.position, d.position, closed, o.reason))
                rest = tuple(t for t in o.targets if t not in closed)
                if rest:
                    still_open.append(Directive(o.kind, rest, o.reason, o.comment, True))
            open_regions = still_open
    regions += [(o.position, _END, o.targets, o.reason) for o in open_regions]

    kept: list[Finding] = []
    suppressed: list[Suppression] = []
    for finding, block in findings:
        reason = next(
            (
                d.reason
                for d in ignores
                if d.comment.block == block and _targets(finding, d.targets)
            ),
            None,
        )
        if reason is None:
            where = (finding.line, finding.column)
            reason = next(
                (r for a, b, t, r in regions if a <= where < b and _targets(finding, t)), None
            )
        if reason is None:
            kept.append(finding)
        else:
            suppressed.append(
                Suppression(finding.path, finding.line, finding.rule, reason, finding.column)
            )
    return kept, suppressed
