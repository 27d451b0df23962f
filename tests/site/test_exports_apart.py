"""A large build makes its exports in a child process, on disk: the same files as in-process."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from tests.site.conftest import copy_repo_project

from postmortems.site import apart, similarity, wiring
from postmortems.site.urls import EXPORTS

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="needs fork")


def _build(root: Path) -> dict[str, bytes]:
    project = copy_repo_project(root)
    here = Path.cwd()
    os.chdir(project)
    try:
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))
    finally:
        os.chdir(here)
    return {uri: (project / "site" / uri).read_bytes() for uri in EXPORTS.values()}


def test_large_build_exports_equal_in_process_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    small = _build(tmp_path / "small")
    folders: list[str] = []
    made = apart.run_apart

    def spy(work: object, *, large: bool) -> object:
        result = made(work, large=large)  # type: ignore[arg-type]
        if isinstance(result, dict) and EXPORTS["json"] in result:
            folders.append(str(Path(result[EXPORTS["json"]]).parent))
        return result

    monkeypatch.setattr(wiring, "APART_MIN", 1)
    monkeypatch.setattr(similarity, "APART_MIN", 1)
    monkeypatch.setattr(wiring, "run_apart", spy)
    large = _build(tmp_path / "large")
    assert large == small
    assert len(folders) == 1 and not Path(folders[0]).exists()  # removed after the build
