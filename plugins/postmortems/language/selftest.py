"""Run the rules data's own examples, so that a team that edits the rules sees at once which
rule stopped doing what its examples say.

Every rule carries sentences it must flag and sentences it must leave alone
(``examples.flag`` and ``examples.pass``). :func:`run_examples` checks each one and returns a
finding, placed at the example's line in the rules file, for each that fails. It also checks
that a rule's ``keywords``, ``trigger`` and ``trigger_words`` (which only choose where its
patterns run) never hide a match of an example: a pattern that can match without any of its
rule's keywords is found this way instead of silently never running.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Finding, Level
from ..markdown import parse_body
from ..positions import Position
from ..source import display_path
from ..yamlpos import load_yaml
from . import LanguageChecker
from .matcher import find_hits
from .names import known_names
from .rules import Rule

#: The rule id of a failing example.
EXAMPLE_RULE = "blameless/rule-example"


@dataclass(frozen=True)
class ExampleReport:
    """What testing the rules found: one finding per failing example, and how many ran."""

    findings: list[Finding]
    examples: int
    rules: int


def run_examples(checker: LanguageChecker) -> ExampleReport:
    """Check every example of every rule of ``checker``'s rules data (levels as the rules
    give them, so a rule a team turned off is still tested). Findings name the rules file
    relative to the working directory when it is inside it."""
    path = checker.rules.path
    shown = display_path(path)
    try:
        positions = load_yaml(path.read_text(encoding="utf-8")).values
    except (OSError, UnicodeDecodeError):
        positions = {}
    findings: list[Finding] = []
    count = 0
    for index, rule in enumerate(checker.rules.rules):
        names = rule.examples.known_names
        for kind, texts in (("flag", rule.examples.flag), ("pass", rule.examples.passes)):
            for number, text in enumerate(texts):
                count += 1
                where = positions.get(("rules", index, "examples", kind, number))
                problem = _problem(checker, rule, text, names, flag=kind == "flag")
                if problem is not None:
                    message, hint = problem
                    findings.append(_finding(shown, where, rule, message, hint))
    return ExampleReport(findings, count, len(checker.rules.rules))


def _problem(
    checker: LanguageChecker, rule: Rule, text: str, names: tuple[str, ...], *, flag: bool
) -> tuple[str, str] | None:
    """Why the example ``text`` fails ``rule`` (message and hint), or None."""
    found = [
        f for f in checker.check(text, "example.md", known_names=names,
                                 resolve_levels=False).findings
        if f.rule == rule.id
    ]
    if not flag:
        if not found:
            return None
        return (
            f"{rule.id}: an example to leave alone is flagged ({found[0].match!r}): {text!r}",
            "Narrow the pattern, or add an 'unless' (or 'unless_before', 'unless_after') "
            "that this sentence holds.",
        )
    if found:
        return None
    doc = parse_body(text).prose
    known = known_names(names, checker.rules)
    if any(h.rule.id == rule.id for h in find_hits(checker.rules, doc, known, use_triggers=False)):
        return (
            f"{rule.id}: an example to flag is matched only when the rule's keywords and "
            f"trigger are ignored: {text!r}",
            "Add a word of this sentence's match to the rule's 'keywords' (or to the word "
            "list they refer to), or widen its 'trigger' or 'trigger_words'.",
        )
    return (
        f"{rule.id}: an example to flag is not flagged: {text!r}",
        "Widen a pattern or a word list so that it matches, or check the rule's 'unless' "
        "entries and 'allowed_phrases' in settings, which may drop the match.",
    )


def _finding(
    path: str, where: tuple[Position, str | None, Position] | None, rule: Rule, message: str,
    hint: str,
) -> Finding:
    line, column = (where[0].line, where[0].column) if where else (0, 0)
    return Finding(
        path=path, line=line, column=column, rule=EXAMPLE_RULE, level=Level.ERROR,
        message=message, hint=hint, category=rule.category,
    )


__all__ = ["EXAMPLE_RULE", "ExampleReport", "run_examples"]
