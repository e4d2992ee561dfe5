"""Forked workers give exactly what the serial path gives (load and pages)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import copy_project

from generator import parallel
from generator.buildcache import BuildCache
from generator.cli import _load, _settings
from generator.pipeline import generate


@pytest.fixture(autouse=True)
def _as_if_single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Other tests leave a loopback web server thread running; the real callers fork only when
    # no other thread runs, which these tests simulate.
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


def test_process_map_keeps_order_and_runs_small_jobs_here(monkeypatch) -> None:
    items = list(range(parallel.MIN_ITEMS + 7))
    pools: list[int] = []
    real = parallel._pool_pass
    monkeypatch.setattr(parallel, "_pool_pass", lambda *a: pools.append(1) or real(*a))
    square = lambda x: x * x  # noqa: E731 - a closure: only a forked worker can run it
    assert parallel.process_map(square, items, workers=2, min_items=200) == [x * x for x in items]
    assert pools == [1]
    assert parallel.process_map(square, items[:3], workers=2, min_items=200) == [0, 1, 4]
    assert parallel.process_map(square, items, workers=1) == [x * x for x in items]
    assert pools == [1], "small jobs and one worker never start a pool"


def _generated(root: Path, workers: int) -> dict[str, bytes]:
    cfg, plugin = _load(str(root))
    settings = replace(_settings(cfg, plugin), workers=workers, progress=False)
    result = generate(settings, BuildCache(None))
    assert result.ok, result.problems
    docs = root / "site_src"
    return {
        p.relative_to(docs).as_posix(): p.read_bytes()
        for p in sorted(docs.rglob("*.md"))
        if p.is_file()
    }


def test_parallel_load_and_pages_match_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(tmp_path)
    serial = _generated(root, workers=1)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    used: list[str] = []
    real = parallel._pool_pass

    def recording(ctx, func, *rest):
        used.append(getattr(func, "func", func).__module__)  # a partial names its function
        return real(ctx, func, *rest)

    monkeypatch.setattr(parallel, "_pool_pass", recording)
    forked = _generated(root, workers=2)
    # Parsing (a partial of branches.load_one) and rendering (a closure in pages) both forked.
    assert {"generator.content.branches", "generator.site.pages"} <= set(used), used
    assert forked == serial and len(serial) > 14


def _pid_and(make) -> tuple[int, object]:
    import os

    return os.getpid(), make()


def _fails(message: str) -> None:
    raise ValueError(message)


def test_in_background_runs_in_another_process_and_passes_errors_back() -> None:
    import os

    unpicklable = lambda: "fine"  # noqa: E731 - a forked worker inherits it, nothing is pickled
    pid, value = parallel.in_background(_pid_and, unpicklable)()
    assert pid != os.getpid() and value == "fine"
    with pytest.raises(ValueError, match="Pagefind said no"):
        parallel.in_background(_fails, "Pagefind said no")()
    assert parallel._background is None, "nothing of the call is kept for a later fork"
