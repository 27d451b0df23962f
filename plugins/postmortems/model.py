"""A checked post-mortem and the values computed from it (durations, overdue items)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .findings import Finding, Level, Suppression
from .source import SourceFile

if TYPE_CHECKING:
    from .markdown import Body

PUBLISHED_STATUSES = ("review", "final")
OPEN_ACTION_STATUSES = ("open", "in-progress")
MILESTONES = ("started", "detected", "contained", "resolved")
#: ``action_items: to-be-agreed``: a post-mortem under review whose items are still to agree.
TO_BE_AGREED = "to-be-agreed"


@dataclass(frozen=True)
class RootCause:
    """One root cause: a category of the schema's taxonomy and a one-sentence summary."""

    category: str
    summary: str


def root_causes(meta: Mapping[str, Any]) -> list[RootCause]:
    """The root causes of ``meta['root_cause']``, one mapping or a list of mappings.

    The one reader of that field: checks, site, exports and similarity all use it.
    Entries that are not mappings are skipped (the schema reports them).
    """
    value = meta.get("root_cause")
    entries = value if isinstance(value, list) else [value]
    out = []
    for entry in entries:
        if isinstance(entry, Mapping):
            category, summary = entry.get("category"), entry.get("summary")
            out.append(
                RootCause(
                    category if isinstance(category, str) else "",
                    summary if isinstance(summary, str) else "",
                )
            )
    return out


def parse_datetime(value: Any) -> dt.datetime | None:
    """An RFC 3339 timestamp as an aware datetime, or None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class ActionItem:
    """One action item of one post-mortem, with its index in ``action_items``."""

    index: int
    action: str
    owner: str
    due: dt.date | None
    status: str
    kind: str
    ticket: str
    incident_id: str
    closed: dt.date | None  # the day it was done or dropped, when the author gave it

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due is not None and self.due < today


@dataclass
class Postmortem:
    """One file of the collection, checked, with its findings and computed values."""

    source: SourceFile
    findings: list[Finding] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    #: For a result taken from the cache (no body parsed): its similarity case fields.
    cached_case: dict[str, Any] | None = None

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def meta(self) -> dict[str, Any]:
        return self.source.meta

    @property
    def document(self) -> Body | None:
        return self.source.document

    @property
    def id(self) -> str | None:
        value = self.meta.get("id")
        return value if isinstance(value, str) else None

    @property
    def title(self) -> str:
        value = self.meta.get("title")
        if isinstance(value, str):
            return value
        return (self.document.title if self.document else None) or self.path

    @property
    def status(self) -> str | None:
        value = self.meta.get("status")
        return value if isinstance(value, str) else None

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def published(self) -> bool:
        """Readable and not a draft: the site shows it."""
        return self.source.readable and self.status in PUBLISHED_STATUSES

    @property
    def internal_error(self) -> bool:
        """Whether the checker itself failed on this file (its result is not cached)."""
        return any(f.rule == "internal-error" for f in self.findings)

    @property
    def has_errors(self) -> bool:
        return any(f.level is Level.ERROR for f in self.findings)

    def time(self, milestone: str) -> dt.datetime | None:
        return parse_datetime(self.meta.get(milestone))

    def duration(self, milestone: str) -> dt.timedelta | None:
        """Time from ``started`` to ``milestone`` (detected, contained or resolved)."""
        start, end = self.time("started"), self.time(milestone)
        if start is None or end is None or end < start:
            return None
        return end - start

    @property
    def root_causes(self) -> list[RootCause]:
        return root_causes(self.meta)

    @property
    def severity_reason(self) -> str:
        """Why the severity deliberately differs from the decision tree ('' when it does not)."""
        value = self.meta.get("severity_reason")
        return value.strip() if isinstance(value, str) else ""

    @property
    def action_items_to_be_agreed(self) -> bool:
        """Under review, the action items are still to be agreed (``to-be-agreed``)."""
        return self.meta.get("action_items") == TO_BE_AGREED

    @property
    def action_items(self) -> list[ActionItem]:
        items = self.meta.get("action_items")
        if not isinstance(items, list):
            return []
        out = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            out.append(
                ActionItem(
                    index=index,
                    action=str(item.get("action", "")),
                    owner=str(item.get("owner", "")),
                    due=parse_date(item.get("due")),
                    status=str(item.get("status", "")),
                    kind=str(item.get("kind", "")),
                    ticket=str(item.get("ticket", "")),
                    incident_id=self.id or "",
                    closed=parse_date(item.get("closed")),
                )
            )
        return out
