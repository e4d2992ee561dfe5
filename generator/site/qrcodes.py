"""QR codes: one SVG per branch page URL, made by segno, cached on disk, made in parallel.

segno chooses the mask that scans best by trying all eight, which costs ~3 ms a code in pure
Python: a first build of a thousand branches spreads that over the cores, later builds read
the cache.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Sequence
from pathlib import Path

import segno

from .. import parallel
from ..files import atomic_write

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
    items: Sequence[tuple[str, str]], cache_dir: Path, workers: int | None = None
) -> dict[tuple[str, str], bytes]:
    """The SVG of every ``(url, title)``, from the cache or made now (and cached)."""
    folder = cache_dir / "qr"
    out: dict[tuple[str, str], bytes] = {}
    missing: list[tuple[str, str]] = []
    for item in dict.fromkeys(items):
        try:
            out[item] = (folder / _name(item)).read_bytes()
        except OSError:
            missing.append(item)
    if not missing:
        return out
    made = parallel.process_map(_make, missing, workers=workers, min_items=_PARALLEL_FROM)
    for item, data in zip(missing, made, strict=True):
        atomic_write(folder / _name(item), data)
        out[item] = data
    return out


def _name(item: tuple[str, str]) -> str:
    url, title = item
    return hashlib.sha256(f"{_VERSION}\0{url}\0{title}".encode()).hexdigest()[:24] + ".svg"
