"""Forked workers give exactly what the serial path gives (load and pages)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import copy_project

from generator import parallel
from generator.buildcache import BuildCache
from generator.cli import _load, _settings
from generator.content import branches
from generator.pipeline import generate
from generator.site import pages


@pytest.fixture(autouse=True)
def _as_if_single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Other tests leave a loopback web server thread running; the real callers fork only when
    # no other thread runs, which these tests simulate.
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


def test_fork_map_keeps_order_and_declines_small_jobs() -> None:
    items = list(range(parallel.MIN_ITEMS + 7))
    assert parallel.fork_map(lambda x: x * x, items, workers=2) == [x * x for x in items]
    assert parallel.fork_map(lambda x: x, items[:3], workers=2) is None
    assert parallel.fork_map(lambda x: x, items, workers=1) is None


def _generated(root: Path, workers: int) -> dict[str, bytes]:
    cfg, plugin = _load(str(root))
    settings = replace(_settings(cfg, plugin), workers=workers, progress=False)
    result = generate(settings, BuildCache(None))
    assert result.ok, result.problems
    docs = root / "site_src"
    return {p.relative_to(docs).as_posix(): p.read_bytes()
            for p in sorted(docs.rglob("*.md")) if p.is_file()}


def test_parallel_load_and_pages_match_serial(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project(tmp_path)
    serial = _generated(root, workers=1)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    used: list[str] = []
    for module in (branches, pages):
        def recording(func, items, workers=None, _name=module.__name__):
            result = parallel.fork_map(func, items, workers)
            if result is not None:
                used.append(_name)
            return result
        monkeypatch.setattr(module, "fork_map", recording)
    forked = _generated(root, workers=2)
    assert used == ["generator.content.branches", "generator.site.pages"], "both steps really forked"
    assert forked == serial and len(serial) > 14
