"""Compiling the rules: patterns sharing a subject are joined without changing matches."""

from __future__ import annotations

import re

import yaml

from postmortems.language import LanguageChecker
from postmortems.language.rules import _Expander, _join_shared_prefix

from .conftest import RULES


def test_patterns_with_a_shared_subject_are_joined_in_place() -> None:
    patterns = ["{person}{gap}\\s+forgot", "\\bnobody\\b", "{person}{gap}\\s+missed", "{person}x"]
    assert _join_shared_prefix(patterns) == [
        "{person}(?:(?:{gap}\\s+(?:(?:forgot)|(?:missed)))|(?:x))",
        "\\bnobody\\b",
    ]
    assert _join_shared_prefix(["{person} a", "b"]) == ["{person} a", "b"]


def test_joined_patterns_match_what_the_separate_ones_match(checker: LanguageChecker) -> None:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    lexicon = {k: list(v) for k, v in data["lexicon"].items()}
    irregular = {k.lower(): v for k, v in data["irregular_verbs"].items()}
    joined_some = False
    for raw in data["rules"]:
        patterns = raw.get("patterns") or []
        joined = _join_shared_prefix(patterns)
        if joined == patterns:
            continue
        joined_some = True
        expander = _Expander(lexicon, data["fragments"], irregular)
        separate = [expander.expand(p, "t") for p in patterns]
        one = re.compile("|".join(f"(?:{p})" for p in separate), re.IGNORECASE)
        texts = [*raw["examples"]["flag"], *raw["examples"]["pass"]]
        rule = checker.rules.rule(raw["id"])
        assert rule.regex is not None
        for text in texts:
            def spans(rx: re.Pattern[str], text: str = text) -> set[tuple[int, int]]:
                return {m.span() for m in rx.finditer(text)}
            assert spans(rule.regex) == spans(one), (raw["id"], text)
    assert joined_some
