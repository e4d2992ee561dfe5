"""The pipeline, top to bottom: load → validate → photos → pages → write.

``generate`` is what both the ``showcase`` command and the MkDocs plugin call; it knows nothing of
MkDocs. It returns every problem found instead of raising on the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .buildcache import BuildCache
from .config import Settings
from .content.model import Branch, PhotoRef
from .content.validate import load_branches
from .photos import PhotoFailure, PhotoResult, clean_stale, process_photos
from .problems import Problem, Severity, has_errors, rel_path, sort_problems
from .site.catalog import Catalog, build_catalog
from .site.output import WriteReport, check_ownership, write_outputs
from .site.pages import GENERATED, MEDIA_DIR, branch_url, render_pages
from .site.qrcodes import qr_codes


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)
    catalog: Catalog | None = None
    pages: WriteReport | None = None
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


def check(settings: Settings) -> Result:
    """Load and validate every branch, and decode every photo (into the cache): all problems."""
    result = Result()
    branches, problems = load_branches(settings.root, settings.branches_dir, settings.fields)
    result.branches = branches
    result.problems.extend(problems)
    _, photo_problems = run_photos(branches, settings, publish=False)
    result.problems = sort_problems(result.problems + photo_problems)
    return result


def generate(settings: Settings, cache: BuildCache | None = None) -> Result:
    """Everything up to the Markdown: the docs folder is ready for MkDocs when ``ok``.

    On errors nothing in docs_dir is touched, so the last good pages stay as they were.
    ``cache`` carries earlier results (kept in memory by a live preview); by default it is
    read from and saved to the cache folder.
    """
    result = Result()
    own_cache = cache is None
    with result.timed("load"):
        if cache is None:
            cache = BuildCache.open(settings.cache_dir / "build.pickle")
        branches, problems = load_branches(
            settings.root, settings.branches_dir, settings.fields, memo=cache.branches
        )
    result.branches = branches
    result.problems.extend(problems)
    if not settings.site_url:
        result.problems.append(
            Problem(
                "mkdocs.yml", 1, "site_url", "没有设置 site_url，二维码无法生成", Severity.WARNING
            )
        )
    if has_errors(result.problems):
        # Photos of the valid branches are still checked, so every problem shows at once.
        with result.timed("photos"):
            _, photo_problems = run_photos(branches, settings, publish=False)
        result.problems = sort_problems(result.problems + photo_problems)
        return result
    with result.timed("photos"):
        images, photo_problems = run_photos(branches, settings, publish=True)
    result.problems.extend(photo_problems)
    with result.timed("pages"):
        dates = git_dates(settings.root, settings.branches_dir)
        catalog = build_catalog(branches, settings, dates, cache.spellings)
        result.catalog = catalog
    with result.timed("qr"):
        codes = _qr_codes(catalog, settings, cache.qr)
    with result.timed("pages"):
        files = render_pages(catalog, images, settings, codes, memo=cache.pages)
    with result.timed("write"):
        result.problems.extend(check_ownership(settings.docs_dir, settings.root, list(files)))
    result.problems = sort_problems(result.problems)
    if has_errors(result.problems):
        return result
    with result.timed("write"):
        media = {f"{MEDIA_DIR}/{name}" for name in _media_names(images)}
        result.pages = write_outputs(settings.docs_dir, files, keep=media)
        clean_stale(settings.docs_dir / MEDIA_DIR, {n.split("/", 1)[1] for n in media})
        if own_cache:
            cache.save()
    return result


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
            message = outcome.message.replace(str(path), rel_path(path, settings.root))
            for b, ref in places:
                problems.append(Problem(b.source, ref.line, ref.field, message))
            continue
        images[path] = outcome
        shown = [(b, ref) for b, ref in places if ref.field != "brand.logo"]  # logos are small
        if not shown:
            continue
        b, ref = shown[0]
        for warning in outcome.warnings:
            problems.append(Problem(b.source, ref.line, ref.field, warning, Severity.WARNING))
    return images, problems


def photo_shard(branches: list[Branch], settings: Settings, index: int, count: int) -> list[Branch]:
    """The branches whose photos shard ``index`` of ``count`` (1-based) processes.

    Shards split by branch folder name, stable across machines and runs, so parallel CI jobs
    share the work without talking to each other; their caches merge by copying, because
    cache entries are named by content.
    """
    def bucket(b: Branch) -> int:
        return int(hashlib.sha256(b.slug.encode()).hexdigest()[:8], 16) % count

    return [b for b in branches if bucket(b) == index - 1]


def _qr_codes(catalog: Catalog, settings: Settings, memo: dict[str, bytes]) -> dict[str, bytes]:
    """Each branch page's QR code by slug; none without a site_url to encode."""
    if not settings.site_url:
        return {}
    items = {b.slug: (branch_url(settings, b), b.name) for b in catalog.branches}
    return qr_codes(items, memo)


def _media_names(images: dict[Path, PhotoResult]) -> set[str]:
    names = set()
    for r in images.values():
        names.update(x.name for x in r.renditions)
        names.add(r.cover.name)
    return names



def search_terms(catalog: Catalog) -> list[str]:
    """Words that must stay whole when Chinese text is segmented for search."""
    # Only names: a longer word swallows the words inside it (adding 茶山百家宴 would make a
    # search for 百家宴 miss that text), so activity names and phrases are left to jieba.
    words: set[str] = set()
    for b in catalog.branches:
        words.update((b.brand.name, b.display_name, b.town))
        words.update(b.tags)
    return sorted(w for w in words if 1 < len(w) <= 12 and " " not in w)


def git_dates(root: Path, branches_dir: Path) -> dict[str, dt.date]:
    """Last commit date of each ``branch.yml``, in one ``git log`` pass (empty outside git)."""
    try:
        out = subprocess.run(
            ["git", "log", "--format=@%cs", "--name-only", "--", str(branches_dir)],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[str, dt.date] = {}
    current: dt.date | None = None
    for line in out.splitlines():
        if line.startswith("@"):
            current = dt.date.fromisoformat(line[1:])
        elif line.endswith("/branch.yml") and current is not None:
            dates.setdefault(line, current)  # newest first: keep the first seen
    return dates


__all__ = ["GENERATED", "Result", "check", "generate", "git_dates", "run_photos", "search_terms"]
