"""A site past ``index_page_size``: one index page per year, the years in the sidebar.

Built with ``.html`` URLs, no ``site_url``, and mkdocs-macros listed before the postmortems
plugin, so relative links, feed ids and the macro registration are checked in that set-up too.
"""

from __future__ import annotations

import html
import posixpath
import re
import xml.etree.ElementTree as ET

import pytest
from tests.site.conftest import (
    BuiltSite,
    broken_links,
    build_project,
    causes,
    copy_repo_project,
    when,
)

MKDOCS_YML = """\
site_name: Split post-mortems
docs_dir: docs
use_directory_urls: false
theme:
  name: material
  features: [navigation.sections, navigation.indexes]
plugins:
  - search
  - tags
  - macros:
      render_by_default: false
      on_undefined: strict
      on_error_fail: true
  - postmortems:
      today: 2026-11-26
      language: false
      index_page_size: 4
      feed_size: 3
markdown_extensions: [attr_list, md_in_html, tables, toc]
nav:
  - Home: index.md
  - Incidents: incidents/index.md
  - Severity: severity.md
  - Action items: action-items.md
  - Root causes: root-causes.md
  - Services: services/index.md
  - Tags: tags.md
"""


@pytest.fixture(scope="module")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    project = copy_repo_project(tmp_path_factory.mktemp("split") / "project")
    (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    # A tag that needs escaping and sorts before the others: the chips escape and order it.
    tagged = project / "incidents/2026/2026-01-19-search-showed-unavailable-items.md"
    text = tagged.read_text(encoding="utf-8")
    text = text.replace("tags: [elasticsearch,", 'tags: ["R&D <ops>", elasticsearch,', 1)
    tagged.write_text(text, encoding="utf-8")
    return build_project(project)


def _html(site: BuiltSite, path: str) -> str:
    return (site.site / path).read_text(encoding="utf-8")


def test_one_page_per_year(split_site: BuiltSite) -> None:
    years: dict[str, list[str]] = {}
    for meta in split_site.published:
        years.setdefault(meta["started"][:4], []).append(meta["id"])
    assert len(split_site.published) > 4 and len(years) > 1
    index = _html(split_site, "incidents/index.html")
    for year, ids in years.items():
        assert f'href="{year}/index.html"' in index
        page = _html(split_site, f"incidents/{year}/index.html")
        article = page[page.index("<article"): page.index("</article>")]
        rows = re.findall(r"<tr data-severity=.*?</tr>", article, re.S)
        assert [re.search(r"INC-[\d-]+", r).group() for r in rows] == ids
    assert split_site.warnings() == []


def test_sidebar_lists_years_not_incidents(split_site: BuiltSite) -> None:
    page = _html(split_site, "severity.html")
    nav = page[page.index("md-nav--primary"): page.index('class="md-content"')]
    for year in {m["started"][:4] for m in split_site.published}:
        assert f"incidents/{year}/index.html" in nav
    for meta in split_site.published:
        assert meta["id"] not in nav


def test_links_resolve_with_html_urls(split_site: BuiltSite) -> None:
    assert broken_links(split_site.project) == []


def test_macros_work_when_listed_first(split_site: BuiltSite) -> None:
    home = _html(split_site, "index.html")
    assert "{{" not in home.split("<article", 1)[1]
    assert 'class="pm-severity-counts"' in home


def test_feed_without_site_url(split_site: BuiltSite) -> None:
    feed = ET.parse(split_site.site / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == 3
    newest = sorted(split_site.published, key=lambda m: when(m["started"]), reverse=True)[:3]
    assert all(e.findtext(f"{atom}id").startswith("urn:uuid:") for e in entries)
    hrefs = [e.find(f"{atom}link").get("href") for e in entries]
    assert hrefs == [split_site.url_of(m["id"])[:-1] + ".html" for m in newest]


def _article(site: BuiltSite, path: str) -> str:
    page = _html(site, path)
    return page[page.index("<article"): page.index("</article>")]


def _items(site: BuiltSite) -> list[dict[str, str]]:
    return [{**item, "incident": meta["id"]} for meta in site.published
            for item in meta["action_items"]]


def test_action_items_split_by_owner(split_site: BuiltSite) -> None:
    items = _items(split_site)
    view = _article(split_site, "action-items.html")
    assert "<h3" not in view  # the owners' sections moved to their own pages
    overdue = [i for i in items if i["status"] in ("open", "in-progress")
               and i["due"] < "2026-11-26"]
    assert len(overdue) > 4
    shown = re.findall(r'<td class="pm-action">', view.split('id="by-owner"')[0])
    assert len(shown) == 4 and f"The 4 most overdue of {len(overdue)}" in view
    owners = {i["owner"] for i in items}
    links = dict(re.findall(r'<a href="(action-items/owner-[^"]+\.html)">([^<]+)</a>', view))
    assert set(links.values()) == owners
    for href, owner in links.items():
        page = _article(split_site, href)
        mine = [i for i in items if i["owner"] == owner]
        cells = re.findall(r'<td class="pm-action">(.*?)</td>', page)
        assert sorted(map(html.unescape, cells)) == sorted(i["action"] for i in mine), owner
        assert owner in page.split("</h1>")[0]


def test_root_causes_split_by_category(split_site: BuiltSite) -> None:
    view = _article(split_site, "root-causes.html")
    assert "pm-causes" not in view
    links = re.findall(r'<tr id="([a-z-]+)"><td><a href="(root-causes/[a-z-]+\.html)">', view)
    assert links
    for category, href in links:
        page = _article(split_site, href)
        ids = {m["id"] for m in split_site.published
               if any(c["category"] == category for c in causes(m))}
        assert set(re.findall(r">(INC-\d{4}-\d+)</a>", page)) == ids


def test_severity_and_learning_stay_bounded(split_site: BuiltSite) -> None:
    severity = _article(split_site, "severity.html")
    sev2 = [m for m in split_site.published if m["severity"] == "SEV2"]
    if len(sev2) > 4:
        assert f"The latest 4 of {len(sev2)}" in severity
    learning = _article(split_site, "learning.html")
    years = re.findall(r'<a href="(learning/(\d{4})\.html)">', learning)
    assert {y for _, y in years} == {m["started"][:4] for m in split_site.published}
    recurring = sum(len(re.findall(r"<tr><td>", _article(split_site, href)))
                    for href, _ in years)
    assert recurring == 2  # the sample's two recurrences, each on its year's page
    nav = _html(split_site, "severity.html").split('class="md-content"')[0]
    assert "action-items/owner-" not in nav and "learning/20" not in nav


def test_macros_show_a_page_of_items(split_site: BuiltSite) -> None:
    home = _html(split_site, "index.html").split("<article", 1)[1]
    overdue = [i for i in _items(split_site) if i["status"] in ("open", "in-progress")
               and i["due"] < "2026-11-26"]
    assert f"The first 4 of {len(overdue)}" in home


def test_a_post_mortems_tags_link_to_their_tag_pages(split_site: BuiltSite) -> None:
    view = _article(split_site, "tags.html")
    pages = {html.unescape(tag): href for href, tag in
             re.findall(r'<a class="pm-chip" href="(tags/tag-[^"]+\.html)">([^<]+)</a>', view)}
    tagged = [m for m in split_site.published if m.get("tags")]
    assert tagged
    for meta in tagged:
        url = split_site.url_of(meta["id"])[:-1] + ".html"
        page = _html(split_site, url)
        bar = page[page.index('<nav class="md-tags"'):]
        bar = bar[: bar.index("</nav>")]
        chips = re.findall(r'<a href="([^"]+)" class="md-tag">([^<]+)</a>', bar)
        assert [html.unescape(name) for _, name in chips] == sorted(meta["tags"])
        for href, name in chips:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(url), href))
            assert target == pages[html.unescape(name)], (meta["id"], name)


def test_tags_split_into_one_listing_per_tag(split_site: BuiltSite) -> None:
    view = _article(split_site, "tags.html")
    links = {href: html.unescape(tag) for href, tag in
             re.findall(r'<a class="pm-chip" href="(tags/tag-[^"]+\.html)">([^<]+)</a>', view)}
    tags = {t for m in split_site.published for t in m.get("tags", [])}
    assert set(links.values()) == tags
    for href, tag in links.items():
        page = _article(split_site, href)
        carriers = {split_site.url_of(m["id"]) for m in split_site.published
                    if tag in m.get("tags", [])}
        listed = {posixpath.normpath(posixpath.join("tags", h)) for h in
                  re.findall(r'href="(\.\./incidents/[^"#]+\.html)"', page)}
        assert listed == {posixpath.normpath(u[:-1] + ".html") for u in carriers}, tag
