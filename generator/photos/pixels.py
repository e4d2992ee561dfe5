"""Pixels: one photo's bytes → its published renditions, as pure functions of (bytes, settings).

EXIF orientation applied, colours converted to sRGB, every byte of metadata left behind, then
WebP at each width and a cover crop. Nothing here touches files or knows about caches or pools
(``publish.py`` schedules the work, ``cache.py`` stores it).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import re
import warnings
from collections.abc import Iterator
from typing import Any, NamedTuple

from PIL import Image, ImageCms, ImageFile, ImageOps

from .results import bomb_detail
from .settings import PhotoSettings

SUPPORTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


class Reject(Exception):
    """A photo that cannot be published; ``kind`` is a key of ``results.FAILURES``."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


class Output(NamedTuple):
    name: str  # file name, e.g. "3fa9c2d1e4b5a6f7-960.webp"
    width: int
    height: int
    data: bytes


class Rendered(NamedTuple):
    width: int  # the source's size in its published orientation
    height: int
    renditions: list[Output]  # ascending width
    cover: Output
    notes: list[str]  # Chinese warnings (e.g. an unusable colour profile)


def render(data: bytes, settings: PhotoSettings, name_root: str) -> Rendered:
    """Decode ``data`` once and encode every output; raises ``Reject`` for a bad photo."""
    if not data:
        raise Reject("empty")
    register_heif()
    notes: list[str] = []
    with _pillow_limits(settings.max_pixels):
        im = _open(data, settings.max_pixels)
        stored_w, stored_h = im.size
        icc = im.info.get("icc_profile")
        try:
            if im.format == "JPEG":
                im.draft(im.mode, _draft_box(im, settings, _orientation(im)))
            im.load()
            decoded = im.size
            if _orientation(im) != 1:  # exif_transpose copies the image even when upright
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    im = ImageOps.exif_transpose(im)
        except Image.DecompressionBombError:
            detail = bomb_detail(stored_w * stored_h, settings.max_pixels)
            raise Reject("bomb", detail) from None
        except Exception:
            raise Reject("corrupt") from None

    # Source size in the published orientation, at full (not draft) scale. Derived from what
    # exif_transpose actually did, so HEIF files that the decoder already rotated stay right.
    turned = im.size != decoded and im.size == decoded[::-1]
    full_w, full_h = (stored_h, stored_w) if turned else (stored_w, stored_h)
    im = _to_srgb(im, icc, notes)

    outputs: list[Output] = []
    # Largest first, each smaller one from the previous result: every step is a >= 1.6x
    # Lanczos reduction, visually identical to resizing from the full decode, and cheaper.
    scaled = [im]
    for w, h in reversed(_plan(full_w, full_h, settings)):
        if scaled[-1].size != (w, h):
            scaled.append(scaled[-1].resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0))
        outputs.append(Output(f"{name_root}-{w}.webp", w, h, _encode(scaled[-1], settings, data)))
    outputs.reverse()
    cover = _cover(scaled, full_w, full_h, settings, data, name_root)
    return Rendered(full_w, full_h, outputs, cover, notes)


def decode(data: bytes, max_pixels: int) -> Image.Image:
    """Decode all of ``data`` within the bomb limit, or raise ``Reject``: a photo check without
    rendering, for the editor's uploads before they are saved. A JPEG is decoded at an eighth
    of its size, which still reads (and so checks) every byte of it."""
    if not data:
        raise Reject("empty")
    register_heif()
    with _pillow_limits(max_pixels):
        im = _open(data, max_pixels)
        try:
            if im.format == "JPEG":
                im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
            im.load()
        except MemoryError:
            raise Reject("other", "内存不足") from None
        except Exception:
            raise Reject("corrupt") from None
    return im


def _cover(
    scaled: list[Image.Image],
    full_w: int,
    full_h: int,
    settings: PhotoSettings,
    source: bytes,
    name_root: str,
) -> Output:
    """The centre crop at the cover ratio, from the smallest rendition that has its pixels."""
    rw, rh = settings.cover_ratio
    # Never upscale: the cover is at most as wide as the crop at full source resolution.
    fcw = full_w if full_w * rh <= full_h * rw else full_h * rw / rh
    cover_w = max(1, min(settings.cover_width, math.floor(fcw + 1e-6)))
    cover_h = max(1, round(cover_w * rh / rw))
    for base in reversed(scaled):
        # Cropping a 960 rendition costs a quarter of cropping the full decode, same result.
        bw, bh = base.size
        cw, ch = (bh * rw / rh, float(bh)) if bw * rh > bh * rw else (float(bw), bw * rh / rw)
        if cw + 1e-6 >= cover_w or base is scaled[0]:
            break
    box = ((bw - cw) / 2, (bh - ch) / 2, (bw + cw) / 2, (bh + ch) / 2)
    cover_im = base.resize((cover_w, cover_h), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    data = _encode(cover_im, settings, source)
    return Output(f"{name_root}-cover.webp", cover_w, cover_h, data)


_heif_registered = False


def register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_registered = True


@contextlib.contextmanager
def _pillow_limits(max_pixels: int) -> Iterator[None]:
    # Pillow's own bomb guard raises only above twice its limit and merely warns in between;
    # align it with our setting and force truncated files to fail. Restored afterwards because
    # inline runs happen in the caller's process.
    saved = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
    Image.MAX_IMAGE_PIXELS = max_pixels
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # Between max_pixels and 2x Pillow only warns; our explicit size check decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _sniff(data: bytes) -> str | None:
    """Format by magic bytes, to tell a damaged supported file from an unsupported one."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        im = Image.open(io.BytesIO(data), formats=SUPPORTED_FORMATS)
    except Image.DecompressionBombError as exc:
        m = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = int(m.group(1)) if m else max_pixels * 2
        raise Reject("bomb", bomb_detail(pixels, max_pixels)) from None
    except Exception:
        if _sniff(data):
            raise Reject("corrupt") from None
        raise Reject("unsupported", _describe_unsupported(data)) from None
    w, h = im.size
    if w < 1 or h < 1:
        raise Reject("corrupt")
    # Checked on the header size, before any pixel is decoded.
    if w * h > max_pixels:
        raise Reject("bomb", bomb_detail(w * h, max_pixels))
    return im


def _describe_unsupported(data: bytes) -> str:
    # Name the actual format when Pillow knows it, so staff know what to re-export from.
    try:
        with Image.open(io.BytesIO(data)) as other:
            return str(other.format)
    except Exception:
        pass
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "AVIF"
    return ""


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
        return int(value) if value in range(1, 9) else 1
    except Exception:
        return 1


def _draft_box(im: Image.Image, settings: PhotoSettings, orientation: int) -> tuple[int, int]:
    """The smallest decoded size (stored orientation) that still serves every output.

    libjpeg can decode at 1/2, 1/4 or 1/8 scale for a fraction of the cost; draft() picks the
    largest reduction whose result is at least this box.
    """
    sw, sh = im.size
    if orientation >= 5:  # 90°/270°: the published width is the stored height
        sw, sh = sh, sw
    scale = min(1.0, max(settings.widths) / sw)
    crop_w = min(sw, sh * settings.cover_ratio[0] / settings.cover_ratio[1])
    scale = max(scale, min(1.0, settings.cover_width / crop_w))
    box = (math.ceil(sw * scale), math.ceil(sh * scale))
    return (box[1], box[0]) if orientation >= 5 else box


_SRGB: Any = None


def _srgb() -> Any:
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.createProfile("sRGB")
    return _SRGB


_transforms: dict[tuple[bytes, str, str], Any] = {}


def _to_srgb(im: Image.Image, icc: bytes | None, notes: list[str]) -> Image.Image:
    """Convert to 8-bit RGB or RGBA in sRGB; alpha is carried around the colour transform."""
    alpha: Image.Image | None = None
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit greyscale: a plain convert("L") clips at 255 instead of scaling.
        _lo, hi = im.convert("I").getextrema() if im.mode != "F" else im.getextrema()
        scale = 255 / 65535 if hi > 255 else 1
        im = im.convert("I").point(lambda v: v * scale).convert("L")
    if im.mode == "P" or im.mode == "PA":
        im = im.convert("RGBA" if im.has_transparency_data else "RGB")
    if im.mode in ("1",):
        im = im.convert("L")
    if im.mode in ("LA", "La", "RGBA", "RGBa"):
        if im.mode in ("La", "RGBa"):
            im = im.convert(im.mode.upper())
        alpha = im.getchannel("A")
        if alpha.getextrema() == (255, 255):
            alpha = None  # fully opaque: an alpha plane would only add bytes
        im = im.convert("L" if im.mode == "LA" else "RGB")
    elif im.mode in ("L", "RGB") and "transparency" in im.info:
        # PNG colour-key transparency (tRNS) becomes a real alpha plane.
        alpha = im.convert("RGBA").getchannel("A")

    converted: Image.Image | None = None
    if icc:
        converted = _icc_convert(im, icc, notes)
    if converted is None:
        # No (usable) profile: the pixels are taken as sRGB, CMYK by Pillow's naive formula.
        converted = im if im.mode == "RGB" else im.convert("RGB")
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


def _icc_convert(im: Image.Image, icc: bytes, notes: list[str]) -> Image.Image | None:
    out_mode = "RGB"
    key = (hashlib.sha256(icc).digest(), im.mode, out_mode)
    transform = _transforms.get(key)
    if transform is None:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            space = profile.profile.xcolor_space.strip()
            wanted = {"RGB": "RGB", "CMYK": "CMYK", "L": "GRAY"}.get(im.mode)
            if wanted is None or space != wanted:
                # A profile that does not describe these pixels: ignore it rather than guess.
                notes.append("照片嵌入的颜色配置文件与图像不符，已忽略，按 sRGB 处理")
                return None
            transform = ImageCms.buildTransform(
                profile,
                _srgb(),
                im.mode,
                out_mode,
                renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
            )
        except Exception:
            notes.append("照片嵌入的颜色配置文件无法读取，已按 sRGB 处理")
            return None
        if len(_transforms) > 32:
            _transforms.clear()
        _transforms[key] = transform
    try:
        return ImageCms.applyTransform(im, transform)
    except Exception:
        notes.append("照片颜色转换失败，已按 sRGB 处理")
        return None


def _encode(im: Image.Image, settings: PhotoSettings, source: bytes) -> bytes:
    # No exif, icc_profile or xmp: the output carries pixels only (sRGB is the web default).
    quality = settings.quality
    while True:
        buf = io.BytesIO()
        im.save(
            buf, "WEBP", quality=quality, method=settings.method, exif=b"", icc_profile=None, xmp=""
        )
        data = buf.getvalue()
        # Guarantee: an original is never published. Only a WebP source that is itself one of
        # our outputs could collide; a different quality breaks the tie deterministically.
        if data != source or quality == 0:
            return data
        quality -= 1


def _plan(width: int, height: int, settings: PhotoSettings) -> list[tuple[int, int]]:
    sizes = [w for w in settings.widths if w < width]
    if width <= settings.widths[-1]:
        # Narrower than the largest width: the full width is the last one, never more.
        sizes.append(width)
    return [(w, max(1, round(w * height / width))) for w in sizes]
