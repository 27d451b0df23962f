"""The results cache: the same verdict as a fresh check, and only unchanged files reused."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from tests.conftest import MKDOCS_YML, REPO, VALID_POSTMORTEM, Project, run_cli

import postmortems.cache as cache
import postmortems.pipeline as pipeline
import postmortems.recurrence as recurrence


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


def _twins(project: Project) -> tuple[Path, Path]:
    """Two post-mortems with the same cause, the later one not relating the earlier."""
    earlier = project.incident("a.md", VALID_POSTMORTEM)
    later = project.incident("b.md", VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-002")
                             .replace("2026-03-14T", "2026-03-20T"))
    return earlier, later


@pytest.fixture
def rankings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the similarity indexes built (0) and the post-mortems ranked with them (1)."""
    calls: list[int] = []
    build, findings = recurrence.build_index, recurrence.similar_findings

    def counting_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(0)
        return build(*args, **kwargs)

    def counting_findings(postmortems, *args, **kwargs):  # type: ignore[no-untyped-def]
        postmortems = list(postmortems)
        calls.extend(1 for _ in postmortems)
        return findings(postmortems, *args, **kwargs)

    monkeypatch.setattr(recurrence, "build_index", counting_build)
    monkeypatch.setattr(recurrence, "similar_findings", counting_findings)
    return calls


def test_the_warm_path_reuses_the_ranking(project: Project, rankings: list[int]) -> None:
    _twins(project)
    fresh = run_cli("check", "--format", "json", "--no-cache", cwd=project.root)
    assert "similar-not-related" in fresh.rules()
    rankings.clear()
    first = run_cli("check", "--format", "json", cwd=project.root)
    assert rankings == [0, 1, 1]  # one index, each id ranked once
    rankings.clear()
    second = run_cli("check", "--format", "json", cwd=project.root)
    assert rankings == []
    assert json.loads(fresh.stdout) == json.loads(first.stdout) == json.loads(second.stdout)


def test_a_changed_case_discards_the_ranking(project: Project, rankings: list[int]) -> None:
    _, later = _twins(project)
    assert "similar-not-related" in run_cli("check", "--format", "json", cwd=project.root).rules()
    text = later.read_text(encoding="utf-8")
    later.write_text(text.replace(
        "Replica provisioning used the database default for max_connections.",
        "A certificate on the payment gateway expired overnight without renewal.",
    ).replace("kept the default limit of 100 connections", "had an expired certificate"),
        encoding="utf-8")
    rankings.clear()
    changed = run_cli("check", "--format", "json", cwd=project.root)
    assert rankings and rankings[0] == 0  # built again over the new cases
    fresh = run_cli("check", "--format", "json", "--no-cache", cwd=project.root)
    assert json.loads(changed.stdout) == json.loads(fresh.stdout)
    # The other file did not change, but the ranking is collection-wide: its entry goes too.
    rankings.clear()
    run_cli("check", "--format", "json", cwd=project.root)
    assert rankings == []


def test_one_file_gets_the_collection_findings(project: Project, rankings: list[int]) -> None:
    _, later = _twins(project)
    collection = run_cli("check", "--format", "json", "--no-cache", cwd=project.root).json
    rankings.clear()
    cold = run_cli("check", "--format", "json", str(later), cwd=project.root).json
    assert rankings == [0, 1]  # one index, one query: only the named file's
    rankings.clear()
    run_cli("check", cwd=project.root)
    rankings.clear()
    warm = run_cli("check", "--format", "json", str(later), cwd=project.root).json
    assert rankings == []
    shown = later.relative_to(project.root).as_posix()
    expected = [f for f in collection["findings"] if f["path"] == shown]
    assert expected and any(f["rule"] == "similar-not-related" for f in expected)
    assert cold["findings"] == warm["findings"] == expected


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files read to validate a cache entry (or check them), by name."""
    calls: list[str] = []
    real = pipeline._read

    def counting(path: Path) -> bytes | None:
        calls.append(path.name)
        return real(path)

    monkeypatch.setattr(pipeline, "_read", counting)
    return calls


def test_unchanged_stat_skips_the_read(
    project: Project, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "RACY_NS", -10**12)  # every stat counts as settled
    monkeypatch.setattr(pipeline, "RACY_NS", -10**12)
    path = project.incident("a.md", VALID_POSTMORTEM)
    assert run_cli("check", cwd=project.root).exit_code == 0
    assert reads == ["a.md"]
    reads.clear()
    assert run_cli("check", cwd=project.root).exit_code == 0
    assert reads == []
    before = path.stat()
    # Same size, same modification time, other content: the change time gives it away.
    path.write_text(VALID_POSTMORTEM.replace("severity: SEV2", "severity: SEV9"), "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert run_cli("check", "--format", "json", cwd=project.root).rules() == ["invalid-value"]
    assert reads == ["a.md"]
    reads.clear()
    path.write_text(VALID_POSTMORTEM + "\n", "utf-8")  # another size
    assert run_cli("check", cwd=project.root).exit_code == 0
    assert reads == ["a.md"]


def test_a_recent_stat_is_not_trusted(project: Project, reads: list[str]) -> None:
    path = project.incident("a.md", VALID_POSTMORTEM)
    assert run_cli("check", cwd=project.root).exit_code == 0
    reads.clear()
    # Just written: size and times could stay the same through another edit, so it is read.
    assert run_cli("check", cwd=project.root).exit_code == 0
    assert reads == ["a.md"]
    assert path.is_file()


def test_a_touched_file_is_rehashed_not_rechecked(
    project: Project, reads: list[str], compiles: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "RACY_NS", -10**12)
    monkeypatch.setattr(pipeline, "RACY_NS", -10**12)
    path = project.incident("a.md", VALID_POSTMORTEM)
    assert run_cli("check", cwd=project.root).exit_code == 0
    path.touch()
    reads.clear()
    assert run_cli("check", cwd=project.root).exit_code == 0
    assert reads == ["a.md"] and len(compiles) == 1  # read and hashed, not checked again
    reads.clear()
    assert run_cli("check", cwd=project.root).exit_code == 0
    assert reads == []  # the new stat was recorded


def test_new_related_ids_rank_only_that_file(project: Project, rankings: list[int]) -> None:
    _, later = _twins(project)
    assert "similar-not-related" in run_cli("check", "--format", "json", cwd=project.root).rules()
    later.write_text(later.read_text(encoding="utf-8").replace(
        "related: []", "related: [INC-2026-001]"), encoding="utf-8")
    rankings.clear()
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert "similar-not-related" not in run.rules()
    assert rankings == [0, 1]  # the cases are the same: only the changed file is ranked


def test_the_context_walk_finds_what_discover_finds(project: Project, tmp_path: Path) -> None:
    from postmortems.source import display_path

    incidents = project.incidents
    for name in ("2025/a.md", "2025/deep/b.MD", "2026/c.markdown", "_skip/d.md", ".hid/e.md",
                 "2026/_f.md", "2026/g.txt", "h.md", "2025.md", "2025/deep.md"):
        (incidents / name).parent.mkdir(parents=True, exist_ok=True)
        (incidents / name).write_text("x", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.md").write_text("x", encoding="utf-8")
    (incidents / "2026" / "link.md").symlink_to(incidents / "2025" / "a.md")
    (incidents / "2026" / "out.md").symlink_to(outside / "o.md")
    (incidents / "linked").symlink_to(outside, target_is_directory=True)
    for collection in (incidents, project.root / "incidents" / ".." / "incidents"):
        walked = [(Path(p), shown) for p, shown, _, _ in
                  pipeline._walk_markdown(collection, project.root)]
        expected = [(p, display_path(p, project.root)) for p in pipeline.discover([collection])
                    if p.is_file()]
        assert walked == expected  # in order: a folder's files where its name sorts
        assert len(walked) == 8


def test_shown_paths_are_display_paths(project: Project, tmp_path: Path) -> None:
    from postmortems.source import display_path

    real = project.incident("a.md", "x")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "o.md").write_text("x", encoding="utf-8")
    (project.incidents / "link.md").symlink_to(real)
    (project.incidents / "out.md").symlink_to(outside / "o.md")
    (project.root / "via").symlink_to(project.incidents, target_is_directory=True)
    shown = pipeline.ShownPaths(project.root)
    candidates = [real, project.incidents / "link.md", project.incidents / "out.md",
                  project.root / "via" / real.name, outside / "o.md",
                  project.incidents / "missing.md", project.incidents / ".." / "x.md"]
    for path in candidates * 2:
        assert shown(path) == display_path(path, project.root)
        assert shown.real(path) == path.resolve()


def test_a_cache_restored_into_a_copy_elsewhere_is_reused(
    project: Project, compiles: list[int], tmp_path: Path
) -> None:
    # A CI job restores .cache/ into a fresh clone: other paths, mtimes and inodes, the
    # same contents. The results are reused, and a changed file is still checked again.
    _samples(project)
    first = run_cli("check", "--format", "json", cwd=project.root)
    clone = tmp_path / "elsewhere" / "clone"
    shutil.copytree(project.root, clone)
    again = run_cli("check", "--format", "json", cwd=clone)
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert len(compiles) == 1  # nothing was checked in the copy
    changed = clone / "incidents" / "2026" / "bad.md"
    changed.write_text(changed.read_text(encoding="utf-8").replace("SEV9", "SEV2"), "utf-8")
    after = run_cli("check", "--format", "json", cwd=clone)
    assert "invalid-value" not in after.rules() and len(compiles) == 2
    # Other settings still give another key there too.
    (clone / "mkdocs.yml").write_text(
        MKDOCS_YML.replace("today: 2026-11-26", "today: 2026-11-26\n      draft_level: warning"),
        encoding="utf-8")
    run_cli("check", cwd=clone)
    assert len(compiles) == 3


def test_the_key_follows_the_rules_schema_python_and_libraries(
    project: Project, compiles: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from postmortems.language import rules

    assert Path(rules.SCHEMA_FILE).name == pipeline.RULES_SCHEMA_NAME
    project.incident("a.md", VALID_POSTMORTEM)
    run_cli("check", cwd=project.root)
    run_cli("check", cwd=project.root)
    assert len(compiles) == 1
    schema = project.root / "schemas" / pipeline.RULES_SCHEMA_NAME
    schema.write_text(schema.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    run_cli("check", cwd=project.root)
    assert len(compiles) == 2  # the rules schema beside the rules changed
    real = pipeline.runtime_versions
    monkeypatch.setattr(pipeline, "runtime_versions", lambda: (*real()[:-1], "numpy==0.0"))
    run_cli("check", cwd=project.root)
    assert len(compiles) == 3  # another library version
    assert real()[0] == sys.version and any(v.startswith("pyromark==") for v in real())


def test_the_library_versions_are_those_installed() -> None:
    from importlib.metadata import PackageNotFoundError, version

    import yaml

    names = dict(v.split("==") for v in pipeline.runtime_versions()[2:])
    for name in pipeline.RESULT_LIBRARIES:
        try:
            expected = version(name)
        except PackageNotFoundError:
            expected = "missing"
        assert names[name] == expected, name
    libyaml = getattr(yaml, "__with_libyaml__", False)
    assert pipeline.runtime_versions()[1] == f"libyaml={libyaml}"
