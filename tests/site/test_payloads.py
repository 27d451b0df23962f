"""A corpus of hostile values through every page, macro, export and findings format.

One post-mortem per payload carries it in every free-text field (title, root-cause summary,
tags, authors, action, owner); a docs page calls every macro on them (inline, in a list, in
a table cell, and each block macro). The site is built once, and every output file is read
with a parser of its format: HTML (pages, and the HTML snippets of the search index) must
hold no element, attribute or URL that the payloads brought in, and where a format carries
text exactly (the JSON export, the CSV, the feed) the text must come back as written.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from tests.conftest import run_cli
from tests.site.conftest import BuiltSite, add_plugin_options, build_project, copy_repo_project
from tests.site.test_escaping import EVIL

from postmortems.site.templating import clean_text

MARK = "pmx"  # every payload names it, so whatever it brings in can be found
PAYLOADS: dict[str, str] = {
    "script": f"<script>{MARK}()</script>",
    "attribute": f'"><img src=x onerror={MARK}()>',
    "single-quote attribute": f"' onmouseover='{MARK}()' x='",
    "markdown link": f"[x](javascript:{MARK}())",
    "markdown image": f"![i](https://evil.example/{MARK}.png)",
    "reference link": f"[x][{MARK}] [{MARK}]: javascript:{MARK}()",
    "autolink": f"<javascript:{MARK}()> <https://evil.example/{MARK}>",
    "data url": f'<a href="data:text/html,{MARK}">d</a>',
    "attr_list": f"**b** {{: onclick={MARK}() }} *i* `c` _u_",
    "entity": f"&lt;script&gt;{MARK}&#40; &amp; &#x3C;b&#x3E;",
    "jinja": "{{ 7*7 }} {% raw %}" + MARK,
    "formula =": f'=HYPERLINK("https://evil.example","{MARK}")',
    "formula +": f"+{MARK}+1",
    "formula -": f"-{MARK}-1",
    "formula @": f"@SUM({MARK})",
    "control characters": f"{MARK}\x1b[31mred\x07\x08",
    "bidi override": f"{MARK} \u202etxt.exe\u202c \u2066iso\u2069",
    "cdata and comment": f"]]><!-- {MARK} --><![CDATA[x]]>",
}
BODY = EVIL.split("\n---\n", 1)[1]
LONG = f"{MARK} " + "very long text " * 4000
LIVE_TAGS = {"script", "img", "iframe", "object", "embed", "style", "svg", "math", "form"}


def _id(index: int) -> str:
    return f"INC-2026-{200 + index}"


def _postmortem(index: int, payload: str) -> str:
    title = f"Payload {index} {payload}"[:200]
    meta = {
        "id": _id(index), "title": title, "status": "final", "severity": "SEV3",
        "impact_flags": {"production": False, "data_loss": False, "security": False,
                         "users_blocked": False, "correctness": True},
        "services": ["payloads"], "tags": [payload], "detection": "monitoring",
        "started": f"2026-07-{1 + index:02d}T09:00:00Z",
        "detected": f"2026-07-{1 + index:02d}T09:10:00Z",
        "contained": f"2026-07-{1 + index:02d}T09:30:00Z",
        "resolved": f"2026-07-{1 + index:02d}T10:00:00Z",
        "fix_type": "revert",
        "root_cause": {"category": "code-change",
                       "summary": f"The cause was {payload} {LONG if index == 0 else ''}"},
        "authors": [f"Ann {payload}"],
        "action_items": [{"action": f"{payload} (the action)", "owner": payload,
                          "due": "2026-08-01", "status": "open", "kind": "prevent"}],
    }
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10**6)
    body = BODY.replace("# Checkout errors from a bad deploy", f"# Payload {index}")
    return f"---\n{front}---\n{body}"


def _macro_page() -> str:
    ids = [_id(i) for i in range(len(PAYLOADS))]
    inline = " and ".join(f'{{{{ incident_link("{i}") }}}}' for i in ids)
    items = "\n".join(f'- see {{{{ incident_link("{i}") }}}} *here*' for i in ids)
    rows = "\n".join(f'| {{{{ incident_link("{i}") }}}} | x |' for i in ids)
    return f"""---
render_macros: true
---

# Payload macros

Inline: {inline}.

{items}

| Incident | Note |
|---|---|
{rows}

{{{{ severity_counts() }}}}

{{{{ recent_incidents(100) }}}}

{{{{ incident_table(service="payloads") }}}}

{{{{ open_action_items() }}}}

{{{{ overdue_action_items() }}}}

{{{{ chart("incidents-per-month") }}}}

{{{{ chart("time-to-resolve") }}}}

{{{{ chart("action-items") }}}}
"""


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    project = copy_repo_project(tmp_path_factory.mktemp("payloads") / "project")
    add_plugin_options(project / "mkdocs.yml", today="2026-11-26")
    folder = project / "incidents/2026"
    for index, payload in enumerate(PAYLOADS.values()):
        (folder / f"2026-07-{1 + index:02d}-payload.md").write_text(
            _postmortem(index, payload), encoding="utf-8")
    (project / "docs/payloads.md").write_text(_macro_page(), encoding="utf-8")
    return build_project(project)


class _LiveMarkup(HTMLParser):
    """Collects every element, attribute and URL in which the payload marker is live."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.text: list[str] = []
        self._raw = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self.get_starttag_text() or ""
        if tag in LIVE_TAGS and MARK in start:
            self.live.append(start)
        for name, value in attrs:
            value = value or ""
            if MARK in name or (name.startswith("on") and MARK in value):
                self.live.append(start)
            url = re.sub(r"[\x00-\x20]", "", value).lower()
            if name in ("href", "src") and (url.startswith(("javascript:", "data:"))
                                            or "evil.example" in url):
                self.live.append(start)
        self._raw = tag

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        if self._raw in ("script", "style") and MARK in data:
            self.live.append(f"<{self._raw}>{data[:80]}")
        self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._raw = ""


def _live(markup: str) -> tuple[list[str], str]:
    parser = _LiveMarkup()
    parser.feed(markup)
    parser.close()
    return parser.live, "".join(parser.text)


def _shown(value: str) -> str:
    """What a page shows of ``value``: the characters HTML cannot carry removed, spaces
    collapsed as a browser does."""
    return " ".join(clean_text(value).split())


def _outputs(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*")) if p.is_file() and p.suffix in (
        ".html", ".json", ".xml", ".csv", ".svg", ".js", ".txt")]


def test_every_output_file_is_free_of_live_payloads(payload_site: BuiltSite) -> None:
    found, checked = [], 0
    for path in _outputs(payload_site.site):
        name = path.relative_to(payload_site.site).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix in (".html", ".svg"):
            live, _ = _live(text)
            found += [f"{name}: {x}" for x in live]
        elif path.suffix == ".json":
            data = json.loads(text)  # every JSON output parses
            # Nothing but the bare tags the theme keeps in its search entries is markup.
            bare = re.sub("</?(?:p|code|pre|li|ol|ul|sub|sup)>", "", text)
            assert ("<" not in bare and ">" not in bare) or MARK not in text, name
            for doc in data.get("docs", []) if isinstance(data, dict) else []:
                live, _ = _live(doc.get("title", "") + doc.get("text", ""))
                found += [f"{name} {doc['location']}: {x}" for x in live]
        elif path.suffix == ".xml":
            ET.fromstring(text.encode("utf-8"))  # well-formed whatever the payloads hold
        checked += 1
    assert found == []
    assert checked > 50


def test_every_incident_page_shows_the_payload_as_text(payload_site: BuiltSite) -> None:
    for index, payload in enumerate(PAYLOADS.values()):
        page = payload_site.page(f"incidents/2026/2026-07-{1 + index:02d}-payload")
        live, text = _live(page)
        assert live == [], (payload, live)
        shown = " ".join(text.split())
        for value in (f"Payload {index} {payload}"[:200], payload):
            assert _shown(value) in shown, (index, value)
        title = page[page.index("<title>") + 7: page.index("</title>")]
        assert _shown(f"Payload {index} {payload}"[:200]) in " ".join(
            html.unescape(title).split())


def test_every_macro_shows_the_payload_as_text(payload_site: BuiltSite) -> None:
    article = payload_site.article("payloads")
    live, text = _live(article)
    assert live == []
    shown = " ".join(text.split())
    for index, payload in enumerate(PAYLOADS.values()):
        title = _shown(f"Payload {index} {payload}"[:200])
        # Inline, in a list item and in a table cell (the incident_link macro), and in the
        # recent_incidents and incident_table blocks: five times in all.
        assert shown.count(f"{_id(index)} · {title}") == 3, (index, payload)
        assert shown.count(title) >= 5, (index, payload)
        assert _shown(payload) in shown  # open_action_items shows action and owner
    assert "Payload 0" in article and "<em>here</em>" in article  # the page's own Markdown


def test_exports_carry_the_exact_text(payload_site: BuiltSite) -> None:
    site = payload_site.site
    data = json.loads((site / "incidents.json").read_text(encoding="utf-8"))
    by_id = {i["id"]: i for i in data["incidents"]}
    rows = list(csv.DictReader(io.StringIO(
        (site / "action-items.csv").read_text(encoding="utf-8"), newline="")))
    csv_by_id = {r["incident_id"]: r for r in rows}
    feed = ET.parse(site / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    feed_titles = {e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")}
    for index, payload in enumerate(PAYLOADS.values()):
        exported = by_id[_id(index)]
        assert exported["title"] == f"Payload {index} {payload}"[:200]
        assert exported["tags"] == [payload]
        assert exported["action_items"][0]["owner"] == payload
        row = csv_by_id[_id(index)]
        formula = payload.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert row["action"] == ("'" if formula else "") + f"{payload} (the action)"
        assert row["owner"] == ("'" + payload if formula else payload)
        assert f"{_id(index)}: {clean_text(f'Payload {index} {payload}'[:200])}" in feed_titles
    assert LONG in by_id[_id(0)]["root_cause"]["summary"]


def test_no_formula_cell_in_the_csv(payload_site: BuiltSite) -> None:
    text = (payload_site.site / "action-items.csv").read_text(encoding="utf-8")
    for row in csv.reader(io.StringIO(text, newline="")):
        assert not [c for c in row if c.startswith(("=", "+", "-", "@", "\t", "\r"))], row


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_findings_formats_keep_payloads_inert(tmp_path: Path, output_format: str) -> None:
    incidents = tmp_path / "incidents"
    incidents.mkdir()
    names = []
    for index, payload in enumerate(PAYLOADS.values()):
        text = _postmortem(index, payload).replace("severity: SEV3", "severity: " + json.dumps(
            payload))
        # A tag name with a terminal escape in it reaches a message of the raw-HTML check.
        text = text.replace("The fixture review was manual.",
                            f'A <b\x1b[2J{index} onclick="{MARK}">t</b>')
        (incidents / f"p{index}.md").write_text(text, encoding="utf-8")
        names.append(f"p{index}.md")
    result = run_cli("check", "--format", output_format, "incidents", cwd=tmp_path)
    out = result.stdout
    assert result.exit_code == 1
    # No raw control character in any format; the terminal and GitHub formats show escapes.
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", out)
    if output_format == "text":
        assert out.count("html/event-handler") == len(PAYLOADS)
        assert "\\x1b[2j" in out  # the parser lower-cases the tag name
    elif output_format == "github":
        lines = out.strip().split("\n")
        assert all(line.startswith("::") for line in lines), lines[:3]
        assert len(lines) >= 2 * len(PAYLOADS)
    else:
        data = json.loads(out)
        messages = [f["message"] for f in data["findings"]] if output_format == "json" else [
            r["message"]["text"] for r in data["runs"][0]["results"]]
        # JSON carries the exact text (the serializer escapes the control characters).
        assert sum("<b\x1b[2j" in m for m in messages) == len(PAYLOADS)
        if output_format == "json":
            severities = [f["message"] for f in data["findings"] if f["rule"] == "invalid-value"]
            assert len(severities) == len(PAYLOADS)


def test_corpus_size() -> None:
    """The corpus the report quotes: payloads and the outputs each one goes through."""
    assert len(PAYLOADS) == 18
