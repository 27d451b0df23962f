"""Rollups of the published post-mortems: one pass over the collection, plain data out.

Everything the site shows is computed here from ``list[Postmortem]`` and the date that
"overdue" is measured against; the page, chart and export modules only format it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ..model import PUBLISHED_STATUSES, ActionItem, Postmortem, RootCause
from ..publishing import tag_key
from .stats import month_key, quantile, quarter_key, year_key

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
#: (milestone in the front matter, key of the duration, label)
DURATIONS = (
    ("detected", "time_to_detect", "Time to detect"),
    ("contained", "time_to_contain", "Time to contain"),
    ("resolved", "time_to_resolve", "Time to resolve"),
)
#: Action-item states in the order the site lists them: overdue first, closed last.
ACTION_STATES = ("overdue", "open", "done", "wont-do")
CLOSED_STATES = ("done", "wont-do")


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if item is not None)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@dataclass(eq=False)
class Incident:
    """One published post-mortem, as the site shows it."""

    id: str
    title: str
    status: str
    severity: str
    services: tuple[str, ...]
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    category: str
    root_cause: str
    detection: str
    fix_type: str
    started: dt.datetime | None
    detected: dt.datetime | None
    contained: dt.datetime | None
    resolved: dt.datetime | None
    durations: Mapping[str, dt.timedelta | None]
    related: tuple[str, ...]
    source: str
    meta: Mapping[str, Any] = field(repr=False)
    action_items: tuple[ActionRow, ...] = field(default=(), repr=False)
    #: Every root cause; ``category`` and ``root_cause`` above are the first and all summaries.
    root_causes: tuple[RootCause, ...] = ()
    severity_reason: str = ""
    #: Under review, with ``action_items: to-be-agreed``.
    actions_to_be_agreed: bool = False

    @classmethod
    def from_postmortem(cls, pm: Postmortem, today: dt.date) -> Incident:
        meta = pm.meta
        causes = tuple(
            RootCause(cause.category or "unknown", cause.summary) for cause in pm.root_causes
        ) or (RootCause("unknown", ""),)
        incident = cls(
            id=pm.id or pm.path,
            title=pm.title,
            status=pm.status or "",
            severity=_text(meta.get("severity")),
            services=_strings(meta.get("services")),
            tags=_strings(meta.get("tags")),
            authors=_strings(meta.get("authors")),
            category=causes[0].category,
            root_cause=" ".join(cause.summary for cause in causes if cause.summary),
            detection=_text(meta.get("detection")),
            fix_type=_text(meta.get("fix_type")),
            started=pm.time("started"),
            detected=pm.time("detected"),
            contained=pm.time("contained"),
            resolved=pm.time("resolved"),
            durations={key: pm.duration(milestone) for milestone, key, _ in DURATIONS},
            related=_strings(meta.get("related")),
            source=pm.path,
            meta=meta,
            root_causes=causes,
            severity_reason=pm.severity_reason,
            actions_to_be_agreed=pm.action_items_to_be_agreed,
        )
        incident.action_items = tuple(
            ActionRow.from_item(item, incident, today) for item in pm.action_items
        )
        return incident

    @property
    def categories(self) -> tuple[str, ...]:
        """The root-cause categories, each once, in the order written."""
        return tuple(dict.fromkeys(cause.category for cause in self.root_causes))

    def cause_summary(self, category: str) -> str:
        """The summaries of the root causes in ``category``."""
        return " ".join(c.summary for c in self.root_causes if c.category == category and c.summary)

    @property
    def date(self) -> dt.date | None:
        """The UTC day the incident started."""
        return self.started.astimezone(dt.timezone.utc).date() if self.started else None

    @property
    def time_to_detect(self) -> dt.timedelta | None:
        return self.durations.get("time_to_detect")

    @property
    def time_to_contain(self) -> dt.timedelta | None:
        return self.durations.get("time_to_contain")

    @property
    def time_to_resolve(self) -> dt.timedelta | None:
        return self.durations.get("time_to_resolve")

    def sort_key(self) -> tuple[float, str]:
        """Ascending key; the site sorts newest first with ``reverse=True``."""
        return (self.started.timestamp() if self.started else float("-inf"), self.id)


@dataclass
class ActionRow(ActionItem):
    """An action item with its source incident and its state on the given day."""

    incident: Incident = field(repr=False, compare=False)
    state: str

    @classmethod
    def from_item(cls, item: ActionItem, incident: Incident, today: dt.date) -> ActionRow:
        if item.is_overdue(today):
            state = "overdue"
        elif item.is_open:
            state = "open"
        else:
            state = item.status if item.status in CLOSED_STATES else "done"
        values = {f.name: getattr(item, f.name) for f in fields(item)}
        values["incident_id"] = incident.id
        return cls(**values, incident=incident, state=state)

    @property
    def is_open(self) -> bool:
        return self.state in ("overdue", "open")

    def sort_key(self) -> tuple[int, float, str, int]:
        """Overdue (oldest due first), open (soonest due first), closed (latest due first)."""
        rank = ACTION_STATES.index(self.state)
        due: float = self.due.toordinal() if self.due else float("inf")
        if self.state in CLOSED_STATES:
            rank, due = 2, (-due if self.due else float("inf"))
        return (rank, due, self.incident_id, self.index)


@dataclass(frozen=True)
class DurationStats:
    """Median and 90th percentile of one duration over the incidents that have it."""

    count: int
    median: dt.timedelta | None
    p90: dt.timedelta | None

    @classmethod
    def of(cls, values: list[dt.timedelta]) -> DurationStats:
        if not values:
            return cls(0, None, None)
        seconds = [v.total_seconds() for v in values]
        return cls(
            len(values),
            dt.timedelta(seconds=quantile(seconds, 0.5)),
            dt.timedelta(seconds=quantile(seconds, 0.9)),
        )


@dataclass(frozen=True)
class PeriodCounts:
    """Incidents per severity in one month, quarter or year."""

    period: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Group:
    """Incidents sharing a key (service, category, tag, year), newest first."""

    name: str
    incidents: list[Incident]

    @property
    def count(self) -> int:
        return len(self.incidents)

    def severity_counts(self) -> dict[str, int]:
        counts = Counter(i.severity for i in self.incidents)
        return {sev: counts.get(sev, 0) for sev in SEVERITIES}

    def action_items(self) -> list[ActionRow]:
        return sorted((a for i in self.incidents for a in i.action_items),
                      key=ActionRow.sort_key)


@dataclass(frozen=True)
class OwnerGroup:
    """The action items of one owner, in site order, and their counts per state."""

    owner: str
    items: list[ActionRow]

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(a.state for a in self.items)
        return {state: counts.get(state, 0) for state in ACTION_STATES}

    def sort_key(self) -> tuple[int, int, str]:
        counts = self.counts
        return (-counts["overdue"], -counts["open"], self.owner.casefold())


@dataclass
class Rollups:
    """Everything the site shows, computed once from the published post-mortems."""

    today: dt.date
    incidents: list[Incident]
    by_id: dict[str, Incident]
    years: list[Group]
    services: list[Group]
    categories: list[Group]
    tags: list[Group]
    by_month: list[PeriodCounts]
    by_quarter: list[PeriodCounts]
    by_year: list[PeriodCounts]
    durations: dict[str, dict[str, DurationStats]]
    action_items: list[ActionRow]
    owners: list[OwnerGroup]
    referenced_by: dict[str, list[str]]

    def severity_totals(self) -> dict[str, int]:
        counts = Counter(i.severity for i in self.incidents)
        return {sev: counts.get(sev, 0) for sev in SEVERITIES}

    def action_counts(self) -> dict[str, int]:
        counts = Counter(a.state for a in self.action_items)
        return {state: counts.get(state, 0) for state in ACTION_STATES}

    def summary(self) -> dict[str, Any]:
        """Plain counts for templates and the ``postmortems`` macro variable."""
        actions = self.action_counts()
        dates = [i.date for i in self.incidents if i.date]
        return {
            "total": len(self.incidents),
            "by_severity": self.severity_totals(),
            # Every published status, even one no post-mortem has yet: pages can rely on it.
            "by_status": {status: 0 for status in PUBLISHED_STATUSES}
            | dict(Counter(i.status for i in self.incidents)),
            "services": len(self.services),
            "categories": len(self.categories),
            "action_items": {
                "total": len(self.action_items),
                "open": actions["open"] + actions["overdue"],
                "overdue": actions["overdue"],
                "done": actions["done"],
                "wont_do": actions["wont-do"],
            },
            "first": min(dates).isoformat() if dates else None,
            "last": max(dates).isoformat() if dates else None,
            "today": self.today.isoformat(),
        }


def _groups(mapping: Mapping[str, list[Incident]], *, by_count: bool = False) -> list[Group]:
    groups = [Group(name, sorted(items, key=Incident.sort_key, reverse=True))
              for name, items in mapping.items()]
    if by_count:
        return sorted(groups, key=lambda g: (-g.count, g.name.casefold()))
    return sorted(groups, key=lambda g: g.name.casefold())


def _periods(counts: Mapping[str, Counter[str]]) -> list[PeriodCounts]:
    return [PeriodCounts(key, {sev: counts[key].get(sev, 0) for sev in SEVERITIES})
            for key in sorted(counts, reverse=True)]


def build_rollups(postmortems: Iterable[Postmortem], today: dt.date, *,
                  include_drafts: bool = False) -> Rollups:
    """Aggregate the published post-mortems in one pass; ``today`` decides what is overdue.

    ``include_drafts`` adds the readable drafts (the ``mkdocs serve`` preview of drafts).
    """
    incidents: list[Incident] = []
    by_id: dict[str, Incident] = {}
    years: dict[str, list[Incident]] = defaultdict(list)
    services: dict[str, list[Incident]] = defaultdict(list)
    categories: dict[str, list[Incident]] = defaultdict(list)
    tags: dict[str, list[Incident]] = defaultdict(list)
    spellings: dict[str, str] = {}
    months: dict[str, Counter[str]] = defaultdict(Counter)
    quarters: dict[str, Counter[str]] = defaultdict(Counter)
    year_counts: dict[str, Counter[str]] = defaultdict(Counter)
    durations: dict[str, dict[str, list[dt.timedelta]]] = {
        sev: {key: [] for _, key, _ in DURATIONS} for sev in SEVERITIES
    }
    actions: list[ActionRow] = []
    owners: dict[str, list[ActionRow]] = defaultdict(list)
    related: list[tuple[str, str]] = []

    for pm in postmortems:
        if not (pm.published or (include_drafts and pm.is_draft and pm.source.readable)):
            continue
        incident = Incident.from_postmortem(pm, today)
        incidents.append(incident)
        by_id[incident.id] = incident
        day = incident.date
        if day is not None:
            years[year_key(day)].append(incident)
            months[month_key(day)][incident.severity] += 1
            quarters[quarter_key(day)][incident.severity] += 1
            year_counts[year_key(day)][incident.severity] += 1
        for service in incident.services:
            services[service].append(incident)
        # Spellings that differ only in case or look-alike letters become the first one
        # (the check warns of them): one tag, one group, one entry on the tags page.
        incident.tags = tuple(dict.fromkeys(
            spellings.setdefault(tag_key(tag), tag) for tag in incident.tags))
        for tag in incident.tags:
            tags[tag].append(incident)
        for category in incident.categories:
            categories[category].append(incident)
        if incident.severity in durations:
            for key, value in incident.durations.items():
                if value is not None:
                    durations[incident.severity][key].append(value)
        for row in incident.action_items:
            actions.append(row)
            owners[row.owner].append(row)
        related.extend((incident.id, other) for other in incident.related)

    referenced_by: dict[str, list[str]] = defaultdict(list)
    for source, target in related:
        if target in by_id:
            referenced_by[target].append(source)
    for sources in referenced_by.values():
        sources.sort(key=lambda i: by_id[i].sort_key(), reverse=True)

    owner_groups = [OwnerGroup(name, sorted(rows, key=ActionRow.sort_key))
                    for name, rows in owners.items()]
    return Rollups(
        today=today,
        incidents=sorted(incidents, key=Incident.sort_key, reverse=True),
        by_id=by_id,
        years=sorted(_groups(years), key=lambda g: g.name, reverse=True),
        services=_groups(services),
        categories=_groups(categories, by_count=True),
        tags=_groups(tags),
        by_month=_periods(months),
        by_quarter=_periods(quarters),
        by_year=_periods(year_counts),
        durations={sev: {key: DurationStats.of(values) for key, values in kinds.items()}
                   for sev, kinds in durations.items()},
        action_items=sorted(actions, key=ActionRow.sort_key),
        owners=sorted(owner_groups, key=OwnerGroup.sort_key),
        referenced_by=dict(referenced_by),
    )
