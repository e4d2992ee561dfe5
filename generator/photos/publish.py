"""Publishing photos: which sources need work, the pool that does it, and the published files.

Only cache misses are decoded (``pixels.render`` in worker processes, stored by ``cache``); every
photo is then placed in the output folder from its cache entry, touching only files that are
missing or different. Nothing here imports MkDocs or the rest of the generator.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from .. import parallel
from ..files import atomic_link
from ..progress import Progress
from . import cache
from .pixels import Reject, render
from .results import PhotoFailure, PhotoResult, Rendition, bomb_detail
from .settings import PhotoSettings


class Job(NamedTuple):
    """What a worker needs for one photo, all picklable."""

    source: str
    digest: str  # the cache name: content hash and settings
    settings: PhotoSettings
    cache_dir: str


class Outcome(NamedTuple):
    meta: dict | None  # the cache entry's meta, or None on failure
    failure: str = ""  # a key of results.FAILURES
    detail: str = ""


def process_photos(
    sources: Sequence[Path],
    settings: PhotoSettings,
    *,
    out_dir: Path | None,
    cache_dir: Path,
    workers: int | None = None,
    progress: bool = False,
) -> dict[Path, PhotoResult | PhotoFailure]:
    """Publish every source as WebP renditions in out_dir; never raises for a bad photo.

    Results are keyed by the given paths. Identical bytes share one cache entry and one set of
    output files. Only cache misses are decoded, in worker processes. With ``out_dir=None`` the
    cache is filled and nothing is published (``showcase check`` and ``showcase photos``).
    """
    cache_dir = Path(cache_dir)
    if out_dir is not None:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = settings.key()
    results: dict[Path, PhotoResult | PhotoFailure] = {}
    by_digest: dict[str, list[Path]] = {}
    metas: dict[str, dict] = {}
    misses: list[tuple[int, str, Path]] = []

    unique = list(dict.fromkeys(Path(s) for s in sources))
    for source, found in zip(unique, _fingerprints(unique, key, cache_dir), strict=True):
        if found.failure:
            results[source] = PhotoFailure(source, found.failure, found.detail)
            continue
        results[source] = None  # type: ignore[assignment]  # placeholder keeps input order
        if found.digest in by_digest:
            by_digest[found.digest].append(source)
            continue
        by_digest[found.digest] = [source]
        meta = cache.read_meta(cache_dir, cache.entry_name(found.digest))
        if meta is not None:
            metas[found.digest] = meta
        else:
            misses.append((found.size, found.digest, source))

    # Biggest first so that the pool does not end waiting on one large photo.
    misses.sort(key=lambda m: (-m[0], m[1]))
    jobs = [Job(str(src), digest, settings, str(cache_dir)) for _size, digest, src in misses]
    # Photos are slow enough that even a few deserve a progress line.
    bar = Progress("处理照片", len(jobs), progress, minimum=1)
    outcomes = parallel.process_map(
        work,
        jobs,
        workers=workers,
        chunksize=1,
        on_done=bar.advance,
        on_crash=lambda job: Outcome(None, "crashed"),
    )

    for job, outcome in zip(jobs, outcomes, strict=True):
        if outcome.meta is None:
            for p in by_digest.pop(job.digest):
                results[p] = PhotoFailure(p, outcome.failure, outcome.detail)
        else:
            metas[job.digest] = outcome.meta
    for digest, paths in by_digest.items():
        meta = metas[digest]
        first = _result(paths[0], meta, settings)
        if isinstance(first, PhotoResult) and out_dir is not None:
            names = [r.name for r in first.renditions] + [first.cover.name]
            _publish(cache_dir / cache.entry_name(digest), out_dir, names)
        for p in paths:
            results[p] = _result(p, meta, settings)
    return results


def work(job: Job) -> Outcome:
    """Worker: decode one photo once and store every output as a cache entry.

    Never raises for a bad photo: a photo must never take the build down.
    """
    try:
        try:
            data = Path(job.source).read_bytes()
        except FileNotFoundError:
            raise Reject("missing") from None
        except OSError as exc:
            raise Reject("unreadable", exc.strerror or str(exc)) from None
        # Re-hash what is decoded: the entry is stored under this digest, and the file may have
        # been edited since the parent hashed it.
        content = cache.digest(cache.content_hash(data), job.settings.key())
        if data and content != job.digest:
            raise Reject("changed")
        name = cache.entry_name(job.digest)
        rendered = render(data, job.settings, name)
        return Outcome(cache.write_entry(Path(job.cache_dir), name, rendered))
    except Reject as exc:
        return Outcome(None, exc.kind, exc.detail)
    except MemoryError:
        return Outcome(None, "other", "内存不足")
    except Exception as exc:
        return Outcome(None, "other", f"{type(exc).__name__}: {exc}")


def _fingerprints(sources: list[Path], key: str, cache_dir: Path) -> list[cache.Fingerprint]:
    """Each source by content. Files known from their stat are taken here: a thread's task costs
    ten times such a stat. The rest are read and hashed by a few threads (hashlib releases the
    GIL on large buffers, so they overlap disk reads with hashing)."""
    known = cache.load_fingerprints(cache_dir)
    before = dict(known)
    found = {p: cache.fingerprint(p, key, known, read=False) for p in sources}
    new = [p for p, f in found.items() if f is None]
    if new:
        with ThreadPoolExecutor(max_workers=min(4, len(new))) as threads:
            hashed = threads.map(lambda p: cache.fingerprint(p, key, known), new)
            found.update(zip(new, hashed, strict=True))
    if known != before:
        cache.save_fingerprints(cache_dir, known)
    return [found[p] for p in sources]  # type: ignore[misc]  # no None is left


def _result(source: Path, meta: dict, settings: PhotoSettings) -> PhotoResult | PhotoFailure:
    width, height = int(meta["width"]), int(meta["height"])
    # Re-checked on hits so that lowering max_pixels applies to cached photos too.
    if width * height > settings.max_pixels:
        return PhotoFailure(source, "bomb", bomb_detail(width * height, settings.max_pixels))
    notes = list(meta.get("notes", []))
    if width < settings.min_width:
        notes.append(f"照片宽度只有 {width} 像素，建议至少 {settings.min_width} 像素")
    return PhotoResult(
        source=source,
        width=width,
        height=height,
        renditions=tuple(Rendition(n, w, h) for n, w, h, _s in meta["renditions"]),
        cover=Rendition(*meta["cover"][:3]),
        warnings=tuple(notes),
    )


def _publish(cache_entry: Path, out_dir: Path, names: Iterable[str]) -> None:
    """Place outputs in out_dir, touching only files that are missing or different.

    Hardlinks where possible (no copy, and an unchanged file keeps its mtime).
    """
    for name in names:
        src, dst = cache_entry / name, out_dir / name
        try:
            d = dst.stat()
        except FileNotFoundError:
            d = None
        if d is not None:
            s = src.stat()
            if (s.st_ino, s.st_dev) == (d.st_ino, d.st_dev):
                continue
            if s.st_size == d.st_size and src.read_bytes() == dst.read_bytes():
                continue
        atomic_link(src, dst)


def clean_stale(out_dir: Path, keep: Iterable[str]) -> int:
    """Delete files in out_dir whose names are not in keep; returns how many were removed.

    Only plain files directly in out_dir: folders someone placed there are not ours to judge.
    """
    out_dir = Path(out_dir)
    keep_set = set(keep)
    removed = 0
    try:
        entries = list(os.scandir(out_dir))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.name in keep_set or entry.is_dir(follow_symlinks=False):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.path)
            removed += 1
    return removed
