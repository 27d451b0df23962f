"""The learning figures against values worked out by hand on a four-incident fixture."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from tests.site.conftest import make_postmortem

from postmortems.model import Postmortem
from postmortems.recurrence import build_index
from postmortems.site import report
from postmortems.site.learning import Learning, build_learning, learning_from
from postmortems.site.rollups import Rollups, build_rollups

TODAY = dt.date(2026, 11, 26)
CERT_C = "The TLS certificate of the search API expired because its renewal job was disabled."
CERT_D = "The wildcard TLS certificate expired: the renewal job for it had been disabled."


def _item(owner: str, due: str, status: str, closed: str | None = None) -> dict[str, str]:
    item = {"action": f"An action for {owner} due {due}", "owner": owner, "due": due,
            "status": status, "kind": "prevent"}
    if closed:
        item["closed"] = closed
    return item


def _times(day: str, detect: int, resolve: int) -> dict[str, str]:
    start = dt.datetime.fromisoformat(f"{day}T09:00:00+00:00")

    def at(minutes: int) -> str:
        return (start + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")

    return {"started": at(0), "detected": at(detect), "contained": at(detect),
            "resolved": at(resolve)}


@pytest.fixture
def fixture(tmp_path: Path) -> tuple[list[Postmortem], Rollups]:
    pms = [
        make_postmortem(
            tmp_path, "INC-2026-001", services=["checkout"], **_times("2026-01-10", 10, 60),
            root_cause={"category": "config-change",
                        "summary": "A pool size was copied from staging into production."},
            action_items=[_item("a-team", "2026-02-01", "done", "2026-01-30"),
                          _item("a-team", "2026-02-01", "done", "2026-02-11"),
                          _item("b-team", "2026-03-01", "wont-do")]),
        make_postmortem(
            tmp_path, "INC-2026-002", services=["checkout"], **_times("2026-02-20", 30, 180),
            related=["INC-2026-001"],
            root_cause={"category": "config-change",
                        "summary": "A feature flag default flipped during a deploy."},
            action_items=[_item("b-team", "2026-11-16", "open"),
                          _item("a-team", "2026-10-27", "in-progress"),
                          _item("b-team", "2026-05-01", "done")]),
        make_postmortem(
            tmp_path, "INC-2026-003", services=["search"], **_times("2026-05-05", 20, 120),
            root_cause={"category": "capacity", "summary": CERT_C},
            action_items=[_item("a-team", "2026-06-01", "done", "2026-06-05"),
                          _item("b-team", "2027-01-01", "open")]),
        make_postmortem(
            tmp_path, "INC-2026-004", services=["search", "checkout"],
            **_times("2026-05-20", 40, 300),
            root_cause={"category": "capacity", "summary": CERT_D}),
    ]
    return pms, build_rollups(pms, TODAY)


@pytest.fixture
def learning(fixture: tuple[list[Postmortem], Rollups]) -> Learning:
    pms, rollups = fixture
    return learning_from(pms, rollups)


def test_recurrence_share(learning: Learning) -> None:
    by_id = {r.incident.id: r for r in learning.recurrences}
    # 002 lists 001 (earlier); 004 is very similar to 003 (earlier); 001 and 003 have none.
    assert by_id["INC-2026-002"].related_earlier == ("INC-2026-001",)
    assert [m.id for m in by_id["INC-2026-004"].similar_earlier] == ["INC-2026-003"]
    assert not by_id["INC-2026-001"].recurs and not by_id["INC-2026-003"].recurs
    # Being linked by a later incident does not make the earlier one a recurrence.
    assert by_id["INC-2026-001"].related_earlier == ()
    assert learning.recurrence_share == 2 / 4


def test_recurrence_without_index_counts_related_only(
        fixture: tuple[list[Postmortem], Rollups]) -> None:
    assert build_learning(fixture[1], None).recurrence_share == 1 / 4


def test_repeated_causes_per_service(learning: Learning) -> None:
    assert [(c.service, c.category, c.incidents) for c in learning.repeated_causes] == [
        ("checkout", "config-change", ("INC-2026-001", "INC-2026-002")),
        ("search", "capacity", ("INC-2026-003", "INC-2026-004")),
    ]


def _counts(f: Any) -> tuple[int, ...]:
    return (f.on_time, f.late, f.done_undated, f.overdue, f.open, f.wont_do)


def test_follow_through_overall_and_by_owner(learning: Learning) -> None:
    overall = learning.overall
    assert _counts(overall) == (1, 2, 1, 2, 1, 1) and overall.total == 8
    assert overall.median_days_overdue == 20  # overdue 10 and 30 days
    assert overall.median_days_late == 7  # late 10 and 4 days
    assert overall.on_time_share == pytest.approx(1 / 3)
    owners = {f.name: f for f in learning.by_owner}
    assert _counts(owners["a-team"]) == (1, 2, 0, 1, 0, 0)
    assert owners["a-team"].median_days_overdue == 30
    assert _counts(owners["b-team"]) == (0, 0, 1, 1, 1, 1)
    assert owners["b-team"].median_days_overdue == 10
    assert owners["b-team"].median_days_late is None


def test_follow_through_by_quarter_due(learning: Learning) -> None:
    quarters = {f.name: f for f in learning.by_quarter}
    assert list(quarters) == ["2026-Q1", "2026-Q2", "2026-Q4", "2027-Q1"]
    assert _counts(quarters["2026-Q1"]) == (1, 1, 0, 0, 0, 1)
    assert _counts(quarters["2026-Q2"]) == (0, 1, 1, 0, 0, 0)
    assert quarters["2026-Q2"].median_days_late == 4
    assert _counts(quarters["2026-Q4"]) == (0, 0, 0, 2, 0, 0)
    assert quarters["2026-Q4"].median_days_overdue == 20
    assert _counts(quarters["2027-Q1"]) == (0, 0, 0, 0, 1, 0)


def test_trend_by_quarter(learning: Learning) -> None:
    minutes = [(t.quarter, t.incidents, t.median_detect / dt.timedelta(minutes=1),
                t.median_resolve / dt.timedelta(minutes=1)) for t in learning.trend]
    assert minutes == [("2026-Q1", 2, 20, 120), ("2026-Q2", 2, 30, 210)]


def test_pages_list_similar_above_the_floor(learning: Learning) -> None:
    assert [m.id for m in learning.similar["INC-2026-003"]] == ["INC-2026-004"]
    assert all(m.score >= 0.10 for ms in learning.similar.values() for m in ms)


def test_json_carries_every_figure(fixture: tuple[list[Postmortem], Rollups],
                                   learning: Learning) -> None:
    data = json.loads(report.as_json(fixture[1], learning))
    assert data["recurrence"]["share"] == 0.5
    assert data["follow_through"]["overall"]["median_days_overdue"] == 20
    assert data["follow_through"]["overall"]["done_late"] == 2
    assert data["trend_by_quarter"][1]["median_time_to_resolve_minutes"] == 210
    assert data["repeated_causes"][1]["service"] == "search"
    assert data["summary"]["action_items"]["overdue"] == 2
    assert data["durations"]["SEV3"]["time_to_resolve"]["count"] == 4


def test_text_markdown_and_csv_tables(fixture: tuple[list[Postmortem], Rollups],
                                      learning: Learning) -> None:
    tables = report.tables(fixture[1], learning)
    text = report.as_text(tables)
    assert "share                                            50%" in text
    markdown = report.as_markdown(tables)
    assert "| search | capacity | 2 | INC-2026-003, INC-2026-004 |" in markdown
    rows = report.as_csv(tables).splitlines()
    assert "follow-through-quarter,2026-Q4,2,0,0,0,2,0,0,—,20.0," in rows


def test_index_uses_the_parsed_body(fixture: tuple[list[Postmortem], Rollups]) -> None:
    index = build_index(fixture[0])
    assert len(index) == 4
    assert index.very_similar("INC-2026-004")[0].id == "INC-2026-003"
