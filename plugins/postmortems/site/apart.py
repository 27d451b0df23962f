"""Run a large or slow computation of the build in a forked child process.

At 10,000 post-mortems some steps of a build (the similarity index and its scoring arrays, the
machine-readable exports) need hundreds of MB for a few seconds. Memory a process frees is not
all given back to the system, so it would stay in the build's peak until the end; a child's is
returned when it exits. Only the result comes back, pickled over a pipe between two
processes of the same build (never a pickle read from disk).

:class:`Pending` also lets the build go on meanwhile: the generated pages are rendered on the
second core while MkDocs reads the post-mortems on the first.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import pickle
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

__all__ = ["APART_MIN", "Pending", "can_fork", "fork_child", "run_apart", "stop_child"]

#: From this many post-mortems a build step is large enough to run apart.
APART_MIN = 2000

T = TypeVar("T")

log = logging.getLogger(f"mkdocs.plugins.{__name__}")


def can_fork() -> bool:
    """Fork is available and safe: no other thread could hold a lock the child needs."""
    return (threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def fork_child(target: Callable[[Any, Connection], None], arg: Any, *, duplex: bool
               ) -> tuple[multiprocessing.process.BaseProcess, Connection] | None:
    """A forked child running ``target(arg, conn)``, and the parent's end of its pipe (which
    only receives unless ``duplex``); None if the system refuses the fork."""
    context = multiprocessing.get_context("fork")
    mine, theirs = context.Pipe(duplex=duplex)
    process = context.Process(target=target, args=(arg, theirs), daemon=True)
    # Objects alive now are left alone by the collectors of both processes, so they
    # share their memory pages instead of each writing its own copy.
    gc.freeze()
    try:
        process.start()
    except OSError:
        mine.close()
        return None
    finally:
        gc.unfreeze()
        theirs.close()
    return process, mine


def stop_child(process: multiprocessing.process.BaseProcess | None,
               conn: Connection | None) -> int | None:
    """Close the parent's end of the pipe, wait for the child to end; its exit code."""
    if conn is not None:
        conn.close()
    if process is None:
        return None
    process.join()
    return process.exitcode


def _child(work: Callable[[], object], conn: Connection) -> None:
    try:
        message: tuple[bool, object] = (True, work())
    except BaseException as exc:  # the parent raises it
        message = (False, _portable(exc))
    try:
        conn.send(message)
    except Exception as exc:  # a result that does not pickle
        conn.send((False, RuntimeError(f"a build step run apart failed: {exc!r}")))
    finally:
        conn.close()


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if the parent can rebuild it from its pickle, else a RuntimeError that carries
    its traceback as text."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        text = "".join(traceback.format_exception(exc))
        return RuntimeError(f"a build step run apart failed:\n{text}")
    return exc


class Pending(Generic[T]):
    """The value of ``work()``: with ``apart`` (and forking safe), computed from now on in a
    forked child; otherwise computed in-process when :meth:`result` is first called.

    ``work`` raising, here or in the child, makes :meth:`result` raise, every time it is
    called. A child that ends without an answer (killed for memory, say) is logged and the
    work is done in-process instead.
    """

    def __init__(self, work: Callable[[], T], *, apart: bool) -> None:
        self._work: Callable[[], T] | None = work
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._value: tuple[T] | None = None
        self._error: BaseException | None = None
        self._exitcode: int | None = None
        if not apart or not can_fork():
            return
        started = fork_child(_child, work, duplex=False)
        if started is not None:  # else no fork now (limits): in-process then
            self._process, self._conn = started

    @property
    def apart(self) -> bool:
        """Whether a child computes the value (until it is collected)."""
        return self._process is not None

    def result(self) -> T:
        """The value, waiting for the child if it is still working."""
        if self._error is not None:
            raise self._error
        if self._value is None:
            try:
                self._value = (self._collect(),)
            except BaseException as exc:
                self._error = exc
                raise
            finally:
                self._work = None  # what it refers to is no longer needed
        return self._value[0]

    def _collect(self) -> T:
        assert self._work is not None
        if self._process is None or self._conn is None:
            return self._work()
        try:
            ok, value = self._conn.recv()
        except EOFError:  # the child ended without an answer
            ok = None
        finally:
            self._stop()
        if ok is None:
            log.warning(f"postmortems: a build step run apart ended without a result (exit "
                        f"code {self._exitcode}); doing it in the build process instead")
            return self._work()
        if not ok:
            raise value  # type: ignore[misc]
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the child if it is still working (a build that ended early)."""
        if self._process is not None:
            self._process.terminate()
        self._stop()
        self._work = None

    def _stop(self) -> None:
        code = stop_child(self._process, self._conn)
        if self._process is not None:
            self._exitcode = code
        self._process, self._conn = None, None


def run_apart(work: Callable[[], T], *, large: bool) -> T:
    """``work()``, in a forked child when ``large`` and forking is safe, else in-process."""
    return Pending(work, apart=large).result()
