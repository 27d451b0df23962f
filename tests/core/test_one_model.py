"""One parse and one configuration: the CLI and the build agree, as a reader would expect.

Each test here reproduces a way the checker, the reader and the build used to disagree.
"""

from __future__ import annotations

import logging
import shutil

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError, PluginError
from tests.conftest import MKDOCS_YML, REPO, VALID_POSTMORTEM, Project, run_cli

from postmortems.config import OPTION_NAMES, PostmortemsConfig
from postmortems.settings import Settings


def _build(project: Project, *, strict: bool = False) -> None:
    config = load_config(
        str(project.root / "mkdocs.yml"), site_dir=str(project.root / "site"), strict=strict
    )
    build(config)


def _build_fails(project: Project, caplog: pytest.LogCaptureFixture, text: str) -> None:
    with caplog.at_level(logging.INFO), pytest.raises((Abort, PluginError, ConfigurationError)):
        _build(project)
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert text in messages, messages


def test_a_heading_inside_a_comment_is_not_a_section(project: Project) -> None:
    commented = VALID_POSTMORTEM.replace(
        "## Root Cause\n", "<!--\n## Root Cause\n-->\n\n## Root Cause notes\n"
    )
    project.incident("a.md", commented)
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert ("section-missing", "missing mandatory section '## Root Cause'") in [
        (f["rule"], f["message"]) for f in run.json["findings"]
    ]


def test_inherit_and_env_are_read_as_mkdocs_reads_them(
    project: Project, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    project.write(
        "base.yml",
        MKDOCS_YML + "      incidents_dir: !ENV [PM_INCIDENTS, incidents]\n"
        "      rule_levels:\n        timeline-time: error\n",
    )
    project.write("mkdocs.yml", "INHERIT: base.yml\n")
    project.write("elsewhere/a.md", VALID_POSTMORTEM.replace("| 09:30 |", "| later |"))
    monkeypatch.setenv("PM_INCIDENTS", "elsewhere")
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert run.exit_code == 1
    assert [(f["path"], f["rule"], f["level"]) for f in run.json["findings"]] == [
        ("elsewhere/a.md", "timeline-time", "error")
    ]
    _build_fails(project, caplog, "elsewhere/a.md:50:1: timeline time 'later' cannot be read")


def test_empty_mkdocs_yml_is_not_a_traceback(project: Project) -> None:
    project.write("mkdocs.yml", "")
    project.incident("a.md", VALID_POSTMORTEM)
    run = run_cli("check", cwd=project.root)
    assert run.exit_code == 0, run.stdout + run.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("      rule_levels:\n        timline-time: warning\n", "did you mean 'timeline-time'?"),
        ("      rule_level:\n        timeline-time: warning\n", "did you mean 'rule_levels'?"),
        ("      draft_level: loud\n", "draft_level"),
    ],
    ids=["misspelt rule id", "misspelt option", "bad level"],
)
def test_bad_options_fail_cli_and_build_alike(
    project: Project, caplog: pytest.LogCaptureFixture, options: str, message: str
) -> None:
    project.write("mkdocs.yml", MKDOCS_YML + options)
    project.incident("a.md", VALID_POSTMORTEM)
    run = run_cli("check", cwd=project.root)
    assert run.exit_code == 2
    assert message in run.stderr
    _build_fails(project, caplog, message)


def test_restating_a_default_level_keeps_the_quote_cap(project: Project) -> None:
    quoted = VALID_POSTMORTEM.replace(
        "No alert on connection saturation existed for replicas.",
        "No alert on connection saturation existed for replicas.\n\n"
        "> chat: this was human error, plain and simple",
    )
    project.incident("a.md", quoted)
    plain = run_cli("check", "--format", "json", cwd=project.root)
    project.write("mkdocs.yml", MKDOCS_YML + "      rule_levels:\n        judgement: error\n")
    restated = run_cli("check", "--format", "json", cwd=project.root)
    levels = [
        [(f["category"], f["level"]) for f in run.json["findings"] if f["category"]]
        for run in (plain, restated)
    ]
    assert levels[0] == levels[1] == [("judgement", "info")]


def test_custom_rules_without_a_schema_beside_them(project: Project) -> None:
    shutil.copy(REPO / "schemas/blameless-rules.yml", project.root / "team-rules.yml")
    project.write("mkdocs.yml", MKDOCS_YML + "      language_rules: team-rules.yml\n")
    project.incident("a.md", VALID_POSTMORTEM)
    run = run_cli("check", cwd=project.root)
    assert run.exit_code == 0, run.stderr


def test_a_project_without_schemas_uses_the_shipped_policy(project: Project) -> None:
    shutil.rmtree(project.root / "schemas")
    project.incident("a.md", VALID_POSTMORTEM.replace("severity: SEV2", "severity: SEV9"))
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert run.rules() == ["invalid-value"]


def test_one_file_is_checked_in_the_context_of_its_collection(project: Project) -> None:
    project.incident("2025/old.md", VALID_POSTMORTEM.replace("INC-2026-001", "INC-2025-007"))
    new = (
        VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-002")
        .replace("related: []", "related: [INC-2025-007, INC-2024-404]")
    )
    path = project.incident("2026/new.md", new)
    project.incident("2026/dup.md", VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-002"))
    run = run_cli("check", "--format", "json", str(path), cwd=project.root)
    assert run.json["summary"]["files"] == 1
    found = [(f["path"], f["rule"], f["message"]) for f in run.json["findings"]]
    assert found == [
        ("incidents/2026/new.md", "duplicate-id",
         "id INC-2026-002 is also used by incidents/2026/dup.md:2"),
        ("incidents/2026/new.md", "unknown-related",
         "related id INC-2024-404 does not match any post-mortem"),
    ]
    whole = run_cli("check", "--format", "json", cwd=project.root)
    assert [f for f in whole.json["findings"] if f["path"] == "incidents/2026/new.md"] == [
        f for f in run.json["findings"]
    ]


def test_a_yaml_error_is_reported_where_the_broken_value_starts(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM.replace("tags: [database, failover]",
                                                       "tags: [database, failover"))
    run = run_cli("check", "--format", "json", cwd=project.root)
    [finding] = run.json["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("yaml-syntax", 13, 7)


MACROS_YML = MKDOCS_YML + """\
  - macros:
      render_by_default: false
      on_undefined: strict
      on_error_fail: true
"""


def _with_docs(project: Project) -> None:
    shutil.copy(REPO / "docs/macros.md", project.root / "docs/macros.md")
    project.write("mkdocs.yml", MACROS_YML)


@pytest.mark.parametrize(
    "collection",
    ["empty", "final only", "review only", "drafts only"],
)
def test_the_macros_page_builds_for_any_collection(project: Project, collection: str) -> None:
    _with_docs(project)
    if collection == "final only":
        project.incident("a.md", VALID_POSTMORTEM)
    elif collection in ("review only", "drafts only"):
        status = collection.split()[0].rstrip("s")
        project.incident("a.md", VALID_POSTMORTEM.replace("status: final", f"status: {status}"))
    _build(project, strict=False)
    assert (project.root / "site/macros/index.html").is_file()


def test_every_option_is_declared_once() -> None:
    core = {name for name in Settings.__dataclass_fields__ if name != "project_dir"}
    assert core <= set(OPTION_NAMES)
    config = PostmortemsConfig()
    config.load_dict({})
    assert not config.validate()[0]
    assert config["incidents_dir"] == Settings().incidents_dir


def test_packaged_defaults_are_the_repository_schemas() -> None:
    shipped = REPO / "plugins/postmortems/defaults"
    names = sorted(p.name for p in (REPO / "schemas").iterdir())
    assert names == sorted(p.name for p in shipped.iterdir())
    for name in names:
        assert (shipped / name).read_bytes() == (REPO / "schemas" / name).read_bytes(), name


def test_walk_of_one_file_parses_its_body_once(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import postmortems.markdown as markdown

    calls: list[str] = []
    real = markdown.pyromark.events_with_range

    def counting(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(markdown.pyromark, "events_with_range", counting)
    project.incident("a.md", VALID_POSTMORTEM)
    _build(project)
    # The body once; the other parses are front-matter values checked as prose.
    assert len([text for text in calls if "## Root Cause" in text]) == 1
    assert (project.root / "site/incidents/a/index.html").is_file()



def test_a_secret_fails_the_check_and_no_output_shows_it(project: Project) -> None:
    from tests.core.secret_samples import samples

    aws, other = [s for s in samples() if "aws-access-key" in s.rule][:2]
    leaked = VALID_POSTMORTEM.replace(
        "Replica provisioning used the database default for max_connections.",
        "Replica provisioning used the database default for max_connections.\n\n"
        f"```\n{aws.line}\n```",
    ).replace("fix_type: revert", f"fix_type: {other.secret}")
    project.incident("a.md", leaked)
    for output in ("text", "json", "github", "sarif"):
        run = run_cli("check", "--format", output, cwd=project.root)
        assert run.exit_code == 1, output
        assert aws.secret not in run.stdout + run.stderr, output
        assert other.secret not in run.stdout + run.stderr, output
    run = run_cli("check", "--format", "json", cwd=project.root)
    found = {(f["rule"], f["line"]) for f in run.json["findings"]}
    # The schema's message quotes the value: masked like the secret finding itself.
    assert {(other.rule, 19), ("invalid-value", 19)} <= found, found
    assert any(rule == aws.rule and line > 40 for rule, line in found)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://files/x"])
def test_ticket_links_must_be_http(project: Project, url: str) -> None:
    project.incident("a.md", VALID_POSTMORTEM.replace("https://tracker.example/DB-123", url))
    run = run_cli("check", "--format", "json", cwd=project.root)
    [finding] = run.json["findings"]
    assert (finding["rule"], finding["message"]) == (
        "invalid-value", "action_items[0].ticket: must be an http:// or https:// link"
    )
