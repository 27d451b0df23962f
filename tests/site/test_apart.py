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


# What a child that fails, dies or is no longer wanted does to the build.
FAILURES = """
import logging, os, signal, time
from postmortems.site.apart import Pending

warnings = []
logging.getLogger("mkdocs.plugins.postmortems.site.apart").addHandler(
    type("H", (logging.Handler,), {"emit": lambda self, r: warnings.append(r.getMessage())})())
parent = os.getpid()

def boom():
    raise ValueError("boom")

failing = Pending(boom, apart=True)
assert failing.apart
for _ in range(2):  # raised every time it is asked for, not worked out again
    try:
        failing.result()
    except ValueError as exc:
        assert str(exc) == "boom"
    else:
        raise SystemExit("no error")

class Odd(Exception):  # pickles, but does not unpickle
    def __init__(self, a, b):
        super().__init__(a)
        self.b = b

def odd():
    raise Odd(1, 2)

try:
    Pending(odd, apart=True).result()
except RuntimeError as exc:
    assert "Odd: 1" in str(exc) and "in odd" in str(exc), exc
else:
    raise SystemExit("no error")

def dies_in_the_child():
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return "here"

assert warnings == []
assert Pending(dies_in_the_child, apart=True).result() == "here"
assert len(warnings) == 1 and "exit code -9" in warnings[0], warnings

slow = Pending(lambda: time.sleep(60), apart=True)
start = time.monotonic()
slow.cancel()
assert time.monotonic() - start < 10 and not slow.apart
print("ok")
"""


def test_a_child_that_fails_dies_or_is_cancelled() -> None:
    done = subprocess.run([sys.executable, "-c", FAILURES], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


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
