"""Suppression comments: ignore a block, disable a region, reasons required."""

from __future__ import annotations

from collections import Counter

from postmortems.findings import Level, Suppression
from postmortems.language import LanguageChecker

from .conftest import where

BLAME = "The developer forgot to renew it."


def run(checker: LanguageChecker, text: str):  # type: ignore[no-untyped-def]
    return checker.check(text, "x.md", known_names=["Priya Raman"])


def test_ignore_silences_the_next_block_only(checker: LanguageChecker) -> None:
    text = (
        "<!-- blameless-ignore agent/oversight: quoting the vendor's report -->\n"
        f"{BLAME}\nSecond line, same block: the SRE forgot it.\n\n{BLAME}\n"
    )
    result = run(checker, text)
    assert where(result.findings) == [(5, 1, 21, "agent/oversight")]
    assert result.suppressions == [
        Suppression("x.md", 2, "agent/oversight", "quoting the vendor's report", 1),
        Suppression("x.md", 3, "agent/oversight", "quoting the vendor's report", 26),
    ]


def test_ignore_inside_a_block_silences_that_block(checker: LanguageChecker) -> None:
    text = (
        "| Time | Event |\n|---|---|\n"
        "| 14:02 | The SRE forgot it <!-- blameless-ignore agent: verbatim from the pager --> |\n"
        "| 14:03 | The SRE forgot it |\n"
    )
    result = run(checker, text)
    assert where(result.findings) == [(4, 11, 25, "agent/oversight")]
    assert [s.line for s in result.suppressions] == [3]


def test_ignore_by_category_and_all(checker: LanguageChecker) -> None:
    text = (
        "<!-- blameless-ignore all: a quoted customer email -->\n"
        "Priya said the root cause was human error.\n\n"
        "<!-- blameless-ignore named-person, judgement: a quoted customer email -->\n"
        "Priya said the root cause was human error.\n"
    )
    result = run(checker, text)
    assert result.findings == []
    assert Counter(s.rule for s in result.suppressions) == {
        "names/person-named": 2,
        "judgement/human-error": 2,
    }


def test_ignore_for_another_rule_does_not_silence(checker: LanguageChecker) -> None:
    text = f"<!-- blameless-ignore who-question: not this one -->\n{BLAME}\n"
    assert [f.rule for f in run(checker, text).findings] == ["agent/oversight"]


def test_disable_enable_region(checker: LanguageChecker) -> None:
    text = "\n".join(
        [
            BLAME,
            "",
            "<!-- blameless-disable agent: verbatim chat transcript follows -->",
            BLAME,
            "",
            "- " + BLAME,
            "<!-- blameless-enable agent -->",
            "",
            BLAME,
        ]
    )
    result = run(checker, text)
    assert [f.line for f in result.findings] == [1, 9]
    assert [(s.line, s.rule, s.reason) for s in result.suppressions] == [
        (4, "agent/oversight", "verbatim chat transcript follows"),
        (6, "agent/oversight", "verbatim chat transcript follows"),
    ]


def test_disable_without_enable_runs_to_the_end(checker: LanguageChecker) -> None:
    text = (
        "<!-- blameless-disable all: appendix of raw notes -->\n\n"
        f"{BLAME}\n\nWho made the mistake?\n"
    )
    result = run(checker, text)
    assert result.findings == []
    assert len(result.suppressions) == 2


def test_missing_reason_is_an_error_and_does_not_suppress(checker: LanguageChecker) -> None:
    text = (
        f"<!-- blameless-ignore agent -->\n{BLAME}\n\n"
        "<!-- blameless-disable judgement: -->\nHuman error.\n"
    )
    result = run(checker, text)
    assert where(result.findings) == [
        (1, 1, 32, "blameless/suppression-without-reason"),
        (2, 1, 21, "agent/oversight"),
        (4, 1, 38, "blameless/suppression-without-reason"),
        (5, 1, 12, "judgement/human-error"),
    ]
    meta = result.findings[0]
    assert meta.level is Level.ERROR and meta.category == "suppression" and meta.hint
    assert result.suppressions == []


def test_unknown_rule_is_reported(checker: LanguageChecker) -> None:
    text = f"<!-- blameless-ignore agnet/oversight: typo -->\n{BLAME}\n"
    result = run(checker, text)
    assert [f.rule for f in result.findings] == [
        "blameless/unknown-suppression-target",
        "agent/oversight",
    ]
    assert "agnet/oversight" in result.findings[0].message


def test_enable_needs_no_reason(checker: LanguageChecker) -> None:
    text = "<!-- blameless-disable agent: transcript -->\n<!-- blameless-enable agent -->\n"
    assert run(checker, text).findings == []


def test_directives_in_code_are_not_directives(checker: LanguageChecker) -> None:
    text = (
        "`<!-- blameless-ignore agent -->`\n\n"
        f"```\n<!-- blameless-disable all -->\n```\n\n{BLAME}\n"
    )
    result = run(checker, text)
    assert [f.rule for f in result.findings] == ["agent/oversight"]


def test_suppressions_are_counted_per_rule(checker: LanguageChecker) -> None:
    text = "<!-- blameless-disable all: raw incident-channel export -->\n" + "\n\n".join(
        [BLAME, BLAME, "Human error.", "Priya was paged."]
    )
    counts = Counter(s.rule for s in run(checker, text).suppressions)
    assert counts == {
        "agent/oversight": 2,
        "judgement/human-error": 1,
        "names/person-named": 1,
    }
