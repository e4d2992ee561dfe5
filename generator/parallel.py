"""Work in other processes: pure per-item work spread over the cores (``process_map``, the one
process pool of the generator), and one call running beside the build (``Worker``).

How workers start is decided in one place (``worker_context``): ``fork`` when that is safe — workers
then inherit the parent's data instead of receiving it pickled, and a pool starts in ~20 ms —
else a fork server, which needs a function that pickles (a module-level one), else the work is
done here. Forking a process that runs other threads (``showcase serve`` and ``mkdocs serve``
run watcher and server threads) can deadlock the child, so it is never done then.

When a worker dies (killed for memory, a crash in a native decoder) the whole pool breaks with
every item still in it. The lost items are run again one at a time, each in a pool of its own,
so only an item that really kills its worker is given to ``on_crash``. A ``Worker`` that dies is
run again here.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import functools
import gc
import multiprocessing
import multiprocessing.context
import os
import pickle
import select
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many cheap items (parsing a branch, rendering a page: ~0.5 ms each) a pool costs
# more than it saves (~20 ms to start two forked workers).
MIN_ITEMS = 200

_job: Callable[[Any], Any] | None = None  # what forked workers run, inherited from the parent


def process_map(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    min_items: int = 2,
    chunksize: int | None = None,
    on_done: Callable[[int], None] | None = None,
    on_crash: Callable[[T], R] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[R]:
    """``[func(x) for x in items]``, in worker processes when that pays.

    Below ``min_items`` items, with one worker, or when no safe way to start workers exists,
    the work is done in this process. ``on_done(n)`` is told as items finish (progress).
    An item that kills its worker twice becomes ``on_crash(item)``; without ``on_crash`` it is
    run in this process. ``meanwhile()`` is called here once the items are handed to workers,
    to use the time spent waiting for them (not called when the items are run here).
    """
    n = min(workers or os.cpu_count() or 1, len(items))
    ctx = worker_context(func) if n >= 2 and len(items) >= max(2, min_items) else None
    done = on_done or (lambda _n: None)
    if ctx is None:
        out = []
        for item in items:
            out.append(func(item))
            done(1)
        return out
    size = chunksize or max(1, len(items) // (n * 4))
    chunks = [list(range(i, min(i + size, len(items)))) for i in range(0, len(items), size)]
    results: dict[int, R] = {}
    lost = _pool_pass(ctx, func, items, chunks, n, results, done, meanwhile)
    for i in lost:
        if _pool_pass(ctx, func, items, [[i]], 1, results, done):
            results[i] = on_crash(items[i]) if on_crash else func(items[i])
            done(1)
    return [results[i] for i in range(len(items))]


class Worker:
    """``func(*args)`` running in a worker process of its own, started now.

    Unlike a pool, it starts no thread here, so more workers can still be forked after it (the
    pages and the search index each have one while MkDocs renders). A forked worker inherits
    ``args``; a fork server's needs them pickled and ``func`` at module level; where neither can
    start, the call is made here when its first news or its value is asked for.

    The worker can hand its parent values as it goes (``tell``; read with ``news``) before its
    result. ``idle``: the worker only takes what the other processes leave of the cores (see
    ``_idle``), for work that must not slow the build down.
    """

    def __init__(
        self, func: Callable[..., R], *args: Any, idle: bool = False, forked_only: bool = False
    ) -> None:
        """``forked_only``: ``args`` cannot be pickled (closures), so no fork server is tried."""
        self._call = functools.partial(func, *args)
        self._queue: collections.deque[Any] = collections.deque()  # news not yet read
        self._done = False
        self._value: Any = None
        self._error: BaseException | None = None
        self._conn: Any = None
        self._ready: Any = None  # select.poll on _conn
        self._proc: Any = None
        ctx = worker_context(func)
        if ctx is None or (forked_only and ctx.get_start_method() != "fork"):
            return
        try:
            receive, send = ctx.Pipe(duplex=False)
            _widen(send)
            # Daemonic: Python joins other children before it exits, so one a failed build
            # left waiting (for a parent that no longer reads) would keep it from exiting.
            self._proc = ctx.Process(
                target=_work, args=(receive, send, self._call, idle), daemon=True
            )
            self._proc.start()
            send.close()  # the worker holds the other end: its exit is this end's EOF
            self._conn = receive
            # One poll object kept: ``Connection.poll`` builds a selector each call, which cost
            # more than taking the page it found (~25 µs; MkDocs asks once a page).
            self._ready = select.poll()
            self._ready.register(receive.fileno(), select.POLLIN)
        except (OSError, pickle.PicklingError, AttributeError, TypeError):
            # No process, or a fork server's that could not be handed the call (a closure).
            self._proc = self._conn = None

    @property
    def apart(self) -> bool:
        """Whether the call runs in a process of its own (else it is made here when asked)."""
        return self._proc is not None

    def news(self) -> Any:
        """The next value the worker told, waiting for it; ``Worker.END`` when it has finished."""
        while not self._queue:
            if self._done:
                return Worker.END
            self._receive()
        return self._queue.popleft()

    def told(self) -> list[Any]:
        """Every value the worker has told that is not read yet, without waiting for more: a
        parent that takes them all whenever it looks keeps the pipe from filling, so the worker
        is never held up, nor woken again and again as the parent reads."""
        while self._conn is not None and self._ready.poll(0):  # None once it has finished
            self._receive()
        news = list(self._queue)
        self._queue.clear()
        return news

    def result(self) -> Any:
        """Wait for the call's value (or raise its exception); unread news is dropped."""
        while not self._done:
            self._receive()
        self._queue.clear()
        if self._error is not None:
            raise self._error
        return self._value

    def close(self, *, kill: bool = False) -> None:
        """Stop the worker if it still runs (a build that failed meanwhile). ``kill``: at once,
        for a call with nothing to clean up; a stop waits for its interpreter to unwind, which
        may be inside one long C call (~0.06 s loading pypinyin's dictionaries)."""
        if self._proc is not None and self._proc.is_alive():
            if kill:
                self._proc.kill()
            else:
                self._proc.terminate()
        self._finished()

    END = object()

    def _receive(self) -> None:
        if self._conn is None:  # no worker: make the call here
            self._run_here()
            return
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):  # the worker died (memory, a signal): once more, here
            self._finished()
            self._run_here()
            return
        if kind == "news":
            self._queue.append(value)
            return
        self._finished()
        self._done = True
        if kind == "error":
            self._error = value
        else:
            self._value = value

    def _run_here(self) -> None:
        global _tell
        _tell, told = self._queue.append, _tell
        try:
            self._value = self._call()
        except Exception as exc:
            self._error = exc
        finally:
            _tell = told
            self._done = True

    def _finished(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join()
            self._proc = None


def _widen(conn: Any) -> None:
    """Let the pipe hold up to 1 MiB (Linux; 64 KiB by default): a worker then runs that far
    ahead of a parent that reads its news only when needed, instead of waiting for each read."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)


_tell: Callable[[Any], None] | None = None  # in a worker: hands a value to the parent


def tell(news: Any) -> None:
    """From a ``Worker``'s call: hand ``news`` to the parent now (read with ``Worker.news``)."""
    if _tell is not None:
        _tell(news)


class _Stopped(BaseException):
    """The parent stopped this worker (``Worker.close``)."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped


def _work(receive: Any, conn: Any, call: Callable[[], Any], idle: bool) -> None:
    # Only the parent reads: with the read end open here too, a worker whose parent died would
    # wait forever to tell a full pipe instead of failing.
    receive.close()
    _own_collection()
    # Stopped, the call unwinds: its finally blocks run and a program it runs is killed
    # (subprocess.run kills it on any exception), instead of outliving the worker.
    try:
        with contextlib.suppress(ValueError):  # not the main thread: SIGTERM ends it as before
            signal.signal(signal.SIGTERM, _stop)
        _answer(conn, call, idle)
    except _Stopped:
        pass  # nobody listens any more
    finally:
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # from here a stop ends it quietly


def _answer(conn: Any, call: Callable[[], Any], idle: bool) -> None:
    global _tell
    if idle:
        _idle()
    _tell = lambda news: conn.send(("news", news))  # noqa: E731
    try:
        message = ("done", call())
    except _Stopped:
        raise
    except BaseException as exc:  # KeyboardInterrupt too: the parent decides what it means
        message = ("error", exc)
    with contextlib.suppress(OSError):  # the parent is gone (killed): nobody to tell
        try:
            conn.send(message)
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            conn.send(("error", RuntimeError(f"{message[1]!r} ({exc})")))
        conn.close()


def _own_collection() -> None:
    """In a worker: collect cycles among its own objects only. What it inherited from a forked
    parent is set aside (never scanned, so its memory pages stay shared with the parent), and the
    collector is on even when the parent had paused it: a worker decoding thousands of photos
    must not keep the garbage of each."""
    gc.freeze()
    gc.enable()


def _idle() -> None:
    """Run this process (and the programs it starts) only on what the others leave free.

    Linux's SCHED_IDLE, not a nice value: a core running only such work counts as free, so a
    worker that wakes up (the pages' worker, each time MkDocs takes a page from its pipe) is put
    there at once. Beside a nice-10 search index it was put on MkDocs' own core instead, and
    MkDocs waited ~0.7 ms for every page it took (0.7 s of a 1,000-branch build).
    """
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux
        with contextlib.suppress(AttributeError, OSError):
            os.nice(19)


def fork_is_safe() -> bool:
    """Whether workers may be forked from this process now."""
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def worker_context(func: Callable) -> multiprocessing.context.BaseContext | None:
    """fork when safe; else a fork server for a function that pickles; else None (inline)."""
    if fork_is_safe():
        return multiprocessing.get_context("fork")
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    try:
        pickle.dumps(func)
    except (pickle.PicklingError, AttributeError, TypeError):
        return None  # a closure: only a forked worker could run it
    ctx = multiprocessing.get_context("forkserver")
    # Replaces the default preload of __main__, which need not be import-safe.
    ctx.set_forkserver_preload([func.__module__])
    return ctx


def _run_chunk(items: list[Any]) -> list[Any]:
    assert _job is not None
    return [_job(item) for item in items]


def _run_chunk_with(func: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    return [func(item) for item in items]


def _pool_pass(
    ctx: multiprocessing.context.BaseContext,
    func: Callable[[Any], Any],
    items: Sequence[Any],
    chunks: list[list[int]],
    n: int,
    results: dict[int, Any],
    done: Callable[[int], None],
    meanwhile: Callable[[], None] | None = None,
) -> list[int]:
    """Run ``chunks`` (lists of item indices) in a pool; the indices lost to a broken pool."""
    global _job
    forked = ctx.get_start_method() == "fork"
    broken: list[int] = []
    _job = func
    try:
        with ProcessPoolExecutor(
            max_workers=n, mp_context=ctx, initializer=_own_collection
        ) as pool:
            pending: dict[Future, list[int]] = {}
            for chunk in chunks:
                batch = [items[i] for i in chunk]
                fut = (
                    pool.submit(_run_chunk, batch)
                    if forked
                    else pool.submit(_run_chunk_with, func, batch)
                )
                pending[fut] = chunk
            if meanwhile is not None:
                meanwhile()
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    chunk = pending.pop(fut)
                    try:
                        values = fut.result()
                    except BrokenProcessPool:
                        broken.extend(chunk)
                        continue
                    results.update(zip(chunk, values, strict=True))
                    done(len(chunk))
    except (BrokenProcessPool, OSError):
        pass  # no worker could start, or the pool broke while shutting down
    finally:
        _job = None
    return sorted(set(broken) | {i for chunk in chunks for i in chunk if i not in results})
