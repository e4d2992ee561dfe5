"""Photos in the editor: checking uploads before they are saved, small previews of saved ones."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from ..content.validate import IMAGE_SUFFIXES
from ..photos.pixels import Reject, decode
from ..photos.results import PhotoFailure

THUMB_SIZE = 640  # enough for the editor's thumbnails and its preview pane
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


@dataclass(frozen=True)
class Upload:
    """An uploaded photo that passed every check, ready to be written."""

    name: str  # the file name inside photos/
    data: bytes


def decode_upload(content: object, encoding: object) -> bytes | None:
    """The bytes of an upload as Decap sends them (base64), or None when they are not."""
    if encoding != "base64" or not isinstance(content, str):
        return None
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        return None


def name_problem(name: str) -> str | None:
    """Why a photo file name cannot be used, or None. Chinese characters and spaces are fine."""
    suffix = Path(name).suffix.lower()
    if not name or name.startswith(".") or _BAD_NAME.search(name):
        return f'文件名“{name}”不能用：不能以点开头，不能含 / \\ : * ? " < > | 等符号'
    if len(name) > 100:
        return f"文件名太长（{len(name)} 个字）：请改短一些再上传"
    if suffix not in IMAGE_SUFFIXES:
        shown = suffix or "（没有扩展名）"
        return f"“{name}”不是照片：扩展名 {shown}，只能上传 JPEG、PNG、WebP 或 HEIC 照片"
    return None


def check_upload(name: str, data: bytes, shown: str, max_bytes: int, max_pixels: int) -> str | None:
    """Why an uploaded photo is refused (in the words ``showcase check`` uses), or None."""
    why = name_problem(name)
    if why:
        return why
    if len(data) > max_bytes:
        size, limit = len(data) / 1024 / 1024, max_bytes // 1024 // 1024
        return (
            f"照片“{name}”有 {size:.1f} MB，超过上限 {limit} MB："
            "请在手机相册里选“较小尺寸”或用看图软件另存后再上传"
        )
    why = _decoded(data, shown, max_pixels)
    if isinstance(why, str):
        return why
    why.close()
    return None


def _decoded(data: bytes, shown: str, max_pixels: int) -> Image.Image | str:
    """The image, or the message ``showcase check`` gives for it (naming it as ``shown``)."""
    try:
        return decode(data, max_pixels)
    except Reject as exc:
        return PhotoFailure(Path(shown), exc.kind, exc.detail).describe(shown)


class Thumbnails:
    """Small JPEG previews of saved photos, by path, size and modification time.

    The editor shows photos as it lists them; sending the originals (12 MP, HEIC that browsers
    cannot show) would be slow and sometimes blank. What the browser gets is only for display:
    uploads always send the original.
    """

    def __init__(self, max_pixels: int, keep: int = 256) -> None:
        self.max_pixels = max_pixels
        self.keep = keep
        self._cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: Path) -> tuple[str, bytes]:
        """(id, JPEG bytes) for a photo; a grey square when it cannot be decoded."""
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        ident = hashlib.sha256(repr(key).encode()).hexdigest()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return ident, self._cache[key]
        data = _thumbnail(path.read_bytes(), path.name, self.max_pixels)
        with self._lock:
            self._cache[key] = data
            while len(self._cache) > self.keep:
                self._cache.popitem(last=False)
        return ident, data


def _thumbnail(data: bytes, shown: str, max_pixels: int) -> bytes:
    im = _decoded(data, shown, max_pixels)
    if isinstance(im, str):
        im = Image.new("RGB", (THUMB_SIZE, THUMB_SIZE * 3 // 4), "#cccccc")
    with im:
        im = ImageOps.exif_transpose(im)
        im.thumbnail((THUMB_SIZE, THUMB_SIZE))
        if im.mode not in ("RGB", "L"):
            im = im.convert("RGBA")
            back = Image.new("RGB", im.size, "#ffffff")
            back.paste(im, mask=im.getchannel("A"))
            im = back
        out = io.BytesIO()
        im.save(out, "JPEG", quality=82)
        return out.getvalue()
