"""Share images: each branch cover also as a JPEG, for its page's ``og:image``.

WeChat's link cards (and QQ's, Weibo's, DingTalk's) do not reliably show WebP, and want an image
of at least 300 px. The cover's 4:3 card crop (640 × 480, already published as WebP with every bit
of metadata stripped) is published once more as a JPEG under the same content-hashed name, so a
photo that did not change is never converted twice, and only covers get one.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, features

from ..parallel import MIN_ITEMS, process_map
from ..photos import PhotoResult

QUALITY = 85  # a card thumbnail: quality matters more than the few KB


def share_name(photo: PhotoResult) -> str:
    """``<hash>-cover.webp`` → ``<hash>-cover.jpg``."""
    return photo.cover.name.rsplit(".", 1)[0] + ".jpg"


def publish_share_images(
    covers: Iterable[PhotoResult], media_dir: Path, cache_dir: Path, workers: int | None = None
) -> set[str]:
    """Make (or take from the cache) the JPEG of each cover and place it in ``media_dir``.

    The covers' WebP crops must already be in ``media_dir``. Returns the names placed there.
    """
    todo = {share_name(p): p.cover.name for p in covers}
    # Another quality or JPEG library gives other bytes: each has its own cache folder.
    cache_dir = cache_dir / f"q{QUALITY}-{features.version('jpg')}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    missing = sorted(name for name in todo if not (cache_dir / name).is_file())

    made = process_map(
        _jpeg, [media_dir / todo[name] for name in missing], workers=workers, min_items=MIN_ITEMS
    )
    for name, data in zip(missing, made, strict=True):
        _write(cache_dir / name, data)
    for name in todo:
        _place(cache_dir / name, media_dir / name)
    return set(todo)


def _jpeg(webp: Path) -> bytes:
    with Image.open(webp) as im:
        rgb = im.convert("RGB")
    buf = io.BytesIO()
    # No exif or icc_profile arguments: the JPEG carries pixels only, like every published photo.
    rgb.save(buf, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return buf.getvalue()


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _place(src: Path, dst: Path) -> None:
    """A hard link to the cached file (a copy across file systems), only when missing or
    different."""
    try:
        if dst.stat().st_size == src.stat().st_size and dst.read_bytes() == src.read_bytes():
            return
    except FileNotFoundError:
        pass
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dst)
