"""Large build steps run in a forked child and give the same result as in-process."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading

import pytest
from tests.site.test_similarity_cache import _cases

from postmortems.similar import SimilarityIndex
from postmortems.site import apart, similarity

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="needs fork")

# In a fresh interpreter: the test process may have threads (servers, browsers) by now, and
# with other threads running the work stays in-process.
CHILD = """
import os
from postmortems.site.apart import run_apart
parent = os.getpid()
assert run_apart(os.getpid, large=False) == parent
assert run_apart(os.getpid, large=True) != parent
assert run_apart(lambda: {"a": b"x" * 10}, large=True) == {"a": b"x" * 10}
print("ok")
"""


def test_run_apart_runs_large_work_in_a_child() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_run_apart_stays_in_process_while_other_threads_run() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert apart.run_apart(os.getpid, large=True) == os.getpid()
    finally:
        stop.set()
        other.join()


def test_figures_computed_apart_equal_the_figures_in_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases(40)

    def make(found: object) -> SimilarityIndex:
        return SimilarityIndex(cases, very_similar_threshold=0.05)

    here = similarity.compute(cases, 3, make, shown=2)
    children: list[bool] = []
    real = apart.run_apart

    def spy(work: object, *, large: bool) -> object:
        children.append(large)
        return real(work, large=large)  # type: ignore[arg-type]

    monkeypatch.setattr(similarity, "APART_MIN", 10)
    monkeypatch.setattr(similarity, "run_apart", spy)
    assert similarity.compute_apart(cases, 3, make, shown=2) == here
    assert children == [True]
    assert similarity.compute_apart(cases, 3, make) == similarity.compute(cases, 3, make)
