"""The time-to-resolve chart stays readable when one incident took days."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

from tests.site.conftest import make_postmortem

from postmortems.site.charts import COLORS, Range, log_position, range_bars, time_to_resolve
from postmortems.site.rollups import build_rollups

TODAY = dt.date(2026, 11, 26)


def _bar_widths(svg: str) -> list[float]:
    """Widths of the solid (median) bars, in row order."""
    return [float(w) for w in re.findall(
        r'<rect x="64" y="[\d.]+" width="([\d.]+)" height="22" rx="2" style="fill:[^"]+"/>', svg)]


def test_log_position_by_hand() -> None:
    # 1 h on an axis from 10 min to 1 w (1008 times longer), 400 px long.
    assert log_position(1, 1 / 6, 168, 400) == 400 * math.log(6) / math.log(1008)
    assert log_position(1 / 6, 1 / 6, 168, 400) == 0
    assert log_position(168, 1 / 6, 168, 400) == 400


def test_one_long_incident_does_not_squash_the_others(tmp_path: Path) -> None:
    def pm(incident_id: str, severity: str, resolved: str) -> object:
        return make_postmortem(tmp_path, incident_id, severity=severity,
                               started="2026-03-01T09:00:00Z", detected="2026-03-01T09:05:00Z",
                               contained="2026-03-01T09:10:00Z", resolved=resolved)

    rollups = build_rollups([
        pm("INC-2026-001", "SEV1", "2026-03-14T09:00:00Z"),  # 13 days
        pm("INC-2026-002", "SEV2", "2026-03-01T10:00:00Z"),  # 1 hour
        pm("INC-2026-003", "SEV3", "2026-03-01T09:30:00Z"),  # 30 minutes
    ], TODAY)
    svg = time_to_resolve(rollups)
    sev1, sev2, sev3 = _bar_widths(svg)
    span = 720 - 250 - 64
    # Linear, the 1-hour bar would be 1/312 of the 13-day one (1.3 px); here it is readable.
    assert sev2 > 0.2 * sev1 and sev3 > 0.1 * sev1 and sev1 <= span
    assert sev1 > sev2 > sev3
    assert {"10 min", "1 h", "1 d", "1 w", "30 d"} <= set(re.findall(r">(\d+ \w+)</text>", svg))
    assert "logarithmic" in svg


def test_linear_bars_are_unchanged() -> None:
    svg = range_bars("t", "d", [Range("A", COLORS["SEV1"], 2.0, 4.0, "x"),
                                Range("B", COLORS["SEV2"], 1.0, 2.0, "y")])
    assert _bar_widths(svg) == [203.0, 101.5]
