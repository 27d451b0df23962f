"""The post-mortem format for real incidents: a deliberate severity, several root causes,
action items still to be agreed under review, date-only and approximate timeline times,
and a title that agrees with the heading."""

from __future__ import annotations

import datetime as dt

from tests.conftest import VALID_POSTMORTEM, Project, run_cli

from postmortems.model import Postmortem, RootCause, root_causes
from postmortems.site.rollups import build_rollups
from postmortems.source import read_source

ROOT_CAUSE = """root_cause:
  category: config-change
  summary: The promoted replica kept the default limit of 100 connections.
"""
TWO_CAUSES = """root_cause:
  - category: config-change
    summary: The promoted replica kept the default limit of 100 connections.
  - category: monitoring-gap
    summary: No alert watched replica connection saturation before a failover.
"""
ACTIONS = VALID_POSTMORTEM[
    VALID_POSTMORTEM.index("action_items:"): VALID_POSTMORTEM.index("related:")
]


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def findings(project: Project, text: str) -> list[dict]:
    project.incident("2026/a.md", text)
    run = run_cli("check", "--format", "json", cwd=project.root)
    return run.json["findings"]


def test_severity_reason_turns_a_mismatch_into_a_note_quoting_it(project: Project) -> None:
    raised = VALID_POSTMORTEM.replace("severity: SEV2", "severity: SEV1")
    [error] = findings(project, raised)
    assert (error["rule"], error["level"]) == ("severity-mismatch", "error")
    assert "severity_reason" in error["hint"]
    reason = "Raised because the failover hit the evening peak of the year."
    with_reason = raised.replace("severity: SEV1", f"severity: SEV1\nseverity_reason: {reason}")
    [note] = findings(project, with_reason)
    assert (note["rule"], note["level"], note["line"]) == ("severity-mismatch", "info", 5)
    assert reason in note["message"] and "SEV2" in note["message"]


def test_root_cause_may_be_one_mapping_or_a_list(project: Project) -> None:
    assert findings(project, VALID_POSTMORTEM.replace(ROOT_CAUSE, TWO_CAUSES)) == []
    broken = TWO_CAUSES.replace("  - category: monitoring-gap\n", "  - category: monitoring\n")
    [bad] = findings(project, VALID_POSTMORTEM.replace(ROOT_CAUSE, broken))
    assert bad["rule"] == "invalid-value" and bad["message"].startswith("root_cause[1].category")
    missing = TWO_CAUSES.replace(
        "    summary: No alert watched replica connection saturation before a failover.\n", "")
    [req] = findings(project, VALID_POSTMORTEM.replace(ROOT_CAUSE, missing))
    assert req["rule"] == "required-field" and "summary" in req["message"]
    empty = VALID_POSTMORTEM.replace(ROOT_CAUSE, "root_cause: []\n")
    assert [f["rule"] for f in findings(project, empty)] == ["invalid-value"]


def test_one_accessor_reads_both_shapes() -> None:
    one = {"root_cause": {"category": "capacity", "summary": "s"}}
    many = {"root_cause": [{"category": "capacity", "summary": "s"}, {"category": "x"}, "junk"]}
    assert root_causes(one) == [RootCause("capacity", "s")]
    assert root_causes(many) == [RootCause("capacity", "s"), RootCause("x", "")]
    assert root_causes({}) == [] and root_causes({"root_cause": "text"}) == []


def test_rollups_put_an_incident_in_each_of_its_categories(project: Project) -> None:
    path = project.incident("2026/a.md", VALID_POSTMORTEM.replace(ROOT_CAUSE, TWO_CAUSES))
    pm = Postmortem(read_source(path, project.root))
    rollups = build_rollups([pm], dt.date(2026, 11, 26))
    [incident] = rollups.incidents
    assert incident.categories == ("config-change", "monitoring-gap")
    assert incident.category == "config-change"
    counts = {g.name: g.count for g in rollups.categories}
    assert counts == {"config-change": 1, "monitoring-gap": 1}
    assert incident.cause_summary("monitoring-gap").startswith("No alert watched")
    assert "No alert watched" in incident.root_cause and "default limit" in incident.root_cause


def test_action_items_to_be_agreed_only_under_review(project: Project) -> None:
    review = VALID_POSTMORTEM.replace("status: final", "status: review").replace(
        ACTIONS, "action_items: to-be-agreed\n")
    assert findings(project, review) == []
    [final] = findings(project, review.replace("status: review", "status: final"))
    assert final["rule"] == "wrong-type" and final["message"].startswith("action_items:")
    assert "only while status is review" in final["hint"]
    [other] = findings(project, review.replace("to-be-agreed", "later"))
    assert other["rule"] == "invalid-value" and "to-be-agreed" in other["message"]


TIMELINE = """| 09:02 | Replica promoted after primary host failure | failover log |
| 09:12 | Checkout error-rate alert fired | alert ACK-1 |
| 09:30 | Connection limit raised to 500 | change CHG-7 |
"""


def timeline(rows: str) -> str:
    return VALID_POSTMORTEM.replace(TIMELINE, rows)


def test_date_only_and_approximate_times_are_read_and_ordered(project: Project) -> None:
    rows = ("| 2026-03-13 | Replica provisioned with defaults | ticket |\n"
            "| ~09:02 | Replica promoted | failover log |\n"
            "| about 09:12 | Alert fired | alert ACK-1 |\n"
            "| approx. 09:30 | Limit raised | change CHG-7 |\n"
            "| 2026-03-14 | Review meeting booked | calendar |\n"
            "| 2026-03-15 09:00 | Follow-up | notes |\n")
    assert findings(project, timeline(rows)) == []
    late = rows.replace("| ~09:02 |", "| ~09:40 |")
    text = timeline(late)
    assert [(f["rule"], f["line"]) for f in findings(project, text)] == [
        ("timeline-order", line_of(text, "| about 09:12")),
        ("timeline-order", line_of(text, "| approx. 09:30")),
    ]
    back = rows + "| 2026-03-14 | Earlier day written last | x |\n"
    assert [f["rule"] for f in findings(project, timeline(back))] == ["timeline-order"]
    for unreadable in ("after lunch", "09:75", "2026-02-30"):
        unread = rows.replace("| about 09:12 |", f"| {unreadable} |")
        [warning] = findings(project, timeline(unread))
        assert (warning["rule"], warning["level"]) == ("timeline-time", "warning"), unreadable


def test_a_placeholder_cell_is_a_placeholder_only(project: Project) -> None:
    draft = timeline(TIMELINE.replace("| 09:12 |", "| HH:MM |"))
    draft = draft.replace("status: final", "status: draft")
    found = [(f["rule"], f["level"]) for f in findings(project, draft)]
    assert found == [("placeholder", "warning")]


def test_title_mismatch_names_both_texts(project: Project) -> None:
    other = VALID_POSTMORTEM.replace("# Checkout errors after replica failover",
                                     "# Checkout errors after the failover")
    [finding] = findings(project, other)
    expected = ("title-mismatch", "warning", line_of(other, "# "))
    assert (finding["rule"], finding["level"], finding["line"]) == expected
    assert "Checkout errors after the failover" in finding["message"]
    assert "Checkout errors after replica failover" in finding["message"]
    decorated = VALID_POSTMORTEM.replace("# Checkout errors after replica failover",
                                         "# Checkout errors after *replica*  failover")
    assert findings(project, decorated) == []
