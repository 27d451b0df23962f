"""Detection families for real writing, on invented sentences: one flag and one pass each."""

from __future__ import annotations

import pytest

from postmortems.findings import Level
from postmortems.language import LanguageChecker
from postmortems.language.rules import inflect


def rules_of(checker: LanguageChecker, text: str, names: tuple[str, ...] = ()) -> list[str]:
    found = checker.check(text, "x.md", known_names=names).findings
    return [f.rule for f in found if f.level is not Level.INFO]


FLAG = [
    # open vocabulary and inflection of slips
    ("The operator misremembered the flag and reset the whole pool.", "agent/oversight"),
    ("She overlooks the second warning every time.", "agent/oversight"),
    ("We misinterpreted the retention setting.", "agent/oversight"),
    ("The deployer skipped the canary stage.", "agent/oversight"),
    # agentless accidents
    ("Every bucket in the account was mistakenly emptied.", "agent/accidental-passive"),
    ("The firewall rule was changed by accident during the cleanup.", "agent/accidental-passive"),
    # inaction
    ("Nothing was done for three hours after the ticket arrived.", "agent/inaction"),
    # mistaken beliefs
    ("The engineer believed that the snapshot covered every volume.", "agent/mistaken-belief"),
    ("The tool was rerun under the false impression that it was idempotent.",
     "agent/mistaken-belief"),
    # posted it before checking; wiped everything
    ("He pushed the tag before checking the release notes.", "agent/bad-action"),
    ("Then we dropped all the tables in the reporting schema.", "agent/bad-action"),
    # counterfactuals with any verb
    ("The credentials should have been revoked the same day.", "counterfactual/should-have-done"),
    ("The old bucket shouldn't have been deleted.", "counterfactual/should-have-done"),
    ("If we had pinned the version, this would not have happened.",
     "counterfactual/would-not-have-happened"),
    ("Why didn't we wait for the replica to catch up?", "counterfactual/self-question"),
    ("The reviewer could easily have spotted the port change.", "counterfactual/should-have"),
    ("The outages were avoidable.", "counterfactual/hindsight"),
    # blame nouns and judgements in any shape
    ("That was their mistake, not the tool's.", "judgement/owned-mistake"),
    ("Poor judgement on the night led to the restart.", "judgement/owned-mistake"),
    ("Honestly, I'm lazy about reading changelogs.", "judgement/careless"),
    ("Corners were cut during the migration.", "judgement/careless"),
    ("The root cause was user error on the admin page.", "judgement/human-error"),
    # who-questions without a verb
    ("Who is to answer for it? The operators on the late shift?", "who/which-people"),
    # names found in the text itself
    ("Sofia notices the queue growing and restarts the worker.", "names/first-name"),
    ("The hotfix was merged by Marco.", "names/first-name"),
    ("@quill-ops rolled the release back at 10:12.", "names/handle"),
    ("10:14 User:Quillon reverts the template edit.", "names/handle"),
    ("09:58 Kestrel42 begins draining the node.", "names/timeline-actor"),
    ("Quillon mentions that the disk is almost full.", "names/timeline-actor"),
]

PASS = [
    "The employee was accidentally scheduled for removal by the offboarding job.",
    "A good culture is one where you can make mistakes.",
    "No alert was configured, so nobody noticed the queue growing.",
    "With monitoring of the config, it could have been caught.",
    "The alert should have been sent at 09:00, but the threshold was wrong.",
    "We initially thought the errors came from the load balancer.",
    "Thanks to Sofia and @quill-ops for the graphs.",
    "09:58 Incident declared and the bridge opened.",
    "09:59 Grafana reports errors on the checkout dashboard.",
    "Write to ops@example.com for access to the dashboards.",
    "The Marco service restarts every night.",
    "If the alert had fired, the outage would have been shorter.",
    "We deleted all stale lock files and the scheduler recovered.",
    "Why did we see errors only in one region? The cache was cold there.",
    "People make mistakes; the pipeline should catch them.",
    "The team at the data centre replaced the disk.",
]


@pytest.mark.parametrize(("text", "rule"), FLAG, ids=[r for _, r in FLAG])
def test_family_flags(checker: LanguageChecker, text: str, rule: str) -> None:
    assert rule in rules_of(checker, text), text


@pytest.mark.parametrize("text", PASS)
def test_family_passes(checker: LanguageChecker, text: str) -> None:
    assert rules_of(checker, text) == [], text


def test_inflect_makes_regular_and_irregular_forms() -> None:
    irregular = {"forget": ["forgot", "forgotten"]}
    assert inflect("skip", {}) == {
        "base": {"skip"}, "s": {"skips"}, "past": {"skiped", "skipped"},
        "ing": {"skiping", "skipping"},
    }
    assert inflect("forget", irregular)["past"] == {"forgot", "forgotten"}
    assert inflect("retry", {})["s"] == {"retries"}
    assert inflect("ignore", {})["ing"] == {"ignoring"}
    assert inflect("pay attention", {"pay": ["paid"]})["past"] == {"paid attention"}


def test_suggestions_rewrite_the_sentence_or_are_left_out(checker: LanguageChecker) -> None:
    [f] = checker.check("At 09:40 an engineer inadvertently purged the cache.", "x.md").findings
    assert f.suggestions == ("At 09:40 an engineer purged the cache.",)
    [f] = checker.check("The old bucket should not have been deleted.", "x.md").findings
    assert f.suggestions == ("The old bucket was deleted.",)
    found = checker.check("Sofia restarts the worker.", "x.md").findings
    assert [f.suggestions for f in found] == [("The responder restarts the worker.",)]
    [f] = checker.check("Who on earth deploys on a Friday?", "x.md").findings
    assert f.suggestions == ()


def test_suggestions_keep_what_the_sentence_holds_as_written(checker: LanguageChecker) -> None:
    # The prose the rules read leaves inline code out; the suggestion is the sentence as the
    # author wrote it, code, links and emphasis kept, over line breaks and in quotes and lists.
    cases = {
        "`db-01` was deleted by mistake.": "`db-01` was deleted.",
        "We erroneously deleted the data on\n`db-01` today.":
            "We deleted the data on `db-01` today.",
        "Intro. We erroneously deleted\nthe [replica](https://example.com/r) with *care*.":
            "We deleted the [replica](https://example.com/r) with *care*.",
        "> We erroneously deleted `orders` on\n> the replica.":
            "We deleted `orders` on the replica.",
        "- Step 2: we erroneously ran `make clean` in production.":
            "Step 2: we ran `make clean` in production.",
        "| Cause |\n|---|\n| We erroneously deleted `x`. |\n": "We deleted `x`.",
    }
    for text, suggestion in cases.items():
        [f] = [f for f in checker.check(text, "x.md").findings if f.suggestions]
        assert f.suggestions == (suggestion,), text


def test_suggestions_never_break_the_markup_or_drop_part_of_the_sentence(
    checker: LanguageChecker,
) -> None:
    # A suggestion is the written sentence copied exactly, or none: markup touching or inside
    # the match, incomplete markup, HTML, escapes, images and footnotes give none.
    cases = {
        "We accidentally deleted `db-01`": ("We deleted `db-01`",),
        "| We accidentally deleted `a` | `b` |\n|---|---|\n| x | y |\n": ("We deleted `a`",),
        "| a \\| b | We accidentally deleted `x` |\n|---|---|\n| 1 | 2 |\n": ("We deleted `x`",),
        "We accidentally deleted <!-- ask legal --> the data.": ("We deleted the data.",),
        "We erroneously ran `cd / ;  rm -rf *` on the host.":
            ("We ran `cd / ;  rm -rf *` on the host.",),
        "We accidentally\ndeleted the db.": ("We deleted the db.",),
        "The `db` was deleted by\nmistake, see `x`.": ("The `db` was deleted, see `x`.",),
        "See https://example.com/a. We accidentally deleted it.": ("We deleted it.",),
        "We accidentally deleted the db. `x` broke.": ("We deleted the db.",),
        "db_primary was deleted by mistake.": ("db_primary was deleted.",),
        "We accidentally deleted the db (the primary) today.":
            ("We deleted the db (the primary) today.",),
        "We accidentally deleted the *primary* db.": ("We deleted the *primary* db.",),
        "We **erroneously** deleted the data.": (),
        "We *accidentally deleted* the data.": (),
        "Data was deleted [by mistake](https://example.com/x).": (),
        "The root cause was *human error*.": (),
        "**Done. We accidentally deleted the db.**": (),
        "We accidentally deleted `foo\nbar` today.": (),
        "We accidentally deleted the db (oops.": (),
        "We accidentally deleted [db][ref]": (),
        "We accidentally deleted [db](https://example.com/a_(b))": (),
        "We accidentally deleted the db.[^1]": (),
        "We accidentally deleted the ![db](img.png) today.": (),
        "[`db-01`](https://example.com) was accidentally deleted.": (),
        "\\*db\\* was accidentally deleted.": (),
        "<https://example.com> was accidentally deleted.": (),
        "<b>db</b> was accidentally deleted.": (),
    }
    for text, expected in cases.items():
        found = [f for f in checker.check(text, "x.md").findings
                 if f.category in ("agent", "judgement")]
        assert [f.suggestions for f in found] == [expected], text
    [f] = checker.check_fields(
        [("summary", "We accidentally deleted the data on `db-01` today.", 5, 12)], "x.md"
    ).findings
    assert f.suggestions == ("We deleted the data on `db-01` today.",)
    # A handle opening the sentence gives way to a role that opens it with a capital.
    found = checker.check("@tackley restarted the pods ~13 times.", "x.md").findings
    assert [f.suggestions for f in found] == [("A maintainer restarted the pods ~13 times.",)]


def test_check_fields_points_into_the_values(checker: LanguageChecker) -> None:
    fields = [
        ("summary", "The failover ran at 09:40.", 4, 10),
        ("impact", "An operator accidentally purged the cache.", 5, 9),
        ("action_items[0].title", "Remind everyone to double-check the target.", 12, 14),
        ("lessons", "The first line is fine.\nThe root cause was human error.", 20, 5),
    ]
    result = checker.check_fields(fields, "incidents/x.md")
    got = [(f.line, f.column, f.end_column, f.rule) for f in result.findings]
    assert got == [
        (5, 9, 9 + len("An operator accidentally"), "agent/accidental-action"),
        (12, 14, 14 + len("Remind everyone"), "action/remind-or-retrain"),
        (21, 5 + 19, 5 + 19 + len("human error"), "judgement/human-error"),
    ]
    assert all(f.path == "incidents/x.md" for f in result.findings)
    named = checker.check_fields([("owner", "Ask Priya", 3, 8)], "x.md", known_names=["Priya"])
    assert [(f.line, f.column, f.rule) for f in named.findings] == [
        (3, 12, "names/person-named")
    ]


def test_check_fields_matches_each_value_on_its_own(checker: LanguageChecker) -> None:
    # The values are matched together, but no sentence runs from one into the next.
    split = [
        ("title", "The engineer", 2, 8),
        ("summary", "forgot to renew the certificate.", 3, 10),
    ]
    assert checker.check_fields(split, "x.md").findings == []
    joined = [("summary", "The engineer forgot to renew the certificate.", 3, 10)]
    assert [f.rule for f in checker.check_fields(joined, "x.md").findings] == ["agent/oversight"]
    each = [
        ("title", "Human error took the site down", 2, 8),
        ("summary", "", 3, 10),
        ("root_cause.summary", "`human error` in a code span. Dana broke it.", 4, 21),
        ("action_items[0].action", "Retrain the on-call engineer", 9, 15),
    ]
    together = checker.check_fields(each, "x.md", known_names=["Dana"]).findings
    alone = sorted(
        (f for field in each
         for f in checker.check_fields([field], "x.md", known_names=["Dana"]).findings),
        key=lambda f: f.sort_key(),
    )
    assert together == alone
    assert {f.message.split(":")[0] for f in together} == {
        "title", "root_cause.summary", "action_items[0].action"
    }

    # A rule for an item's opening words applies at the start of every value, not only the
    # first one.
    later = [
        ("summary", "The cache expired.", 2, 10),
        ("action_items[0].action", "Remember to drain the node first.", 4, 12),
    ]
    assert [(f.line, f.column, f.rule) for f in checker.check_fields(later, "x.md").findings] == [
        (4, 12, "action/rely-on-memory")
    ]
    # A suppression comment in a value applies to that value; one without a reason is an
    # error there and suppresses nothing.
    quoted = [
        ("summary", "The engineer broke prod <!-- blameless-ignore all: quoted -->", 3, 10),
        ("impact", "The engineer broke prod.", 5, 9),
        ("lessons", "The engineer broke prod. <!-- blameless-ignore all -->", 7, 5),
    ]
    result = checker.check_fields(quoted, "x.md")
    assert [(x.line, x.reason) for x in result.suppressions] == [(3, "quoted")]
    got = {(f.line, f.rule) for f in result.findings}
    assert got == {
        (5, "agent/caused-failure"),
        (7, "agent/caused-failure"),
        (7, "blameless/suppression-without-reason"),
    }


def test_an_items_opening_words_are_read_in_every_item(checker: LanguageChecker) -> None:
    text = "## Action items\n\n- Add an alert on lag.\n- Remember to drain the node first.\n"
    assert [(f.line, f.rule) for f in checker.check(text, "x.md").findings] == [
        (4, "action/rely-on-memory")
    ]
