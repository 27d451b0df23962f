"""The families of real writing from the blameless-language issue: caught, or left alone.

Invented sentences, one or two per family, written from the family's description; the real
corpus measures how far the rules carry (tests/language/test_real_corpus.py).
"""

from __future__ import annotations

import pytest
from tests.conftest import VALID_POSTMORTEM, Project, run_cli

from postmortems.findings import Level
from postmortems.language import LanguageChecker


def blame_rules(checker: LanguageChecker, text: str) -> list[str]:
    found = checker.check(text, "x.md").findings
    return [f.rule for f in found if f.level is not Level.INFO]


FLAG = [
    # open vocabulary, contractions
    "The engineer errantly ran the script against production.",
    "I ran the cleanup in error.",
    "We'd forgotten to renew the certificate.",
    "We botched the rollout of the new schema.",
    "I mixed up the staging and production hosts.",
    # passives, with and without an agent
    "The records were deleted in error.",
    "The deployment was performed incorrectly by the on-call engineer.",
    "An incorrect value was entered by the developer.",
    # mistaken beliefs, after a phrase
    "In our rush we assumed the key was rotated.",
    # haste and inattention
    "I wasn't paying attention to the target host.",
    "We were in a hurry to ship before the freeze.",
    # blame nouns and judgements in any shape
    "This was one of the most unfortunate mistakes we have made.",
    "It was a misconfiguration on my part.",
    "My mistake was not testing the restore.",
    "The error was mine.",
    "That was the wrong decision.",
    # people named in the narrative
    "Erik and Chris investigate the logs.",
    "Quillon's PR changed the default.",
    # counterfactuals with any verb
    "We should have expected the traffic spike.",
    "It would have been better to wait for Monday.",
    "It was a horrible warning that nobody heeded.",
    # misjudgement and beliefs in other wordings
    "We underestimated how much the launch would load the queue.",
    "We failed to foresee the spike from the newsletter.",
    "I was sure that the migration had finished.",
    "The on-call engineer was under the impression that the export was private.",
    # what was never done, and what was left exposed
    "I never verified the backup before the upgrade.",
    "The sysadmin left the export bucket open to the internet.",
    # judgement adjectives in another shape, and a who-question with a longer subject
    "That was short-sighted of us.",
    "It was a human-caused outage, not a hardware fault.",
    "I've broken the build more than once.",
    "Why did no one on call look at the graph?",
    # longer subjects
    "The volunteer who deployed it did not test it first.",
    "A member of the team ran the cleanup script on the production database by mistake.",
]

PASS = [
    # the person is the one acted upon
    "The user was mistakenly charged twice.",
    "Some users were erroneously logged out.",
    "An engineer was paged by mistake.",
    "I was accidentally locked out of the console.",
    # principles
    "We learn from our mistakes by writing these reports.",
    "It is easy to make a mistake with this CLI.",
    "The tool made human error easy.",
    # the sentence gives the system cause
    "The on-call engineer missed the alert because it was silenced by a maintenance window.",
    "We did not realise the impact until customers reported it.",
    # a counterfactual about tooling
    "We could have detected this sooner with end-to-end tests.",
    "The pages should have been sent to the secondary.",
    # products and authors are not people in the narrative
    "14:00 Travis starts failing on all builds.",
    "15:00 Binder recovers.",
    "Chris Holdgraf wrote this report.",
    "The job was left in error state after the retry.",
    # systems misjudge too; a belief or a delay whose cause the sentence gives
    "The autoscaler underestimated the load from the launch.",
    "The page was muted by the maintenance window, so nothing was done for an hour.",
    "The outage was avoidable only by a pre-flight check, which now runs on every deploy.",
    "The cache was certain to expire before the job ran.",
    "It would be unwise of the scheduler to retry forever.",
    "Nobody knows what would have happened if the key had leaked.",
]


@pytest.mark.parametrize("text", FLAG)
def test_family_is_flagged(checker: LanguageChecker, text: str) -> None:
    assert blame_rules(checker, text), text


@pytest.mark.parametrize("text", PASS)
def test_false_alarm_is_left_alone(checker: LanguageChecker, text: str) -> None:
    assert blame_rules(checker, text) == [], text


def test_new_families_are_found_in_front_matter_prose(project: Project) -> None:
    text = VALID_POSTMORTEM.replace(
        "title: Checkout errors after replica failover",
        "title: We'd forgotten the replica limit",
    ).replace(
        "  summary: The promoted replica kept the default limit of 100 connections.",
        "  summary: In our rush we assumed the replica had the same limit.",
    )
    project.incident("a.md", text)
    run = run_cli("check", "--format", "json", cwd=project.root)
    found = {
        (f["line"], f["column"], f["rule"], f["message"].split(":")[0])
        for f in run.json["findings"]
        if f["category"]
    }
    assert (3, 8, "agent/oversight", "title") in found, found
    assert (22, 24, "agent/mistaken-belief", "root_cause.summary") in found, found
