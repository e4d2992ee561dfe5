"""QR codes: one SVG per branch page URL, encoded by zxing-cpp, memoised in the build cache.

zxing-cpp (C++) encodes a code, mask search included, in well under a millisecond; drawing it
takes as long again, so a first build of a thousand branches spreads them over the cores. The
SVG is drawn here from zxing-cpp's module matrix, so it carries what a page needs: a viewBox (it
scales to any size), a <title> (its accessible name), dark modules in #1a1a1a and a two-module
quiet zone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import TypeVar
from xml.sax.saxutils import escape

import zxingcpp

from ..parallel import MIN_ITEMS, process_map

_VERSION = "2"  # bump when the drawing below changes
DARK = "#1a1a1a"
BORDER = 2  # quiet zone in modules; the page around the code is light as well
SCALE = 6  # pixels a module at the SVG's own size
_DARK_RUN = re.compile(rb"\x00+")

K = TypeVar("K")


def qr_svg(url: str, title: str) -> bytes:
    """The QR code of ``url`` (error correction M) as an SVG named ``<title> 二维码``."""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = memoryview(code.to_image(scale=1, add_quiet_zones=False))  # 0 is dark
    size = modules.shape[0]
    flat = modules.tobytes()
    # One light byte after each row, so a run of dark modules never continues on the next row.
    rows = b"\xff".join(flat[y * size : (y + 1) * size] for y in range(size))
    width = size + 1
    runs = "".join(
        f"M{start % width + BORDER} {start // width + BORDER}h{end - start}v1h-{end - start}z"
        for start, end in (run.span() for run in _DARK_RUN.finditer(rows))
    )
    side = size + 2 * BORDER
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side * SCALE}" height="{side * SCALE}"'
        f' viewBox="0 0 {side} {side}">'
        f"<title>{escape(title)} 二维码</title>"
        f'<path fill="{DARK}" d="{runs}"/>'
        "</svg>\n"
    )
    return svg.encode("utf-8")


def qr_codes(
    items: Mapping[K, tuple[str, str]], memo: dict[str, bytes] | None = None
) -> dict[K, bytes]:
    """The SVG of every ``(url, title)`` in ``items``, from ``memo`` or made now (and memoised).

    The memo lives in the build cache, one file: at ~0.3 ms a code, making one costs less than
    creating a file of its own would, and reading a thousand files back cost more than the
    pickle's few megabytes.
    """
    memo = {} if memo is None else memo
    names = {key: _name(item) for key, item in items.items()}
    missing = {names[key]: item for key, item in items.items() if names[key] not in memo}
    made = process_map(_svg, list(missing.values()), min_items=MIN_ITEMS)
    memo.update(zip(missing, made, strict=True))
    return {key: memo[name] for key, name in names.items()}


def _svg(item: tuple[str, str]) -> bytes:
    return qr_svg(*item)


def _name(item: tuple[str, str]) -> str:
    url, title = item
    return hashlib.sha256(f"{_VERSION}\0{url}\0{title}".encode()).hexdigest()[:24]
