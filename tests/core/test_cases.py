"""The crash corpus: each folder of ``cases/`` is one file that once crashed the check or the
build, run through the real CLI; ``expected.json`` lists the findings' rule ids and lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import Project, run_cli

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(project: Project, name: str) -> None:
    case = CASES / name
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    project.incident(expected.get("path", "2026/2026-03-14-case.md"),
                     (case / "input.md").read_bytes())
    run = run_cli("check", "--format", "json", cwd=project.root)
    found = sorted((f["rule"], f["line"]) for f in run.json["findings"]
                   if f["level"] == "error" or f["rule"] in expected.get("also", []))
    assert found == sorted((rule, line) for rule, line in expected["findings"])
    errors = [f for f in run.json["findings"] if f["level"] == "error"]
    assert run.exit_code == (1 if errors else 0)
