"""SVG charts drawn at build time: pure functions from rollups to SVG text.

Text and axes use ``currentColor`` (the page's foreground colour in Material's light and dark
schemes); series use CSS variables with a fallback colour that reads on both backgrounds,
so a chart also works as a standalone file. Labels are escaped by the template.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .rollups import SEVERITIES, Rollups
from .stats import format_duration, month_from_index, month_index, month_key
from .templating import render

#: Fill of each series: a Material-independent CSS variable with a mid-tone fallback.
COLORS = {
    "SEV1": "var(--pm-sev1, #d32f2f)",
    "SEV2": "var(--pm-sev2, #ef6c00)",
    "SEV3": "var(--pm-sev3, #f9a825)",
    "SEV4": "var(--pm-sev4, #78909c)",
    "overdue": "var(--pm-overdue, #d32f2f)",
    "open": "var(--pm-open, #1e88e5)",
    "closed": "var(--pm-closed, #43a047)",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 34, 44


@dataclass(frozen=True)
class Series:
    """One stacked series: a name for the legend, a fill, one value per bar."""

    name: str
    color: str
    values: Sequence[float]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    color: str
    tooltip: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


def nice_step(maximum: float, ticks: int = 5) -> float:
    """A 1, 2 or 5 times power-of-ten step giving at most ``ticks`` ticks up to ``maximum``."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(factor * power, 1)
    return 10 * power  # pragma: no cover - the loop always returns


def _legend(series: Sequence[Series]) -> list[tuple[float, str, str]]:
    out, x = [], float(LEFT)
    for item in series:
        out.append((x, item.color, item.name))
        x += 28 + 7 * len(item.name)
    return out


def stacked_bars(title: str, description: str, labels: Sequence[tuple[str, str, str]],
                 series: Sequence[Series]) -> str:
    """Bars stacked by series; ``labels``: (axis line 1, axis line 2, full name) per bar."""
    count = len(labels)
    totals = [sum(s.values[i] for s in series) for i in range(count)]
    step = nice_step(max(totals, default=0))
    top = step * max(1, math.ceil(max(totals, default=0) / step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(count, 1)
    bar = max(slot * 0.7, 1.0)
    every = max(1, math.ceil(count / 12))
    rects: list[Rect] = []
    xlabels: list[Label] = []
    for i, (line1, line2, name) in enumerate(labels):
        x = LEFT + i * slot + (slot - bar) / 2
        base = TOP + plot_h
        for item in series:
            value = item.values[i]
            if value <= 0:
                continue
            height = plot_h * value / top
            base -= height
            rects.append(Rect(x, base, bar, height, item.color,
                              f"{name}: {item.name} {value:g}"))
        if i % every == 0 or line2:
            xlabels.append(Label(x + bar / 2, HEIGHT - BOTTOM + 16, line1))
            if line2:
                xlabels.append(Label(x + bar / 2, HEIGHT - BOTTOM + 30, line2))
    ticks = [Label(LEFT - 6, TOP + plot_h - plot_h * k * step / top + 4, f"{k * step:g}", "end")
             for k in range(int(top / step) + 1)]
    return render(
        "charts/stacked.svg.j2", title=title, description=description, width=WIDTH,
        height=HEIGHT, left=LEFT, right=WIDTH - RIGHT, top=TOP, bottom=TOP + plot_h,
        rects=rects, xlabels=xlabels, ticks=ticks, legend=_legend(series),
    )


@dataclass(frozen=True)
class Range:
    """One row of a range chart: a solid bar to ``middle`` and a light one to ``high``."""

    label: str
    color: str
    middle: float | None
    high: float | None
    text: str


#: Ticks of a logarithmic time axis, in hours, and their labels.
TIME_TICKS = ((1 / 60, "1 min"), (10 / 60, "10 min"), (1, "1 h"), (6, "6 h"), (24, "1 d"),
              (168, "1 w"), (720, "30 d"))


def log_position(value: float, low: float, high: float, width: float) -> float:
    """Where ``value`` lies on a logarithmic axis from ``low`` to ``high`` that is ``width``
    long; values at or below ``low`` sit at 0."""
    if value <= low or high <= low:
        return 0.0
    return width * math.log(value / low) / math.log(high / low)


def range_bars(title: str, description: str, rows: Sequence[Range],
               legend: tuple[str, str] = ("median", "90th percentile"), *,
               log_hours: bool = False) -> str:
    """Horizontal bars, one per row; rows without values say "no data".

    With ``log_hours`` the values are hours on a logarithmic axis with time ticks, so one
    incident that took days does not squash every other bar to a sliver.
    """
    left, right, row_h, top = 64, WIDTH - 250, 34, 34
    axis = 18 if log_hours else 0
    height = top + row_h * len(rows) + 12 + axis
    maximum = max((r.high or r.middle or 0 for r in rows), default=0) or 1
    span = right - left
    ticks: list[Label] = []
    if log_hours:
        values = [v for r in rows for v in (r.middle, r.high) if v]
        smallest = min(values, default=1.0)
        low = max([h for h, _ in TIME_TICKS if h <= smallest] or [TIME_TICKS[0][0]])
        above = [h for h, _ in TIME_TICKS if h >= maximum]
        high = above[0] if above else maximum
        low = min(low, high / 10)

        def place(value: float | None) -> float:
            return log_position(value or 0, low, high, span)

        ticks = [Label(left + place(h), height - 6, text) for h, text in TIME_TICKS
                 if low <= h <= high]
    else:
        def place(value: float | None) -> float:
            return (value or 0) * span / maximum
    bars = []
    for n, row in enumerate(rows):
        y = top + n * row_h + 6
        bars.append({
            "label": Label(left - 8, y + 15, row.label, "end"),
            "middle": place(row.middle),
            "high": place(row.high),
            "y": y, "color": row.color, "text": row.text,
            "has_data": row.middle is not None,
            "tooltip": f"{row.label}: {row.text}",
        })
    return render(
        "charts/ranges.svg.j2", title=title, description=description, width=WIDTH,
        height=height, left=left, right=right, text_x=right + 10, bars=bars, legend=legend,
        ticks=ticks, plot_bottom=height - 8 - axis,
    )


# --- The site's charts -------------------------------------------------------------------


def incidents_per_month(rollups: Rollups, months: int = 24) -> str:
    """Incidents per month, stacked by severity, for the ``months`` months up to today."""
    last = max([month_key(rollups.today)] + [p.period for p in rollups.by_month[:1]])
    end = month_index(last)
    keys = [month_from_index(i) for i in range(end - months + 1, end + 1)]
    counts = {p.period: p.counts for p in rollups.by_month}
    series = [Series(sev, COLORS[sev], [counts.get(k, {}).get(sev, 0) for k in keys])
              for sev in SEVERITIES]
    total = sum(sum(s.values) for s in series)
    return stacked_bars(
        "Incidents per month by severity",
        f"{total} incident(s) from {keys[0]} to {keys[-1]}, stacked by severity.",
        _period_labels([month_index(k) for k in keys], "month"), series,
    )


def time_to_resolve(rollups: Rollups) -> str:
    """Median and 90th percentile of time to resolve, per severity."""
    rows = []
    for sev in SEVERITIES:
        stats = rollups.durations[sev]["time_to_resolve"]
        if stats.count:
            text = (f"median {format_duration(stats.median)}, "
                    f"p90 {format_duration(stats.p90)} (n={stats.count})")
            rows.append(Range(sev, COLORS[sev], _hours(stats.median), _hours(stats.p90), text))
        else:
            rows.append(Range(sev, COLORS[sev], None, None, "no data"))
    return range_bars(
        "Time to resolve by severity",
        "Median (solid) and 90th percentile (light) of the time from start to resolution, "
        "on a logarithmic time axis (each tick is several times the one before).",
        rows, log_hours=True,
    )


def _hours(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 3600


def _period(day: dt.date, granularity: str) -> int:
    if granularity == "month":
        return day.year * 12 + day.month - 1
    if granularity == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    return day.year


def _period_labels(indexes: Sequence[int], granularity: str) -> list[tuple[str, str, str]]:
    """Axis labels (``Jan`` over ``2026`` at each new year) and full names of periods."""
    labels = []
    for n, index in enumerate(indexes):
        if granularity == "month":
            year, first, name = index // 12, index % 12 == 0, MONTHS[index % 12]
        elif granularity == "quarter":
            year, first, name = index // 4, index % 4 == 0, f"Q{index % 4 + 1}"
        else:
            labels.append((str(index), "", str(index)))
            continue
        labels.append((name, f"{year:04d}" if n == 0 or first else "", f"{name} {year:04d}"))
    return labels


def action_items_by_due(rollups: Rollups, buckets: int = 24) -> str:
    """Action items by due period: closed, open and overdue, stacked.

    Months while the items span at most ``buckets`` months, else quarters, else years,
    so the chart never has more bars than it can label.
    """
    dated = [(a.due, a.state) for a in rollups.action_items if a.due is not None]
    granularity, indexes = "month", []
    if dated:
        first, last = min(d for d, _ in dated), max(d for d, _ in dated)
        for granularity in ("month", "quarter", "year"):
            if _period(last, granularity) - _period(first, granularity) < buckets:
                break
        indexes = list(range(_period(first, granularity), _period(last, granularity) + 1))
    counts: dict[int, Counter[str]] = {i: Counter() for i in indexes}
    for due, state in dated:
        counts[_period(due, granularity)]["closed" if state in ("done", "wont-do") else state] += 1
    names = {"closed": "Done or won't do", "open": "Open", "overdue": "Overdue"}
    series = [Series(names[s], COLORS[s], [counts[i][s] for i in indexes])
              for s in ("closed", "open", "overdue")]
    return stacked_bars(
        "Action items by due date",
        f"{len(dated)} action item(s) by due {granularity}: done or won't do, open, and "
        f"overdue on {rollups.today.isoformat()}.",
        _period_labels(indexes, granularity), series,
    )


#: The site's charts, by the name the ``chart()`` macro takes.
CHART_NAMES = ("incidents-per-month", "time-to-resolve", "action-items")


def draw_charts(rollups: Rollups, months: int = 24) -> dict[str, str]:
    """Every chart of the site, by name; ``months``: bars of the time-based charts."""
    return {
        "incidents-per-month": incidents_per_month(rollups, months),
        "time-to-resolve": time_to_resolve(rollups),
        "action-items": action_items_by_due(rollups, months),
    }
