"""The CI files for teams: the workflows parse, and every ``postmortem`` and ``mkdocs``
command line in them (and in the pre-commit hooks) is one the real CLIs accept."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml
from mkdocs.__main__ import cli as mkdocs_cli
from tests.conftest import REPO

from postmortems.cli import main as postmortem_cli

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
SHELL_END = {"|", "||", "&&", ";", ">", ">>", "2>", "&"}
PROGRAMS = {"postmortem": postmortem_cli, "mkdocs": mkdocs_cli}


def run_scripts(workflow: dict) -> Iterator[str]:
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            if "run" in step:
                yield step["run"]


def command_lines(script: str) -> Iterator[list[str]]:
    """Each ``postmortem ...`` or ``mkdocs ...`` invocation of a shell script, as argv."""
    for line in script.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        for start, word in enumerate(words):
            if Path(word).name in PROGRAMS and (start == 0 or words[start - 1] in SHELL_END):
                argv = [Path(word).name]
                for rest in words[start + 1:]:
                    if rest in SHELL_END:
                        break
                    argv.append(rest)
                yield argv


def parse(argv: list[str]) -> click.Context:
    """Parse ``argv`` with the program's own click command, as it would at run time."""
    group = PROGRAMS[argv[0]]
    ctx = group.make_context(argv[0], [], resilient_parsing=True)  # the group takes no options
    command = group.get_command(ctx, argv[1])
    if command is None:
        raise click.UsageError(f"no such command {argv[1]!r}")
    return command.make_context(argv[1], argv[2:], parent=ctx)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_parses_and_is_minimal(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert workflow["name"] and workflow["jobs"]
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    assert workflow.get("on", workflow.get(True))
    assert workflow["permissions"].get("contents") == "read"
    for job in workflow["jobs"].values():
        assert job["runs-on"].startswith("ubuntu-")
        for step in job.get("steps", []):
            if "uses" in step:  # pinned to a full version, never a branch
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+", step["uses"]), step["uses"]


def test_pull_requests_are_annotated_and_main_is_published() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/postmortems.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    commands = [argv for script in run_scripts(workflow) for argv in command_lines(script)]
    assert ["postmortem", "check", "--strict", "--format", "github"] in commands
    assert any(argv[:3] == ["mkdocs", "build", "--strict"] for argv in commands)
    steps = workflow["jobs"]["check"]["steps"]
    cached = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache@"))
    checked = next(i for i, s in enumerate(steps) if "postmortem check" in s.get("run", ""))
    assert cached < checked  # the results of unchanged files are restored before the check
    # ... and only restored ones: results committed to a pull request's branch are dropped.
    dropped = next(i for i, s in enumerate(steps)
                   if "rm -rf .cache/postmortems" in s.get("run", ""))
    assert dropped < cached
    assert steps[cached]["with"]["path"] == ".cache/postmortems"
    # A key per commit, restored by prefix: each run saves what it checked for the next one.
    key, prefix = steps[cached]["with"]["key"], steps[cached]["with"]["restore-keys"]
    assert "github.sha" in key and key.startswith(prefix) and "${{" not in prefix
    assert ["postmortem", "rules", "--test", "--format", "github"] in commands
    publish = workflow["jobs"]["publish"]
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in publish["steps"])


def test_the_digest_posts_overdue_items_by_owner() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/action-items-digest.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))
    assert triggers["schedule"][0]["cron"]
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}
    commands = [argv for script in run_scripts(workflow) for argv in command_lines(script)]
    assert any(argv[:4] == ["postmortem", "actions", "--overdue", "--format"]
               and "markdown" in argv for argv in commands)


def all_command_lines() -> list[list[str]]:
    lines = [argv for path in WORKFLOWS
             for script in run_scripts(yaml.safe_load(path.read_text(encoding="utf-8")))
             for argv in command_lines(script)]
    for name in (".pre-commit-hooks.yaml", ".pre-commit-config.yaml"):
        data = yaml.safe_load((REPO / name).read_text(encoding="utf-8"))
        hooks = data if isinstance(data, list) else [h for r in data["repos"] for h in r["hooks"]]
        lines += [next(iter(command_lines(hook["entry"]))) for hook in hooks]
    return lines


@pytest.mark.parametrize("argv", all_command_lines(), ids=" ".join)
def test_every_command_line_is_valid(argv: list[str]) -> None:
    ctx = parse(argv)
    assert ctx.command.name == argv[1]


def test_an_invalid_command_line_is_caught() -> None:
    with pytest.raises(click.UsageError):
        parse(["postmortem", "check", "--format", "gitlab"])
    with pytest.raises(click.UsageError):
        parse(["postmortem", "actions", "--overdo"])
    with pytest.raises(click.UsageError):
        parse(["mkdocs", "build", "--stirct"])
    with pytest.raises(click.UsageError):
        parse(["postmortem", "chek"])
