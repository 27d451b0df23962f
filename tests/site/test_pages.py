"""Page rendering without MkDocs: URLs, escaping helpers, page additions, index splitting."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import markdown
import pytest
from tests.site.conftest import make_postmortem, owner_site

from postmortems.site.exports import csv_cell, html_safe_json
from postmortems.site.incident_page import decorate
from postmortems.site.navigation import with_year_pages
from postmortems.site.pages import Site, SiteOptions, owner_anchors
from postmortems.site.rollups import build_rollups
from postmortems.site.templating import markdown_text
from postmortems.site.urls import SiteUrls, edit_base, edit_url, page_url, relative_url

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(("uri", "dirs", "url"), [
    ("index.md", True, "./"), ("index.md", False, "index.html"),
    ("incidents/index.md", True, "incidents/"), ("incidents/index.md", False,
                                                  "incidents/index.html"),
    ("severity.md", True, "severity/"), ("severity.md", False, "severity.html"),
    ("services/orders-db.md", True, "services/orders-db/"),
])
def test_page_url_as_mkdocs(uri: str, dirs: bool, url: str) -> None:
    from mkdocs.structure.files import File

    assert page_url(uri, use_directory_urls=dirs) == url
    assert File(uri, "/docs", "/site", use_directory_urls=dirs).url == url


@pytest.mark.parametrize(("target", "page", "expected"), [
    ("incidents/2026/a/", "incidents/", "2026/a/"),
    ("severity/", "incidents/2026/a/", "../../../severity/"),
    ("./", "incidents/", "../"),
    ("./", "./", "./"),
    ("incidents.json", "services/x/", "../../incidents.json"),
    ("root-causes/#capacity", "./", "root-causes/#capacity"),
    ("incidents/2026/a.html", "incidents/index.html", "2026/a.html"),
    ("severity.html", "index.html", "severity.html"),
])
def test_relative_url(target: str, page: str, expected: str) -> None:
    from mkdocs.utils import get_relative_url

    assert relative_url(target, page) == expected
    if "#" not in target:
        assert get_relative_url(target, page) == expected


def test_edit_links_point_at_the_repository_file() -> None:
    base = edit_base("https://github.com/org/repo", "edit/main/docs/", "docs")
    assert base == "https://github.com/org/repo/edit/main/"
    assert edit_url(base, "incidents/2026/a b.md") == (
        "https://github.com/org/repo/edit/main/incidents/2026/a%20b.md")
    assert edit_base("https://github.com/org/repo/", "edit/main/", "docs") == (
        "https://github.com/org/repo/edit/main/")
    assert edit_base("https://x.example/r", None, "docs", "-/edit/trunk/site/") == (
        "https://x.example/r/-/edit/trunk/site/")
    assert edit_base(None, "edit/main/docs/", "docs") is None
    assert edit_url(base, "../outside.md") is None


def test_markdown_text_is_literal_in_markdown() -> None:
    evil = "*bold* [link](javascript:alert(1)) `code` <b>&amp; # _x_ | a > b"
    out = markdown.markdown(f"## {markdown_text(evil)}", extensions=["tables", "attr_list"])
    assert "<em>" not in out and "<a " not in out and "<code>" not in out and "<b>" not in out
    assert out.count("&lt;b&gt;") == 1 and "&amp;amp;" in out
    assert "\\" not in out  # every backslash escape is consumed


def test_json_is_inert_in_html_and_csv_cells_are_not_formulas() -> None:
    data = {"title": "</script><img src=x onerror=alert(1)> & \u2028"}
    text = html_safe_json(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("@SUM") == "'@SUM" and csv_cell("plain") == "plain"


def test_owner_anchors_are_unique() -> None:
    anchors = owner_anchors(["DB team", "db-team", "db_team!", "<x>"])
    assert len(set(anchors.values())) == 4
    assert all(a.startswith("owner-") and "<" not in a for a in anchors.values())


def _site(tmp_path: Path, count: int, size: int) -> Site:
    pms = [make_postmortem(tmp_path, f"INC-{2025 + n % 2}-{n:03d}",
                           started=f"{2025 + n % 2}-0{1 + n % 9}-10T10:00:00Z",
                           detected=f"{2025 + n % 2}-0{1 + n % 9}-10T10:05:00Z",
                           contained=f"{2025 + n % 2}-0{1 + n % 9}-10T10:10:00Z",
                           resolved=f"{2025 + n % 2}-0{1 + n % 9}-10T11:00:00Z")
           for n in range(count)]
    rollups = build_rollups(pms, TODAY)
    urls = SiteUrls({i.id: f"incidents/{i.id}/" for i in rollups.incidents})
    return Site(rollups, urls, SiteOptions(index_page_size=size))


def test_index_is_one_page_up_to_the_page_size(tmp_path: Path) -> None:
    site = _site(tmp_path, 6, 6)
    pages = {p.uri: p.markdown for p in site.pages()}
    assert not site.split_by_year
    assert "incidents/2025/index.md" not in pages
    assert pages["incidents/index.md"].count("<tr data-severity=") == 6
    assert "services/checkout.md" in pages and "tags.md" in pages
    assert "tags.md" not in {p.uri for p in site.pages(tags=False)}


def test_index_splits_by_year_past_the_page_size(tmp_path: Path) -> None:
    site = _site(tmp_path, 6, 5)
    pages = {p.uri: p.markdown for p in site.pages()}
    assert site.split_by_year
    assert pages["incidents/2026/index.md"].count("<tr data-severity=") == 3
    assert pages["incidents/2025/index.md"].count("<tr data-severity=") == 3
    index = pages["incidents/index.md"]
    assert 'href="2026/"' in index and 'href="2025/"' in index
    assert site.year_uris() == ["incidents/2026/index.md", "incidents/2025/index.md"]


def test_year_pages_join_the_nav_under_incidents() -> None:
    nav = ["index.md", {"Incidents": "incidents/index.md"}, {"Guides": ["a.md"]}]
    years = [("2026", "incidents/2026/index.md"), ("2025", "incidents/2025/index.md")]
    assert with_year_pages(nav, "incidents/index.md", years) == [
        "index.md",
        {"Incidents": ["incidents/index.md", {"2026": "incidents/2026/index.md"},
                       {"2025": "incidents/2025/index.md"}]},
        {"Guides": ["a.md"]},
    ]
    assert nav[1] == {"Incidents": "incidents/index.md"}  # the original is untouched
    assert with_year_pages(nav, "incidents/index.md", []) is nav


BODY = """# Title

Intro.

## Summary

Text.

## Root Cause

Why.

```text
## Action Items inside a fence is not a heading
```

## Action Items

Prose about the items.

## Prevention Measures

Checks.
"""


def test_decorate_places_card_root_cause_and_actions(tmp_path: Path) -> None:
    pm = make_postmortem(tmp_path, "INC-2026-001", action_items=[
        {"action": "Alert on connection saturation", "owner": "db-team",
         "due": "2026-04-01", "status": "open"}])
    rollups = build_rollups([pm], TODAY)
    incident = rollups.incidents[0]
    link = SiteUrls({incident.id: "incidents/x/"}).link("incidents/x/")
    out = decorate(BODY, incident, rollups, link, "https://example/edit/x.md")
    assert out.index("# Title") < out.index('<aside class="pm-card"') < out.index("Intro.")
    root = out.index("## Root Cause")
    assert root < out.index('<div class="pm-rootcause">') < out.index("Why.")
    actions = out.index("\n## Action Items")
    table = out.index("Alert on connection saturation")
    assert actions < out.index("Prose about the items.") < table
    assert table < out.index("## Prevention Measures")
    assert "https://example/edit/x.md" in out
    html = markdown.markdown(out, extensions=["tables", "md_in_html", "fenced_code"])
    assert '<aside class="pm-card"' in html and "Overdue" in html


def test_outlines_are_kept_between_builds(tmp_path: Path) -> None:
    from postmortems.site.incident_page import outline
    from postmortems.site.outlines import OutlineCache

    pm = make_postmortem(tmp_path, "INC-2026-001")
    rollups = build_rollups([pm], TODAY)
    incident = rollups.incidents[0]
    link = SiteUrls({incident.id: "incidents/x/"}).link("incidents/x/")
    path = tmp_path / "cache" / "site-outlines.json"
    first = OutlineCache(path)
    layout = first.outline(BODY, None)
    assert layout == outline(BODY)
    assert {"root-cause", "action-items"} <= {s[0] for s in layout.sections}
    first.save()
    second = OutlineCache(path)
    assert second.stored and second.outline(BODY, None) == layout
    assert not second.changed
    assert decorate(BODY, incident, rollups, link, layout=layout) == decorate(
        BODY, incident, rollups, link)


def test_the_cause_box_leaves_search_when_the_title_carries_it(tmp_path: Path) -> None:
    pm = make_postmortem(tmp_path, "INC-2026-001")
    rollups = build_rollups([pm], TODAY)
    incident = rollups.incidents[0]
    link = SiteUrls({incident.id: "incidents/x/"}).link("incidents/x/")
    # The plugin's build puts the summaries in the search entry's title; an exported site
    # (no plugin) keeps them searchable in the box.
    assert '<div class="pm-rootcause" data-search-exclude>' in decorate(
        BODY, incident, rollups, link, cause_in_title=True)
    assert '<div class="pm-rootcause">' in decorate(BODY, incident, rollups, link)


def test_held_html_skips_markdown_and_comes_back(tmp_path: Path) -> None:
    from postmortems.site.stash import HtmlStash

    pm = make_postmortem(tmp_path, "INC-2026-001")
    rollups = build_rollups([pm], TODAY)
    incident = rollups.incidents[0]
    link = SiteUrls({incident.id: "incidents/x/"}).link("incidents/x/")
    stash = HtmlStash()
    held = decorate(BODY, incident, rollups, link, hold=stash.hold)
    assert "pm-card" not in held and "pm-rootcause" not in held
    rendered = markdown.markdown(held, extensions=["tables", "md_in_html", "attr_list"])
    content = stash.fill(rendered)  # what search reads: the card is excluded from it anyway
    assert "pm-rootcause" in content and "pm-card" not in content
    page = stash.fill(content, excluded=True)
    direct = markdown.markdown(decorate(BODY, incident, rollups, link),
                               extensions=["tables", "md_in_html", "attr_list"])
    for marker in ('<aside class="pm-card"', '<div class="pm-rootcause">'):
        assert page.count(marker) == direct.count(marker) == 1
    assert page.index("pm-card") < page.index("Intro.") < page.index("pm-rootcause")
    # A marker of another build (or typed into a post-mortem) is left as it is.
    assert HtmlStash().fill(held) == held


def test_generated_pages_hold_only_pure_html_blocks() -> None:
    from postmortems.site.stash import HtmlStash, hold_blocks

    page = ("---\ntitle: T\n---\n\n# T { #t }\n\nSome *text* and <a href=\"x/\">a link</a>.\n\n"
            '<div class="pm-x" data-search-exclude>\n<table>\n<tr><td>1</td></tr>\n</table>\n'
            "</div>\n\n<!-- material/tags -->\n\n<p class=\"pm-more\">More.</p>\n")
    stash = HtmlStash()
    held = hold_blocks(page, stash.hold)
    assert held.startswith("---\ntitle: T\n---\n\n# T { #t }\n\nSome *text* and <a href")
    assert "<!-- material/tags -->" in held and "pm-x" not in held and "pm-more" not in held
    html = stash.fill(markdown.markdown(held.split("---\n", 2)[2], extensions=["md_in_html"]))
    direct = markdown.markdown(page.split("---\n", 2)[2], extensions=["md_in_html"])
    assert html.replace("\n", "") != direct.replace("\n", "")  # the excluded div comes last
    html = stash.fill(html, excluded=True)
    assert html.replace("\n", "") == direct.replace("\n", "")


def test_excluded_element_is_one_whole_element() -> None:
    from postmortems.site.stash import excluded_element

    assert excluded_element('<div class="a" data-search-exclude>\n<div>x</div>\n</div>')
    assert not excluded_element('<div data-search-exclude>x</div>\n<p>searchable</p>')
    assert not excluded_element('<div class="a">x</div>')
    assert not excluded_element('<div data-search-exclude><div>x</div>')


def test_markers_stay_unique_after_blocks_are_put_back() -> None:
    from postmortems.site.stash import HtmlStash

    stash = HtmlStash()
    first = stash.hold("<p>one</p>")
    assert stash.fill(first) == "<p>one</p>"
    second = stash.hold("<p>two</p>")
    assert second != first and stash.fill(second + first) == "<p>two</p>"


def test_owner_page_shows_a_bounded_number_of_closed_items(tmp_path: Path) -> None:
    items = [{"action": f"Step {n}", "owner": "db-team", "due": f"2025-02-{1 + n:02d}",
              "status": "done"} for n in range(14)]
    site = owner_site(tmp_path, [items, items], 1)
    pages = {p.uri: p for p in site.pages()}
    owner = pages["action-items/owner-db-team.md"]
    assert not owner.in_nav
    assert owner.markdown.count('<td class="pm-action">') == 5
    assert "The 5 closed items due last, of 28" in owner.markdown
