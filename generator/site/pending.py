"""The pages and QR codes of a build, made in a worker process while MkDocs reads them.

MkDocs reads the pages one at a time, in ``PagePlan.order``, then renders each into its theme. So a
build starts MkDocs as soon as the plan is known: a worker renders the pages in that order and
hands each to this process at once, then writes them into docs_dir and draws the QR codes (the
site needs those only at the end). MkDocs, one process, keeps one core; the worker runs on the
other, ahead of the search index (which runs at a lower priority: it is needed only at the end).

Where no worker can be forked (a live preview runs threads), the same work is done here when the
first page is asked for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .. import parallel
from .output import WriteReport, claim, write_file
from .pages import PagePlan
from .qrcodes import draw_missing, qr_files


@dataclass
class _Made:
    written: list[str]
    unchanged: int


def _make(
    plan: PagePlan, docs_dir: Path, codes: dict[Path, tuple[str, str]], code_dir: Path
) -> _Made:
    """The worker: the pages told to the parent as they are rendered; then the files."""
    pages = dict(plan.known)
    # Told sixteen at a time: taking each page on its own cost the parent ~40 µs, twice what
    # the page itself is worth; MkDocs needs its first page long after the worker has started.
    batch: list[tuple[str, bytes, str | None]] = []
    for src in plan.order:
        if src not in pages:
            pages[src] = plan.render(src)
            batch.append((src, pages[src], plan.key(src)))
            if len(batch) >= 16:
                parallel.tell(batch)
                batch = []
    if batch:
        parallel.tell(batch)
    written = [src for src in plan.order if write_file(docs_dir, src, pages[src])]
    draw_missing(codes)
    # Codes of addresses or names no longer on the site go (the booklet's are the site's).
    for old in code_dir.glob("*.svg") if code_dir.is_dir() else ():
        if old not in codes:
            old.unlink(missing_ok=True)
    return _Made(written, len(plan.order) - len(written))


class PendingPages:
    """A build's generated pages and QR codes on their way; started by creating it.

    ``page(src)`` waits for one page, ``finish()`` for everything; the build cache's page memo is
    updated as pages arrive.
    """

    def __init__(
        self,
        plan: PagePlan,
        docs_dir: Path,
        *,
        keep: set[str],
        codes: dict[str, tuple[str, str]],
        code_dir: Path,
        page_memo: dict[str, tuple[str, bytes]],
    ) -> None:
        """``keep``: files of the generated folders that another step owns (the photos);
        ``codes``: each QR code's path in the site with the (url, title) it encodes, kept as
        files in ``code_dir``."""
        self.plan = plan
        self.removed = claim(docs_dir, plan.order, keep)
        self.waited = 0.0  # seconds this process spent waiting for the worker
        self._pages = dict(plan.known)
        self._page_memo = page_memo
        self._codes = qr_files(codes, code_dir)
        kept = {self._codes[path]: item for path, item in codes.items()}
        self._report: WriteReport | None = None
        # The plan holds the templates' closures: only a forked worker can have it.
        self._worker = parallel.Worker(_make, plan, docs_dir, kept, code_dir, forked_only=True)

    def page(self, src: str) -> bytes:
        """The bytes of the page at docs path ``src``, once made."""
        start = time.perf_counter()
        for news in self._worker.told():  # so that the worker never waits for this one
            for made in news:
                self._keep(*made)
        self.waited += time.perf_counter() - start
        while src not in self._pages:
            if not self._receive():
                self.finish()  # raises what went wrong in the worker
                raise KeyError(src)
        return self._pages[src]

    def finish(self) -> WriteReport:
        """Wait for every page and code; raises ``OSError`` when they could not be written."""
        if self._report is None:
            while self._receive():
                pass
            start = time.perf_counter()
            try:
                made = self._worker.result()
            finally:
                self.waited += time.perf_counter() - start
            self._report = WriteReport(made.written, made.unchanged, self.removed)
        return self._report

    def site_files(self) -> dict[str, Path]:
        """The QR codes: each one's path in the site and its file in the cache, once drawn."""
        self.finish()
        return self._codes

    def cancel(self) -> None:
        """Stop the worker (the build failed meanwhile)."""
        self._worker.close()

    def _receive(self) -> bool:
        """Take the next page the worker made; False when it has made them all."""
        start = time.perf_counter()
        news = self._worker.news()
        self.waited += time.perf_counter() - start
        if news is parallel.Worker.END:
            return False
        for made in news:
            self._keep(*made)
        return True

    def _keep(self, src: str, data: bytes, key: str | None) -> None:
        """Keep a page the worker made; into the build cache's memo too when it has a key."""
        self._pages[src] = data
        if key is not None:
            self._page_memo[src] = (key, data)
