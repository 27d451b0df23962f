"""The figures of ``postmortem stats`` as tables and as one JSON document.

Nothing is computed here: the counts come from the rollups and the learning figures from
:mod:`.learning`; this module only lays them out, so the terminal and the site agree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .learning import FollowThrough, Learning
from .rollups import DURATIONS, SEVERITIES, Rollups
from .stats import format_duration


@dataclass(frozen=True)
class Table:
    """A titled table of plain values."""

    name: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _follow_rows(rows: Sequence[FollowThrough]) -> list[tuple[Any, ...]]:
    return [(f.name, f.total, f.on_time, f.late, f.done_undated, f.overdue, f.open, f.wont_do,
             _share(f.on_time_share), f.median_days_overdue, f.median_days_late) for f in rows]


_FOLLOW = ("items", "on time", "late", "done, no date", "overdue", "open", "won't do",
           "on-time share", "median days overdue", "median days late")


def tables(rollups: Rollups, learning: Learning) -> list[Table]:
    """Every table of the report, in order."""
    actions = rollups.action_counts()
    out = [
        Table("severity", "Incidents by severity", ("severity", "incidents"),
              [*rollups.severity_totals().items(), ("all", len(rollups.incidents))]),
        Table("by-quarter", "Incidents by quarter", ("quarter", *SEVERITIES, "total"),
              [(p.period, *(p.counts[s] for s in SEVERITIES), p.total)
               for p in rollups.by_quarter]),
        Table("by-year", "Incidents by year", ("year", *SEVERITIES, "total"),
              [(p.period, *(p.counts[s] for s in SEVERITIES), p.total)
               for p in rollups.by_year]),
        Table("durations", "Time to detect, contain and resolve (median / 90th percentile)",
              ("severity", *(label.lower() for _, _, label in DURATIONS), "incidents"),
              [(sev, *(f"{format_duration(rollups.durations[sev][key].median) or '—'} / "
                       f"{format_duration(rollups.durations[sev][key].p90) or '—'}"
                       for _, key, _ in DURATIONS),
                rollups.durations[sev]["time_to_resolve"].count) for sev in SEVERITIES]),
        Table("action-items", "Action items", ("state", "items"),
              [(state, actions[state]) for state in actions]),
        Table("recurrence", "Recurrence", ("figure", "value"), [
            ("incidents", len(learning.recurrences)),
            ("with a related or very similar earlier incident", len(learning.recurring)),
            ("share", _share(learning.recurrence_share)),
        ]),
        Table("recurring", "Incidents that recur an earlier one",
              ("incident", "related earlier", "very similar earlier"),
              [(r.incident.id, ", ".join(r.related_earlier) or "—",
                ", ".join(f"{m.id} ({m.score:.2f})" for m in r.similar_earlier) or "—")
               for r in learning.recurring]),
        Table("repeated-causes", "Root-cause categories that repeat per service",
              ("service", "category", "times", "incidents"),
              [(c.service, c.category, c.count, ", ".join(c.incidents))
               for c in learning.repeated_causes]),
        Table("follow-through-owner", "Action-item follow-through by owner", ("owner", *_FOLLOW),
              _follow_rows([learning.overall, *learning.by_owner])),
        Table("follow-through-quarter", "Action-item follow-through by quarter due",
              ("quarter due", *_FOLLOW), _follow_rows(learning.by_quarter)),
        Table("trend", "Time to detect and resolve by quarter started (median)",
              ("quarter", "incidents", "time to detect", "time to resolve"),
              [(t.quarter, t.incidents, format_duration(t.median_detect) or "—",
                format_duration(t.median_resolve) or "—") for t in learning.trend]),
    ]
    return out


def as_json(rollups: Rollups, learning: Learning) -> str:
    """Every figure the site shows, as JSON."""

    def duration(stats: Any) -> dict[str, Any]:
        def minutes(value: Any) -> float | None:
            return None if value is None else round(value.total_seconds() / 60, 1)
        return {"count": stats.count, "median_minutes": minutes(stats.median),
                "p90_minutes": minutes(stats.p90)}

    data = {
        "summary": rollups.summary(),
        "by_month": [{"period": p.period, **p.counts, "total": p.total}
                     for p in rollups.by_month],
        "by_quarter": [{"period": p.period, **p.counts, "total": p.total}
                       for p in rollups.by_quarter],
        "by_year": [{"period": p.period, **p.counts, "total": p.total}
                    for p in rollups.by_year],
        "durations": {sev: {key: duration(rollups.durations[sev][key])
                            for _, key, _ in DURATIONS} for sev in SEVERITIES},
        "categories": {g.name: g.count for g in rollups.categories},
        "services": {g.name: g.count for g in rollups.services},
        "owners": {g.owner: g.counts for g in rollups.owners},
        **learning.as_dict(),
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def as_text(items: Sequence[Table]) -> str:
    """Aligned plain-text tables."""
    blocks = []
    for table in items:
        rows = [tuple(_cell(v) for v in row) for row in table.rows]
        widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(table.headers)]
        lines = [table.title, "  ".join(h.ljust(w) for h, w in zip(table.headers, widths,
                                                                     strict=True)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                  for r in rows]
        if not rows:
            lines.append("(none)")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def as_markdown(items: Sequence[Table]) -> str:
    """Markdown pipe tables under ``###`` headings."""
    def cell(value: Any) -> str:
        return _cell(value).replace("|", "\\|")

    blocks = []
    for table in items:
        lines = [f"### {table.title}", "", "| " + " | ".join(table.headers) + " |",
                 "|" + "|".join("---" for _ in table.headers) + "|"]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.rows]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def as_csv(items: Sequence[Table]) -> str:
    """One CSV: each row starts with its table's name, then the table's header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for table in items:
        writer.writerow(["table", *table.headers])
        for row in table.rows:
            writer.writerow([table.name, *("" if v is None else v for v in row)])
    return out.getvalue()
