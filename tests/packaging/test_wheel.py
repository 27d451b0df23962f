"""The product as users install it: the wheel in a fresh virtual environment, outside the
checkout, checking and building a sample project; and the sample site built by ProperDocs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from tests.conftest import REPO

pytestmark = pytest.mark.packaging

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1", "PYTHONPATH": ""}


def _run(*args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600, env=ENV
    )
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps",
         "-q", "-w", out, REPO, cwd=out)
    [built] = out.glob("mkdocs_postmortems-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment (outside the checkout) with only the wheel installed."""
    root = tmp_path_factory.mktemp("venv")
    venv.create(root, with_pip=True)
    python = root / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel, cwd=root)
    return root / "bin"


def test_wheel_ships_the_data_and_no_development_tools(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for data in ("postmortem.schema.json", "blameless-rules.yml", "blameless-rules.schema.json",
                 "secret-rules.yml", "secret-rules.schema.json", "similarity-concepts.yml"):
        assert f"postmortems/defaults/{data}" in names, data
    assert any(n.startswith("postmortems/templates/") for n in names)
    assert not any(n.startswith(("tests/", "scripts/", "bench/")) for n in names)
    assert not any("evaluat" in n for n in names)


def _sample_project(tmp: Path, *, schemas: bool) -> Path:
    project = tmp / ("with-schemas" if schemas else "without-schemas")
    shutil.copytree(REPO / "incidents", project / "incidents")
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Post-mortems\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: Sample\ntheme:\n  name: material\nplugins:\n  - search\n"
        "  - postmortems:\n      today: 2026-11-26\n",
        encoding="utf-8",
    )
    if schemas:
        shutil.copytree(REPO / "schemas", project / "schemas")
    return project


@pytest.mark.parametrize("schemas", [True, False], ids=["own schemas", "shipped schemas"])
def test_installed_wheel_checks_and_builds(installed: Path, tmp_path: Path, schemas: bool) -> None:
    project = _sample_project(tmp_path, schemas=schemas)
    check = _run(installed / "postmortem", "check", "--strict", cwd=project)
    assert "passed: " in check.stdout and "(10 files checked, strict)" in check.stdout
    _run(installed / "mkdocs", "build", "--strict", "-q", cwd=project)
    assert (project / "site/incidents/index.html").is_file()


def test_installed_wheel_with_custom_rules(installed: Path, tmp_path: Path) -> None:
    project = _sample_project(tmp_path, schemas=False)
    rules = (REPO / "schemas/blameless-rules.yml").read_text(encoding="utf-8")
    (project / "team-rules.yml").write_text(
        rules.replace("  accident_adverbs: [", "  accident_adverbs: [oopsily, "), encoding="utf-8"
    )
    with (project / "mkdocs.yml").open("a", encoding="utf-8") as handle:
        handle.write("      language_rules: team-rules.yml\n")
    target = next((project / "incidents").rglob("*.md"))
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("## Summary\n", "## Summary\n\nThe engineer oopsily "
                                   "dropped the table.\n", 1), encoding="utf-8")
    check = _run(installed / "postmortem", "check", "--strict", "--format", "json", cwd=project,
                 check=False)
    assert check.returncode == 1, check.stdout + check.stderr
    assert '"category": "agent"' in check.stdout


def test_properdocs_builds_the_sample_site(tmp_path: Path) -> None:
    pytest.importorskip("properdocs")
    project = _sample_project(tmp_path, schemas=True)
    _run(sys.executable, "-m", "properdocs", "build", "--strict", "-q", "-f",
         project / "mkdocs.yml", cwd=project)
    assert (project / "site/incidents/index.html").is_file()
