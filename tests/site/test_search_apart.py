"""Post-mortem pages parsed for search in a forked child: the same entries, in the same
places, as the search plugin parsing them in-process; a child that dies fails the build."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="needs fork")

# In a fresh interpreter: with other threads running (the test process may have some), no
# child is forked.
SCRIPT = """
import os, signal
from types import SimpleNamespace
from material.plugins.search.plugin import SearchIndex
from mkdocs.exceptions import PluginError
from mkdocs.structure.toc import get_toc
from postmortems.site.search_apart import SearchApart, searchable

CONFIG = {"lang": ["en"], "separator": r"[\\s\\-]+", "pipeline": ["stopWordFilter"],
          "fields": {"title": {"boost": 1e3}, "text": {"boost": 1}, "tags": {"boost": 1e6}}}

def page(n, **meta):
    content = (f'<h1 id="p{n}">Page {n}</h1><p>Intro {n} &amp; more.</p>'
               f'<h2 id="cause">Root Cause</h2><p>Cause {n}.</p>'
               '<div data-search-exclude><p>left out</p></div>')
    toc = get_toc([{"level": 1, "id": f"p{n}", "name": f"Page {n}", "children": [
        {"level": 2, "id": "cause", "name": "Root Cause", "children": []}]}])
    return SimpleNamespace(url=f"p{n}/", title=f"Page {n}", toc=toc, content=content,
                           meta={"tags": ["db", f"t{n}"], **meta})

pages = [page(1), page(2, search={"boost": 3}), page(3, search={"exclude": True}), page(4)]
here = SearchIndex(**CONFIG)
for p in pages:
    here.add_entry_from_context(p)

index = SearchIndex(**CONFIG)
assert searchable(SimpleNamespace(search_index=index)) is index
assert searchable(SimpleNamespace(search_index=object())) is None
apart = SearchApart(index)
assert apart.running
sent = []
for n, p in enumerate(pages):
    if n == 1:  # one page the search plugin parses itself, between two sent ones
        index.add_entry_from_context(p)
        sent.append(None)
    else:
        sent.append(apart.send(p))
        if not sent[-1]:
            index.add_entry_from_context(p)
assert sent == [True, None, False, True], sent
assert apart.fill() == 2
assert index.entries == here.entries, (index.entries, here.entries)
assert [e["location"] for e in index.entries] == ["p1/", "p1/#cause", "p2/", "p2/#cause",
                                                    "p4/", "p4/#cause"]

# A child killed on the way: the build stops with an error rather than a partial index.
index = SearchIndex(**CONFIG)
apart = SearchApart(index)
assert apart.send(page(1))
os.kill(apart._process.pid, signal.SIGKILL)
try:
    apart.fill()
except PluginError as exc:
    assert "exit code -9" in str(exc) and "incomplete" in str(exc), exc
else:
    raise SystemExit("no error")

# An index that fails in the child: its error is reported.
class Failing(SearchIndex):
    def add_entry_from_context(self, page):
        raise ValueError("cannot parse")

apart = SearchApart(Failing(**CONFIG))
assert apart.send(page(1))
try:
    apart.fill()
except PluginError as exc:
    assert "ValueError: cannot parse" in str(exc), exc
else:
    raise SystemExit("no error")

# Cancelled (a build that failed): the child stops.
apart = SearchApart(SearchIndex(**CONFIG))
child = apart._process
apart.cancel()
assert not apart.running and not child.is_alive() and apart.fill() == 0
print("ok")
"""


def test_pages_parsed_apart_give_the_entries_of_the_search_plugin() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
