"""The benchmark: the generator writes valid, deterministic projects; the runner reports all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bench.generate import incidents, plain_dir, severity_of, write_projects

REPO = Path(__file__).resolve().parents[1]


def _check(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "postmortems", "check", "--strict", "--format", "json"],
        cwd=project, capture_output=True, text=True, check=False,
    )


@pytest.mark.parametrize("count", [5, 12])
def test_generated_collection_passes_strict_check(tmp_path: Path, count: int) -> None:
    project = tmp_path / "project"
    generated = write_projects(count, project, seed=count)
    result = _check(project)
    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout
    assert report["summary"]["files"] == count
    assert report["summary"]["errors"] == report["summary"]["warnings"] == 0
    assert len(list((project / "incidents").rglob("*.md"))) == count
    published = [inc for inc in generated if inc.status != "draft"]
    assert len(list((plain_dir(project) / "docs" / "incidents").rglob("*.md"))) == len(
        published)
    assert {inc.status for inc in generated} >= {"final", "review"}


def test_front_matter_is_complete_and_consistent(tmp_path: Path) -> None:
    generated = incidents(40, seed=3)
    ids = [inc.id for inc in generated]
    assert len(set(ids)) == len(ids)
    schema = json.loads((REPO / "schemas" / "postmortem.schema.json").read_text())
    # severity_reason is written only for a severity that deliberately differs from the tree.
    allowed = set(schema["properties"]["front_matter"]["properties"]) - {"severity_reason"}
    for position, inc in enumerate(generated):
        fm = yaml.safe_load(inc.text.split("---\n")[1])
        assert set(fm) == allowed  # every field the schema allows
        assert fm["severity"] == severity_of(fm["impact_flags"])
        assert fm["started"] <= fm["detected"] <= fm["contained"] <= fm["resolved"]
        assert 1 <= len(fm["action_items"]) <= 6
        assert 1 <= len(fm["services"]) <= 4
        assert set(fm["related"]) <= set(ids[:position])  # earlier incidents only
        assert inc.path.startswith(f"{fm['started'].year}/{fm['started'].date()}-")


def test_generation_is_deterministic_and_varied() -> None:
    first, again, other = incidents(8, seed=1), incidents(8, seed=1), incidents(8, seed=2)
    assert [i.text for i in first] == [i.text for i in again]
    assert [i.text for i in first] != [i.text for i in other]
    assert len({i.text.split("## Summary")[1][:200] for i in first}) == len(first)


def test_baseline_config_has_no_plugin_and_hides_incidents(tmp_path: Path) -> None:
    project = tmp_path / "p"
    write_projects(3, project)
    config = yaml.safe_load((plain_dir(project) / "mkdocs.yml").read_text())
    names = [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert "postmortems" not in names and "macros" not in names and "search" in names
    assert config["not_in_nav"].strip() == "/incidents/"
    assert config["theme"] == yaml.safe_load((REPO / "mkdocs.yml").read_text())["theme"]


def test_run_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "5", "--runs", "1",
         "--keep", str(tmp_path / "work"), "--json", str(out)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "| `mkdocs build` with the plugin |" in result.stdout
    assert "### Targets" in result.stdout
    figures = json.loads(out.read_text())
    size = figures["sizes"]["5"]
    assert "| `postmortem check` (collection, cold: no cache) |" in result.stdout
    assert (tmp_path / "work" / "n5" / ".cache" / "postmortems" / "check.json").is_file()
    for key in ("check_cold", "check", "check_one", "build", "baseline"):
        assert size[key]["median_seconds"] > 0
        assert size[key]["median_peak_rss"] > 0
        assert [r["exit_code"] for r in size[key]["runs"]] == [0]
    assert len(size["build_ratios"]) == 1 and size["build_ratio"] > 0
    for site in ("site", "baseline_site"):
        assert size[site]["pages"] > 5
        assert size[site]["search_index_bytes"] > 0
        assert size[site]["largest_page_bytes"] > 0 and size[site]["largest_page"]
    assert size["search_index_per_postmortem"] > 0
    assert size["one_file"].startswith("incidents/")
    assert {row["target"] for row in figures["targets"]} >= {
        "no generated page over 2 MiB", "check of one file inside 10,000 <= 0.3 s"}
