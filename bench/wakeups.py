"""Why the build's background workers run at SCHED_IDLE, not at a nice value.

A cold build has three busy processes on a 2-core machine: MkDocs (this process), the pages'
worker (it renders a page, hands it over through a pipe, and waits when the pipe is full) and
the search index (Pagefind, needed only at the end). Here the same shape in miniature: a
"renderer" makes 1,000 messages of 15 KB (0.8 ms of work each) into a 1 MiB pipe, the parent
spends 2.5 ms on each before taking the next, and a third process spins in the background.
The parent's time inside ``recv`` is printed for each kind of background process.

    python bench/wakeups.py

When the background process is merely niced, waking the blocked renderer often puts it on the
parent's core, and the parent stops until the renderer blocks again (~0.7 ms a message). At
SCHED_IDLE the kernel counts the background's core as free and puts the renderer there.
"""

from __future__ import annotations

import fcntl
import multiprocessing as mp
import os
import time

MESSAGES = 1000
PAYLOAD = b"x" * 15_000


def spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def renderer(conn) -> None:
    for i in range(MESSAGES):
        spin(0.0008)
        conn.send((i, PAYLOAD))
    conn.close()


def background(kind: str) -> None:
    if kind == "idle":
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    elif kind == "nice":
        os.nice(10)
    while True:
        pass


def run(kind: str) -> float:
    ctx = mp.get_context("fork")
    hog = None
    if kind != "none":
        hog = ctx.Process(target=background, args=(kind,), daemon=True)
        hog.start()
    receive, send = ctx.Pipe(duplex=False)
    fcntl.fcntl(send.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    worker = ctx.Process(target=renderer, args=(send,))
    worker.start()
    send.close()
    waited = 0.0
    for _ in range(MESSAGES):
        spin(0.0025)
        start = time.perf_counter()
        receive.recv()
        waited += time.perf_counter() - start
    worker.join()
    if hog is not None:
        hog.terminate()
        hog.join()
    return waited


def main() -> None:
    print(f"nproc {os.cpu_count()}; seconds the parent spent in recv() for {MESSAGES} messages")
    for kind in ("none", "nice", "idle", "nice", "idle"):
        label = {"none": "no background", "nice": "background at nice 10"}.get(
            kind, "background at SCHED_IDLE"
        )
        print(f"{label:28} {run(kind):.3f} s")


if __name__ == "__main__":
    main()
