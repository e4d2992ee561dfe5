"""QR codes: one SVG per branch page URL, made by segno, cached on disk, made in parallel.

segno chooses the mask that scans best by trying all eight, which costs ~3 ms a code in pure
Python: a first build of a thousand branches spreads that over the cores, later builds read
the cache.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

import segno

K = TypeVar("K")

_VERSION = "1"  # bump when qr_svg's options change
_PARALLEL_FROM = 32  # fewer codes than this are made faster than a pool starts


def qr_svg(url: str, title: str) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(
        buf, kind="svg", scale=6, border=2, xmldecl=False, title=f"{title} 二维码", dark="#1a1a1a"
    )
    return buf.getvalue()


def _make(item: tuple[str, str]) -> bytes:
    return qr_svg(*item)


def qr_codes(
    items: Mapping[K, tuple[str, str]], cache_dir: Path, workers: int | None = None
) -> dict[K, bytes]:
    """The SVG of every ``(url, title)`` in ``items``, from the cache or made now (and cached)."""
    folder = cache_dir / "qr"
    out: dict[K, bytes] = {}
    missing: list[K] = []
    for key, item in items.items():
        try:
            out[key] = (folder / _name(item)).read_bytes()
        except OSError:
            missing.append(key)
    if not missing:
        return out
    todo = [items[key] for key in missing]
    n = min(workers or os.cpu_count() or 1, len(missing))
    if n > 1 and len(missing) >= _PARALLEL_FROM:
        from ..photos import _pool_context  # fork when safe, else a fork server

        with ProcessPoolExecutor(max_workers=n, mp_context=_pool_context()) as pool:
            made = list(pool.map(_make, todo, chunksize=16))
    else:
        made = [_make(item) for item in todo]
    folder.mkdir(parents=True, exist_ok=True)
    for key, item, data in zip(missing, todo, made, strict=True):
        path = folder / _name(item)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        out[key] = data
    return out


def _name(item: tuple[str, str]) -> str:
    url, title = item
    return hashlib.sha256(f"{_VERSION}\0{url}\0{title}".encode()).hexdigest()[:24] + ".svg"
