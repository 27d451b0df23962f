"""Markup in a post-mortem's text fields lands escaped in every page and export.

One valid post-mortem carries script and attribute-breaking payloads in every free-text
field (title, root-cause summary, action, owner, authors, tags) and a ``javascript:`` ticket;
the repository's site is built with it, and every output file is searched for live markup.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.site.conftest import BuiltSite, add_plugin_options, build_project, copy_repo_project

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
LINK = "[click](javascript:alert(1))"
JINJA = "{{ 7*7 }} {% if true %}yes{% endif %}"
PAYLOAD = f"{SCRIPT} {ATTRIBUTE} {LINK}"
LIVE = ("<script>alert", "<img src=x onerror", 'href="javascript:', "href='javascript:")

EVIL = f"""\
---
id: INC-2026-090
title: 'Checkout {PAYLOAD}'
status: final
severity: SEV3
impact_flags:
  production: false
  data_loss: false
  security: false
  users_blocked: false
  correctness: true
services: [checkout]
tags: ['{SCRIPT}', '{ATTRIBUTE}', '{JINJA}']
detection: monitoring
started: 2026-08-03T09:00:00Z
detected: 2026-08-03T09:10:00Z
contained: 2026-08-03T09:30:00Z
resolved: 2026-08-03T10:00:00Z
fix_type: revert
root_cause:
  category: code-change
  summary: 'The cause {PAYLOAD} {JINJA}'
authors: ['Ann {SCRIPT}', '{ATTRIBUTE}']
action_items:
  - action: 'Fix {PAYLOAD}'
    owner: 'team {SCRIPT}{ATTRIBUTE}'
    due: 2026-09-01
    status: open
    kind: prevent
    ticket: 'javascript:alert(1)'
  - action: '=HYPERLINK("https://evil.example") {ATTRIBUTE}'
    owner: '@ops {ATTRIBUTE}'
    due: 2026-12-01
    status: open
    ticket: https://tracker.example/T-1?q=%22%3E
---
# Checkout errors from a bad deploy

## Summary

A deploy of the checkout service broke the basket page for ten minutes.

## Impact

Customers could not reach the basket page between 09:00 and 09:30 UTC.

## Timeline

| Time | Event | Evidence |
|------|-------|----------|
| 09:00 | Deploy finished | deploy log |
| 09:10 | Alert fired | alert CHK-1 |

## Root Cause

A template change shipped without its test fixture. Templates look like this:

```jinja
{JINJA}
```

## Contributing Factors

The fixture review was manual.

## Action Items

Both items are tracked.

## Prevention Measures

The fixture review is now automated.
"""


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    project = copy_repo_project(tmp_path_factory.mktemp("evil") / "project")
    add_plugin_options(project / "mkdocs.yml", today="2026-11-26")
    # The stock schema refuses links that are not http(s); a team may allow other schemes,
    # and the site must still never turn one into a live link.
    schema = project / "schemas/postmortem.schema.json"
    data = json.loads(schema.read_text(encoding="utf-8"))
    ticket = data["$defs"]["action_item"]["properties"]["ticket"]
    del ticket["pattern"]
    schema.write_text(json.dumps(data), encoding="utf-8")
    (project / "incidents/2026/2026-08-03-evil.md").write_text(EVIL, encoding="utf-8")
    return build_project(project)


def _outputs(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*")) if p.is_file()
            and p.suffix in (".html", ".json", ".xml", ".js", ".txt", ".svg")]


def test_no_live_markup_in_any_page_or_export(evil_site: BuiltSite) -> None:
    found = []
    for path in _outputs(evil_site.site):
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(evil_site.site)}: {live}" for live in LIVE if live in text]
    assert found == []


def test_the_payload_is_shown_as_text(evil_site: BuiltSite) -> None:
    page = evil_site.page("incidents/2026/2026-08-03-evil")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    title = page[page.index("<title>"): page.index("</title>")]
    assert "&lt;script&gt;" in title
    # Not rendered by the macros plugin, in the title, the front matter or a code block.
    assert "{{ 7*7 }}" in page and "{% if true %}" in page
    index = evil_site.article("incidents")
    assert "Checkout &lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "[click](javascript:alert(1))" in index  # Markdown syntax stays text
    tags = evil_site.article("tags")
    assert "&lt;script&gt;" in tags or "&amp;lt;script&amp;gt;" in tags


def test_javascript_ticket_is_not_a_link(evil_site: BuiltSite) -> None:
    page = evil_site.article("action-items")
    assert "javascript:alert(1)" in page
    assert 'href="javascript:' not in page
    assert 'href="https://tracker.example/T-1?q=%22%3E"' in page


def test_exports_keep_the_exact_text(evil_site: BuiltSite) -> None:
    data = json.loads((evil_site.site / "incidents.json").read_text(encoding="utf-8"))
    evil = next(i for i in data["incidents"] if i["id"] == "INC-2026-090")
    assert evil["title"] == f"Checkout {PAYLOAD}"
    assert evil["root_cause"]["summary"] == f"The cause {PAYLOAD} {JINJA}"
    feed = ET.parse(evil_site.site / "feed.xml").getroot()
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert f"INC-2026-090: Checkout {PAYLOAD}" in titles
    search = json.loads((evil_site.site / "search/search_index.json").read_text("utf-8"))
    assert any("INC-2026-090" in d["text"] or "evil" in d["location"] for d in search["docs"])
    # CSV carries the data as written (it is not markup), with formulas neutralized.
    rows = list(csv.DictReader(io.StringIO(
        (evil_site.site / "action-items.csv").read_text(encoding="utf-8"))))
    mine = {r["index"]: r for r in rows if r["incident_id"] == "INC-2026-090"}
    assert mine["0"]["owner"] == f"team {SCRIPT}{ATTRIBUTE}"
    assert mine["0"]["action"] == f"Fix {PAYLOAD}"
    assert mine["1"]["action"] == "'" + f'=HYPERLINK("https://evil.example") {ATTRIBUTE}'
    assert mine["1"]["owner"] == f"'@ops {ATTRIBUTE}"
