"""Raw HTML that runs code or embeds content is refused in bodies, at its line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import REPO, run_cli

from postmortems.htmlcheck import check_raw_html
from postmortems.markdown import parse_body
from postmortems.rulebook import core_rulebook

BODY = """\
# Title

Plain <b>bold</b>, <kbd>Ctrl</kbd> and <details><summary>more</summary>text</details>.
An image <img src="x.png" onerror="alert(1)"> inline.
<script>alert(1)</script>
`<script>` in inline code and <!-- <script> in a comment --> are text.
<a href="jav&#x61;script:alert(1)">entity-encoded</a> and [md](javascript:alert(2)).
<iframe src="https://example.com"></iframe><style>body { display: none }</style>
<object data="x.swf"></object> <embed src="x.swf">
<a
  href=" javascript:alert(3)">split over lines</a>

```html
<script>alert("in a code block")</script>
```

[ref]: JavaScript:alert(4)
<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;">
"""

EXPECTED = [
    (4, 27, "html/event-handler"),
    (5, 1, "html/script"),
    (7, 4, "html/script-url"),
    (7, 64, "html/script-url"),
    (8, 1, "html/embedded-content"),
    (8, 44, "html/style"),
    (9, 1, "html/embedded-content"),
    (9, 32, "html/embedded-content"),
    (11, 3, "html/script-url"),
    (17, 8, "html/script-url"),
    (18, 6, "html/script-url"),
]


def test_findings_at_line_and_column() -> None:
    body = parse_body(BODY, 1)
    found = [(f.line, f.column, f.rule) for f in check_raw_html(body, "x.md")]
    assert found == EXPECTED
    lines = BODY.split("\n")
    for line, column, rule in found:
        text = lines[line - 1][column - 1:].lower()
        word = {"html/script": "<script", "html/style": "<style",
                "html/event-handler": "onerror"}.get(rule)
        if word:
            assert text.startswith(word), (line, column, text)


def test_allow_and_no_body() -> None:
    assert check_raw_html(parse_body(BODY, 1), "x.md", "allow") == []
    assert check_raw_html(None, "x.md") == []


def test_rules_are_in_the_rulebook() -> None:
    assert {rule for _, _, rule in EXPECTED} <= set(core_rulebook().rules)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "incidents", tmp_path / "incidents")
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    path = next(iter(sorted((tmp_path / "incidents").rglob("*.md"))))
    text = path.read_text(encoding="utf-8")
    head, sep, tail = text.partition("\n## ")
    path.write_text(head + '\nSee <img src=x onerror="alert(1)">.\n' + sep + tail,
                    encoding="utf-8")
    return tmp_path


def test_check_refuses_by_default_and_the_option_allows(project: Path) -> None:
    refused = run_cli("check", "--format", "json", "incidents", cwd=project)
    assert refused.exit_code == 1
    # (The samples' one note, a deliberate severity, is not about HTML.)
    rules = [f["rule"] for f in refused.json["findings"] if f["level"] != "info"]
    assert rules == ["html/event-handler"]
    mkdocs_yml = project / "mkdocs.yml"
    mkdocs_yml.write_text(mkdocs_yml.read_text(encoding="utf-8").replace(
        "  - postmortems:\n", "  - postmortems:\n      raw_html: allow\n"), encoding="utf-8")
    allowed = run_cli("check", "--format", "json", "incidents", cwd=project)
    assert allowed.exit_code == 0, allowed.stdout


def test_the_sample_post_mortems_have_no_refused_html() -> None:
    result = run_cli("check", "--format", "json", "incidents", cwd=REPO)
    assert not [f for f in result.json["findings"] if f["rule"].startswith("html/")]
