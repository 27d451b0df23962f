"""Each category, flagged and passed, with exact positions in every Markdown context."""

from __future__ import annotations

from postmortems.findings import Level
from postmortems.language import LanguageChecker

from .conftest import where

NAMES = ["Priya Raman", "ben.okafor", "db-team"]


def check(checker: LanguageChecker, text: str, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("known_names", NAMES)
    return checker.check(text, "incidents/x.md", **kw).findings


# -- one sentence per category, flagged and passed, with line and column ---------------------


def test_agent(checker: LanguageChecker) -> None:
    found = check(checker, "At 14:02 an engineer accidentally deleted the volume.")
    assert where(found) == [(1, 10, 34, "agent/accidental-action")]
    f = found[0]
    assert (f.category, f.level, f.match) == ("agent", Level.WARNING, "an engineer accidentally")
    assert f.suggestions and f.hint and f.message
    assert check(checker, "At 14:02 the cleanup script deleted the volume.") == []


def test_counterfactual(checker: LanguageChecker) -> None:
    found = check(checker, "In hindsight, this should have been caught in review.")
    assert where(found) == [(1, 20, 43, "counterfactual/should-have-been")]
    assert found[0].level is Level.WARNING
    assert check(checker, "We should add a review step for config changes.") == []


def test_judgement(checker: LanguageChecker) -> None:
    found = check(checker, "The root cause was human error.")
    assert where(found) == [(1, 20, 31, "judgement/human-error")]
    assert found[0].level is Level.ERROR
    assert check(checker, "Human error is never a root cause.") == []


def test_who_question(checker: LanguageChecker) -> None:
    found = check(checker, "So: who made the mistake?")
    assert where(found) == [(1, 5, 25, "who/who-did-it")]
    assert found[0].level is Level.ERROR
    assert check(checker, "What would have detected this earlier?") == []


def test_named_person(checker: LanguageChecker) -> None:
    found = check(checker, "At 14:20 Priya rolled back; @ben.okafor confirmed.")
    assert where(found) == [(1, 10, 15, "names/person-named"), (1, 29, 40, "names/person-named")]
    assert [f.match for f in found] == ["Priya", "@ben.okafor"]
    assert check(checker, "At 14:20 the incident commander rolled back.") == []
    assert check(checker, "The db-team rolled back.") == []


def test_person_action(checker: LanguageChecker) -> None:
    found = check(checker, "- Remind everyone to double-check the cluster.")
    assert where(found) == [(1, 3, 18, "action/remind-or-retrain")]
    assert check(checker, "- Make the tool show the cluster name in red.") == []


# -- contexts ------------------------------------------------------------------------------

FRONT = "---\nid: INC-2026-001\nauthors: [Priya Raman]\n---\n"


def test_after_front_matter_given_the_body_and_first_line(checker: LanguageChecker) -> None:
    body = "# Title\n\nThe developer forgot to renew the certificate.\n"
    found = check(checker, body, first_line=5)
    assert where(found) == [(7, 1, 21, "agent/oversight")]


def test_whole_file_with_front_matter_keeps_line_numbers(checker: LanguageChecker) -> None:
    text = FRONT + "# Title\n\nThe developer forgot to renew the certificate.\n"
    assert where(check(checker, text)) == [(7, 1, 21, "agent/oversight")]


def test_thematic_break_at_start_is_not_front_matter(checker: LanguageChecker) -> None:
    text = "---\n\nThe developer forgot it.\n"
    assert where(check(checker, text)) == [(3, 1, 21, "agent/oversight")]


def test_list_items_and_nested_lists(checker: LanguageChecker) -> None:
    text = (
        "Notes:\n\n- First item.\n- The reviewer missed the typo.\n"
        "  1. Nested: the DBA dropped the wrong table.\n"
    )
    assert where(check(checker, text)) == [
        (4, 3, 31, "agent/oversight"),
        (5, 14, 39, "agent/bad-action"),
    ]


def test_table_cells(checker: LanguageChecker) -> None:
    text = "| Time | Event |\n|------|-------|\n| 14:02 | The reviewer missed the typo. |\n"
    assert where(check(checker, text)) == [(3, 11, 39, "agent/oversight")]


def test_table_cells_do_not_run_into_each_other(checker: LanguageChecker) -> None:
    text = "| Who | What |\n|---|---|\n| The engineer | forgot the flag |\n"
    assert check(checker, text) == []


def test_escaped_pipe_and_inline_code_in_a_cell(checker: LanguageChecker) -> None:
    text = "| A | B |\n|---|---|\n| `x \\| y` and \\| the SRE forgot it | z |\n"
    assert where(check(checker, text)) == [(3, 19, 33, "agent/oversight")]


def test_block_quote_is_reported_at_info(checker: LanguageChecker) -> None:
    text = "Chat log:\n\n> oncall: the engineer forgot to check\n> lead: who made the mistake?\n"
    found = check(checker, text)
    assert where(found) == [(3, 11, 30, "agent/oversight"), (4, 9, 29, "who/who-did-it")]
    assert {f.level for f in found} == {Level.INFO}


def test_nested_quote_and_lazy_continuation(checker: LanguageChecker) -> None:
    text = "> > nested: the engineer forgot it.\nWho made the mistake?\n"
    found = check(checker, text)
    assert where(found) == [(1, 13, 32, "agent/oversight"), (2, 1, 21, "who/who-did-it")]
    assert {f.level for f in found} == {Level.INFO}


def test_heading_and_admonition(checker: LanguageChecker) -> None:
    text = (
        '## Who made the mistake?\n\n!!! note "Who broke the build?"\n'
        "    The developer forgot to update it.\n"
    )
    assert where(check(checker, text)) == [
        (1, 4, 24, "who/who-did-it"),
        (3, 11, 20, "who/who-did-it"),
        (4, 5, 25, "agent/oversight"),
    ]


def test_code_comments_and_urls_are_not_prose(checker: LanguageChecker) -> None:
    text = "\n".join(
        [
            "Inline `the engineer forgot` code and ``a `nested` engineer forgot`` too.",
            "```bash",
            "# the engineer forgot",
            "```",
            "~~~",
            "human error",
            "~~~",
            "",
            "    indented code: the engineer forgot",
            "",
            "<!-- the engineer forgot, in a comment -->",
            "<!--",
            "multi-line: human error",
            "-->",
            "See https://wiki.example/human-error and <https://x.example/the-engineer-forgot>.",
            "A [runbook](https://wiki.example/the-engineer-forgot 'human error') link.",
            "[ref]: https://wiki.example/human-error",
            "Mail priya.raman@example.com about it.",
        ]
    )
    assert check(checker, text) == []


def test_link_text_is_prose(checker: LanguageChecker) -> None:
    found = check(checker, "See [human error](https://wiki.example/x) for details.")
    assert where(found) == [(1, 6, 17, "judgement/human-error")]


def test_tabs_and_unicode_count_as_one_character(checker: LanguageChecker) -> None:
    text = "Ünïcödé → the\tengineer\tforgot.\n"
    assert where(check(checker, text)) == [(1, 11, 30, "agent/oversight")]


def test_match_across_a_line_break_ends_at_the_end_of_its_first_line(
    checker: LanguageChecker,
) -> None:
    text = "A wrapped sentence: the developer\naccidentally deleted it.\n"
    found = check(checker, text)
    assert where(found) == [(1, 21, 34, "agent/accidental-action")]
    assert found[0].match == "the developer accidentally"


def test_windows_line_endings(checker: LanguageChecker) -> None:
    text = "Intro.\r\n\r\nThe developer forgot it.\r\n"
    assert where(check(checker, text)) == [(3, 1, 21, "agent/oversight")]


def test_who_was_involved_table_lists_people_by_design(checker: LanguageChecker) -> None:
    text = "\n".join(
        [
            "## Timeline",
            "",
            "| Time | Event |",
            "|---|---|",
            "| 14:02 | Priya paged the DBA |",
            "",
            "## Who Was Involved",
            "",
            "| Role | Person | Contribution |",
            "|---|---|---|",
            "| Incident Commander | Priya Raman | Priya ran the bridge |",
            "",
            "Priya wrote this section.",
        ]
    )
    found = check(checker, text)
    assert where(found) == [(5, 11, 16, "names/person-named"), (13, 1, 6, "names/person-named")]


def test_who_was_involved_rows_are_still_checked_for_blame(checker: LanguageChecker) -> None:
    text = (
        "## Who Was Involved\n\n| Role | Person |\n|---|---|\n"
        "| On-call | Priya Raman, who forgot the page |\n"
    )
    assert [f.rule for f in check(checker, text)] == ["agent/oversight"]


def test_systems_as_subjects_and_neutral_roles_pass(checker: LanguageChecker) -> None:
    text = "\n\n".join(
        [
            "The job failed to start. The check didn't catch it.",
            "The on-call engineer rolled back the deploy and killed the runaway query.",
            "We should add an alert. There was no review step for config changes.",
            "The fault-tolerant queue hit a fatal error; the invalid config was blocked.",
            "Just before 14:02 the default timeout fired and the faulty disk was replaced.",
            "Human error is never a root cause, and we do not assign blame.",
        ]
    )
    assert check(checker, text) == []
