"""The ``postmortem check`` command as a user runs it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import VALID_POSTMORTEM, Project, run_cli


def test_clean_collection_exits_zero(project: Project) -> None:
    project.incident("2026/a.md", VALID_POSTMORTEM)
    run = run_cli("check", cwd=project.root)
    assert run.exit_code == 0, run.stdout
    assert run.stdout.strip().splitlines()[-1] == (
        "passed: 1 file checked, no findings"
    )


def test_text_output_groups_by_file_with_hints_and_no_colour_off_a_terminal(
    project: Project,
) -> None:
    project.incident("2026/a.md", VALID_POSTMORTEM.replace("severity: SEV2", "severity: SEV5"))
    project.incident(
        "2026/b.md",
        VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-002").replace(
            "    owner: db-team\n", ""
        ),
    )
    run = run_cli("check", cwd=project.root)
    assert run.exit_code == 1
    assert "\x1b[" not in run.stdout
    lines = run.stdout.splitlines()
    assert lines[0] == "incidents/2026/a.md"
    assert "incidents/2026/a.md:5:1: error   severity: 'SEV5' is not one of" in run.stdout
    assert "hint: use the protocol's decision tree" in run.stdout
    assert "incidents/2026/b.md" in lines
    assert "action_items[0]: 'owner' is required  [required-field]" in run.stdout
    assert lines[-1] == "FAILED: 2 errors, 0 warnings in 2 files (2 files checked)"


def test_strict_makes_warnings_fail(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM.replace("| 09:30 |", "| later |"))
    assert run_cli("check", cwd=project.root).exit_code == 0
    strict = run_cli("check", "--strict", "--format", "json", cwd=project.root)
    assert strict.exit_code == 1
    assert strict.rules() == ["timeline-time"]
    assert strict.json["summary"]["passed"] is False


def test_json_findings_carry_every_field(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM.replace("due: 2026-04-15", "due: 2026-02-30"))
    run = run_cli("check", "--format", "json", cwd=project.root)
    [finding] = run.json["findings"]
    assert finding == {
        "path": "incidents/a.md",
        "line": 27,
        "column": 5,
        "end_column": 0,
        "rule": "invalid-format",
        "level": "error",
        "message": "action_items[0].due: '2026-02-30' is not a valid date",
        "hint": "a real calendar date, as 2026-04-15",
        "category": "",
        "match": "",
        "suggestions": [],
        "scope": "",
    }


def test_paths_and_defaults_from_mkdocs_yml(project: Project) -> None:
    (project.root / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - postmortems:\n      incidents_dir: postmortems\n"
        "      language: false\n",
        encoding="utf-8",
    )
    project.write("postmortems/a.md", VALID_POSTMORTEM.replace("severity: SEV2", "severity: X"))
    project.incident("ignored.md", "")
    run = run_cli("check", "--format", "json", cwd=project.root / "postmortems")
    assert run.exit_code == 1
    assert [f["path"] for f in run.json["findings"]] == ["postmortems/a.md"]
    explicit = run_cli("check", "--format", "json", "incidents/ignored.md", cwd=project.root)
    assert explicit.rules() == ["empty-file"]


def test_configuration_errors_exit_two(project: Project) -> None:
    (project.root / "schemas/postmortem.schema.json").write_text("{ not json", encoding="utf-8")
    run = run_cli("check", cwd=project.root)
    assert run.exit_code == 2
    assert "configuration error" in run.stderr and "invalid JSON" in run.stderr
    assert "Traceback" not in run.stderr


def test_usage_errors_exit_two(project: Project) -> None:
    assert run_cli("check", "--format", "xml", cwd=project.root).exit_code == 2
    assert run_cli("check", "no/such/file.md", cwd=project.root).exit_code == 2
    (project.root / "mkdocs.yml").write_text(
        "plugins:\n  - postmortems:\n      draft_level: loud\n", encoding="utf-8"
    )
    run = run_cli("check", cwd=project.root)
    assert run.exit_code == 2 and "draft_level" in run.stderr


def test_rule_levels_from_config(project: Project) -> None:
    (project.root / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - postmortems:\n      language: false\n"
        "      rule_levels:\n        severity-mismatch: warning\n",
        encoding="utf-8",
    )
    project.incident("a.md", VALID_POSTMORTEM.replace("severity: SEV2", "severity: SEV3"))
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert run.exit_code == 0
    assert [(f["rule"], f["level"]) for f in run.json["findings"]] == [
        ("severity-mismatch", "warning")
    ]


def test_rules_lists_every_name_rule_levels_accepts(project: Project) -> None:
    run = run_cli("rules", "--format", "json", cwd=project.root)
    assert run.exit_code == 0
    ids = {entry["id"] for entry in run.json}
    assert {"section-missing", "severity-mismatch", "duplicate-id", "title-mismatch"} <= ids
    assert any(i.startswith("secret/") for i in ids)
    assert any(entry["category"] == "judgement" for entry in run.json)
    text = run_cli("rules", cwd=project.root)
    assert "section-missing" in text.stdout


def test_the_actions_formats_are_the_views() -> None:
    from postmortems import cli, views

    assert tuple(views.RENDERERS) == cli.VIEW_FORMATS


def test_the_command_line_imports_little() -> None:
    """``postmortem check FILE`` runs in pre-commit hooks: the templates, views and
    renderers it does not use are imported only by the commands that do."""
    code = ("import sys, postmortems.cli; print(sorted(m for m in ('frontmatter', "
            "'postmortems.scaffold', 'postmortems.views', 'postmortems.pipeline', "
            "'postmortems.render.sarif') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_a_line_separator_in_front_matter_keeps_later_lines_right(project: Project) -> None:
    text = VALID_POSTMORTEM.replace(
        "title: Checkout errors after replica failover",
        'title: "Checkout errors\u2028after replica failover"',
    ).replace("severity: SEV2", "severity: SEV9")
    project.incident("a.md", text)
    run = run_cli("check", "--format", "json", cwd=project.root)
    line = text.split("\n").index("severity: SEV9") + 1
    assert [(f["rule"], f["line"]) for f in run.json["findings"]
            if f["rule"] == "invalid-value"] == [("invalid-value", line)]
