"""Raw HTML that runs code or embeds content is refused in bodies, at its line and column."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest
from tests.conftest import REPO, run_cli, run_mkdocs

from postmortems.findings import Level
from postmortems.htmlcheck import check_raw_html, check_readable, readable_markup, unreadable_at
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


def test_a_marked_section_the_site_build_cannot_read_is_an_error_at_its_place() -> None:
    body = parse_body("# Title\n\nThe filter was `(?<![^a])b`.\n\n```\n<![a[ x\n```\n", 3)
    [finding] = check_readable(body, "x.md")
    assert (finding.line, finding.column, finding.rule) == (5, 19, "html/marked-section")
    assert finding.level is Level.ERROR
    assert check_readable(parse_body("A <![CDATA[ x ]]> and <!-- <![^ --> text.", 1), "x.md") == []
    assert check_readable(None, "x.md") == []
    assert "html/marked-section" in core_rulebook().rules


@pytest.mark.parametrize(
    "text",
    [
        "`(?<![^a])b`", "<![a[ b", "<![^x] and <![^y]", "ok <![CDATA[x]]> then\n<![^z]", "<![ 1",
        "ends with <![", "a\t<![CDATA[ b ]]>\t<![^c]", "one\r\ntwo <![^d]",
    ],
)
def test_readable_markup_is_read_by_the_site_builds_reader(text: str) -> None:
    from mkdocs.structure.pages import _HTMLHandler  # the reader MkDocs runs over each page

    def reads(source: str) -> bool:
        reader = _HTMLHandler()
        try:
            reader.feed(source)
            reader.close()
        except AssertionError:
            return False
        return True

    def reads_as_the_build_does(source: str) -> bool:  # normalised as Python-Markdown does
        lines = source.replace("\r\n", "\n").split("\n")
        return reads("\n".join(line.expandtabs(4) for line in lines) + "\n\n")

    line, column = unreadable_at(text) or (0, 0)
    assert text.replace("\r\n", "\n").split("\n")[line - 1][column:].startswith("<![")
    assert not reads_as_the_build_does(text)
    fixed = readable_markup(text.replace("\r\n", "\n"))
    assert reads_as_the_build_does(fixed) and unreadable_at(fixed) is None
    assert fixed.replace("\u200b", "") == text.replace("\r\n", "\n")


def test_check_and_build_stop_at_a_marked_section_with_its_place(project: Path) -> None:
    path = next(iter(sorted((project / "incidents").rglob("*.md"))))
    text = path.read_text(encoding="utf-8").replace('\nSee <img src=x onerror="alert(1)">.\n', "")
    path.write_text(text + "\nThe filter was `(?<![^a])b`.\n", encoding="utf-8")
    line = text.count("\n") + 2
    result = run_cli("check", "--format", "json", "incidents", cwd=project)
    found = [(f["line"], f["column"], f["rule"]) for f in result.json["findings"]
             if f["rule"].startswith("html/")]
    assert result.exit_code == 1 and found == [(line, 19, "html/marked-section")]
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    build = run_mkdocs("build", "--site-dir", str(project / "site"), cwd=project)
    assert build.returncode == 1
    assert "html/marked-section" in build.stderr and "Traceback" not in build.stderr


@functools.cache
def _site_extensions() -> tuple[list[str], dict]:
    import yaml

    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    names = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    options = {next(iter(e)): e[next(iter(e))] for e in config["markdown_extensions"]
               if isinstance(e, dict)}
    return names, options


def _site_builds(text: str) -> bool:
    """Whether the site's Markdown extensions and MkDocs' reader get through ``text``."""
    import markdown
    from mkdocs.structure.pages import _RawHTMLPreprocessor

    names, options = _site_extensions()
    md = markdown.Markdown(extensions=names, extension_configs=options)
    md.preprocessors.register(_RawHTMLPreprocessor(), "mkdocs_raw_html", 21)
    try:
        md.convert(text)
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize(
    ("text", "builds"),
    [
        ("```\n<![^a]\n```\n", True),
        ("~~~\n<![^a]\n~~~\n", True),
        ("- item\n\n    ```\n    <![^a]\n    ```\n", True),
        ("> ```\n> <![^a]\n> ```\n", True),
        ("!!! note\n    ```\n    <![^a]\n    ```\n", True),
        ("````\n<![^a]\n```\n````\n", True),
        ("```\n<![^a]\n", False),  # an unclosed fence is read as text
        ("```\n<![^a]\n~~~\n", False),
        ("para\n\n    <![^a]\n", False),  # indented code is read
        ("```\n<!--\n```\n`<![^a]` -->\n", False),  # the fence's comment is never opened
        ("```\n<script>\n```\n\nThen `<![^a]`.\n", False),
    ],
)
def test_closed_fenced_code_is_set_aside_as_the_site_build_does(text: str, builds: bool) -> None:
    assert _site_builds(text) is builds
    assert bool(check_readable(parse_body(text, 1), "x.md")) is not builds
    fixed = readable_markup(text)
    assert _site_builds(fixed)
    if builds:
        assert fixed == text  # code the reader never sees is left as it is


def test_every_place_the_reader_would_stop_is_reported_at_once() -> None:
    text = ("A <![x and\n\n`(?<![a])` then <![y\n\n    <![z\n\n```\n<![f\n```\n"
            "<![CDATA[ok]]> and <![w x.\n")
    found = [(f.line, f.column) for f in check_readable(parse_body(text, 1), "x.md")]
    assert found == [(1, 3), (3, 4), (3, 17), (5, 5), (10, 20)]
    lines = text.split("\n")
    for line, column in reversed(found):  # fix each as the hint says
        lines[line - 1] = lines[line - 1][: column - 1] + "< ![" + lines[line - 1][column + 2 :]
    fixed = "\n".join(lines)
    assert not _site_builds(text) and _site_builds(fixed)
    assert check_readable(parse_body(fixed, 1), "x.md") == []


def test_the_last_listed_place_says_when_more_may_follow() -> None:
    text = "\n\n".join(f"Step {i}: `(?<![a])`." for i in range(12))
    found = check_readable(parse_body(text, 1), "x.md")
    assert len(found) == 10
    assert "only the first 10 are listed" in found[-1].message
    assert not any("listed" in f.message for f in found[:-1])
    assert not any("listed" in f.message
                   for f in check_readable(parse_body("A `(?<![a])`.", 1), "x.md"))


def test_the_check_finds_exactly_the_pages_the_site_build_cannot_read() -> None:
    import random
    pieces = ["<", ">", "<!", "<![", "]]>", "<!--", "-->", "<?", "</", "<div markdown>",
              "</div>", "{: #id }", "```", "\n", "\n\n", "\t", "!!! note", "| a |", "|---|",
              "`", "*", "\\", "&", "a", "x y", "<![CDATA[", "<![if ", "<![endif]>", "é"]

    builds = _site_builds
    rnd = random.Random(5)
    stopped = 0
    for _ in range(400):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 20)))
        ok = builds(text)
        assert ok == (unreadable_at(text) is None), repr(text)
        assert builds(readable_markup(text)), repr(text)
        stopped += not ok
    assert stopped > 20


def test_the_serve_findings_page_shows_any_path_as_text() -> None:
    from postmortems.findings import Finding
    from postmortems.site.wiring import findings_page

    path = "incidents/a`<img src=x onerror=alert(1)>`<![^a].md"
    page = findings_page({path: [Finding(path, 3, "title-mismatch", Level.WARNING, "m")]})
    assert "<img" not in page and "<![" not in page
    assert "## <code>incidents/a`&lt;img src=x onerror=alert(1)&gt;`&lt;![^a].md</code>" in page
    assert _site_builds(page)
