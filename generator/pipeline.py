"""The pipeline, top to bottom: load → validate → photos → pages → write.

``generate`` is what both the ``showcase`` command and the MkDocs plugin call; it knows nothing of
MkDocs. It returns every problem found instead of raising on the first.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .buildcache import CACHE_FILE, BuildCache
from .config import Settings
from .content.branches import load_branches
from .content.gitdates import git_dates
from .content.model import Branch, PhotoRef
from .photos import PhotoFailure, PhotoResult, clean_stale, process_photos
from .problems import Problem, Severity, has_errors, rel_path, sort_problems
from .site.catalog import Catalog, build_catalog, load_pinyin
from .site.output import WriteReport, check_ownership
from .site.pages import (
    GENERATED,
    MEDIA_DIR,
    branch_src,
    branch_url,
    page_url,
    plan_pages,
    qr_path,
)
from .site.pending import PendingPages
from .site.public import site_problems, site_url_problems
from .site.qrcodes import qr_codes
from .site.search import PendingIndex, retired_option_problems
from .site.share import publish_share_images
from .site.speller import Speller

QR_DIR = "qr"  # the QR codes' folder in the cache


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)
    catalog: Catalog | None = None
    pages: WriteReport | None = None
    # What the search index holds: each branch with its page's address (indexed by the plugin).
    search: list[tuple[Branch, str]] = field(default_factory=list)
    pending: PendingPages | None = None  # the pages and codes, made by a worker (see generate)
    index: PendingIndex | None = None  # the search index of ``search``, when asked for
    saves: BuildCache | None = None  # the cache to save once they are made
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @contextmanager
    def timed(self, stage: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    def stop_index(self) -> None:
        """Stop making the search index (the build will not use it)."""
        if self.index is not None:
            self.index.cancel()
            self.index = None

    def finish(self) -> None:
        """Wait for the pages and QR codes still being made; raises ``OSError`` when they could
        not be written. The time spent waiting counts as the pages' own."""
        if self.pending is None or self.pages is not None:
            return
        try:
            self.pages = self.pending.finish()
        finally:
            self.timings["pages"] = self.timings.get("pages", 0.0) + self.pending.waited
        if self.saves is not None:
            self.saves.save()


def check(settings: Settings) -> Result:
    """Load and validate every branch, and decode every photo (into the cache): all problems."""
    result = Result()
    branches, problems = load_branches(settings.root, settings.branches_dir, settings.choices)
    result.branches = branches
    result.problems.extend(problems)
    result.problems.extend(retired_option_problems(settings))
    result.problems.extend(site_problems(settings))
    _, photo_problems = run_photos(branches, settings, publish=False)
    result.problems = sort_problems(result.problems + photo_problems)
    return result


def generate(
    settings: Settings,
    cache: BuildCache | None = None,
    *,
    later: bool = False,
    index: Callable[[list[tuple[Branch, str]]], PendingIndex] | None = None,
    speller: Speller | None = None,
) -> Result:
    """Everything up to the Markdown: the docs folder is ready for MkDocs when ``ok``.

    On errors nothing in docs_dir is touched, so the last good pages stay as they were.
    ``cache`` carries earlier results (kept in memory by a live preview); by default it is
    read from and saved to the cache folder. ``later``: return as soon as the pages are planned,
    while a worker makes them (``Result.pending``); ``Result.finish`` waits for the rest.
    ``index``: starts the search index of the branches (``Result.index``), called as soon as
    they are known, so that it is made beside the photos and the pages; stopped on errors.
    ``speller``: spells the names for the catalog when the build cache does not know them yet
    (see ``site/speller``); closed when it is not needed.
    """
    with _cycles_uncollected():
        return _generate(settings, cache, later=later, index=index, speller=speller)


@contextmanager
def _cycles_uncollected() -> Iterator[None]:
    """No cycle collection while the branches are read and planned.

    Nearly every object made here (branches, catalog, plans) lives until the site is built, and
    what dies is freed by reference counting: the collector found 33 objects to free at N = 1,000
    yet took 0.3 s, rescanning a heap that grows by ~150,000 objects. Workers forked meanwhile
    turn it back on for the objects they make themselves (``parallel``).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _generate(
    settings: Settings,
    cache: BuildCache | None,
    *,
    later: bool,
    index: Callable[[list[tuple[Branch, str]]], PendingIndex] | None,
    speller: Speller | None,
) -> Result:
    result = Result()
    own_cache = cache is None
    with result.timed("load"):
        if cache is None:
            cache = BuildCache.open(settings.cache_dir / CACHE_FILE)
        if speller is not None and (cache.spellings or not speller.running):
            speller.close()  # names seen before are spelled from the cache
            speller = None
        # With no names spelled before and no speller, the catalog will need pypinyin here:
        # load it while workers parse the branches rather than after them.
        branches, problems = load_branches(
            settings.root,
            settings.branches_dir,
            settings.choices,
            memo=cache.branches,
            meanwhile=None if cache.spellings or speller else load_pinyin,
        )
    result.branches = branches
    result.problems.extend(problems)
    result.problems.extend(site_url_problems(settings))
    result.problems.extend(retired_option_problems(settings))
    result.problems.extend(site_problems(settings))
    if has_errors(result.problems):
        # Photos of the valid branches are still checked, so every problem shows at once.
        with result.timed("photos"):
            _, photo_problems = run_photos(branches, settings, publish=False)
        result.problems = sort_problems(result.problems + photo_problems)
        return result
    with result.timed("pages"):
        if speller is not None:
            for name, spelled in speller.spell(branches).items():
                cache.spellings[name] = spelled
        dates = git_dates(settings.root, settings.branches_dir)
        catalog = build_catalog(branches, settings, dates, cache.spellings)
        result.catalog = catalog
        directory = settings.use_directory_urls
        result.search = [(b, page_url(branch_src(b.slug), directory)) for b in catalog.branches]
    if index is not None:
        with result.timed("search"):
            result.index = index(result.search)
    try:
        _plan(result, catalog, settings, cache)
    except BaseException:
        result.stop_index()
        raise
    if has_errors(result.problems):
        result.stop_index()
    elif own_cache:
        result.saves = cache
    if not later:
        result.finish()
    return result


def _plan(result: Result, catalog: Catalog, settings: Settings, cache: BuildCache) -> None:
    """The photos, then the pages: planned, and started in a worker unless there are errors."""
    with result.timed("photos"):
        branches = result.branches
        images, photo_problems = run_photos(branches, settings, publish=True)
        covers = [images[b.cover.path] for b in branches if b.cover and b.cover.path in images]
        shares = publish_share_images(
            covers, settings.docs_dir / MEDIA_DIR, settings.cache_dir / "share", settings.workers
        )
    result.problems.extend(photo_problems)
    with result.timed("pages"):
        plan = plan_pages(catalog, images, settings, memo=cache.pages)
    with result.timed("write"):
        result.problems.extend(check_ownership(settings.docs_dir, settings.root, plan.order))
    result.problems = sort_problems(result.problems)
    if has_errors(result.problems):
        return
    with result.timed("write"):
        media = {f"{MEDIA_DIR}/{name}" for name in _media_names(images) | shares}
        clean_stale(settings.docs_dir / MEDIA_DIR, {n.split("/", 1)[1] for n in media})
        # From here a worker makes the pages and codes; ``finish`` waits for them.
        result.pending = PendingPages(
            plan,
            settings.docs_dir,
            keep=media,
            codes={qr_path(b.slug): item for b, item in qr_content(catalog.branches, settings)},
            code_dir=settings.cache_dir / QR_DIR,
            page_memo=cache.pages,
        )


def run_photos(
    branches: list[Branch], settings: Settings, *, publish: bool
) -> tuple[dict[Path, PhotoResult], list[Problem]]:
    """Process every photo of every branch; failures become problems at the line that names them."""
    refs: dict[Path, list[tuple[Branch, PhotoRef]]] = {}
    for b in branches:
        for ref in b.photo_refs():
            refs.setdefault(ref.path, []).append((b, ref))
    out_dir = settings.docs_dir / MEDIA_DIR if publish else None
    outcomes = process_photos(
        sorted(refs),
        settings.photos,
        out_dir=out_dir,
        cache_dir=settings.cache_dir / "photos",
        workers=settings.workers,
        progress=settings.progress,
    )
    images: dict[Path, PhotoResult] = {}
    problems: list[Problem] = []
    for path, outcome in outcomes.items():
        places = refs[path]
        if isinstance(outcome, PhotoFailure):
            # Name the file as staff see it (relative to the project), not the machine's path.
            message = outcome.describe(rel_path(path, settings.root))
            for b, ref in places:
                problems.append(Problem(b.source, ref.line, ref.field, message))
            continue
        images[path] = outcome
        # A logo is small by design; only photos shown large deserve a size warning.
        shown = [(b, ref) for b, ref in places if ref in b.photos_shown()]
        if not shown:
            continue
        b, ref = shown[0]
        for warning in outcome.warnings:
            problems.append(Problem(b.source, ref.line, ref.field, warning, Severity.WARNING))
    return images, problems


def qr_content(branches: list[Branch], settings: Settings) -> list[tuple[Branch, tuple[str, str]]]:
    """What each branch's QR code says and is named: its page's address and its name; no codes
    without a site_url to encode."""
    if not settings.site_url:
        return []
    return [(b, (branch_url(settings, b), b.name)) for b in branches]


def branch_qr_codes(branches: list[Branch], settings: Settings) -> dict[str, bytes]:
    """Each branch page's QR code by slug, the site's own (for the booklet)."""
    items = {b.slug: item for b, item in qr_content(branches, settings)}
    return qr_codes(items, settings.cache_dir / QR_DIR)


def _media_names(images: dict[Path, PhotoResult]) -> set[str]:
    names = set()
    for r in images.values():
        names.update(x.name for x in r.renditions)
        names.add(r.cover.name)
    return names


__all__ = ["GENERATED", "Result", "check", "generate", "run_photos"]
