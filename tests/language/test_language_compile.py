"""Compiling the rules: patterns sharing a subject or a word boundary are joined without
changing matches."""

from __future__ import annotations

import json
import re

import yaml

from postmortems.language import LanguageChecker, LanguageSettings
from postmortems.language.rules import (
    _Expander,
    _join_shared_prefix,
    _join_word_starts,
    _top_level_alternation,
    _word_start_first,
)

from .conftest import ROOT, RULES

SEGMENTS = ROOT / "tests" / "language" / "real" / "segments.jsonl"


def test_patterns_with_a_shared_subject_are_joined_in_place() -> None:
    patterns = ["{person}{gap}\\s+forgot", "\\bnobody\\b", "{person}{gap}\\s+missed", "{person}x"]
    assert _join_shared_prefix(patterns) == [
        "{person}(?:(?:{gap}\\s+(?:(?:forgot)|(?:missed)))|(?:x))",
        "\\bnobody\\b",
    ]
    assert _join_shared_prefix(["{person} a", "b"]) == ["{person} a", "b"]


def test_lookbehinds_before_a_word_boundary_move_behind_it() -> None:
    assert _word_start_first(r"(?<!\bfrom\s)\b(?:my|our)") == r"\b(?<!\bfrom\s)(?:my|our)"
    assert _word_start_first(r"(?<!\bof\s)(?<![@.])\bx") == r"\b(?<!\bof\s)(?<![@.])x"
    for unchanged in (r"(?<!x)foo", r"(?<=\band\s){name}", r"(?<!(?:a|b))\bx", r"\bx"):
        assert _word_start_first(unchanged) == unchanged


def test_top_level_alternation_ignores_groups_classes_and_escapes() -> None:
    assert _top_level_alternation("a|b")
    assert _top_level_alternation("(a)|b")
    for one in ("(?:a|b)", "[|]a", "\\|a", "[]|]a", "[^]|]a", "a(?:b|[|])c"):
        assert not _top_level_alternation(one), one


def test_consecutive_patterns_opening_with_a_word_boundary_share_it_in_order() -> None:
    parts = ["\\ba", "\\b{list}b", "x", "\\bc", "\\bd|e", "\\bf", "\\bg", "\\b?h", "\\b{2}i"]
    assert _join_word_starts(parts) == [
        "\\b(?:(?:a)|(?:{list}b))", "x", "\\bc", "\\bd|e", "\\b(?:(?:f)|(?:g))", "\\b?h",
        "\\b{2}i",
    ]


def test_joined_patterns_match_what_the_separate_ones_match(checker: LanguageChecker) -> None:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    lexicon = {k: list(v) for k, v in data["lexicon"].items()}
    irregular = {k.lower(): v for k, v in data["irregular_verbs"].items()}
    lines = SEGMENTS.read_text(encoding="utf-8").splitlines()
    real = [json.loads(line)["text"] for line in lines[::8]]
    joined_some = 0
    for raw in data["rules"]:
        patterns = raw.get("patterns") or []
        if not patterns:
            continue
        expander = _Expander(lexicon, data["fragments"], irregular)
        separate = [expander.expand(p, "t") for p in patterns]
        plain = "|".join(f"(?:{p})" for p in separate)
        rule = checker.rules.rule(raw["id"])
        assert rule.regex is not None
        if re.sub(r"name\d+", "name", rule.regex.pattern) == re.sub(r"name\d+", "name", plain):
            continue
        joined_some += 1
        one = re.compile(plain, re.IGNORECASE)
        texts = [*raw["examples"]["flag"], *raw["examples"]["pass"], *real]
        for text in texts:
            def spans(rx: re.Pattern[str], text: str = text) -> list[tuple[int, int]]:
                return [m.span() for m in rx.finditer(text)]
            assert spans(rule.regex) == spans(one), (raw["id"], text)
    assert joined_some >= 20


def test_a_person_is_tried_only_where_no_word_character_comes_before(
    checker: LanguageChecker,
) -> None:
    guard = r"(?<!\w)(?:"
    assert guard in checker.rules.rule("agent/did-not").regex.pattern  # type: ignore[union-attr]
    # A role that opens with another character would be missed behind the guard: none then.
    odd = LanguageChecker(LanguageSettings(extra_role_nouns=["+1 responder"]))
    assert guard not in odd.rules.rule("agent/did-not").regex.pattern  # type: ignore[union-attr]
    text = "The engineer did not check the flag."
    found = [f.rule for f in checker.check(text, "x.md").findings]
    assert found == ["agent/did-not"]
    assert [f.rule for f in odd.check(text, "x.md").findings] == found
