"""The results cache: the same verdict as a fresh check, and only unchanged files reused."""

from __future__ import annotations

import json
import shutil

import pytest
from tests.conftest import MKDOCS_YML, REPO, VALID_POSTMORTEM, Project, run_cli

import postmortems.pipeline as pipeline


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often the language rules are compiled (only a checked file needs them)."""
    calls: list[int] = []
    real = pipeline._language_checker

    def counting(settings):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(settings)

    monkeypatch.setattr(pipeline, "_language_checker", counting)
    return calls


def _samples(project: Project) -> None:
    shutil.rmtree(project.incidents)
    shutil.copytree(REPO / "incidents", project.incidents)
    bad = project.incidents / "2026" / "bad.md"
    bad.write_text(
        VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-099")
        .replace("severity: SEV2", "severity: SEV9")
        .replace("related: []", "related: [INC-2025-001, INC-1999-001]"),
        encoding="utf-8",
    )


def test_cached_run_gives_the_fresh_verdict(project: Project, compiles: list[int]) -> None:
    _samples(project)
    fresh = run_cli("check", "--format", "json", "--no-cache", cwd=project.root)
    first = run_cli("check", "--format", "json", cwd=project.root)
    second = run_cli("check", "--format", "json", cwd=project.root)
    assert fresh.exit_code == first.exit_code == second.exit_code == 1
    assert json.loads(fresh.stdout) == json.loads(first.stdout) == json.loads(second.stdout)
    assert len(compiles) == 2  # --no-cache and the first cached run; the second reuses all
    assert (project.root / ".cache/postmortems/check.json").is_file()


def test_a_changed_file_is_checked_again(project: Project, compiles: list[int]) -> None:
    path = project.incident("a.md", VALID_POSTMORTEM)
    assert run_cli("check", cwd=project.root).exit_code == 0
    path.write_text(VALID_POSTMORTEM.replace("severity: SEV2", "severity: SEV9"), "utf-8")
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert run.rules() == ["invalid-value"]
    assert len(compiles) == 2


def test_changed_settings_or_policy_invalidate_the_cache(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM.replace("| 09:30 |", "| later |"))
    assert run_cli("check", cwd=project.root).exit_code == 0
    project.write("mkdocs.yml", MKDOCS_YML + "      rule_levels:\n        timeline-time: error\n")
    assert run_cli("check", cwd=project.root).exit_code == 1
    project.write("mkdocs.yml", MKDOCS_YML)
    schema = project.root / "schemas/postmortem.schema.json"
    schema.write_text(
        schema.read_text(encoding="utf-8").replace('"minimum": 3,', '"minimum": 300,'), "utf-8"
    )
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert "section-empty" in run.rules()


def test_one_file_uses_cached_ids_of_the_others(project: Project, compiles: list[int]) -> None:
    project.incident("old.md", VALID_POSTMORTEM.replace("INC-2026-001", "INC-2025-001"))
    new = project.incident(
        "new.md", VALID_POSTMORTEM.replace("related: []", "related: [INC-2025-001]")
    )
    assert run_cli("check", cwd=project.root).exit_code == 0
    assert run_cli("check", str(new), cwd=project.root).exit_code == 0
    assert len(compiles) == 1


def test_an_unreadable_cache_is_rebuilt(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM)
    assert run_cli("check", cwd=project.root).exit_code == 0
    (project.root / ".cache/postmortems/check.json").write_text("{not json", encoding="utf-8")
    assert run_cli("check", cwd=project.root).exit_code == 0
    data = json.loads((project.root / ".cache/postmortems/check.json").read_text("utf-8"))
    assert list(data["files"]) == ["incidents/a.md"]


def test_both_cores_give_the_verdict_of_one(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(70):
        text = VALID_POSTMORTEM.replace("INC-2026-001", f"INC-2026-{n + 100}")
        if n % 7 == 0:
            text = text.replace("severity: SEV2", "severity: SEV9")
        project.incident(f"2026/{n:03}.md", text)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 2)
    forked = run_cli("check", "--format", "json", "--no-cache", cwd=project.root)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 10**9)
    serial = run_cli("check", "--format", "json", "--no-cache", cwd=project.root)
    assert forked.exit_code == serial.exit_code == 1
    assert json.loads(forked.stdout) == json.loads(serial.stdout)
    assert len(forked.json["findings"]) == 10
