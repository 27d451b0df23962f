"""The repository's own site, built once: every generated page against the front matter."""

from __future__ import annotations

import csv
import html
import io
import json
import posixpath
import re
import statistics
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

from markupsafe import escape
from tests.site.conftest import TODAY, BuiltSite, broken_links, causes, when

from postmortems.site.stats import format_duration
from postmortems.site.templating import CATEGORY_LABELS

ATOM = "{http://www.w3.org/2005/Atom}"
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")


def esc(value: str) -> str:
    """``value`` as the site's templates escape it."""
    return str(escape(value))


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _section(article: str, anchor: str) -> str:
    """The HTML from the heading with id ``anchor`` to the next heading of level 1 or 2."""
    start = article.index(f'id="{anchor}"')
    end = re.search(r"<h[12][ >]", article[start:])
    return article[start: start + end.start()] if end else article[start:]


def _actions(site: BuiltSite) -> list[dict[str, Any]]:
    return [{**item, "incident": meta["id"], "index": n}
            for meta in site.published for n, item in enumerate(meta["action_items"])]


def _overdue(item: dict[str, Any]) -> bool:
    return item["status"] in ("open", "in-progress") and item["due"] < TODAY.isoformat()


def test_build_is_clean_and_drafts_are_unpublished(sample: BuiltSite) -> None:
    assert sample.warnings() == []
    assert sample.drafts, "the sample should hold at least one draft"
    everything = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                           for p in sample.site.rglob("*") if p.is_file()
                           and p.suffix in (".html", ".json", ".xml", ".csv"))
    for draft in sample.drafts:
        assert draft["id"] not in everything
        assert draft["title"] not in everything
    index = (sample.site / "search/search_index.json").read_text(encoding="utf-8")
    for draft in sample.drafts:
        assert sample.source_of(draft["id"]).stem not in index


def test_incident_index_lists_every_published_postmortem_newest_first(sample: BuiltSite) -> None:
    article = sample.article("incidents")
    rows = re.findall(r"<tr data-severity=.*?</tr>", article, re.S)
    assert len(rows) == len(sample.published)
    for row, meta in zip(rows, sample.published, strict=True):
        assert f'data-severity="{meta["severity"]}"' in row
        assert f'data-status="{meta["status"]}"' in row
        assert f'data-services="{" ".join(meta["services"])}"' in row
        assert meta["id"] in row and esc(meta["title"]) in row
        assert meta["started"][:10] in row
        resolve = when(meta["resolved"]) - when(meta["started"])
        assert f'data-value="{int(resolve.total_seconds())}"' in row
        assert format_duration(resolve) in _text(row)
        url = sample.url_of(meta["id"]).removeprefix("incidents/")
        assert f'href="{url}"' in row
    # Filters for every severity, service and status of the page, hidden until the script runs.
    assert '<form class="pm-filter" hidden' in article
    for meta in sample.published:
        for service in meta["services"]:
            assert f'<option value="{service}">' in article
    page = sample.page("incidents")
    assert "assets/postmortems/postmortems.js" in page
    assert "assets/postmortems/postmortems.css" in page
    assert (sample.site / "assets/postmortems/postmortems.js").is_file()


def test_severity_page_counts_and_durations(sample: BuiltSite) -> None:
    article = sample.article("severity")
    by_year: dict[str, Counter[str]] = {}
    by_quarter: dict[str, Counter[str]] = {}
    for meta in sample.published:
        start = when(meta["started"])
        by_year.setdefault(f"{start.year}", Counter())[meta["severity"]] += 1
        quarter = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
        by_quarter.setdefault(quarter, Counter())[meta["severity"]] += 1
    for periods, anchor in ((by_year, "by-year"), (by_quarter, "by-quarter")):
        section = _section(article, anchor)
        for period, counts in periods.items():
            cells = [str(counts[s]) for s in SEVERITIES] + [str(sum(counts.values()))]
            assert f"{period} {' '.join(cells)}" in _text(section), period
    # Median and p90 by linear interpolation (statistics.quantiles, inclusive method).
    durations = _section(article, "time-to-detect-contain-and-resolve")
    for severity in SEVERITIES:
        metas = [m for m in sample.published if m["severity"] == severity]
        if not metas:
            continue
        cells = [str(len(metas))]
        for milestone in ("detected", "contained", "resolved"):
            values = [(when(m[milestone]) - when(m["started"])).total_seconds() for m in metas]
            median = statistics.median(values)
            p90 = (statistics.quantiles(values, n=10, method="inclusive")[8]
                   if len(values) > 1 else values[0])
            cells += [_fmt(median), _fmt(p90)]
        assert f"{severity} {' '.join(cells)}" in _text(durations), severity
    for severity in ("SEV1", "SEV2"):
        section = _section(article, f"{severity.lower()}-incidents")
        expected = [m["id"] for m in sample.published if m["severity"] == severity]
        assert re.findall(r"INC-\d{4}-\d+", _text(section)) == expected
    assert article.count("<svg") >= 2


def _fmt(seconds: float) -> str:
    import datetime as dt

    return format_duration(dt.timedelta(seconds=seconds))


def test_action_items_overdue_first_grouped_by_owner(sample: BuiltSite) -> None:
    article = sample.article("action-items")
    items = _actions(sample)
    overdue = sorted((i for i in items if _overdue(i)), key=lambda i: (i["due"], i["incident"]))
    assert overdue, "the sample should have overdue items on 2026-11-26"
    section = _section(article, "overdue")
    assert [html.unescape(a) for a in re.findall(r'<td class="pm-action">(.*?)</td>', section)] \
        == [i["action"] for i in overdue]
    counts = Counter(_state(i) for i in items)
    text = _text(article)
    assert (f"{counts['overdue']} overdue, {counts['open']} open, {counts['done']} done, "
            f"{counts['wont-do']} won't do ({len(items)} in all)") in text
    owners = _section(article, "by-owner")
    for owner in {i["owner"] for i in items}:
        mine = [i for i in items if i["owner"] == owner]
        state = Counter(_state(i) for i in mine)
        row = [owner] + [str(state[s]) for s in ("overdue", "open", "done", "wont-do")]
        assert " ".join([*row, str(len(mine))]) in _text(owners), owner
        # Each owner's section lists open items with the overdue ones first.
        own = article[article.index(f'id="owner-{owner}"'):]
        own = own[: own.find("<h3", 10) if own.find("<h3", 10) > 0 else len(own)]
        states = re.findall(r'pm-state--(\w[\w-]*)"', own)
        ranks = [("overdue", "open", "done", "wont-do").index(s) for s in states]
        open_ranks = [r for r in ranks if r < 2]
        assert open_ranks == sorted(open_ranks)


def _state(item: dict[str, Any]) -> str:
    if _overdue(item):
        return "overdue"
    return "open" if item["status"] in ("open", "in-progress") else item["status"]


def test_root_causes_grouped_by_category(sample: BuiltSite) -> None:
    article = sample.article("root-causes")
    assert "Start here" in article
    for meta in sample.published:
        for cause in causes(meta):  # an incident with several causes is in each category
            section = _section(article, cause["category"])
            assert esc(cause["summary"]) in section
            assert meta["id"] in section
            assert f'href="../{sample.url_of(meta["id"])}"' in section


def test_service_pages(sample: BuiltSite) -> None:
    services = sorted({s for m in sample.published for s in m["services"]})
    index = sample.article("services")
    for service in services:
        mine = [m["id"] for m in sample.published if service in m["services"]]
        assert f'href="{service}/"' in index
        page = sample.article(f"services/{service}")
        section = _section(page, "incidents")
        assert re.findall(r"<td class=\"pm-nowrap\">(INC-[\d-]+)</td>", section) == mine
    assert "services/checkout/" not in _sidebar(sample.page(""))


def test_incident_page_header_actions_related_and_edit_link(sample: BuiltSite) -> None:
    referenced: dict[str, list[str]] = {}
    for meta in sample.published:
        for other in meta.get("related", []):
            referenced.setdefault(other, []).append(meta["id"])
    assert referenced, "the sample should relate incidents"
    for meta in sample.published:
        url = sample.url_of(meta["id"])
        page = sample.page(url)
        article = sample.article(url)
        card = article[article.index('<aside class="pm-card"'): article.index("</aside>")]
        text = _text(card)
        assert meta["severity"] in text and meta["status"] in text
        for milestone, label in (("detected", "Time to detect"),
                                 ("contained", "Time to contain"),
                                 ("resolved", "Time to resolve")):
            value = when(meta[milestone]) - when(meta["started"])
            assert f"{label} {format_duration(value)}" in text
        for name in meta["authors"]:
            assert esc(name) in card
        for tag in meta.get("tags", []):
            assert esc(tag) in card
        for other in meta.get("related", []):
            target = posixpath.relpath(sample.url_of(other), url) + "/"
            assert f'href="{target}"' in _part(card, "Related"), (meta["id"], other)
        for other in referenced.get(meta["id"], []):
            assert other in _part(card, "Referenced by"), (meta["id"], other)
        source = sample.source_of(meta["id"]).relative_to(sample.project).as_posix()
        edit = f"https://github.com/basketly/postmortems/edit/main/{source}"
        assert f'href="{edit}" title="Edit this page"' in page
        assert "/docs/incidents/" not in page
        # Action items as a table, after the authors' prose in the Action Items section.
        actions = _section(article, "action-items")
        table = actions.index("<table")
        assert _text(actions[:table]).strip() not in ("", "Action Items¶")
        for item in meta["action_items"]:
            assert esc(item["action"]) in actions[table:]
        for cause in causes(meta):
            assert cause["summary"] in _text(_section(article, "root-cause"))


def _sidebar(page: str) -> str:
    """The primary navigation of a page (Material's left sidebar)."""
    start = page.index("md-nav--primary")
    return page[start: page.index('class="md-content"', start)]


def _part(card: str, label: str) -> str:
    start = card.find(f"<dt>{label}</dt>")
    return card[start: card.index("</dd>", start)] if start >= 0 else ""


def test_exports_round_trip(sample: BuiltSite) -> None:
    data = json.loads((sample.site / "incidents.json").read_text(encoding="utf-8"))
    assert data["count"] == len(sample.published) and data["today"] == TODAY.isoformat()
    for exported, meta in zip(data["incidents"], sample.published, strict=True):
        extra = {"durations", "url", "path", "source", "root_causes"}
        assert {k: v for k, v in exported.items() if k not in extra} == meta
        assert exported["root_causes"] == causes(meta)
        seconds = (when(meta["resolved"]) - when(meta["started"])).total_seconds()
        assert exported["durations"]["time_to_resolve"]["seconds"] == seconds
        assert exported["durations"]["time_to_resolve"]["minutes"] == round(seconds / 60, 2)
        assert exported["url"] == ("https://postmortems.basketly.example/"
                                   + sample.url_of(meta["id"]))
    rows = list(csv.DictReader(io.StringIO(
        (sample.site / "action-items.csv").read_text(encoding="utf-8"))))
    items = _actions(sample)
    assert len(rows) == len(items)
    expected = {(i["incident"], i["index"]): i for i in items}
    for row in rows:
        item = expected[(row["incident_id"], int(row["index"]))]
        for key in ("action", "owner", "due", "status", "kind", "ticket"):
            assert row[key] == item.get(key, "")
        assert row["state"] == _state(item)
    assert [r["state"] for r in rows][: sum(_overdue(i) for i in items)] == \
        ["overdue"] * sum(_overdue(i) for i in items)
    feed = ET.parse(sample.site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id") is not None and feed.find(f"{ATOM}updated") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == \
        [f"{m['id']}: {m['title']}" for m in sample.published]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    for entry, meta in zip(entries, sample.published, strict=True):
        for required in ("id", "title", "updated", f"author/{ATOM}name"):
            assert entry.find(f"{ATOM}{required}") is not None
        for cause in causes(meta):
            assert cause["summary"] in entry.findtext(f"{ATOM}summary")
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href", "").endswith(sample.url_of(meta["id"]))


def test_search_ranks_root_cause_sections_first(sample: BuiltSite) -> None:
    index = json.loads((sample.site / "search/search_index.json").read_text(encoding="utf-8"))
    docs = {d["location"]: d for d in index["docs"]}
    for meta in sample.published:
        url = sample.url_of(meta["id"])
        root_cause = docs[f"{url}#root-cause"]
        # Boosts rank relative to each other: the Root Cause 4 / 2, the rest of the
        # post-mortem 1 (no field), every other page 1 / 2.
        assert root_cause["boost"] == 2
        # Material weighs titles 1000 times text: the summary is in the entry's title, with
        # the categories.
        summary = " ".join(cause["summary"] for cause in causes(meta))
        labels = ", ".join(dict.fromkeys(CATEGORY_LABELS[c["category"]] for c in causes(meta)))
        assert html.unescape(root_cause["title"]) == f"Root Cause: {summary} ({labels})"
        others = [d for loc, d in docs.items() if loc.startswith(url) and "#root-cause" not in loc]
        assert others and all("boost" not in d for d in others)
    pages = [d for d in index["docs"] if not d["location"].startswith("incidents/")]
    assert pages and all(d["boost"] == 0.5 for d in pages)


def test_search_keeps_tags_once_a_page_and_generated_pages_by_title(sample: BuiltSite) -> None:
    docs = json.loads((sample.site / "search/search_index.json").read_text("utf-8"))["docs"]
    first: dict[str, dict[str, Any]] = {}
    for doc in docs:
        page = doc["location"].partition("#")[0]
        if page in first:
            assert "tags" not in doc, doc["location"]
        else:
            first[page] = doc
    for meta in sample.published:
        if meta.get("tags"):
            assert first[sample.url_of(meta["id"])]["tags"] == meta["tags"]
    # A generated page is one entry, titled by its heading; its sections are not entries.
    assert first["severity/"]["title"] == "Severity"
    services = [loc for loc in first if loc.startswith("services/") and loc != "services/"]
    names = {html.unescape(first[loc]["title"]) for loc in services}
    assert services and names <= {s for m in sample.published for s in m["services"]}
    assert not [d for d in docs if d["location"].startswith(("severity/#", "services/"))
                and "#" in d["location"]]


def test_sidebar_lists_views_not_incidents(sample: BuiltSite) -> None:
    nav = _text(_sidebar(sample.page("severity")))
    for view in ("Incidents", "Severity", "Action items", "Root causes", "Services", "Tags"):
        assert view in nav
    for meta in sample.published:
        assert meta["title"] not in nav


def test_home_and_macros_pages_render_the_rollups(sample: BuiltSite) -> None:
    home = sample.article("")
    assert "{{" not in home and "{%" not in home
    counts = Counter(m["severity"] for m in sample.published)
    table = home[home.index('class="pm-severity-counts"'):]
    cells = re.findall(r'<td><a href="severity/">(\d+)</a></td>', table)[:4]
    assert cells == [str(counts[s]) for s in SEVERITIES]
    assert f"({len(sample.published)} so far" in _text(home)
    recent = re.findall(r"<tr data-severity=.*?</tr>", home, re.S)
    assert [re.search(r"INC-[\d-]+", r).group() for r in recent] == \
        [m["id"] for m in sample.published[:5]]
    overdue = sum(_overdue(i) for i in _actions(sample))
    assert f"{overdue} of " in _text(home)
    macros = sample.article("macros")
    rendered = re.sub(r"<code>.*?</code>|<pre.*?</pre>", "", macros, flags=re.S)
    assert "{{" not in rendered
    first = sample.by_id("INC-2025-004")
    assert f"INC-2025-004 · {esc(first['title'])}" in macros


def test_tags_page_lists_tags(sample: BuiltSite) -> None:
    article = sample.article("tags")
    for tag in {t for m in sample.published for t in m.get("tags", [])}:
        assert esc(tag) in article


def test_every_content_link_resolves(sample: BuiltSite) -> None:
    assert broken_links(sample.project) == []


def test_charts_are_valid_svg(sample: BuiltSite) -> None:
    for url in ("", "severity", "action-items"):
        charts = re.findall(r'<svg [^>]*class="pm-chart".*?</svg>', sample.article(url), re.S)
        assert charts, url
        for svg in charts:
            root = ET.fromstring(svg)
            assert root.find("{http://www.w3.org/2000/svg}title") is not None
