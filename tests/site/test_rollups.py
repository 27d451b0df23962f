"""Rollups over synthetic post-mortems: percentiles, periods, ordering, links both ways."""

from __future__ import annotations

import datetime as dt
import statistics
from pathlib import Path

import pytest
from tests.site.conftest import make_postmortem

from postmortems.site.rollups import build_rollups
from postmortems.site.stats import (
    format_duration,
    month_key,
    month_range,
    quantile,
    quarter_key,
)

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize("values", [[5.0], [1.0, 2.0], [3.0, 1.0, 2.0], [10, 20, 30, 40],
                                    [7, 1, 9, 3, 3, 100, 42, 8, 15, 2, 60]])
def test_quantile_matches_statistics_inclusive(values: list[float]) -> None:
    assert quantile(values, 0.5) == pytest.approx(statistics.median(values))
    if len(values) > 1:
        deciles = statistics.quantiles(values, n=10, method="inclusive")
        assert quantile(values, 0.9) == pytest.approx(deciles[8])
    assert quantile(values, 0) == min(values) and quantile(values, 1) == max(values)


def test_quantile_linear_interpolation_by_hand() -> None:
    # Positions (n - 1) * q: 0.9 * 3 = 2.7, 70% of the way from 30 to 40.
    assert quantile([40, 10, 30, 20], 0.9) == pytest.approx(37.0)
    assert quantile([40, 10, 30, 20], 0.5) == pytest.approx(25.0)
    with pytest.raises(ValueError):
        quantile([], 0.5)


@pytest.mark.parametrize(("day", "quarter"), [
    (dt.date(2026, 1, 1), "2026-Q1"), (dt.date(2026, 3, 31), "2026-Q1"),
    (dt.date(2026, 4, 1), "2026-Q2"), (dt.date(2026, 9, 30), "2026-Q3"),
    (dt.date(2026, 10, 1), "2026-Q4"), (dt.date(2025, 12, 31), "2025-Q4"),
])
def test_quarter_buckets(day: dt.date, quarter: str) -> None:
    assert quarter_key(day) == quarter


def test_month_range_crosses_years() -> None:
    assert list(month_range("2025-11", "2026-02")) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_key(dt.date(2026, 3, 9)) == "2026-03"


@pytest.mark.parametrize(("minutes", "text"), [
    (4, "4 min"), (59.6, "1 h"), (83, "1 h 23 min"), (24 * 60, "1 d"), (49 * 60 + 5, "2 d 1 h"),
])
def test_format_duration(minutes: float, text: str) -> None:
    assert format_duration(dt.timedelta(minutes=minutes)) == text
    assert format_duration(None) == ""


def test_counts_by_period_and_severity(tmp_path: Path) -> None:
    pms = [
        make_postmortem(tmp_path, "INC-2026-001", severity="SEV1",
                        started="2026-03-31T23:30:00-02:00",  # 2026-04-01 in UTC
                        detected="2026-04-01T01:40:00Z", contained="2026-04-01T02:00:00Z",
                        resolved="2026-04-01T03:00:00Z"),
        make_postmortem(tmp_path, "INC-2026-002", severity="SEV2",
                        started="2026-03-02T10:00:00Z", detected="2026-03-02T10:10:00Z",
                        contained="2026-03-02T10:30:00Z", resolved="2026-03-02T11:00:00Z"),
        make_postmortem(tmp_path, "INC-2025-003", severity="SEV2",
                        started="2025-12-30T10:00:00Z", detected="2025-12-30T10:05:00Z",
                        contained="2025-12-30T10:06:00Z", resolved="2025-12-30T11:00:00Z"),
        make_postmortem(tmp_path, "INC-2026-004", status="draft", severity="SEV1"),
    ]
    rollups = build_rollups(pms, TODAY)
    assert [i.id for i in rollups.incidents] == ["INC-2026-001", "INC-2026-002", "INC-2025-003"]
    assert rollups.severity_totals() == {"SEV1": 1, "SEV2": 2, "SEV3": 0, "SEV4": 0}
    quarters = {p.period: dict(p.counts) for p in rollups.by_quarter}
    assert quarters == {
        "2026-Q2": {"SEV1": 1, "SEV2": 0, "SEV3": 0, "SEV4": 0},
        "2026-Q1": {"SEV1": 0, "SEV2": 1, "SEV3": 0, "SEV4": 0},
        "2025-Q4": {"SEV1": 0, "SEV2": 1, "SEV3": 0, "SEV4": 0},
    }
    assert [p.period for p in rollups.by_month] == ["2026-04", "2026-03", "2025-12"]
    assert [p.period for p in rollups.by_year] == ["2026", "2025"]
    assert [g.name for g in rollups.years] == ["2026", "2025"]
    sev2 = rollups.durations["SEV2"]["time_to_resolve"]
    # Both SEV2 incidents resolve in 1 h; they are detected after 10 and 5 minutes.
    assert sev2.count == 2 and sev2.median == dt.timedelta(hours=1)
    ttd = rollups.durations["SEV2"]["time_to_detect"]
    assert ttd.median == dt.timedelta(minutes=7.5)
    assert ttd.p90 == dt.timedelta(minutes=5 + 0.9 * 5)
    assert rollups.durations["SEV4"]["time_to_resolve"].count == 0


def _item(action: str, owner: str, due: str, status: str) -> dict[str, str]:
    return {"action": action, "owner": owner, "due": due, "status": status, "kind": "prevent",
            "ticket": "https://tracker.example/T-1"}


def test_action_items_overdue_then_open_then_closed(tmp_path: Path) -> None:
    pm = make_postmortem(tmp_path, "INC-2026-001", action_items=[
        _item("Closed early item", "b-team", "2026-01-01", "done"),
        _item("Open later item", "a-team", "2027-01-01", "open"),
        _item("Overdue old item", "b-team", "2026-01-15", "in-progress"),
        _item("Closed late item", "a-team", "2026-06-01", "wont-do"),
        _item("Overdue recent item", "a-team", "2026-11-25", "open"),
        _item("Due today is not overdue", "a-team", "2026-11-26", "open"),
    ])
    rollups = build_rollups([pm], TODAY)
    assert [a.action for a in rollups.action_items] == [
        "Overdue old item", "Overdue recent item", "Due today is not overdue",
        "Open later item", "Closed late item", "Closed early item",
    ]
    assert [a.state for a in rollups.action_items] == [
        "overdue", "overdue", "open", "open", "wont-do", "done"]
    assert rollups.action_counts() == {"overdue": 2, "open": 2, "done": 1, "wont-do": 1}
    # Owners with the most overdue items first, then the most open ones.
    assert [(g.owner, g.counts["overdue"]) for g in rollups.owners] == [
        ("a-team", 1), ("b-team", 1)]
    assert rollups.summary()["action_items"] == {
        "total": 6, "open": 4, "overdue": 2, "done": 1, "wont_do": 1}
    # The date decides: a year earlier, nothing was overdue.
    earlier = build_rollups([pm], dt.date(2025, 11, 26))
    assert earlier.action_counts()["overdue"] == 0


def test_related_incidents_both_ways(tmp_path: Path) -> None:
    pms = [
        make_postmortem(tmp_path, "INC-2026-001", related=["INC-2026-002", "INC-2026-003"]),
        make_postmortem(tmp_path, "INC-2026-002", started="2026-03-15T09:00:00Z",
                        related=["INC-2026-001"]),
        make_postmortem(tmp_path, "INC-2026-003", status="draft",
                        related=["INC-2026-001"]),
    ]
    rollups = build_rollups(pms, TODAY)
    assert rollups.referenced_by == {"INC-2026-002": ["INC-2026-001"],
                                     "INC-2026-001": ["INC-2026-002"]}
    assert "INC-2026-003" not in rollups.by_id  # a draft is not published


def test_groups_by_service_category_and_tag(tmp_path: Path) -> None:
    pms = [
        make_postmortem(tmp_path, "INC-2026-001", services=["search", "catalog"], tags=["tls"]),
        make_postmortem(tmp_path, "INC-2026-002", services=["catalog"], tags=["tls", "dns"],
                        root_cause={"category": "capacity", "summary": "Disk filled up fast."}),
        make_postmortem(tmp_path, "INC-2026-003", services=["catalog"],
                        root_cause={"category": "capacity", "summary": "Disk filled up again."}),
    ]
    rollups = build_rollups(pms, TODAY)
    assert [(g.name, g.count) for g in rollups.services] == [("catalog", 3), ("search", 1)]
    assert [(g.name, g.count) for g in rollups.categories] == [
        ("capacity", 2), ("config-change", 1)]
    assert [(g.name, g.count) for g in rollups.tags] == [("dns", 1), ("tls", 2)]
