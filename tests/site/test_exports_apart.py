"""A large build renders its pages, its exports and the blocks of each post-mortem page in a
child process, while MkDocs reads the post-mortems: the site is the same, file for file, as
one made in-process."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.site.conftest import copy_repo_project

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="needs fork")

# In a fresh interpreter: with other threads running (the test process may have some), the
# work stays in-process.
BUILD = """
import json, os, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
from postmortems.site import pages, wiring

wiring.RENDER_APART_MIN = int(sys.argv[2])
started = []
real = wiring.Pending

class Spy(real):
    def __init__(self, work, *, apart):
        super().__init__(work, apart=apart)
        started.append(self.apart)

wiring.Pending = Spy
served = []
read = wiring.BlockFile.get

def counted(self, key):
    found = read(self, key)
    served.append(found is not None)
    return found

wiring.BlockFile.get = counted
parent = os.getpid()
here = []
render = pages.render

def rendered(*args, **kwargs):
    here.append(os.getpid() == parent)
    return render(*args, **kwargs)

pages.render = rendered
indexed = []
fill = wiring.SearchApart.fill

def filled(self):
    indexed.append(fill(self))
    return indexed[-1]

wiring.SearchApart.fill = filled
os.chdir(sys.argv[1])
build(load_config("mkdocs.yml", site_dir="site"))
print(json.dumps([started, sum(served), len(served), sum(here), indexed]))
"""


def _build(root: Path, apart_from: int) -> tuple[list[Any], dict[str, bytes]]:
    project = copy_repo_project(root / "project")
    temp = root / "tmp"
    temp.mkdir()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(temp)}
    done = subprocess.run([sys.executable, "-c", BUILD, str(project), str(apart_from)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not any(temp.glob("postmortems-exports-*"))  # removed after the build
    site = project / "site"
    return json.loads(done.stdout.strip().splitlines()[-1]), {
        path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*")
        if path.is_file() and path.name != "sitemap.xml.gz"}  # gzip stamps the time


def test_a_site_rendered_apart_equals_one_rendered_in_process(tmp_path: Path) -> None:
    (started, served, asked, pages_here, indexed), small = _build(tmp_path / "small", 10_000)
    assert started == [] and served == asked == 0 and pages_here > 10 and indexed == []
    (started, served, asked, pages_here, indexed), large = _build(tmp_path / "large", 1)
    # Every generated page was rendered in the child, every card, action table and
    # similar-incidents block came from the child's file, and every post-mortem page was
    # parsed for search by the other child (the search index is among the files compared).
    assert started == [True] and pages_here == 0 and served == asked > 20
    published = len(json.loads(large["incidents.json"])["incidents"])
    assert indexed == [published] and published > 5
    assert sorted(large) == sorted(small)
    assert [path for path in small if large[path] != small[path]] == []
