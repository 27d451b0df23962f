"""The matcher's sentence bounds and word index, against plain definitions of both."""

from __future__ import annotations

import random
import re

import pytest

from postmortems.language import LanguageChecker
from postmortems.language.matcher import (
    _FOLD,
    LONG_SPACE,
    _regions,
    _Sentences,
    long_space_runs,
    sentence_bounds,
)
from postmortems.markdown import Prose

from .conftest import where

_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|\x00|$)|\x00")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|dr|mr|mrs|ms|st|no)$", re.I)


def plain_bounds(text: str) -> list[int]:
    """A run of end punctuation before a space or a segment's end, or a segment's end; a
    full stop after an abbreviation (on its line or the line before) ends nothing."""
    out = []
    for m in _END.finditer(text):
        if text[m.start()] == "." and _ABBREVIATION.search(text, 0, m.start()):
            continue
        out.append(m.end())
    return out


def plain_index(text: str) -> dict[str, list[int]]:
    """Each sentence's ``\\w+`` words, folded and lowered one by one."""
    index: dict[str, list[int]] = {}
    start = 0
    for i, end in enumerate([*sentence_bounds(text), len(text)]):
        for word in {w.translate(_FOLD).lower() for w in re.findall(r"\w+", text[start:end])}:
            index.setdefault(word, []).append(i)
        start = end
    return index


def _random_texts(alphabet: list[str], count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 30))) for _ in range(count)]


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("The hub failed. We restarted it.", ["The hub failed.", " We restarted it."]),
        ("Use a flag, e.g. this one. Done.", ["Use a flag, e.g. this one.", " Done."]),
        ("Logs, metrics etc. were lost.", ["Logs, metrics etc. were lost."]),
        ("Really?! Yes.", ["Really?!", " Yes."]),
        ('He said "stop." Then left.', ['He said "stop."', " Then left."]),
        ("See No. 4 and St. Ives.", ["See No. 4 and St. Ives."]),
        ("Version 1.2.3 shipped.", ["Version 1.2.3 shipped."]),
        ("etc\n. Next.", ["etc\n. Next."]),
        ("First\x00second.", ["First\x00", "second."]),
    ],
)
def test_sentence_bounds(text: str, ends: list[str]) -> None:
    bounds = sentence_bounds(text)
    pieces = [text[a:b] for a, b in zip([0, *bounds], [*bounds, len(text)], strict=True)]
    assert [p for p in pieces if p] == ends
    assert bounds == plain_bounds(text)


def test_sentence_bounds_match_their_plain_definition_on_random_text() -> None:
    alphabet = [*"abegimnorstvx EGINOSTV.!?\"')]\n\x00\u017f\u212a", "etc", "e.g", "i.e", "no",
                "St", "approx", " ", "."]
    for text in _random_texts(alphabet, 20000, seed=7):
        assert sentence_bounds(text) == plain_bounds(text), repr(text)


class _NoAllowed:
    allowed = None


def _index(text: str) -> dict[str, list[int]]:
    return _Sentences(Prose(text, []), _NoAllowed()).word_sentences()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "The engineer didn’t restart the hub. We did.",
        "A\u017fked for \u0130nformation; the \u212aelvin sign and \u0131 too.",
        "ΟΔΟΣ and ΣΟΦΙΑ. Café naïve ﬁle straße STRASSE.",
        "The naïveΣ\u200bnaïve case: a final sigma lowered by what follows it.",
        "NBSP\u00a0between\u2009thin\u200bzero width and com\u0301bining.",
        "Mixed ASCII sentence. Then “quoted” words — and more.",
    ],
)
def test_word_index_matches_its_plain_definition(text: str) -> None:
    assert _index(text) == plain_index(text)


def test_word_index_matches_its_plain_definition_on_random_text() -> None:
    alphabet = [*"abcAB .!?\"'’“”—…\n\x00\u017f\u212a\u0130\u0131éÉßẞﬁ_1٣\u00a0\u2009\u200b"
                "\u0301ǅΣσς", "don’t", "naïve", "İstanbul", " e.g. ", "x"]
    for text in _random_texts(alphabet, 20000, seed=11):
        assert _index(text) == plain_index(text), repr(text)


def test_the_index_of_a_real_rule_set_finds_its_keywords(checker: LanguageChecker) -> None:
    text = "The hub failed. Our engineer forgot the flag\u00a0again. Nothing else."
    sents = _Sentences(Prose(text, []), checker.rules)
    assert sents.word_sentences()["forgot"] == [1]
    assert sents.word_sentences()["again"] == [1]


@pytest.mark.parametrize("run", [" ", "\n", " \t\n", "\u00a0"])
def test_a_long_whitespace_run_is_a_sentence_of_its_own(run: str) -> None:
    # Hidden text (inline code, a comment, a URL) is blanked to spaces, so such runs occur;
    # rules backtracking over one took time quadratic in its length (a minute for 100,000).
    long = (run * LONG_SPACE)[:LONG_SPACE]
    text = "Dana" + long * 200 + "forgot it."
    end = 4 + len(long) * 200
    assert long_space_runs(text) == [(4, end)]
    assert sentence_bounds(text) == [4, end, len(text)]
    shorter = "Dana" + long[1:] + "forgot it."
    assert long_space_runs(shorter) == []
    assert sentence_bounds(shorter) == plain_bounds(shorter) == [len(shorter)]
    # A run after a sentence's end, or at the text's start, adds no empty sentence.
    assert sentence_bounds("Done." + long + "Next.") == [5, 5 + LONG_SPACE, 10 + LONG_SPACE]
    assert sentence_bounds(long + "Next.") == [LONG_SPACE, LONG_SPACE + 5]


@pytest.mark.parametrize("use_triggers", [True, False])
def test_no_region_handed_to_the_regexes_holds_a_long_whitespace_run(
    checker: LanguageChecker, use_triggers: bool
) -> None:
    text = "Dana" + " " * 100_000 + "forgot it. We relied on Dana remembering it."
    sents = _Sentences(Prose(text, []), checker.rules)
    longest = 0
    for rule in checker.rules.rules:
        for start, end in _regions(rule, sents, use_triggers):
            runs = [len(m[0]) for m in re.finditer(r"\s+", text[start:end])]
            longest = max([longest, *runs])
    assert longest < LONG_SPACE


def test_a_long_whitespace_run_separates_a_name_from_its_verb(checker: LanguageChecker) -> None:
    near = checker.check("Dana   forgot it.\n", "x.md").findings
    assert ("agent/oversight", 1) in [(f.rule, f.column) for f in near]
    far = checker.check("Dana" + " " * 100_000 + "forgot it.\n", "x.md").findings
    assert "agent/oversight" not in [f.rule for f in far]


def test_findings_beside_a_long_whitespace_run_keep_their_positions(
    checker: LanguageChecker,
) -> None:
    sentence = "Dana forgot the flag."
    gap = " " * 20_000
    found = checker.check(sentence + gap + sentence + "\n", "x.md").findings
    alone = checker.check(sentence + "\n", "x.md").findings
    shift = len(sentence + gap)
    moved = [(line, col + shift, end + shift, rule) for line, col, end, rule in where(alone)]
    expected = sorted([*where(alone), *moved])
    assert where(alone) and sorted(where(found)) == expected
