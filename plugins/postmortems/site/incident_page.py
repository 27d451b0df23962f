"""What the site adds to each post-mortem page: a header card, the root-cause summary,
the action-item table, and related incidents linked both ways."""

from __future__ import annotations

from ..markdown import parse_document
from .rollups import Incident, Rollups
from .templating import render
from .urls import Links


def header_card(incident: Incident, rollups: Rollups, link: Links,
                edit_url: str | None = None) -> str:
    """Severity, status, times, durations, services, tags, authors, related incidents."""
    related = [rollups.by_id.get(other, other) for other in incident.related]
    referenced_by = [rollups.by_id[other] for other in rollups.referenced_by.get(incident.id, [])]
    return render("incident/header.html.j2", i=incident, link=link, related=related,
                  referenced_by=referenced_by, edit_url=edit_url)


def root_cause_box(incident: Incident) -> str:
    return render("incident/root-cause.html.j2", i=incident)


def action_table(incident: Incident, link: Links) -> str:
    rows = sorted(incident.action_items, key=lambda row: row.sort_key())
    return render("incident/actions.html.j2", rows=rows, link=link)


def decorate(markdown: str, incident: Incident, rollups: Rollups, link: Links,
             edit_url: str | None = None) -> str:
    """``markdown`` (a post-mortem body, front matter removed) with the site's additions.

    The card goes under the ``# title``; the root-cause summary first in *Root Cause* (so
    that section's search entry holds it); the action-item table last in *Action Items*,
    after the authors' prose.
    """
    document = parse_document(markdown, 1)
    lines = markdown.split("\n")
    inserts: list[tuple[int, str]] = [
        (document.title_line if document.title else 0,
         header_card(incident, rollups, link, edit_url)),
    ]
    sections = document.sections
    for position, section in enumerate(sections):
        if section.slug == "root-cause":
            inserts.append((section.line, root_cause_box(incident)))
        elif section.slug == "action-items":
            end = sections[position + 1].line - 1 if position + 1 < len(sections) else len(lines)
            inserts.append((end, action_table(incident, link)))
    if not any(s.slug == "action-items" for s in sections) and incident.action_items:
        inserts.append((len(lines), "## Action Items\n\n" + action_table(incident, link)))
    for index, block in sorted(inserts, key=lambda item: item[0], reverse=True):
        lines[index:index] = ["", block.strip("\n"), ""]
    return "\n".join(lines)
