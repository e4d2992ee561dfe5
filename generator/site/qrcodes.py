"""QR codes: one SVG per branch page URL, encoded by zxing-cpp and cached on disk.

zxing-cpp (C++) encodes a code, mask search included, in well under a millisecond, so a first
build of a thousand branches makes them all in this process, without a pool. The SVG is drawn
here from zxing-cpp's module matrix, so it carries what a page needs: a viewBox (it scales to
any size), a <title> (its accessible name), dark modules in #1a1a1a and a two-module quiet zone.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

import zxingcpp

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


def qr_codes(items: Mapping[K, tuple[str, str]], cache_dir: Path) -> dict[K, bytes]:
    """The SVG of every ``(url, title)`` in ``items``, from the cache or made now (and cached).

    Reading a cached code costs a tenth of making it, which is what a warm build of thousands
    of branches saves.
    """
    folder = cache_dir / "qr"
    out: dict[K, bytes] = {}
    made = False
    for key, item in items.items():
        path = folder / _name(item)
        try:
            out[key] = path.read_bytes()
            continue
        except OSError:
            pass
        out[key] = data = qr_svg(*item)
        if not made:
            folder.mkdir(parents=True, exist_ok=True)
            made = True
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return out


def _name(item: tuple[str, str]) -> str:
    url, title = item
    return hashlib.sha256(f"{_VERSION}\0{url}\0{title}".encode()).hexdigest()[:24] + ".svg"
