"""Run a large, short-lived computation of the build in a forked child process.

At 10,000 post-mortems some steps of a build (the similarity index and its scoring arrays, the
machine-readable exports) need hundreds of MB for a few seconds. Memory a process frees is not
all given back to the system, so it would stay in the build's peak until the end; a child's is
returned when it exits. Only the result comes back (pickled over the pool's pipe, between two
processes of the same build: never read from disk).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["APART_MIN", "can_fork", "run_apart"]

#: From this many post-mortems a build step is large enough to run apart.
APART_MIN = 2000

T = TypeVar("T")

_job: list[Callable[[], Any]] = []


def _run_job() -> Any:
    return _job[-1]()


def can_fork() -> bool:
    """Fork is available and safe: no other thread could hold a lock the child needs."""
    return (threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def run_apart(work: Callable[[], T], *, large: bool) -> T:
    """``work()``, in a forked child when ``large`` and forking is safe, else in-process."""
    if not large or not can_fork():
        return work()
    _job.append(work)
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            return pool.apply(_run_job)
    except OSError:
        return work()
    finally:
        _job.pop()
