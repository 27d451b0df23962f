"""SVG charts: well-formed XML, escaped labels, bars matching the data."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.site.conftest import make_postmortem

from postmortems.site.charts import (
    COLORS,
    Range,
    Series,
    action_items_by_due,
    draw_charts,
    incidents_per_month,
    nice_step,
    range_bars,
    stacked_bars,
    time_to_resolve,
)
from postmortems.site.rollups import build_rollups

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    return root


def test_stacked_bars_escape_every_label() -> None:
    svg = stacked_bars(EVIL, EVIL, [(EVIL, EVIL, EVIL)], [Series(EVIL, COLORS["SEV1"], [3])])
    root = _parse(svg)
    assert "<script" not in svg and "<img" not in svg
    assert root.findtext(f"{SVG}title") == EVIL
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts.count(EVIL) >= 3  # legend and both axis lines
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert f"{EVIL}: {EVIL} 3" in tooltips


def test_range_bars_escape_and_mark_missing_data() -> None:
    svg = range_bars(EVIL, EVIL, [Range(EVIL, COLORS["SEV2"], 1.0, 2.0, EVIL),
                                  Range("SEV4", COLORS["SEV4"], None, None, "no data")])
    root = _parse(svg)
    assert "<script" not in svg
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert EVIL in texts and "no data" in texts


@pytest.mark.parametrize(("maximum", "step"), [(0, 1), (1, 1), (4, 1), (7, 2), (12, 5),
                                                (30, 10), (230, 50)])
def test_nice_step(maximum: float, step: float) -> None:
    assert nice_step(maximum) == step


def test_incidents_per_month_heights_follow_counts(tmp_path: Path) -> None:
    pms = [
        make_postmortem(tmp_path, "INC-2026-001", severity="SEV1"),
        make_postmortem(tmp_path, "INC-2026-002", severity="SEV2"),
        make_postmortem(tmp_path, "INC-2026-003", severity="SEV2",
                        started="2026-01-05T10:00:00Z", detected="2026-01-05T10:01:00Z",
                        contained="2026-01-05T10:02:00Z", resolved="2026-01-05T10:03:00Z"),
    ]
    rollups = build_rollups(pms, dt.date(2026, 11, 26))
    root = _parse(incidents_per_month(rollups, months=12))
    bars = [(r.findtext(f"{SVG}title"), float(r.get("height"))) for r in root.iter(f"{SVG}rect")
            if r.find(f"{SVG}title") is not None]
    assert sorted(t for t, _ in bars) == ["Jan 2026: SEV2 1", "Mar 2026: SEV1 1",
                                          "Mar 2026: SEV2 1"]
    heights = {h for _, h in bars}
    assert len(heights) == 1  # one incident each: the same height
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "Dec" in labels and "Nov" in labels  # twelve months up to November 2026


def test_action_chart_switches_to_quarters_for_long_spans(tmp_path: Path) -> None:
    item = {"action": "Do the thing properly", "owner": "a-team", "status": "open"}
    pm = make_postmortem(tmp_path, "INC-2026-001", action_items=[
        {**item, "due": "2024-01-10"}, {**item, "due": "2026-12-01", "status": "done"}])
    rollups = build_rollups([pm], dt.date(2026, 11, 26))
    monthly = _parse(action_items_by_due(rollups, buckets=36))
    quarterly = _parse(action_items_by_due(rollups, buckets=12))
    assert "Jan 2024: Overdue 1" in [t.text for t in monthly.iter(f"{SVG}title")]
    quarter_titles = [t.text for t in quarterly.iter(f"{SVG}title")]
    assert "Q1 2024: Overdue 1" in quarter_titles
    assert "Q4 2026: Done or won't do 1" in quarter_titles


def test_charts_of_an_empty_collection_are_valid() -> None:
    rollups = build_rollups([], dt.date(2026, 11, 26))
    charts = draw_charts(rollups)
    assert set(charts) == {"incidents-per-month", "time-to-resolve", "action-items"}
    for svg in charts.values():
        _parse(svg)
    assert "no data" in time_to_resolve(rollups)
