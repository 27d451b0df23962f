"""The split check cache: a warm run reads only the index and the rows it prints; a broken,
foreign or old cache is rebuilt; a check of cached files imports no checking machinery."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tests.conftest import MKDOCS_YML, REPO, VALID_POSTMORTEM, Project, run_cli

import postmortems.cache as cache
import postmortems.pipeline as pipeline
from postmortems.settings import Settings, cached_settings, keep_settings

SETTLED = -10**12  # every stat counts as settled (no two-second wait for the racy guard)


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", SETTLED)
    monkeypatch.setattr(pipeline, "RACY_NS", SETTLED)


@pytest.fixture
def rows(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The heavy rows read from the results store: (table, path)."""
    calls: list[tuple[str, str]] = []
    results, case = cache.ResultStore.results, cache.ResultStore.case

    def counting_results(self, path, content):  # type: ignore[no-untyped-def]
        calls.append(("results", path))
        return results(self, path, content)

    def counting_case(self, path, content):  # type: ignore[no-untyped-def]
        calls.append(("case", path))
        return case(self, path, content)

    monkeypatch.setattr(cache.ResultStore, "results", counting_results)
    monkeypatch.setattr(cache.ResultStore, "case", counting_case)
    return calls


def _collection(project: Project) -> dict[str, Path]:
    """Three post-mortems: two clean and unrelated, one with a finding (a bad severity)."""
    texts = {
        "a.md": VALID_POSTMORTEM,
        "b.md": VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-002")
        .replace("Replica provisioning used the database default for max_connections.",
                 "A certificate on the payment gateway expired overnight without renewal."),
        "c.md": VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-003")
        .replace("severity: SEV2", "severity: SEV9").replace("related: []",
                                                             "related: [INC-2026-001]"),
    }
    return {name: project.incident(name, text) for name, text in texts.items()}


def test_a_warm_check_reads_only_the_rows_it_prints(
    project: Project, rows: list[tuple[str, str]], settled: None
) -> None:
    _collection(project)
    fresh = run_cli("check", "--format", "json", "--no-cache", cwd=project.root)
    assert run_cli("check", cwd=project.root).exit_code == 1
    rows.clear()
    warm = run_cli("check", "--format", "json", cwd=project.root)
    assert json.loads(warm.stdout) == json.loads(fresh.stdout)
    # Only c.md has findings of its own; no case is decoded (the ranking is kept).
    assert rows == [("results", "incidents/c.md")]
    rows.clear()
    one = run_cli("check", "--format", "json", str(project.incidents / "a.md"), cwd=project.root)
    assert one.exit_code == 0 and rows == []
    rows.clear()
    one = run_cli("check", "--format", "json", str(project.incidents / "c.md"), cwd=project.root)
    assert rows == [("results", "incidents/c.md")]
    expected = [f for f in json.loads(fresh.stdout)["findings"] if f["path"] == "incidents/c.md"]
    assert one.json["findings"] == expected


def test_a_changed_file_reads_the_cases_not_the_findings(
    project: Project, rows: list[tuple[str, str]], settled: None
) -> None:
    files = _collection(project)
    assert run_cli("check", cwd=project.root).exit_code == 1
    files["a.md"].write_text(VALID_POSTMORTEM.replace(
        "Replica provisioning used the database default for max_connections.",
        "A disk on the replica filled up with logs that nobody rotated."), encoding="utf-8")
    rows.clear()
    run = run_cli("check", "--format", "json", str(files["a.md"]), cwd=project.root)
    assert run.exit_code == 0
    assert [table for table, _ in rows] == ["case", "case"]  # the two others' cases only
    fresh = run_cli("check", "--format", "json", "--no-cache", cwd=project.root).json
    assert run.json["findings"] == [f for f in fresh["findings"]
                                    if f["path"] == "incidents/a.md"]


def test_the_site_gets_the_whole_front_matter(project: Project, settled: None) -> None:
    from postmortems.config import load_settings

    _collection(project)
    settings = load_settings(project.root / "mkdocs.yml")
    fresh = pipeline.Checker(settings).check_paths([settings.incidents_path])
    warm = pipeline.Checker(settings).check_paths([settings.incidents_path])
    assert all(pm.document is None for pm in warm.postmortems)  # taken from the cache
    assert [pm.meta for pm in warm.postmortems] == [pm.meta for pm in fresh.postmortems]
    assert [pm.cached_case for pm in warm.postmortems] == [
        json.loads(json.dumps(dataclasses.asdict(pipeline._case_of(pm))))  # type: ignore[arg-type]
        for pm in fresh.postmortems]
    compact = pipeline.Checker(settings, full_meta=False).check_paths([settings.incidents_path])
    assert [set(pm.meta) for pm in compact.postmortems] == [
        set(cache.CONTEXT_FIELDS) & set(pm.meta) for pm in fresh.postmortems]
    assert compact.findings == fresh.findings


@pytest.mark.parametrize("damage", ["garbage", "empty", "foreign", "other-key"])
def test_a_broken_results_store_is_rebuilt(project: Project, damage: str,
                                           settled: None) -> None:
    _collection(project)
    fresh = run_cli("check", "--format", "json", "--no-cache", cwd=project.root)
    assert run_cli("check", cwd=project.root).exit_code == 1
    store = project.root / cache.RESULTS_FILE
    if damage == "garbage":
        store.write_bytes(b"SQLite format 3\x00" + b"\x07" * 3000)
    elif damage == "empty":
        store.write_bytes(b"")
    elif damage == "foreign":
        store.unlink()
        with sqlite3.connect(store) as db:
            db.execute("CREATE TABLE other (x)")
        db.close()
    else:
        with sqlite3.connect(store) as db:
            db.execute("UPDATE results SET key = 'someone else'")
        db.close()
    again = run_cli("check", "--format", "json", cwd=project.root)
    assert json.loads(again.stdout) == json.loads(fresh.stdout)
    with sqlite3.connect(store) as db:
        paths = sorted(p for (p,) in db.execute("SELECT path FROM results"))
    db.close()
    assert paths == ["incidents/a.md", "incidents/b.md", "incidents/c.md"]
    assert json.loads(run_cli("check", "--format", "json", cwd=project.root).stdout) == \
        json.loads(fresh.stdout)


def test_an_old_format_index_is_ignored(project: Project, settled: None) -> None:
    _collection(project)
    assert run_cli("check", cwd=project.root).exit_code == 1
    index = project.root / cache.CACHE_FILE
    data = json.loads(index.read_text(encoding="utf-8"))
    data["format"] = 3
    for record in data["files"].values():
        record[7] = 0  # as if no file had findings: must not be believed
    index.write_text(json.dumps(data), encoding="utf-8")
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert run.exit_code == 1 and "invalid-value" in run.rules()
    assert json.loads(index.read_text(encoding="utf-8"))["format"] == cache.CACHE_FORMAT


def test_a_row_of_other_content_is_not_used(project: Project, settled: None) -> None:
    files = _collection(project)
    assert run_cli("check", cwd=project.root).exit_code == 1
    store = project.root / cache.RESULTS_FILE
    with sqlite3.connect(store) as db:
        db.execute("UPDATE results SET digest = 'x' WHERE path = 'incidents/c.md'")
    db.close()
    run = run_cli("check", "--format", "json", str(files["c.md"]), cwd=project.root)
    assert "invalid-value" in run.rules()


def test_the_cache_prunes_deleted_files(project: Project, settled: None) -> None:
    files = _collection(project)
    assert run_cli("check", cwd=project.root).exit_code == 1
    files["b.md"].unlink()
    assert run_cli("check", cwd=project.root).exit_code == 1
    with sqlite3.connect(project.root / cache.RESULTS_FILE) as db:
        paths = sorted(p for (p,) in db.execute("SELECT path FROM results"))
        ranked = sorted(p for (p,) in db.execute("SELECT path FROM ranking"))
    db.close()
    assert paths == ranked == ["incidents/a.md", "incidents/c.md"]
    index = json.loads((project.root / cache.CACHE_FILE).read_text(encoding="utf-8"))
    assert sorted(index["files"]) == paths


def test_settings_are_kept_for_an_unchanged_mkdocs_yml(project: Project) -> None:
    from postmortems.config import load_settings

    config = project.root / "mkdocs.yml"
    config.write_text(MKDOCS_YML + "      rule_levels:\n        timeline-time: error\n"
                      "      allowed_phrases: [root cause]\n      today: 2026-04-01\n", "utf-8")
    fresh = load_settings(config)
    kept, key = cached_settings(config)
    assert kept is None and key is not None
    keep_settings(fresh, key)
    kept, _ = cached_settings(config)
    assert kept == fresh and isinstance(kept, Settings)
    config.write_text(MKDOCS_YML, encoding="utf-8")
    assert cached_settings(config)[0] is None  # another text: read again
    config.write_text(MKDOCS_YML + "INHERIT: base.yml\n", encoding="utf-8")
    assert cached_settings(config) == (None, None)  # depends on another file: never kept


def test_a_check_of_cached_files_imports_no_checker(project: Project, settled: None) -> None:
    files = _collection(project)
    assert run_cli("check", cwd=project.root).exit_code == 1
    script = textwrap.dedent(f"""
        import sys
        import postmortems.cache, postmortems.pipeline
        postmortems.cache.RACY_NS = postmortems.pipeline.RACY_NS = {SETTLED}
        from postmortems.cli import main
        try:
            main(["check", {str(files["a.md"])!r}])
        except SystemExit as exit:
            code = exit.code
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("mkdocs", "jsonschema",
                                                                    "yaml", "numpy")
                       or m == "importlib.metadata"
                       or m.startswith(("postmortems.language", "postmortems.policy",
                                        "postmortems.markdown", "postmortems.similar",
                                        "postmortems.secretscan", "pyromark")))
        print("RESULT", code, heavy)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=project.root, text=True,
                          capture_output=True, check=False, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                               "NO_MKDOCS_2_WARNING": "1"})
    assert "RESULT 0 []" in proc.stdout, proc.stdout + proc.stderr


def test_a_row_replaced_during_the_run_is_checked_again(
    project: Project, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from postmortems.config import load_settings

    _collection(project)
    settings = load_settings(project.root / "mkdocs.yml")
    fresh = pipeline.Checker(settings, full_meta=False).check_paths([settings.incidents_path])
    context = cache.ResultStore.context

    def lost(self, path, content):  # type: ignore[no-untyped-def]
        # As if another run replaced a.md's row after this one read the index.
        return None if path == "incidents/a.md" else context(self, path, content)

    monkeypatch.setattr(cache.ResultStore, "context", lost)
    warm = pipeline.Checker(settings, full_meta=False).check_paths([settings.incidents_path])
    by_path = {pm.path: pm for pm in warm.postmortems}
    assert by_path["incidents/a.md"].document is not None  # read and checked again
    assert by_path["incidents/a.md"].id == "INC-2026-001"
    assert all(pm.document is None for p, pm in by_path.items() if p != "incidents/a.md")
    assert warm.findings == fresh.findings


def test_the_walk_takes_any_depth_of_folders(project: Project) -> None:
    folders = [project.incidents]
    for _ in range(1200):  # deeper than Python's recursion limit
        folders.append(folders[-1] / "d")
        folders[-1].mkdir()  # one at a time: making or removing them at once recurses
    (folders[-1] / "x.md").write_text("x", encoding="utf-8")
    try:
        walked = pipeline._walk_markdown(project.incidents, project.root)
        assert [shown for _, shown, _, _ in walked][-1].endswith("/d/d/x.md")
    finally:
        (folders[-1] / "x.md").unlink()
        for folder in reversed(folders[1:]):
            folder.rmdir()
