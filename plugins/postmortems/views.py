"""Terminal views of the collection for weekly reviews, computed by the site's rollups.

``postmortem actions`` lists the published action items (the site's action-items page, in a
terminal): filtered, grouped by owner, as a table, JSON, CSV or a Markdown digest.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import Postmortem
from .site.rollups import ActionRow, OwnerGroup, build_rollups

COLUMNS = ("owner", "state", "due", "incident_id", "action", "status", "kind", "ticket")


@dataclass(frozen=True)
class ActionFilter:
    """Which action items to list; every criterion given must hold."""

    owner: str | None = None
    overdue: bool = False
    status: tuple[str, ...] = ()
    due_before: dt.date | None = None

    def keeps(self, row: ActionRow) -> bool:
        if self.owner is not None and row.owner.casefold() != self.owner.casefold():
            return False
        if self.overdue and row.state != "overdue":
            return False
        if self.status and row.status not in self.status and row.state not in self.status:
            return False
        return self.due_before is None or (row.due is not None and row.due < self.due_before)


@dataclass(frozen=True)
class ActionsView:
    """The kept action items grouped by owner (the site's order), as of ``today``."""

    today: dt.date
    groups: list[OwnerGroup]
    to_be_agreed: list[tuple[str, str]]

    @property
    def rows(self) -> list[ActionRow]:
        return [row for group in self.groups for row in group.items]


def actions_view(
    postmortems: Iterable[Postmortem], today: dt.date, keep: ActionFilter
) -> ActionsView:
    """Published action items as the site computes them, filtered by ``keep``."""
    rollups = build_rollups(postmortems, today)
    groups = [
        OwnerGroup(group.owner, [row for row in group.items if keep.keeps(row)])
        for group in rollups.owners
    ]
    pending = [(i.id, i.title) for i in rollups.incidents if i.actions_to_be_agreed]
    return ActionsView(today, [g for g in groups if g.items], pending)


def _cells(row: ActionRow) -> dict[str, str]:
    return {
        "owner": row.owner,
        "state": row.state,
        "due": row.due.isoformat() if row.due else "",
        "incident_id": row.incident_id,
        "action": row.action,
        "status": row.status,
        "kind": row.kind,
        "ticket": row.ticket,
    }


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(view: ActionsView) -> str:
    """A readable table per owner, with that owner's counts."""
    if not view.groups:
        return f"No action items match (as of {view.today.isoformat()})."
    out: list[str] = []
    for group in view.groups:
        counts = group.counts
        closed = counts["done"] + counts["wont-do"]
        parts = [f"{n} {label}" for n, label in
                 ((counts["overdue"], "overdue"), (counts["open"], "open"), (closed, "closed"))
                 if n]
        out.append(f"{group.owner}  ({', '.join(parts)})")
        for row in group.items:
            due = row.due.isoformat() if row.due else "no date"
            out.append(
                f"  {row.state:<8} {due:<10}  {row.incident_id:<13} {_shorten(row.action, 72)}"
            )
        out.append("")
    total = len(view.rows)
    out.append(f"{total} action item{'s' if total != 1 else ''} as of {view.today.isoformat()}")
    return "\n".join(out)


def render_json(view: ActionsView) -> str:
    data = {
        "today": view.today.isoformat(),
        "owners": [
            {"owner": g.owner, "counts": g.counts, "items": [_cells(r) for r in g.items]}
            for g in view.groups
        ],
        "to_be_agreed": [{"incident_id": i, "title": t} for i, t in view.to_be_agreed],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def render_csv(view: ActionsView) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in view.rows:
        writer.writerow(_cells(row))
    return buffer.getvalue().rstrip("\n")


def _md(text: str) -> str:
    """Table-cell text: pipes escaped, no line breaks."""
    return " ".join(text.replace("|", "\\|").split())


def render_markdown(view: ActionsView, title: str = "Action items") -> str:
    """A Markdown digest (for an issue or a chat): a section per owner with a table."""
    out = [f"# {title} as of {view.today.isoformat()}", ""]
    if not view.groups:
        out.append("No action items match.")
    for group in view.groups:
        out += [f"## {_md(group.owner)} ({len(group.items)})", "",
                "| Due | State | Incident | Action | Ticket |", "|---|---|---|---|---|"]
        for row in group.items:
            due = row.due.isoformat() if row.due else ""
            out.append(f"| {due} | {row.state} | {row.incident_id} | {_md(row.action)} "
                       f"| {_md(row.ticket)} |")
        out.append("")
    if view.to_be_agreed:
        out += ["## Action items to be agreed", ""]
        out += [f"- {i}: {_md(t)}" for i, t in view.to_be_agreed]
    return "\n".join(out).rstrip("\n")


RENDERERS = {"text": render_table, "json": render_json, "csv": render_csv,
             "markdown": render_markdown}
FORMATS: Sequence[str] = tuple(RENDERERS)
