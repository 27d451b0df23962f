"""The generated pages of the site, rendered from templates as Markdown documents.

Each page is Markdown whose body is mostly HTML blocks (tables, cards, charts), so values
are escaped once, by the autoescaping templates, and MkDocs passes the blocks through.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..similar import VERY_SIMILAR_THRESHOLD
from .charts import draw_charts
from .learning import SIMILAR_FLOOR, Learning
from .rollups import SEVERITIES, Group, OwnerGroup, Rollups
from .templating import render
from .urls import VIEWS, SiteUrls, slug

#: A split view's part lists at most this many times ``index_page_size`` rows (an owner's
#: open action items, the closed ones shown): about 550 KB of HTML at the default 200.
ROWS_PER_PAGE_FACTOR = 5


@dataclass(frozen=True)
class SiteOptions:
    """What the plugin options change in the generated site."""

    index_page_size: int = 200
    chart_months: int = 24
    feed_size: int = 50
    site_name: str = "Post-mortems"


@dataclass(frozen=True)
class GeneratedPage:
    """A page to add to the site: its path in the docs tree and its Markdown, rendered when
    first read (a large build renders them apart while MkDocs reads the other pages)."""

    uri: str
    make: Callable[[], str] = field(repr=False, compare=False)
    #: False for the parts of a split view (an owner's items, a category, a year): the
    #: view links to them, the sidebar does not list them.
    in_nav: bool = True

    @functools.cached_property
    def markdown(self) -> str:
        return self.make()


@dataclass
class Site:
    """The rollups, their URLs and the options: everything the pages are rendered from."""

    rollups: Rollups
    urls: SiteUrls
    options: SiteOptions = field(default_factory=SiteOptions)
    learning: Learning | None = None

    @functools.cached_property
    def charts(self) -> dict[str, str]:
        """Every chart by name, drawn once per build."""
        return draw_charts(self.rollups, self.options.chart_months)

    @property
    def split_by_year(self) -> bool:
        """Whether the incident index is one page per year (past ``index_page_size``)."""
        return len(self.rollups.incidents) > self.options.index_page_size

    def year_uris(self) -> list[str]:
        if not self.split_by_year:
            return []
        return [self.urls.index_uri(group.name) for group in self.rollups.years]

    def _render(self, uri: str, template: str, *, in_nav: bool = True,
                **context: Any) -> GeneratedPage:
        link = self.urls.link(self.urls.page(uri))

        def make() -> str:
            return render(template, link=link, rollups=self.rollups, charts=self.charts,
                          today=self.rollups.today, page_size=self.options.index_page_size,
                          **context)

        return GeneratedPage(uri, make, in_nav)

    def pages(self, *, tags: bool = True) -> list[GeneratedPage]:
        """Every generated page, in a stable order; ``tags``: add the tags index page.

        Past ``index_page_size`` incidents the views that grow with the collection split:
        the index by year, action items by owner, root causes by category, recurrence by
        year; each view keeps its summary and links to its parts.
        """
        pages = [
            *self.index_pages(),
            self.severity_page(),
            *self.action_items_pages(),
            *self.root_causes_pages(),
            self.services_page(),
            *(self.service_page(group) for group in self.rollups.services),
            *(self.learning_pages() if self.learning is not None else []),
        ]
        return [*pages, *self.tags_pages()] if tags else pages

    def index_pages(self) -> list[GeneratedPage]:
        rollups = self.rollups
        counts = rollups.severity_totals()
        if not self.split_by_year:
            return [self._render(self.urls.index_uri(), "pages/incidents.md.j2",
                                 title="Incidents", year=None, years=[],
                                 incidents=rollups.incidents, counts=counts)]
        pages = [self._render(
            self.urls.index_uri(), "pages/years.md.j2", years=rollups.years,
            total=len(rollups.incidents), counts=counts,
            latest=rollups.incidents[: min(20, self.options.index_page_size)],
        )]
        for group in rollups.years:
            others = [g for g in rollups.years if g.name != group.name]
            pages.append(self._render(
                self.urls.index_uri(group.name), "pages/incidents.md.j2",
                title=f"Incidents in {group.name}", year=group.name, years=others,
                incidents=group.incidents, counts=group.severity_counts(),
            ))
        return pages

    def severity_page(self) -> GeneratedPage:
        rollups = self.rollups
        by_severity: dict[str, list[Any]] = {sev: [] for sev in SEVERITIES}
        for incident in rollups.incidents:
            by_severity.setdefault(incident.severity, []).append(incident)
        return self._render(
            VIEWS["severity"], "pages/severity.md.j2", total=len(rollups.incidents),
            counts=rollups.severity_totals(), by_year=rollups.by_year,
            by_quarter=rollups.by_quarter, by_month=rollups.by_month,
            durations=rollups.durations, by_severity=by_severity, split=self.split_by_year,
        )

    def action_items_page(self) -> GeneratedPage:
        return self.action_items_pages()[0]

    def action_items_pages(self) -> list[GeneratedPage]:
        """The action items view; split, each owner's items on a page of their own."""
        rollups = self.rollups
        anchors = owner_anchors([g.owner for g in rollups.owners])
        split = self.split_by_year
        owner_pages = ({g.owner: self.urls.page(part_uri(VIEWS["action-items"], anchors[g.owner]))
                        for g in rollups.owners} if split else {})
        pages = [self._render(
            VIEWS["action-items"], "pages/action-items.md.j2", rows=rollups.action_items,
            actions=rollups.action_counts(), owners=rollups.owners,
            overdue=[a for a in rollups.action_items if a.state == "overdue"],
            to_be_agreed=[i for i in rollups.incidents if i.actions_to_be_agreed],
            anchors=anchors, owner_pages=owner_pages,
        )]
        for group in rollups.owners if split else ():
            pages.extend(self._owner_pages(group, part_uri(VIEWS["action-items"],
                                                           anchors[group.owner])))
        return pages

    def _owner_pages(self, group: OwnerGroup, uri: str) -> list[GeneratedPage]:
        """An owner's page; past ``ROWS_PER_PAGE_FACTOR * index_page_size`` open items, the
        next ones on numbered pages of that many each (``<owner page>/open-2.md``...)."""
        size = ROWS_PER_PAGE_FACTOR * self.options.index_page_size
        open_rows = [row for row in group.items if row.is_open]
        chunks = [open_rows[n:n + size] for n in range(0, len(open_rows), size)] or [[]]
        uris = [uri, *(f"{uri.removesuffix('.md')}/open-{n}.md"
                       for n in range(2, len(chunks) + 1))]
        parts = [(n, n * size - size + 1, n * size - size + len(rows), self.urls.page(u))
                 for n, (rows, u) in enumerate(zip(chunks, uris, strict=True), start=1)]
        title = f"Action items of {slug(group.owner)}"
        return [self._render(u, "pages/owner-actions.md.j2", in_nav=False, group=group,
                             title=title if n == 1 else f"{title}, open items {first}-{last}",
                             open_rows=rows, part=n, parts=parts if len(parts) > 1 else [],
                             open_total=len(open_rows))
                for (n, first, last, _), rows, u in zip(parts, chunks, uris, strict=True)]

    def root_causes_page(self) -> GeneratedPage:
        return self.root_causes_pages()[0]

    def root_causes_pages(self) -> list[GeneratedPage]:
        """The root causes view; split, each category's incidents on a page of their own."""
        categories = self.rollups.categories
        split = self.split_by_year
        category_pages = ({g.name: self.urls.page(part_uri(VIEWS["root-causes"], slug(g.name)))
                           for g in categories} if split else {})
        pages = [self._render(VIEWS["root-causes"], "pages/root-causes.md.j2",
                              categories=categories, category_pages=category_pages)]
        for group in categories if split else ():
            pages.append(self._render(
                part_uri(VIEWS["root-causes"], slug(group.name)), "pages/root-cause.md.j2",
                in_nav=False, group=group, title=group.name))
        return pages

    def services_page(self) -> GeneratedPage:
        return self._render(VIEWS["services"], "pages/services.md.j2",
                            services=self.rollups.services)

    def service_page(self, group: Group) -> GeneratedPage:
        return self._render(self.urls.service_uri(group.name), "pages/service.md.j2",
                            group=group, title=slug(group.name))

    def learning_page(self) -> GeneratedPage:
        return self.learning_pages()[0]

    def learning_pages(self) -> list[GeneratedPage]:
        """The Learning page; split, its recurrence table on one page per year."""
        assert self.learning is not None
        years: list[tuple[str, int, list[Any], str]] = []
        if self.split_by_year:
            by_year: dict[str, list[Any]] = {}
            for r in self.learning.recurrences:
                date = r.incident.date
                by_year.setdefault(str(date.year) if date else "unknown", []).append(r)
            years = [(year, len(items), [r for r in items if r.recurs],
                      part_uri(VIEWS["learning"], year))
                     for year, items in sorted(by_year.items(), reverse=True)]
        pages = [self._render(
            VIEWS["learning"], "pages/learning.md.j2", learning=self.learning,
            threshold=VERY_SIMILAR_THRESHOLD, floor=SIMILAR_FLOOR,
            recurrence_years=[(y, n, len(rs), self.urls.page(uri)) for y, n, rs, uri in years],
        )]
        for year, count, recurring, uri in years:
            pages.append(self._render(
                uri, "pages/recurrence.md.j2", in_nav=False, year=year, count=count,
                recurring=recurring, threshold=VERY_SIMILAR_THRESHOLD))
        return pages

    def tags_page(self) -> GeneratedPage:
        return self.tags_pages()[0]

    @functools.cached_property
    def tag_uris(self) -> dict[str, str]:
        """Split, the source path of each tag's page, by tag; otherwise none (the theme's
        tags plugin lists every tag on the one tags page)."""
        if not self.split_by_year:
            return {}
        names = [g.name for g in self.rollups.tags]
        slugs = unique_slugs(names, "tag")
        return {name: part_uri(VIEWS["tags"], slugs[name]) for name in names}

    def tags_pages(self) -> list[GeneratedPage]:
        """The tags page; split, a table of the tags and one page per tag that lists its
        post-mortems (rendered here, as the service pages are: the theme's listings cost
        each page of the site a look-up in every listing)."""
        if not self.split_by_year:
            return [self._render(VIEWS["tags"], "pages/tags.md.j2", tag_pages=[])]
        uris = self.tag_uris
        parts = [(g, uris[g.name]) for g in self.rollups.tags]
        pages = [self._render(VIEWS["tags"], "pages/tags.md.j2",
                              tag_pages=[(g, self.urls.page(uri)) for g, uri in parts])]
        for group, uri in parts:
            pages.append(self._render(uri, "pages/tag.md.j2", in_nav=False, group=group))
        return pages


def part_uri(view_uri: str, name: str) -> str:
    """The source path of one part of a split view: ``action-items.md`` -> ``action-items/x.md``."""
    stem = view_uri.removesuffix(".md").removesuffix("/index")
    return f"{stem}/{name}.md"


def owner_anchors(owners: list[str]) -> dict[str, str]:
    """A unique ``owner-...`` anchor per owner, whatever characters the names hold."""
    return unique_slugs(owners, "owner")


def unique_slugs(names: list[str], prefix: str) -> dict[str, str]:
    """A unique ``<prefix>-...`` path segment or anchor per name."""
    anchors: dict[str, str] = {}
    used: set[str] = set()
    for owner in names:
        base = f"{prefix}-{slug(owner)}"
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        anchors[owner] = anchor
    return anchors
