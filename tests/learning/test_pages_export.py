"""``postmortem pages``: the sample site as plain Markdown, built without the plugin."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from tests.conftest import run_cli
from tests.site.conftest import broken_links, copy_repo_project

ZENSICAL = shutil.which("zensical") or (
    str(Path(__import__("sys").executable).parent / "zensical")
    if importlib.util.find_spec("zensical") else None)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_repo_project(tmp_path_factory.mktemp("export") / "project")
    out = project.parent / "out"
    result = run_cli("pages", "--out", str(out), cwd=project)
    assert result.exit_code == 0, result.stderr
    assert "9 post-mortem(s)" in result.stdout
    return out


def _check_site(site: Path) -> None:
    page = (site / "incidents/2026/2026-10-06-expired-image-cdn-wildcard-certificate/index.html"
            ).read_text(encoding="utf-8")
    assert 'class="pm-card"' in page  # the header card of the decorated page
    assert 'id="similar-incidents"' in page and "INC-2025-012" in page
    assert "pm-rootcause" in page
    learning = (site / "learning/index.html").read_text(encoding="utf-8")
    assert "2 of 9" in learning
    assert (site / "incidents.json").is_file() and (site / "feed.xml").is_file()
    assert (site / "assets/postmortems/postmortems.css").is_file()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "{{" not in home  # its macros were rendered by 'postmortem pages'


def test_written_config_names_no_plugin_of_this_package(exported: Path) -> None:
    config = yaml.safe_load((exported / "mkdocs.yml").read_text(encoding="utf-8"))
    names = [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert "postmortems" not in names and "macros" not in names
    assert (exported / "docs/incidents/index.md").is_file()
    page = (exported / "docs/incidents/2025/2025-05-20-expired-certificate-on-auth-endpoint.md"
            ).read_text(encoding="utf-8")
    assert page.startswith("---\ntitle: Login and token refresh failures")
    assert "## Similar incidents" in page


def test_plain_mkdocs_builds_the_same_site(exported: Path) -> None:
    config = load_config(str(exported / "mkdocs.yml"), site_dir=str(exported / "site"))
    assert "postmortems" not in config.plugins
    build(config)
    _check_site(exported / "site")
    assert broken_links(exported) == []


@pytest.mark.skipif(ZENSICAL is None, reason="zensical is not installed (pip install zensical)")
def test_zensical_builds_it(exported: Path, tmp_path: Path) -> None:
    copy = tmp_path / "z"
    shutil.copytree(exported, copy, ignore=shutil.ignore_patterns("site"))
    proc = subprocess.run([str(ZENSICAL), "build"], cwd=copy, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _check_site(copy / "site")
