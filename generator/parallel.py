"""Pure per-item work spread over the cores: the one process pool of the generator.

How workers start is decided in one place (``worker_context``): ``fork`` when that is safe — workers
then inherit the parent's data instead of receiving it pickled, and a pool starts in ~20 ms —
else a fork server, which needs a function that pickles (a module-level one), else the work is
done here. Forking a process that runs other threads (``showcase serve`` and ``mkdocs serve``
run watcher and server threads) can deadlock the child, so it is never done then.

When a worker dies (killed for memory, a crash in a native decoder) the whole pool breaks with
every item still in it. The lost items are run again one at a time, each in a pool of its own,
so only an item that really kills its worker is given to ``on_crash``.
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.context
import os
import pickle
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
_background: Callable[[], Any] | None = None  # what a forked background worker runs


def process_map(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    min_items: int = 2,
    chunksize: int | None = None,
    on_done: Callable[[int], None] | None = None,
    on_crash: Callable[[T], R] | None = None,
) -> list[R]:
    """``[func(x) for x in items]``, in worker processes when that pays.

    Below ``min_items`` items, with one worker, or when no safe way to start workers exists,
    the work is done in this process. ``on_done(n)`` is told as items finish (progress).
    An item that kills its worker twice becomes ``on_crash(item)``; without ``on_crash`` it is
    run in this process.
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
    lost = _pool_pass(ctx, func, items, chunks, n, results, done)
    for i in lost:
        if _pool_pass(ctx, func, items, [[i]], 1, results, done):
            results[i] = on_crash(items[i]) if on_crash else func(items[i])
            done(1)
    return [results[i] for i in range(len(items))]


def in_background(func: Callable[..., R], *args: Any) -> Callable[[], R]:
    """Start ``func(*args)`` in a worker process now; returns a function that waits for its
    value (or raises its exception). Where no worker can start, the call is made when the value
    is asked for. A forked worker inherits ``args``; a fork server's needs them pickled, and
    ``func`` at module level."""
    global _background
    ctx = worker_context(func)
    if ctx is None:
        return lambda: func(*args)
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
        if ctx.get_start_method() == "fork":
            # The worker is forked inside submit: it finds the call here, nothing is pickled.
            _background = functools.partial(func, *args)
            try:
                future = pool.submit(_run_background)
            finally:
                _background = None
        else:
            future = pool.submit(func, *args)
    except (BrokenProcessPool, OSError):
        return lambda: func(*args)

    def result() -> R:
        try:
            return future.result()
        except BrokenProcessPool:  # the worker died (memory, a signal): once more, here
            return func(*args)
        finally:
            pool.shutdown()

    return result


def _run_background() -> Any:
    assert _background is not None
    return _background()


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
) -> list[int]:
    """Run ``chunks`` (lists of item indices) in a pool; the indices lost to a broken pool."""
    global _job
    forked = ctx.get_start_method() == "fork"
    broken: list[int] = []
    _job = func
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
            pending: dict[Future, list[int]] = {}
            for chunk in chunks:
                batch = [items[i] for i in chunk]
                fut = (
                    pool.submit(_run_chunk, batch)
                    if forked
                    else pool.submit(_run_chunk_with, func, batch)
                )
                pending[fut] = chunk
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
