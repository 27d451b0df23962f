"""``postmortem new``: the scaffold, its id and path, and what the check says about it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import frontmatter
import pytest
from click.testing import CliRunner
from tests.conftest import REPO, VALID_POSTMORTEM, Project

from postmortems import cli as cli_module
from postmortems.cli import main
from postmortems.scaffold import slugify

SCHEMA = json.loads((REPO / "schemas" / "postmortem.schema.json").read_text(encoding="utf-8"))
PLACEHOLDERS = [re.compile(p["pattern"], re.M) for p in SCHEMA["x-placeholders"]]
TITLE = "Checkout errors after failover"


def cli(cwd: Path, *args: str, monkeypatch: pytest.MonkeyPatch, input: str | None = None) -> Any:
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def new(project: Project, *args: str, monkeypatch: pytest.MonkeyPatch, cwd: Path | None = None):
    return cli(cwd or project.root, "new", *args, monkeypatch=monkeypatch)


def check(project: Project, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list]:
    run = cli(project.root, "check", "--format", "json", *args, monkeypatch=monkeypatch)
    return run.exit_code, json.loads(run.output)["findings"]


def test_path_and_next_id_of_the_year(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.incident("2026/a.md", VALID_POSTMORTEM)
    project.incident(
        "2026/b.md", VALID_POSTMORTEM.replace("id: INC-2026-001", 'id: "INC-2026-007"')
    )
    project.incident("2025/c.md", VALID_POSTMORTEM.replace("INC-2026-001", "INC-2025-010"))
    # Skipped by the check, so not part of the collection: no say in the next id.
    project.incident("_template.md", VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-099"))
    project.incident(".drafts/x.md", VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-098"))
    # An id in the body is not the post-mortem's id.
    project.incident("2026/d.md", "no front matter\n\nid: INC-2026-050\n")

    run = new(project, TITLE, "--date", "2026-03-14", "--no-input", monkeypatch=monkeypatch)
    assert run.exit_code == 0, run.output
    path = project.incidents / "2026" / "2026-03-14-checkout-errors-after-failover.md"
    assert run.output.strip() == "incidents/2026/2026-03-14-checkout-errors-after-failover.md"
    assert re.search(r"^id: INC-2026-008$", path.read_text(encoding="utf-8"), re.M)

    run = new(
        project, "Cache stampede", "--date", "2025-12-31", "--no-input", monkeypatch=monkeypatch
    )
    assert (
        "id: INC-2025-011\n"
        in (project.incidents / "2025/2025-12-31-cache-stampede.md").read_text()
    )
    run = new(
        project, "First of the year", "--date", "2027-01-01", "--no-input", monkeypatch=monkeypatch
    )
    assert run.exit_code == 0
    assert (
        "id: INC-2027-001\n"
        in (project.incidents / "2027/2027-01-01-first-of-the-year.md").read_text()
    )


def test_refuses_to_overwrite_and_to_invent_a_slug(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = new(project, TITLE, "--date", "2026-03-14", "--no-input", monkeypatch=monkeypatch)
    path = project.root / first.output.strip()
    path.write_text(path.read_text(encoding="utf-8") + "\nMy notes.\n", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    for title in (TITLE, "Checkout errors — after FAILOVER!"):
        run = new(project, title, "--date", "2026-03-14", "--no-input", monkeypatch=monkeypatch)
        assert run.exit_code == 2
        assert "already exists; it is not overwritten" in run.output
    assert path.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in project.incidents.rglob("*.md")) == [path.name]


def test_works_from_a_sub_folder_with_the_configured_incidents_dir(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project.root / "mkdocs.yml").write_text(
        "site_name: T\nplugins:\n  - postmortems:\n      incidents_dir: reports/pm\n",
        encoding="utf-8",
    )
    deep = project.root / "docs" / "guides"
    deep.mkdir(parents=True)
    run = new(
        project, TITLE, "--date", "2026-03-14", "--no-input", monkeypatch=monkeypatch, cwd=deep
    )
    assert run.exit_code == 0, run.output
    created = project.root / "reports/pm/2026/2026-03-14-checkout-errors-after-failover.md"
    assert created.is_file()
    assert (deep / run.output.strip()).resolve() == created.resolve()


def test_without_a_project_it_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli(tmp_path, "new", TITLE, "--no-input", monkeypatch=monkeypatch)
    assert run.exit_code == 2
    assert "no mkdocs.yml" in run.output


def test_default_date_is_today_in_utc(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    run = new(project, TITLE, "--no-input", monkeypatch=monkeypatch)
    if dt.datetime.now(dt.timezone.utc).date() != today:  # midnight passed during the test
        pytest.skip("the UTC date changed during the test")
    assert run.output.strip() == f"incidents/{today.year}/{today}-checkout-errors-after-failover.md"


def placeholder_lines(text: str) -> list[int]:
    """1-based lines holding template text (outside fenced code and HTML comments)."""
    text = re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m.group()), text, flags=re.S)
    lines, fence, body = [], False, False
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith("# "):
            body = True
        if line.startswith("```"):
            fence = not fence
            continue
        if body and not fence and any(p.search(line) for p in PLACEHOLDERS):
            lines.append(number)
    return lines


def test_a_fresh_draft_lists_every_placeholder_as_a_note(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = new(project, TITLE, "--date", "2026-03-14", "--no-input", monkeypatch=monkeypatch)
    text = (project.root / run.output.strip()).read_text(encoding="utf-8")
    assert "status: draft" in text
    expected = placeholder_lines(text)
    assert len(expected) == 15

    status, findings = check(project, monkeypatch=monkeypatch)
    assert status == 0  # a draft may be unfinished: completeness findings are notes
    by_rule: dict[str, list[dict]] = {}
    for f in findings:
        by_rule.setdefault(f["rule"], []).append(f)
    placeholders = by_rule.pop("placeholder")
    assert sorted(f["line"] for f in placeholders) == expected
    # Template text is a warning even in a draft: the check passes, --strict fails on it.
    assert {f["level"] for f in placeholders} == {"warning"}
    # Every mandatory section but the Timeline (whose table has words) is still empty.
    assert (
        len(by_rule.pop("section-empty")) == len(SCHEMA["properties"]["sections"]["required"]) - 1
    )
    # Facts that were not given are missing fields, not made-up values.
    missing = {f["message"] for f in by_rule.pop("required-field")}
    assert missing == {
        f"'{name}' is required"
        for name in (
            "severity",
            "impact_flags",
            "services",
            "detection",
            "started",
            "detected",
            "fix_type",
            "root_cause",
            "authors",
        )
    }
    # The HH:MM cells are placeholders only, not also unreadable timeline times.
    assert by_rule == {}
    assert {f["level"] for f in findings if f["rule"] != "placeholder"} == {"info"}
    status, strict = check(project, "--strict", monkeypatch=monkeypatch)
    assert status == 1
    assert {f["rule"] for f in strict if f["level"] != "info"} == {"placeholder"}


def test_a_fresh_file_for_review_fails_on_each_placeholder(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = new(
        project,
        TITLE,
        "--date",
        "2026-03-14",
        "--no-input",
        "--status",
        "review",
        "--service",
        "checkout",
        "--author",
        "sre-team",
        "--production",
        "--users-blocked",
        monkeypatch=monkeypatch,
    )
    text = (project.root / run.output.strip()).read_text(encoding="utf-8")
    status, findings = check(project, monkeypatch=monkeypatch)
    assert status == 1
    placeholders = [f for f in findings if f["rule"] == "placeholder"]
    assert sorted(f["line"] for f in placeholders) == placeholder_lines(text)
    assert {f["level"] for f in placeholders} == {"error"}
    assert {f["rule"] for f in findings} == {
        "placeholder",
        "section-empty",
        "required-field",
        "invalid-value",
    }


FILLED = {
    r"\[fill in: one paragraph[^\]]*\]": "Checkout requests failed for 43 minutes.",
    r"\[fill in: who was affected[^\]]*\]": "About 12% of checkout attempts failed.",
    r"\[fill in: the underlying issue[^\]]*\]": "Provisioning used the default connection limit.",
    r"\[fill in: what made this possible\]": "No alert on replica connection saturation.",
    r"\[fill in: a sentence on the action items[^\]]*\]": "The items are tracked in the tracker.",
    r"\[fill in: how recurrence is prevented\]": "Provisioning copies limits from the primary.",
    r"\[add the commands[^\]]*\]": "The limit was checked on the replica:",
    r"```bash\n```": "```bash\npsql -c 'show max_connections'\n```",
    r"\| \[add a decision\] \| TBD \| TBD \|": "| Raise the limit | fastest fix | failing back |",
    r"\| \[add a name\] \| TBD \|": "| SRE on call | ran the incident |",
    r"\| HH:MM \| Incident detected \| <how> \|": "| 09:12 | Incident detected | alert ACK-1 |",
    r"\| HH:MM \| Containment started \| <action> \|": "| 09:20 | Containment started | CHG-6 |",
    r"\| HH:MM \| Root cause identified \| <finding> \|": "| 09:25 | Cause found | limit 100 |",
    r"\| HH:MM \| Fix deployed \| <change> \|": "| 09:30 | Fix deployed | change CHG-7 |",
    r"\| HH:MM \| Verification complete \| <evidence> \|": "| 09:45 | Verified | error rate 0 |",
    r"status: draft": "status: final",
    r"# detection: monitoring": "detection: monitoring",
    r"# started: 2026-03-14T09:02:00Z": "started: 2026-03-14T09:02:00Z",
    r"# detected: 2026-03-14T09:12:00Z": "detected: 2026-03-14T09:12:00Z",
    r"# contained: 2026-03-14T09:30:00Z": "contained: 2026-03-14T09:30:00Z",
    r"# resolved: 2026-03-14T10:45:00Z": "resolved: 2026-03-14T10:45:00Z",
    r"# fix_type: revert": "fix_type: revert",
    r"# root_cause:\n#   category: (\S+)[^\n]*\n#   summary: ": (
        "root_cause:\n  category: \\1\n  summary: "
    ),
    r"action_items: \[\][^\n]*\n#   - action: (.*)\n#     owner: (.*)\n#     due: (.*)\n": (
        "action_items:\n  - action: \\1\n    owner: \\2\n    due: \\3\n"
    ),
}


def test_filled_in_it_passes_even_when_final(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = new(
        project,
        TITLE,
        "--date",
        "2026-03-14",
        "--no-input",
        "--service",
        "checkout",
        "--service",
        "orders-db",
        "--author",
        "sre-team",
        "--production",
        "--users-blocked",
        "--correctness",
        monkeypatch=monkeypatch,
    )
    assert run.exit_code == 0, run.output
    path = project.root / run.output.strip()
    text = path.read_text(encoding="utf-8")
    assert "severity: SEV2" in text and "  users_blocked: true" in text
    assert 'services: ["checkout", "orders-db"]' in text
    for pattern, replacement in FILLED.items():
        text, count = re.subn(pattern, replacement, text)
        assert count >= 1, pattern
    text = re.sub(r"^#     (status|kind): ", r"    \1: ", text, flags=re.M)
    path.write_text(text, encoding="utf-8")
    assert placeholder_lines(text) == []
    status, findings = check(project, "--strict", monkeypatch=monkeypatch)
    assert (status, findings) == (0, [])


def test_severity_follows_from_the_answers_and_must_agree(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = new(
        project,
        "Data lost in orders",
        "--date",
        "2026-03-14",
        "--no-input",
        "--production",
        "--data-loss",
        monkeypatch=monkeypatch,
    )
    text = (project.root / run.output.strip()).read_text(encoding="utf-8")
    assert "severity: SEV1" in text
    assert "  data_loss: true" in text and "  security: false" in text
    run = new(
        project,
        "Only the level known",
        "--date",
        "2026-03-14",
        "--no-input",
        "--severity",
        "sev3",
        monkeypatch=monkeypatch,
    )
    text = (project.root / run.output.strip()).read_text(encoding="utf-8")
    assert "severity: SEV3" in text and "# impact_flags:" in text
    run = new(
        project,
        "Answers disagree",
        "--no-input",
        "--severity",
        "SEV1",
        "--no-production",
        "--users-blocked",
        monkeypatch=monkeypatch,
    )
    assert run.exit_code == 2
    assert "disagrees with the decision tree, which gives SEV2" in run.output
    assert check(project, monkeypatch=monkeypatch)[0] == 0


def test_on_a_terminal_it_asks_for_what_is_missing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_module, "interactive", lambda: True)
    answers = "y\nn\nn\ny\nn\ncheckout, orders-db\nsre-team\n"  # five questions, then lists
    run = cli(
        project.root, "new", TITLE, "--date", "2026-03-14", monkeypatch=monkeypatch, input=answers
    )
    assert run.exit_code == 0, run.output
    assert "Is production affected?" in run.output and "Authors" in run.output
    created = project.incidents / "2026" / "2026-03-14-checkout-errors-after-failover.md"
    text = created.read_text(encoding="utf-8")
    assert "severity: SEV2" in text
    assert 'services: ["checkout", "orders-db"]' in text and 'authors: ["sre-team"]' in text
    # --no-input never asks, even on a terminal.
    run = cli(project.root, "new", "Second one", "--no-input", monkeypatch=monkeypatch, input="")
    assert run.exit_code == 0 and "?" not in run.output


def test_bad_facts_are_refused_before_anything_is_written(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    for args, message in [
        (("Oops", "--no-input"), "title"),
        ((TITLE, "--no-input", "--service", "Checkout DB"), "services"),
        ((TITLE, "--no-input", "--status", "published"), "status"),
        (("!!!!!!", "--no-input"), "title"),
    ]:
        run = new(project, *args, monkeypatch=monkeypatch)
        assert run.exit_code == 2, args
        assert message in run.output
    assert not any(project.incidents.rglob("*.md"))


def test_a_team_template(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    template = project.write(
        "templates/pm.md.j2",
        "---\nid: {{ id }}\ntitle: {{ title | yaml }}\nstatus: {{ status }}\n---\n"
        "# {{ title }}\n{% for s in sections %}\n## {{ s.title }}\n\nTODO\n{% endfor %}",
    )
    run = new(
        project,
        "Team: template",
        "--date",
        "2026-03-14",
        "--no-input",
        "--template",
        str(template),
        monkeypatch=monkeypatch,
    )
    assert run.exit_code == 0, run.output
    text = (project.root / run.output.strip()).read_text(encoding="utf-8")
    assert text.startswith('---\nid: INC-2026-001\ntitle: "Team: template"\n')
    assert text.count("\nTODO\n") == 7 and "## Prevention Measures" in text
    broken = project.write("templates/broken.md.j2", "---\ntitle: {{ title }}\n---\n")
    run = new(
        project, "No id here", "--no-input", "--template", str(broken), monkeypatch=monkeypatch
    )
    assert run.exit_code == 2 and "must write 'id: {{ id }}'" in run.output


def test_slugify() -> None:
    assert slugify("Checkout errors: after failover!") == "checkout-errors-after-failover"
    assert slugify("Café – naïve résumé") == "cafe-naive-resume"
    assert slugify("日本語") == ""
    long = slugify(" ".join(["word"] * 40))
    assert len(long) <= 60 and not long.endswith("-")


def test_a_title_with_yaml_syntax_round_trips(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = 'Checkout "errors": 100% down # again \\ [café] {x}, & *y'
    run = new(project, title, "--date", "2026-03-14", "--no-input", monkeypatch=monkeypatch)
    assert run.exit_code == 0, run.output
    assert run.output.strip().endswith("/2026-03-14-checkout-errors-100-down-again-cafe-x-y.md")
    post = frontmatter.loads((project.root / run.output.strip()).read_text(encoding="utf-8"))
    assert post.metadata["title"] == title
    assert post.content.startswith(f"# {title}\n")
