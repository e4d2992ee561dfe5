"""Photos for print: the site's cached WebP renditions, downsampled to 150 dpi as JPEG.

A PDF cannot hold WebP: WeasyPrint would decode it and store the pixels losslessly (PNG-style),
several times the bytes. JPEG goes into a PDF byte for byte, so each photo the booklet prints is
made once, at the pixel size its box needs at PRINT_DPI, from the smallest cached rendition that
is large enough (480 or 960 px), and kept next to the photo cache. The originals are never read.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..files import atomic_write
from ..photos import PhotoResult, Rendition, rendition_file

PRINT_DPI = 150
LOGO_DPI = 200  # logos are line art: edges need more than photos, but not twice the bytes
JPEG_QUALITY = 80
_VERSION = "1"  # bump when the conversion below changes its output


@dataclass(frozen=True)
class PrintJob:
    source: Path  # a rendition file inside the photo cache
    width: int  # pixels wanted
    target: Path  # the print file
    logo: bool = False


def plan(
    result: PhotoResult,
    box_mm: tuple[float, float],
    photo_cache: Path,
    out_dir: Path,
    logo: bool = False,
) -> PrintJob:
    """The print file for a photo shown in a box of this size (filled, cropped to fit).

    The box is filled the way CSS ``object-fit: cover`` fills it: a photo wider than the box is
    scaled to the box's height, so it needs more pixels than the box's width alone.
    """
    box_w, box_h = box_mm
    shown_w = box_w if logo else max(box_w, box_h * result.width / result.height)
    want = round(shown_w / 25.4 * (LOGO_DPI if logo else PRINT_DPI))
    source = _source(result.renditions, want)
    width = min(want, source.width)
    stem = Path(source.name).stem
    suffix = "png" if logo else "jpg"
    target = out_dir / f"{stem}-{width}w-v{_VERSION}.{suffix}"
    return PrintJob(rendition_file(photo_cache, source), width, target, logo)


def _source(renditions: Iterable[Rendition], want: int) -> Rendition:
    """The smallest rendition at least as wide as wanted (5 % short is invisible on paper), so
    the 1600 px one is decoded only for a photo that really prints that large."""
    ordered = sorted(renditions, key=lambda r: r.width)
    for r in ordered:
        if r.width >= want * 0.95:
            return r
    return ordered[-1]


def make(jobs: Iterable[PrintJob], workers: int | None = None) -> None:
    """Write every print file that is not there yet; Pillow releases the GIL while it decodes,
    resizes and encodes, so threads use every core."""
    todo = {j.target: j for j in jobs if not j.target.is_file()}
    if not todo:
        return
    next(iter(todo)).parent.mkdir(parents=True, exist_ok=True)
    n = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    with ThreadPoolExecutor(max_workers=n) as pool:
        list(pool.map(_make_one, todo.values()))


def _make_one(job: PrintJob) -> None:
    with Image.open(job.source) as im:
        im.load()
        if im.width > job.width:
            height = max(1, round(im.height * job.width / im.width))
            im = im.resize((job.width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if job.logo:
            im.save(out, "PNG", optimize=True)
        else:
            _on_white(im).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    atomic_write(job.target, out.getvalue())


def _on_white(im: Image.Image) -> Image.Image:
    """RGB pixels; a transparent photo is laid on white paper, as it would be printed."""
    if im.mode in ("RGBA", "LA"):
        paper = Image.new("RGB", im.size, "white")
        paper.paste(im, mask=im.getchannel("A"))
        return paper
    return im.convert("RGB")
