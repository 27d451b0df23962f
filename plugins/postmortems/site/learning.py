"""Learning from past incidents: recurrence, repeated causes, follow-through, trends.

Every figure is computed here, once, from the rollups and the similarity index; the site's
"Learning" page, the incident pages and ``postmortem stats`` only format it. The figures are
defined in docs/learning-figures.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..similar import Match, SimilarityIndex
from .rollups import ActionRow, Incident, Rollups
from .similarity import FirstMatches, SimilarFigures, figures_for, of_index
from .stats import quantile, quarter_key

#: How many similar incidents an incident page shows, and the score they need: below it the
#: samples' unrelated pairs lie (at most 0.08; see docs/similar-incidents.md).
SIMILAR_SHOWN = 3
SIMILAR_FLOOR = 0.10


@dataclass(frozen=True)
class Recurrence:
    """One incident and the earlier ones it recurs: listed in ``related`` (either way) or
    very similar by root cause (all of them, or the first few and how many: a
    :class:`~postmortems.site.similarity.FirstMatches`)."""

    incident: Incident
    related_earlier: tuple[str, ...]
    similar_earlier: Sequence[Match]

    @property
    def recurs(self) -> bool:
        return bool(self.related_earlier or self.similar_earlier)


@dataclass(frozen=True)
class RepeatedCause:
    """A root-cause category seen more than once on one service."""

    service: str
    category: str
    incidents: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.incidents)


@dataclass(frozen=True)
class FollowThrough:
    """Action items of one owner or one due quarter, by how they were followed through."""

    name: str
    on_time: int
    late: int
    done_undated: int
    overdue: int
    open: int
    wont_do: int
    median_days_overdue: float | None
    median_days_late: float | None

    @property
    def total(self) -> int:
        return (self.on_time + self.late + self.done_undated + self.overdue + self.open
                + self.wont_do)

    @property
    def on_time_share(self) -> float | None:
        """Done on time among the items done with a ``closed`` date."""
        dated = self.on_time + self.late
        return self.on_time / dated if dated else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "total": self.total, "done_on_time": self.on_time,
            "done_late": self.late, "done_undated": self.done_undated,
            "overdue": self.overdue, "open": self.open, "wont_do": self.wont_do,
            "on_time_share": _round(self.on_time_share),
            "median_days_overdue": self.median_days_overdue,
            "median_days_late": self.median_days_late,
        }


@dataclass(frozen=True)
class QuarterTrend:
    """Median time to detect and to resolve of the incidents that started in a quarter."""

    quarter: str
    incidents: int
    median_detect: dt.timedelta | None
    median_resolve: dt.timedelta | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter, "incidents": self.incidents,
            "median_time_to_detect_minutes": _minutes(self.median_detect),
            "median_time_to_resolve_minutes": _minutes(self.median_resolve),
        }


@dataclass
class Learning:
    """Every learning figure of the collection."""

    recurrences: list[Recurrence]
    repeated_causes: list[RepeatedCause]
    by_owner: list[FollowThrough]
    by_quarter: list[FollowThrough]
    overall: FollowThrough
    trend: list[QuarterTrend]
    similar: dict[str, list[Match]]

    @property
    def recurring(self) -> list[Recurrence]:
        return [r for r in self.recurrences if r.recurs]

    @property
    def recurrence_share(self) -> float | None:
        """Share of incidents with a related or very similar earlier incident."""
        return len(self.recurring) / len(self.recurrences) if self.recurrences else None

    def as_dict(self) -> dict[str, Any]:
        """Every figure as plain data (``postmortem stats --format json``)."""
        return {
            "recurrence": {
                "incidents": len(self.recurrences),
                "with_earlier": len(self.recurring),
                "share": _round(self.recurrence_share),
                "recurring": [
                    {"id": r.incident.id, "related_earlier": list(r.related_earlier),
                     "similar_earlier": [{"id": m.id, "score": m.score,
                                          "shared_terms": list(m.shared_terms)}
                                         for m in r.similar_earlier]}
                    for r in self.recurring
                ],
            },
            "repeated_causes": [
                {"service": c.service, "category": c.category, "count": c.count,
                 "incidents": list(c.incidents)} for c in self.repeated_causes
            ],
            "follow_through": {
                "overall": self.overall.as_dict(),
                "by_owner": [f.as_dict() for f in self.by_owner],
                "by_quarter": [f.as_dict() for f in self.by_quarter],
            },
            "trend_by_quarter": [t.as_dict() for t in self.trend],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _minutes(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def _median(values: list[float]) -> float | None:
    return quantile(values, 0.5) if values else None


def _follow_through(name: str, rows: Iterable[ActionRow], today: dt.date) -> FollowThrough:
    counts: Counter[str] = Counter()
    overdue_days: list[float] = []
    late_days: list[float] = []
    for row in rows:
        if row.state == "overdue":
            counts["overdue"] += 1
            assert row.due is not None
            overdue_days.append(float((today - row.due).days))
        elif row.state == "open":
            counts["open"] += 1
        elif row.state == "wont-do":
            counts["wont_do"] += 1
        elif row.closed is None or row.due is None:
            counts["done_undated"] += 1
        elif row.closed <= row.due:
            counts["on_time"] += 1
        else:
            counts["late"] += 1
            late_days.append(float((row.closed - row.due).days))
    return FollowThrough(
        name, counts["on_time"], counts["late"], counts["done_undated"], counts["overdue"],
        counts["open"], counts["wont_do"], _median(overdue_days), _median(late_days),
    )


def _earlier(a: Incident, b: Incident) -> bool:
    """Whether ``b`` started before ``a`` (both known)."""
    return a.started is not None and b.started is not None and b.started < a.started


def _figures(rollups: Rollups, index: SimilarityIndex | SimilarFigures | None,
             k: int = SIMILAR_SHOWN) -> SimilarFigures | None:
    if index is None or isinstance(index, SimilarFigures):
        return index
    return of_index(index, (incident.id for incident in rollups.incidents), k)


def recurrences(rollups: Rollups,
                index: SimilarityIndex | SimilarFigures | None) -> list[Recurrence]:
    """For each incident, the earlier incidents it is related to or very similar to."""
    figures = _figures(rollups, index)
    out = []
    for incident in rollups.incidents:
        linked = {*incident.related, *rollups.referenced_by.get(incident.id, [])}
        related = tuple(sorted(
            other for other in linked
            if other in rollups.by_id and _earlier(incident, rollups.by_id[other])
        ))
        similar: Sequence[Match] = ()
        if figures is not None:
            found = figures.very_similar.get(incident.id, ())
            kept = tuple(m for m in found if m.id in rollups.by_id)
            if isinstance(found, FirstMatches):
                # The index holds published post-mortems, every one of them in the rollups.
                similar = FirstMatches(kept, len(found) - len(found.matches) + len(kept))
            else:
                similar = kept
        out.append(Recurrence(incident, related, similar))
    return out


def repeated_causes(rollups: Rollups) -> list[RepeatedCause]:
    """Root-cause categories that occur at least twice on the same service, most first."""
    out = []
    for group in rollups.services:
        by_category: dict[str, list[str]] = defaultdict(list)
        for incident in sorted(group.incidents, key=Incident.sort_key):
            by_category[incident.category].append(incident.id)
        out.extend(RepeatedCause(group.name, category, tuple(ids))
                   for category, ids in by_category.items() if len(ids) > 1)
    return sorted(out, key=lambda c: (-c.count, c.service.casefold(), c.category))


def trend(rollups: Rollups) -> list[QuarterTrend]:
    """Median time to detect and to resolve per quarter of the start, oldest first."""
    quarters: dict[str, list[Incident]] = defaultdict(list)
    for incident in rollups.incidents:
        if incident.date is not None:
            quarters[quarter_key(incident.date)].append(incident)

    def median(values: Iterable[dt.timedelta | None]) -> dt.timedelta | None:
        seconds = [v.total_seconds() for v in values if v is not None]
        return dt.timedelta(seconds=quantile(seconds, 0.5)) if seconds else None

    return [
        QuarterTrend(key, len(items), median(i.time_to_detect for i in items),
                     median(i.time_to_resolve for i in items))
        for key, items in sorted(quarters.items())
    ]


def similar_for_pages(rollups: Rollups, index: SimilarityIndex | SimilarFigures | None,
                      k: int = SIMILAR_SHOWN) -> dict[str, list[Match]]:
    """For each incident page: the most similar other incidents scoring at least
    ``SIMILAR_FLOOR``, earlier or later (the page marks those already in ``related``)."""
    figures = _figures(rollups, index, k)
    if figures is None:
        return {}
    out = {}
    for incident in rollups.incidents:
        matches = figures.nearest.get(incident.id)
        if matches is None:
            continue
        out[incident.id] = [m for m in matches[:k]
                            if m.score >= SIMILAR_FLOOR and m.id in rollups.by_id]
    return out


def build_learning(rollups: Rollups,
                   index: SimilarityIndex | SimilarFigures | None) -> Learning:
    """Every learning figure, from the rollups and the index of the same post-mortems (or
    the figures already computed from it)."""
    index = _figures(rollups, index)
    today = rollups.today
    owners: dict[str, list[ActionRow]] = defaultdict(list)
    quarters: dict[str, list[ActionRow]] = defaultdict(list)
    for row in rollups.action_items:
        owners[row.owner].append(row)
        quarters[quarter_key(row.due) if row.due else "no due date"].append(row)
    by_owner = sorted((_follow_through(name, rows, today) for name, rows in owners.items()),
                      key=lambda f: (-f.overdue, -f.total, f.name.casefold()))
    by_quarter = [_follow_through(name, quarters[name], today) for name in sorted(quarters)]
    return Learning(
        recurrences=recurrences(rollups, index),
        repeated_causes=repeated_causes(rollups),
        by_owner=by_owner,
        by_quarter=by_quarter,
        overall=_follow_through("all", rollups.action_items, today),
        trend=trend(rollups),
        similar=similar_for_pages(rollups, index),
    )


def learning_from(postmortems: Iterable[Any], rollups: Rollups,
                  cache_path: Path | None = None, *, shown: int | None = None) -> Learning:
    """``build_learning`` with the index of the published post-mortems; with ``cache_path``,
    its figures are read from there when the collection is unchanged (and stored there).
    ``shown``: keep only that many very similar earlier incidents each (and their count),
    what the site's pages show."""
    from ..recurrence import build_index, cases

    published = [pm for pm in postmortems if pm.published]
    if not published:
        return build_learning(rollups, None)
    # The key is made of the cases the index is built from; the index only on a miss.
    figures = figures_for(cases(published), SIMILAR_SHOWN, lambda _: build_index(published),
                          cache_path, shown=shown)
    return build_learning(rollups, figures)


def by_id(learning: Learning) -> Mapping[str, Recurrence]:
    return {r.incident.id: r for r in learning.recurrences}
