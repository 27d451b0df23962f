"""What the site adds to each post-mortem page: a header card, the root-cause summary,
the action-item table, and related incidents linked both ways."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..markdown import Body, parse_body
from ..similar import Match
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


def root_cause_box(incident: Incident, searchable: bool = True) -> str:
    """The root-cause summaries by category (left out of search when not ``searchable``)."""
    return render("incident/root-cause.html.j2", i=incident, searchable=searchable)


def action_table(incident: Incident, link: Links) -> str:
    if incident.actions_to_be_agreed:
        return render("incident/actions-to-be-agreed.html.j2", i=incident)
    rows = sorted(incident.action_items, key=lambda row: row.sort_key())
    return render("incident/actions.html.j2", rows=rows, link=link)


def similar_section(incident: Incident, rollups: Rollups, link: Links,
                    matches: list[Match]) -> str:
    """The "Similar incidents" section: the index's closest post-mortems, scores, terms."""
    return SIMILAR_HEADING + "\n\n" + _similar_html(incident, rollups, link, matches)


#: The heading of the section; its search entry is left out with the section.
SIMILAR_HEADING = "## Similar incidents { data-search-exclude }"


def _similar_html(incident: Incident, rollups: Rollups, link: Links,
                  matches: list[Match]) -> str:
    from .learning import SIMILAR_FLOOR

    linked = {*incident.related, *rollups.referenced_by.get(incident.id, [])}
    return render("incident/similar.html.j2", i=incident, rollups=rollups, link=link,
                  matches=matches, linked=linked, floor=SIMILAR_FLOOR)


@dataclass(frozen=True)
class Outline:
    """Where a page body's additions go: lines counted from 0 in the Markdown MkDocs gives.

    ``title``: the line after the ``# title`` (0 without one); ``sections``: (slug, first
    line, line after the end) of each section.
    """

    title: int
    sections: tuple[tuple[str, int, int], ...]

    def to_json(self) -> list[Any]:
        return [self.title, [list(s) for s in self.sections]]

    @classmethod
    def from_json(cls, data: Any) -> Outline:
        title, sections = data
        return cls(int(title), tuple((str(s), int(a), int(b)) for s, a, b in sections))


def outline(markdown: str, body: Body | None = None) -> Outline:
    """The outline of ``markdown``, from ``body`` (the checker's parse) when it is that text."""
    document, first = _aligned(markdown, body)
    return Outline(
        document.title_line - first + 1 if document.title else 0,
        tuple((s.slug, s.line - first + 1, s.end_line - first + 1) for s in document.sections),
    )


def _aligned(markdown: str, body: Body | None) -> tuple[Body, int]:
    """The parsed body and the index of ``markdown``'s first line in it.

    MkDocs hands the page its body with the front matter and the blank lines after it
    removed; when that is the text the checker parsed, its parse is used. Only a page
    that another plugin changed first is parsed again.
    """
    if body is not None:
        text = "\n".join(body.lines)
        stripped = text.lstrip("\n")
        if stripped == markdown:
            return body, body.first_line + len(text) - len(stripped)
    return parse_body(markdown, 1), 1


def deferred_blocks(incident: Incident, rollups: Rollups, link: Links,
                    edit_url: str | None = None, similar: list[Match] | None = None,
                    ) -> dict[str, Callable[[], str]]:
    """How to render the blocks of a post-mortem page that search leaves out, by kind:
    ``card``, ``actions`` and, with ``similar``, ``similar``."""
    blocks = {
        "card": lambda: header_card(incident, rollups, link, edit_url),
        "actions": lambda: action_table(incident, link),
    }
    if similar is not None:
        blocks["similar"] = lambda: _similar_html(incident, rollups, link, similar)
    return blocks


def decorate(markdown: str, incident: Incident, rollups: Rollups, link: Links,
             edit_url: str | None = None, body: Body | None = None,
             similar: list[Match] | None = None, layout: Outline | None = None,
             hold: Callable[[str], str] | None = None,
             defer: Callable[[str, Callable[[], str]], str] | None = None,
             cause_in_title: bool = False) -> str:
    """``markdown`` (a post-mortem body, front matter removed) with the site's additions.

    The card goes under the ``# title``; the root-cause summary first in *Root Cause* (what
    a reader of that section sees first); the action-item table last in *Action Items*,
    after the authors' prose. ``body`` is the checker's parse of the same file, ``layout``
    the outline of ``markdown`` if known. With ``similar`` (the index's matches), a "Similar
    incidents" section ends the page. With ``hold``, each HTML block is replaced by what
    ``hold(html)`` returns (a marker: see :mod:`postmortems.site.stash`); with ``defer``, the
    blocks search leaves out (:func:`deferred_blocks`) are rendered only when the marker
    ``defer(kind, render)`` returns is put back. With ``cause_in_title`` (the plugin's build
    puts the summaries and categories in the title of the section's search entry), the
    summary box is left out of search.
    """
    layout = layout or outline(markdown, body)
    keep = hold or (lambda html: html.strip("\n"))

    blocks = deferred_blocks(incident, rollups, link, edit_url, similar)

    def later(kind: str) -> str:
        return defer(kind, blocks[kind]) if defer is not None else keep(blocks[kind]())

    lines = markdown.split("\n")
    inserts: list[tuple[int, str]] = [(layout.title, later("card"))]
    sections = layout.sections
    for slug, line, end_line in sections:
        if slug == "root-cause":
            inserts.append((line, keep(root_cause_box(incident, not cause_in_title))))
        elif slug == "action-items":
            inserts.append((end_line, later("actions")))
    if not any(s[0] == "action-items" for s in sections) and (
        incident.action_items or incident.actions_to_be_agreed
    ):
        inserts.append((len(lines), "## Action Items\n\n" + later("actions")))
    if similar is not None:
        inserts.append((len(lines), SIMILAR_HEADING + "\n\n" + later("similar")))
    for index, block in sorted(inserts, key=lambda item: item[0], reverse=True):
        lines[index:index] = ["", block.strip("\n"), ""]
    return "\n".join(lines)
