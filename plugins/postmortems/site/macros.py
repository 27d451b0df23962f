"""Variables and macros for mkdocs-macros, so any page in docs/ can embed the rollups.

Each macro returns HTML rendered by the site's autoescaping templates, with links relative
to the page being rendered. Block macros (tables, charts) belong on a line of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from .charts import CHART_NAMES
from .pages import Site
from .templating import inert_html, render


class SiteMacros:
    """The macros, bound to a getter of the current :class:`Site` and of the page URL."""

    def __init__(self, site: Callable[[], Site | None], page_url: Callable[[], str]) -> None:
        self._site = site
        self._page_url = page_url

    def _context(self) -> tuple[Site, Any]:
        site = self._site()
        if site is None:
            raise RuntimeError("the postmortems plugin has not read the post-mortems yet")
        return site, site.urls.link(self._page_url())

    def _block(self, template: str, **context: Any) -> Markup:
        return Markup("\n" + inert_html(render(template, **context).strip("\n")) + "\n")

    def severity_counts(self) -> Markup:
        """A table of published post-mortems per severity, linked to the severity page."""
        site, link = self._context()
        counts = site.rollups.severity_totals()
        return self._block("macros/severity.html.j2", link=link, counts=counts,
                           total=sum(counts.values()))

    def recent_incidents(self, n: int = 5) -> Markup:
        """The ``n`` newest published post-mortems."""
        site, link = self._context()
        return self._block("macros/incidents.html.j2", link=link,
                           incidents=site.rollups.incidents[: max(0, int(n))],
                           empty="No published post-mortems yet.")

    def incident_table(self, service: str | None = None, severity: str | None = None,
                  n: int | None = None) -> Markup:
        """Published post-mortems, optionally of one service and/or severity, newest first."""
        site, link = self._context()
        rows = [i for i in site.rollups.incidents
                if (service is None or service in i.services)
                and (severity is None or i.severity == severity)]
        return self._block("macros/incidents.html.j2", link=link,
                           incidents=rows if n is None else rows[: max(0, int(n))],
                           empty="No matching post-mortems.")

    def _actions(self, rows: list[Any], n: int | None, **context: Any) -> Markup:
        """At most ``n`` rows (``index_page_size`` by default): every one is on the action
        items page and in the CSV export."""
        site, link = self._context()
        limit = site.options.index_page_size if n is None else max(0, int(n))
        return self._block("macros/actions.html.j2", link=link, rows=rows[:limit],
                           total=len(rows), **context)

    def open_action_items(self, owner: str | None = None, n: int | None = None) -> Markup:
        """Open and in-progress action items (overdue first), optionally of one owner."""
        site, _ = self._context()
        rows = [a for a in site.rollups.action_items
                if a.is_open and (owner is None or a.owner == owner)]
        return self._actions(rows, n, show_owner=owner is None, empty="No open action items.")

    def overdue_action_items(self, n: int | None = None) -> Markup:
        """Action items still open after their due date (as of the build date or ``today``)."""
        site, _ = self._context()
        rows = [a for a in site.rollups.action_items if a.state == "overdue"]
        return self._actions(rows, n, show_owner=True, empty="Nothing is overdue.")

    def incident_link(self, incident_id: str) -> Markup:
        """An inline link ``INC-… · title`` to a published post-mortem."""
        site, link = self._context()
        incident = site.rollups.by_id.get(str(incident_id))
        return inert_html(render("macros/link.html.j2", link=link, incident=incident,
                                 incident_id=str(incident_id)).strip("\n"))

    def chart(self, name: str) -> Markup:
        """One of the site's SVG charts: incidents-per-month, time-to-resolve, action-items."""
        site, _ = self._context()
        if name not in site.charts:
            raise ValueError(f"unknown chart {name!r}; use one of {', '.join(CHART_NAMES)}")
        return self._block("macros/chart.html.j2", svg=site.charts[name])

    def functions(self) -> dict[str, Callable[..., Markup]]:
        """The macros by the name pages call them."""
        return {
            "severity_counts": self.severity_counts,
            "recent_incidents": self.recent_incidents,
            "incident_table": self.incident_table,
            "open_action_items": self.open_action_items,
            "overdue_action_items": self.overdue_action_items,
            "incident_link": self.incident_link,
            "chart": self.chart,
        }
