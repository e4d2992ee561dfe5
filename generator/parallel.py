"""Pure per-item work spread over the cores with forked workers, when there is enough of it.

Only ``fork`` is used: workers inherit the parent's data instead of receiving it pickled, which is
what makes handing them a thousand small jobs cheaper than doing the work here. Where forking is
not safe (other threads running, as in a live preview) or not available, the caller does the work
itself.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a pool costs more than it saves (measured: ~20 ms to start two workers,
# ~0.5 ms of work an item).
MIN_ITEMS = 200

_job: Callable[[Any], Any] | None = None


def _run_chunk(items: list[Any]) -> list[Any]:
    assert _job is not None
    return [_job(item) for item in items]


def fork_map(
    func: Callable[[T], R], items: Sequence[T], workers: int | None = None
) -> list[R] | None:
    """``[func(x) for x in items]`` in forked workers, or None when the caller should do it."""
    global _job
    n = min(workers or os.cpu_count() or 1, len(items))
    if (
        n < 2
        or len(items) < MIN_ITEMS
        or not sys.platform.startswith("linux")
        or "fork" not in multiprocessing.get_all_start_methods()
        or threading.active_count() > 1
    ):
        return None
    size = max(1, len(items) // (n * 4))
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)]
    _job = func
    try:
        with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork")) as pool:
            return [r for chunk in pool.map(_run_chunk, chunks) for r in chunk]
    except (BrokenProcessPool, OSError):
        # A worker killed (out of memory) or no process could start: do it in this process.
        return None
    finally:
        _job = None
