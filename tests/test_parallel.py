"""Forked workers give exactly what the serial path gives (load and pages)."""

from __future__ import annotations

import gc
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
    assert gc.isenabled(), "generate pauses cycle collection only while it runs"
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
    with monkeypatch.context() as here:
        # Another thread runs (as in a live preview): the pages are made in this process.
        here.setattr(parallel.threading, "active_count", lambda: 2)
        serial = _generated(root, workers=1)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    used: list[str] = []
    real = parallel._pool_pass

    def recording(ctx, func, *rest):
        used.append(getattr(func, "func", func).__module__)  # a partial names its function
        return real(ctx, func, *rest)

    forked_workers: list[bool] = []

    class Recorded(parallel.Worker):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            forked_workers.append(self._proc is not None)

    monkeypatch.setattr(parallel, "_pool_pass", recording)
    monkeypatch.setattr(parallel, "Worker", Recorded)
    forked = _generated(root, workers=2)
    # Parsing (a partial of branches.load_one) in the pool; the pages in a forked worker.
    assert "generator.content.branches" in used, used
    assert forked_workers == [True]
    assert forked == serial and len(serial) > 14


def _pid_and(make) -> tuple[int, object]:
    import os

    return os.getpid(), make()


def _fails(message: str) -> None:
    raise ValueError(message)


def test_a_worker_runs_in_another_process_and_passes_errors_back() -> None:
    import os

    unpicklable = lambda: "fine"  # noqa: E731 - a forked worker inherits it, nothing is pickled
    pid, value = parallel.Worker(_pid_and, unpicklable).result()
    assert pid != os.getpid() and value == "fine"
    with pytest.raises(ValueError, match="Pagefind said no"):
        parallel.Worker(_fails, "Pagefind said no").result()


def _counts(n: int) -> str:
    import os

    for i in range(n):
        parallel.tell((i, os.getpid()))
    return f"all told at policy {os.sched_getscheduler(0)}"


def test_workers_tell_news_before_their_value_and_leave_no_thread_behind() -> None:
    import os
    import threading

    first = parallel.Worker(_counts, 3, idle=True)
    # A worker starts no thread here, so a second one is still forked (a pool's thread would
    # make that unsafe, and the pages and the search index each need a worker at once).
    assert threading.active_count() == 1 and parallel.fork_is_safe()
    second = parallel.Worker(_pid_and, lambda: os.sched_getscheduler(0))
    told = []
    while (news := first.news()) is not parallel.Worker.END:
        told.append(news)
    assert [i for i, _ in told] == [0, 1, 2]
    assert {pid for _, pid in told} != {os.getpid()}
    # The first runs only on what others leave of the cores; the second as this process does.
    assert first.result() == f"all told at policy {os.SCHED_IDLE}"
    pid, policy = second.result()
    assert pid not in (os.getpid(), told[0][1]) and policy == os.sched_getscheduler(0)


def test_a_worker_that_dies_is_run_again_here() -> None:
    import os
    import signal

    def dies_in_a_worker() -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        parallel.tell("made here")
        return 7

    parent = os.getpid()
    worker = parallel.Worker(dies_in_a_worker)
    assert worker.news() == "made here" and worker.result() == 7


def test_a_worker_for_a_closure_is_never_sent_to_a_fork_server(monkeypatch) -> None:
    """With another thread running (a live preview) no worker is forked; a call whose arguments
    cannot be pickled is then made here, without starting a fork server to fail at it."""
    import os

    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    started = []

    def start(process) -> None:
        started.append(process)

    monkeypatch.setattr(parallel.multiprocessing.process.BaseProcess, "start", start)
    worker = parallel.Worker(_pid_and, lambda: "here", forked_only=True)
    assert worker.result() == (os.getpid(), "here") and started == []


def _runs_a_program(folder: Path) -> None:
    import subprocess

    # The program says its pid only once it has read its input, which subprocess.run writes
    # after it has started the program: stopped from then on, run() kills it (a stop while
    # run() is still starting the program would leave it behind).
    program = f"read go; echo $$ > {folder}/pid; exec sleep 60"
    try:
        subprocess.run(["sh", "-c", program], input=b"go\n", check=True)
    finally:
        (folder / "unwound").touch()


def test_a_stopped_worker_unwinds_and_stops_the_program_it_runs(tmp_path: Path) -> None:
    """A build that fails stops its workers: the search index's Pagefind must not run on."""
    import os

    os.mkfifo(tmp_path / "pid")  # reading it waits until the program has written its pid
    worker = parallel.Worker(_runs_a_program, tmp_path)
    program = int((tmp_path / "pid").read_text())
    worker.close()
    assert (tmp_path / "unwound").exists(), "the call's finally block ran"
    try:
        os.kill(program, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError("the program outlived its worker")


def test_a_worker_nobody_waits_for_does_not_keep_python_from_exiting(tmp_path: Path) -> None:
    """A worker telling more than its pipe holds to a parent that stopped reading (a build that
    failed mid-way): Python used to wait for it at exit, for ever."""
    import subprocess
    import sys

    script = (
        "from generator import parallel\n"
        "def tells():\n"
        "    for _ in range(64):\n"
        "        parallel.tell(b'x' * 65536)\n"
        "w = parallel.Worker(tells)\n"
        "assert w._proc is not None\n"
        "print(len(w.news()))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0 and run.stdout.strip() == "65536", run.stderr


def _tells_then_waits(told: int, go: int) -> str:
    import os

    for i in range(3):
        parallel.tell(i)
    os.write(told, b"x")  # the three are in the pipe by now: tell() returns once written
    os.read(go, 1)
    return "done"


def test_told_takes_what_the_worker_has_told_without_waiting_for_more() -> None:
    import os
    import signal

    told_r, told_w = os.pipe()
    go_r, go_w = os.pipe()
    signal.alarm(60)  # a told() that waited would wait forever: fail instead
    try:
        worker = parallel.Worker(_tells_then_waits, told_w, go_r)
        os.read(told_r, 1)
        assert worker.told() == [0, 1, 2]
        assert worker.told() == []  # the worker still runs: nothing more, and no waiting
        os.write(go_w, b"x")
        assert worker.result() == "done"
    finally:
        signal.alarm(0)
        for fd in (told_r, told_w, go_r, go_w):
            os.close(fd)


def test_meanwhile_runs_here_while_the_items_wait_in_workers() -> None:
    """``meanwhile`` (the catalog's pypinyin, loaded while branches are parsed) runs in this
    process once the items are in the workers, not after them. With cycle collection paused
    here (as ``generate`` does), every worker still collects its own garbage."""
    import gc
    import os
    import select
    import time

    go_r, go_w = os.pipe()
    deadline = time.monotonic() + 30
    items = list(range(8))

    def waits_for_go(_item: int) -> tuple[int, bool, bool]:
        # Only ``meanwhile`` writes to the pipe: called after the items, it finds them gone.
        wait = max(0.0, deadline - time.monotonic())
        went = bool(select.select([go_r], [], [], wait)[0]) and os.read(go_r, 1) == b"x"
        return os.getpid(), gc.isenabled(), went

    called: list[int] = []

    def meanwhile() -> None:
        called.append(os.getpid())
        os.write(go_w, b"x" * len(items))

    gc.disable()
    try:
        out = parallel.process_map(waits_for_go, items, workers=2, meanwhile=meanwhile)
        worker_collects = parallel.Worker(_pid_and, gc.isenabled).result()[1]
    finally:
        gc.enable()
        os.close(go_r)
        os.close(go_w)
    assert called == [os.getpid()]
    assert all(went for _, _, went in out), "the items finished before meanwhile was called"
    assert os.getpid() not in {pid for pid, _, _ in out}
    assert all(collects for _, collects, _ in out) and worker_collects
    # Run here, nothing waits for workers: there is no meanwhile.
    assert parallel.process_map(abs, [-1], meanwhile=lambda: called.append(0)) == [1]
    assert called == [os.getpid()]
