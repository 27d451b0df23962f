"""Every kind of bad input: exit 1 from the CLI and a failed build, with rule, file and line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError
from mkdocs.utils.meta import get_data
from tests.conftest import VALID_POSTMORTEM, Project, run_cli

NAME = "2026/2026-03-14-checkout.md"
PATH = f"incidents/{NAME}"


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line of ``text`` containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def replace(old: str, new: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return mutate


@dataclass
class Case:
    name: str
    mutate: Callable[[str], str | bytes]
    rule: str
    line: Callable[[str | bytes], int]
    column: int | None = None


def at(needle: str) -> Callable[[str | bytes], int]:
    def find(text: str | bytes) -> int:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return line_of(text, needle)

    return find


def fixed(line: int) -> Callable[[str | bytes], int]:
    return lambda _text: line


BODY = VALID_POSTMORTEM.split("---\n", 2)[2]

CASES = [
    Case("no front matter", lambda t: BODY, "front-matter-missing", fixed(1)),
    Case(
        "yaml syntax error",
        replace("severity: SEV2", "severity: SEV2: high"),
        "yaml-syntax",
        at("severity: SEV2: high"),
        15,
    ),
    Case(
        "front matter not a mapping",
        lambda t: "---\n- just\n- a list\n---\n" + BODY,
        "front-matter-not-mapping",
        fixed(2),
    ),
    Case(
        "duplicate key",
        replace("status: final\n", "status: final\nstatus: review\n"),
        "duplicate-key",
        at("status: review"),
        1,
    ),
    Case(
        "unknown key",
        replace("severity: SEV2\n", "severity: SEV2\nseverty: SEV2\n"),
        "unknown-key",
        at("severty"),
        1,
    ),
    Case(
        "wrong type",
        replace("services: [checkout, orders-db]", "services: checkout"),
        "wrong-type",
        at("services: checkout"),
        1,
    ),
    Case(
        "value outside enum",
        replace("severity: SEV2", "severity: SEV5"),
        "invalid-value",
        at("severity: SEV5"),
        1,
    ),
    Case(
        "impossible date",
        replace("due: 2026-04-15", "due: 2026-02-30"),
        "invalid-format",
        at("due: 2026-02-30"),
        5,
    ),
    Case(
        "impossible date in a list of words, which MkDocs would refuse",
        replace("tags: [database, failover]", "tags: [database, 2026-02-30]"),
        "invalid-format",
        at("tags: [database, 2026-02-30]"),
        18,
    ),
    Case(
        "impossible date as a free-text value",
        replace(
            "  summary: The promoted replica kept the default limit of 100 connections.",
            "  summary: 2026-02-30 12:00:00",
        ),
        "invalid-format",
        at("  summary: 2026-02-30"),
        12,
    ),
    Case(
        "impossible date as a key, which MkDocs would refuse too",
        replace("related: []", "related: []\n2026-02-30: the day it broke"),
        "invalid-format",
        at("2026-02-30: the day"),
        1,
    ),
    Case(
        "whole number too long for MkDocs' YAML reader, which drops the front matter",
        replace("tags: [database, failover]",
                f"tags: [database, {'9' * (sys.get_int_max_str_digits() + 1)}]"),
        "invalid-value",
        at("tags: [database, 999"),
        18,
    ),
    Case(
        "times out of order",
        replace("detected: 2026-03-14T09:12:00Z", "detected: 2026-03-14T08:12:00Z"),
        "time-order",
        at("detected:"),
        1,
    ),
    Case(
        "missing mandatory section",
        replace(
            "## Prevention Measures\n\nProvisioning now copies connection limits from the "
            "primary.\n",
            "",
        ),
        "section-missing",
        at("# Checkout errors after replica failover"),
    ),
    Case(
        "empty mandatory section",
        replace("About 12% of checkout attempts failed between 09:02 and 09:45 UTC.\n", ""),
        "section-empty",
        at("## Impact"),
        1,
    ),
    Case(
        "placeholder left in",
        replace(
            "No alert on connection saturation existed for replicas.",
            "No alert existed for replicas. TODO",
        ),
        "placeholder",
        at("No alert existed for replicas. TODO"),
        32,
    ),
    Case(
        "action item without owner",
        replace("    owner: db-team\n", ""),
        "required-field",
        at("- action: Check connection"),
        5,
    ),
    Case(
        "action item without due date",
        replace("    due: 2026-04-15\n", ""),
        "required-field",
        at("- action: Check connection"),
        5,
    ),
    Case(
        "unknown related id",
        replace("related: []", "related: [INC-2025-999]"),
        "unknown-related",
        at("related:"),
        11,
    ),
    Case(
        "related to itself",
        replace("related: []", "related: [INC-2026-001]"),
        "unknown-related",
        at("related:"),
        11,
    ),
    Case(
        "severity disagrees with decision tree",
        replace("severity: SEV2", "severity: SEV3"),
        "severity-mismatch",
        at("severity: SEV3"),
        1,
    ),
    Case(
        "timeline rows out of order",
        replace("| 09:30 | Connection limit", "| 09:10 | Connection limit"),
        "timeline-order",
        at("| 09:10 |"),
        1,
    ),
    Case(
        "bytes that are not UTF-8",
        lambda t: t.encode().replace(b"About 12%", b"About \xff12%"),
        "encoding",
        at("About "),
        7,
    ),
    Case("empty file", lambda t: "", "empty-file", fixed(1)),
    Case("whitespace-only file", lambda t: "\n  \n", "empty-file", fixed(1)),
    Case(
        "not Markdown at all",
        lambda t: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        "not-markdown",
        fixed(0),
    ),
]


def _write(project: Project, case: Case) -> str | bytes:
    content = case.mutate(VALID_POSTMORTEM)
    project.incident(NAME, content)
    return content


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_reports_bad_input(project: Project, case: Case) -> None:
    content = _write(project, case)
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert run.exit_code == 1, run.stdout + run.stderr
    matching = [f for f in run.json["findings"] if f["rule"] == case.rule]
    assert matching, f"no {case.rule} in {run.rules()}"
    finding = matching[0]
    assert finding["path"] == PATH
    assert finding["level"] == "error"
    assert finding["line"] == case.line(content)
    if case.column is not None:
        assert finding["column"] == case.column
    assert finding["hint"], "every finding carries a hint"
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_build_fails_on_bad_input(
    project: Project, case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    content = _write(project, case)
    config = load_config(str(project.root / "mkdocs.yml"), site_dir=str(project.root / "site"))
    with caplog.at_level(logging.INFO), pytest.raises((Abort, PluginError)):
        build(config)
    expected = f"{PATH}:{case.line(content)}" if case.line(content) else PATH
    assert any(expected in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records), [
        r.getMessage() for r in caplog.records
    ]


def test_an_impossible_date_reused_by_aliases_is_one_error(project: Project) -> None:
    project.incident(NAME, VALID_POSTMORTEM.replace(
        "tags: [database, failover]", "tags: [&d 2026-02-30, *d, *d]"))
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert [(f["line"], f["column"]) for f in run.json["findings"]
            if f["rule"] == "invalid-format"] == [(13, 8)]


def test_a_schema_finding_on_an_alias_of_a_refused_date_stays(project: Project) -> None:
    # The refusal is reported once, for the tag; the status that reuses the date is not
    # the tag, so its enum finding (and hint) is not folded into the tag's refusal.
    project.incident(NAME, VALID_POSTMORTEM.replace("status: final\n", "").replace(
        "tags: [database, failover]", "tags: [database, &x 2026-02-30]\nstatus: *x"))
    run = run_cli("check", "--format", "json", cwd=project.root)
    found = {(f["line"], f["column"]): f for f in run.json["findings"] if f["line"] in (12, 13)}
    assert {k: f["rule"] for k, f in found.items()} == {
        (12, 18): "invalid-format", (13, 1): "invalid-value"}
    assert "reads as a date that does not exist" in found[12, 18]["message"]
    assert "write a real calendar date" in found[12, 18]["hint"]
    assert "final: agreed" in found[13, 1]["hint"]


@pytest.mark.parametrize(
    ("old", "new", "column", "hint"),
    [
        ("id: INC-2026-001", "id: 2026-02-30", 5, "ids look like INC-2026-014"),
        ("status: final", "status: 2026-02-30", 9, "final: agreed"),
        ("  production: true", "  production: 2026-02-30", 15, "as true or false"),
        ("related: []", "related: []\n2026-02-30: the day it broke", 1, "known keys: id,"),
    ],
    ids=["id pattern", "status enum", "flag type", "unknown key"],
)
def test_an_impossible_date_the_schema_also_refuses_is_one_error(
    project: Project, old: str, new: str, column: int, hint: str
) -> None:
    content = VALID_POSTMORTEM.replace(old, new)
    project.incident(NAME, content)
    run = run_cli("check", "--format", "json", cwd=project.root)
    line = line_of(content, new.rsplit("\n", 1)[-1])
    found = [f for f in run.json["findings"] if f["line"] == line]
    assert [(f["rule"], f["column"]) for f in found] == [("invalid-format", column)]
    assert "reads as a date that does not exist" in found[0]["message"]
    assert hint in found[0]["hint"]


def test_duplicate_id_across_two_files(project: Project) -> None:
    project.incident("2026/a.md", VALID_POSTMORTEM)
    project.incident("2026/b.md", VALID_POSTMORTEM)
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert run.exit_code == 1
    found = [f for f in run.json["findings"] if f["rule"] == "duplicate-id"]
    # Each file that shares the id is told where the other one is.
    assert [(f["path"], f["line"]) for f in found] == [
        ("incidents/2026/a.md", 2),
        ("incidents/2026/b.md", 2),
    ]
    assert "incidents/2026/b.md:2" in found[0]["message"]
    assert "incidents/2026/a.md:2" in found[1]["message"]


def test_explicit_non_markdown_file(project: Project) -> None:
    notes = project.write("notes.txt", "just some notes\n")
    run = run_cli("check", "--format", "json", str(notes), cwd=project.root)
    assert run.exit_code == 1
    assert run.rules() == ["not-markdown"]


def test_one_broken_file_does_not_hide_the_others(project: Project) -> None:
    project.incident("a.md", "")
    project.incident("b.md", b"\xff\xfe broken")
    project.incident("c.md", VALID_POSTMORTEM.replace("severity: SEV2", "severity: SEV2: x"))
    project.incident(
        "d.md",
        VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-004").replace(
            "    owner: db-team\n", ""
        ),
    )
    project.incident("e.md", VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-005"))
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert run.exit_code == 1
    by_path = {f["path"]: f["rule"] for f in run.json["findings"]}
    assert by_path == {
        "incidents/a.md": "empty-file",
        "incidents/b.md": "encoding",
        "incidents/c.md": "yaml-syntax",
        "incidents/d.md": "required-field",
    }
    assert run.json["summary"]["files"] == 5


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!int " + "a" * 70, "int"),  # past the 64-character shortcut for numbers
        ("!!float " + "a" * 70, "float"),
        ("!!int abc", "int"),
        ("!!int ''", "int"),  # PyYAML's constructor raises IndexError
        ("!!bool maybe", "bool"),
        ("!!timestamp soon", "timestamp"),  # AttributeError
    ],
)
def test_a_tagged_value_pyyaml_refuses_is_an_error_at_the_value(
    project: Project, value: str, tag: str
) -> None:
    # MkDocs' reader raises on it and drops the whole front matter into the page.
    content = VALID_POSTMORTEM.replace("tags: [database, failover]", f"tags: [database, {value}]")
    assert get_data(content)[1] == {}  # MkDocs' reader refuses it
    project.incident(NAME, content)
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert run.exit_code == 1 and "Traceback" not in run.stderr, run.stdout + run.stderr
    found = [f for f in run.json["findings"] if f["level"] == "error"]
    assert [(f["rule"], f["line"], f["column"]) for f in found] == [
        ("invalid-value", line_of(content, "tags: [database, !!"), 18)
    ]
    assert f"tagged !!{tag}" in found[0]["message"]
    assert "MkDocs then drops the whole front matter" in found[0]["message"]
    assert f"remove the !!{tag} tag, or put the value in quotes" in found[0]["hint"]
