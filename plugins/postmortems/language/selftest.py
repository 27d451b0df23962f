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
from pathlib import Path

import yaml

from ..findings import Finding, Level
from ..markdown import parse_body
from ..positions import Position
from ..source import display_path
from . import LanguageChecker
from .matcher import find_hits
from .names import known_names
from .rules import Rule

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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
    positions = _example_positions(path)
    findings: list[Finding] = []
    count = 0
    for index, rule in enumerate(checker.rules.rules):
        names = rule.examples.known_names
        for kind, texts in (("flag", rule.examples.flag), ("pass", rule.examples.passes)):
            for number, text in enumerate(texts):
                count += 1
                where = positions.get((index, kind, number))
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
        "entries and the rules file's own settings.allowed_phrases, which may drop the match.",
    )


def _example_positions(path: Path) -> dict[tuple[int, str, int], Position]:
    """Where each example of each rule is written: ``(rule index, "flag" or "pass", example
    index)`` to its position. Only the nodes on the way are visited, so a rules file of any
    size (long word lists) is placed; an unreadable file places nothing."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    out: dict[tuple[int, str, int], Position] = {}
    for index, rule in enumerate(_items(_value(root, "rules"))):
        examples = _value(rule, "examples")
        for kind in ("flag", "pass"):
            for number, node in enumerate(_items(_value(examples, kind))):
                mark = node.start_mark
                out[(index, kind, number)] = Position(mark.line + 1, mark.column + 1)
    return out


def _value(node: yaml.Node | None, key: str, depth: int = 0) -> yaml.Node | None:
    """The value of ``key`` in a mapping node: of its last copy, as the rules are read, else
    from the mappings merged into it (``<<:``), the first that has it."""
    found = None
    merged: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                found = v
            elif isinstance(k, yaml.ScalarNode) and k.tag.endswith(":merge") and depth < 8:
                merged += v.value if isinstance(v, yaml.SequenceNode) else [v]
    for source in merged if found is None else ():
        if (found := _value(source, key, depth + 1)) is not None:
            break
    return found


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _finding(
    path: str, where: Position | None, rule: Rule, message: str, hint: str
) -> Finding:
    line, column = (where.line, where.column) if where else (0, 0)
    return Finding(
        path=path, line=line, column=column, rule=EXAMPLE_RULE, level=Level.ERROR,
        message=message, hint=hint, category=rule.category,
    )


__all__ = ["EXAMPLE_RULE", "ExampleReport", "run_examples"]
