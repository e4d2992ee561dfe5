"""QR codes: one SVG per branch page URL, encoded by zxing-cpp, kept in the cache folder.

zxing-cpp (C++) encodes a code, mask search included, in well under a millisecond; drawing it
takes as long again. A build draws them in the pages' worker, while MkDocs renders. The SVG is
drawn here from zxing-cpp's module matrix, so it carries what a page needs: a viewBox (it scales to
any size), a <title> (its accessible name), dark modules in #1a1a1a and a two-module quiet zone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

import zxingcpp

from ..files import atomic_write

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


def qr_files(items: Mapping[K, tuple[str, str]], folder: Path) -> dict[K, Path]:
    """Where the SVG of each ``(url, title)`` of ``items`` is kept in ``folder`` (the cache), by
    a name that changes with what the code says and how it is drawn. Nothing is read or made."""
    return {key: folder / f"{_name(item)}.svg" for key, item in items.items()}


def draw_missing(codes: Mapping[Path, tuple[str, str]]) -> None:
    """Draw and keep each code (its ``qr_files`` path, its ``(url, title)``) not kept yet.

    Kept as files, a code reaches the site as a hard link (MkDocs creating a thousand files of
    its own took ~1 s on a slow disk, linking them 0.02 s) and a rebuild draws only new codes.
    """
    for path, item in codes.items():
        if not path.exists():
            atomic_write(path, qr_svg(*item))


def qr_codes(items: Mapping[K, tuple[str, str]], folder: Path) -> dict[K, bytes]:
    """The SVG of every ``(url, title)`` in ``items``, kept in ``folder`` or drawn now."""
    paths = qr_files(items, folder)
    draw_missing({paths[key]: item for key, item in items.items()})
    return {key: path.read_bytes() for key, path in paths.items()}


def _name(item: tuple[str, str]) -> str:
    url, title = item
    return hashlib.sha256(f"{_VERSION}\0{url}\0{title}".encode()).hexdigest()[:24]
