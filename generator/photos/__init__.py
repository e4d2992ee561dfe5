"""Photos: branch photos → content-addressed, metadata-free sRGB WebP renditions.

Pure functions of (source bytes, settings) → files. Work is cached by content in ``cache_dir``
(one folder per photo, written atomically), so an unchanged photo is never decoded again, and
cache misses are spread over all cores with a process pool. Nothing here imports MkDocs or any
other generator module: the step must stay usable (and testable) on its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import multiprocessing
import multiprocessing.context
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageFile, ImageOps, features

from ..progress import Progress

__all__ = [
    "PhotoFailure",
    "PhotoResult",
    "PhotoSettings",
    "Rendition",
    "clean_stale",
    "process_photos",
]

# Bump when the pipeline changes in a way that changes output bytes for the same settings:
# it is part of every output name, so old cache entries and published files are never reused.
_PIPELINE_VERSION = 2
_META = "meta.json"
_SUPPORTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
_SUPPORTED_TEXT = "JPEG、PNG、WebP、HEIC/HEIF"
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


@dataclass(frozen=True)
class PhotoSettings:
    # method 2 rather than libwebp's default 4: measured on 1600 px photos it encodes 2.3x faster
    # for +1 % bytes and -0.03 dB PSNR at the same quality (see bench/README.md).
    widths: tuple[int, ...] = (480, 960, 1600)  # published widths, never upscaled
    quality: int = 78  # WebP quality
    method: int = 2  # WebP method (speed/size trade-off)
    cover_width: int = 640  # card cover crop, 4:3 (640x480)
    cover_ratio: tuple[int, int] = (4, 3)
    max_pixels: int = 100_000_000  # decompression-bomb limit
    min_width: int = 800  # below: warning (not an error)

    def __post_init__(self) -> None:
        # Callers pass values straight from mkdocs.yml (lists, unsorted): normalise once here so
        # key() and the renditions never depend on how the widths were written.
        widths = tuple(sorted({int(w) for w in self.widths}))
        if not widths or widths[0] < 1:
            raise ValueError(f"照片宽度设置无效：{list(self.widths)}，应为正整数列表")
        if not 0 <= int(self.quality) <= 100:
            raise ValueError(f"照片质量 quality 应在 0 到 100 之间，现为 {self.quality}")
        if not 0 <= int(self.method) <= 6:
            raise ValueError(f"WebP 编码 method 应在 0 到 6 之间，现为 {self.method}")
        ratio = tuple(int(v) for v in self.cover_ratio)
        if len(ratio) != 2 or min(ratio) < 1 or int(self.cover_width) < 1:
            raise ValueError(f"封面设置无效：宽 {self.cover_width}，比例 {self.cover_ratio}")
        object.__setattr__(self, "widths", widths)
        object.__setattr__(self, "cover_ratio", ratio)

    def key(self) -> str:
        """Stable hash of everything that changes output bytes.

        max_pixels and min_width only decide failures and warnings, which are re-derived from
        the cached source size on every run, so they are deliberately left out. The libwebp
        version is in: a different encoder gives different bytes, and a cache entry must always
        hold what this machine would produce (byte-identical builds).
        """
        payload = {
            "v": _PIPELINE_VERSION,
            "widths": list(self.widths),
            "quality": int(self.quality),
            "method": int(self.method),
            "cover": [int(self.cover_width), *self.cover_ratio],
            "webp": features.version("webp"),
        }
        raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class Rendition:
    name: str  # file name inside out_dir, e.g. "3fa9c2d1e4b5a6f7-960.webp"
    width: int
    height: int


@dataclass(frozen=True)
class PhotoResult:
    source: Path
    width: int  # oriented source size
    height: int
    renditions: tuple[Rendition, ...]  # ascending width
    cover: Rendition  # the centre crop at cover_ratio
    warnings: tuple[str, ...] = ()  # Chinese messages


@dataclass(frozen=True)
class PhotoFailure:
    source: Path
    message: str  # Chinese, names the file


# (source path, full digest, settings, cache dir): what a worker needs, all picklable.
_Job = tuple[str, str, PhotoSettings, str]


class _Reject(Exception):
    """A photo that cannot be published; ``kind`` selects the Chinese message."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


_FAILURES = {
    "missing": "找不到照片文件：{p}",
    "notfile": "不是普通文件（可能是文件夹）：{p}",
    "unreadable": "无法读取照片文件：{p}（{detail}）",
    "empty": "文件是空的（0 字节）：{p}",
    "unsupported": "不支持的图片格式{what}：{p}；支持 {supported}",
    "corrupt": "文件已损坏或不完整：{p}",
    "bomb": "图片像素过多（{detail}），可能是解压炸弹：{p}",
    "changed": "照片在处理过程中被修改，请重新构建：{p}",
    "crashed": "处理照片时进程意外退出（可能内存不足）：{p}",
}


def _failure_message(kind: str, detail: str, path: Path) -> str:
    # Messages are built in the parent: the worker result is shared by every source with the
    # same bytes, and each failure must name its own file.
    template = _FAILURES.get(kind, "处理照片失败：{p}（{detail}）")
    what = f"（{detail}）" if detail else ""
    return template.format(p=path, detail=detail, what=what, supported=_SUPPORTED_TEXT)


def _bomb_detail(pixels: int, limit: int) -> str:
    return f"{pixels / 10_000:.0f} 万像素，上限 {limit / 10_000:.0f} 万"


# --------------------------------------------------------------------------- worker side

_heif_registered = False


def _register_heif() -> None:
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
        im = Image.open(io.BytesIO(data), formats=_SUPPORTED_FORMATS)
    except Image.DecompressionBombError as exc:
        m = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = int(m.group(1)) if m else max_pixels * 2
        raise _Reject("bomb", _bomb_detail(pixels, max_pixels)) from None
    except Exception:
        if _sniff(data):
            raise _Reject("corrupt") from None
        raise _Reject("unsupported", _describe_unsupported(data)) from None
    w, h = im.size
    if w < 1 or h < 1:
        raise _Reject("corrupt")
    # Checked on the header size, before any pixel is decoded.
    if w * h > max_pixels:
        raise _Reject("bomb", _bomb_detail(w * h, max_pixels))
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


def _render(job: _Job) -> tuple[str, Any]:
    """Worker: decode one photo once, write every output into a new cache entry.

    Returns ("ok", meta) or ("fail", (kind, detail)). Never raises for a bad photo.
    """
    path, digest, settings, cache_dir = job
    try:
        return "ok", _render_checked(Path(path), digest, settings, Path(cache_dir))
    except _Reject as exc:
        return "fail", (exc.kind, exc.detail)
    except MemoryError:
        return "fail", ("other", "内存不足")
    except Exception as exc:  # a photo must never take the build down
        return "fail", ("other", f"{type(exc).__name__}: {exc}")


def _render_checked(path: Path, digest: str, settings: PhotoSettings, cache_dir: Path) -> dict:
    _register_heif()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _Reject("missing") from None
    except OSError as exc:
        raise _Reject("unreadable", exc.strerror or str(exc)) from None
    # Re-hash what we decode: the entry is stored under this digest, and the file may have
    # been edited since the parent hashed it.
    if _digest(hashlib.sha256(data).hexdigest(), settings.key()) != digest:
        raise _Reject("changed")
    if not data:
        raise _Reject("empty")

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
            detail = _bomb_detail(stored_w * stored_h, settings.max_pixels)
            raise _Reject("bomb", detail) from None
        except Exception:
            raise _Reject("corrupt") from None

    # Source size in the published orientation, at full (not draft) scale. Derived from what
    # exif_transpose actually did, so HEIF files that the decoder already rotated stay right.
    turned = im.size != decoded and im.size == decoded[::-1]
    full_w, full_h = (stored_h, stored_w) if turned else (stored_w, stored_h)
    im = _to_srgb(im, icc, notes)

    name_root = digest[:16]
    outputs: list[tuple[str, int, int, bytes]] = []
    # Largest first, each smaller one from the previous result: every step is a >= 1.6x
    # Lanczos reduction, visually identical to resizing from the full decode, and cheaper.
    scaled = [im]
    for w, h in reversed(_plan(full_w, full_h, settings)):
        if scaled[-1].size != (w, h):
            scaled.append(scaled[-1].resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0))
        outputs.append((f"{name_root}-{w}.webp", w, h, _encode(scaled[-1], settings, data)))
    outputs.reverse()

    rw, rh = settings.cover_ratio
    # Never upscale: the cover is at most as wide as the crop at full source resolution.
    fcw = full_w if full_w * rh <= full_h * rw else full_h * rw / rh
    cover_w = max(1, min(settings.cover_width, math.floor(fcw + 1e-6)))
    cover_h = max(1, round(cover_w * rh / rw))
    for base in reversed(scaled):
        # The smallest image that still has the cover's pixels: cropping a 960 rendition
        # costs a quarter of cropping the full decode, for the same result.
        bw, bh = base.size
        cw, ch = (bh * rw / rh, float(bh)) if bw * rh > bh * rw else (float(bw), bw * rh / rw)
        if cw + 1e-6 >= cover_w or base is im:
            break
    box = ((bw - cw) / 2, (bh - ch) / 2, (bw + cw) / 2, (bh + ch) / 2)
    cover_im = base.resize((cover_w, cover_h), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    cover = (f"{name_root}-cover.webp", cover_w, cover_h, _encode(cover_im, settings, data))

    meta = {
        "version": _PIPELINE_VERSION,
        "width": full_w,
        "height": full_h,
        "renditions": [[n, w, h, len(b)] for n, w, h, b in outputs],
        "cover": [cover[0], cover[1], cover[2], len(cover[3])],
        "notes": notes,
    }
    _write_entry(cache_dir, name_root, [*outputs, cover], meta)
    return meta


def _write_entry(
    cache_dir: Path, name: str, files: list[tuple[str, int, int, bytes]], meta: dict
) -> None:
    """Write a cache entry so that it appears whole or not at all (temp dir + rename)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / name
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=cache_dir))
    try:
        for fname, _w, _h, blob in files:
            (tmp / fname).write_bytes(blob)
        (tmp / _META).write_text(json.dumps(meta, ensure_ascii=False, sort_keys=True))
        os.chmod(tmp, 0o755)
        try:
            os.rename(tmp, final)
        except OSError:
            # Another worker or build got there first, or a damaged entry is in the way.
            if _read_meta(cache_dir, name) is None:
                shutil.rmtree(final, ignore_errors=True)
                os.rename(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- parent side


def _digest(content: str, key: str) -> str:
    """The cache name of a photo: its bytes' hash combined with the output settings."""
    return hashlib.sha256(f"{content}\0{key}".encode()).hexdigest()


_STAT_CACHE = ".fingerprints.json"


def _fingerprint(source: Path, key: str, known: dict[str, list]) -> tuple[str, str, str, int]:
    """(failure kind, detail, digest, size) of one source; kind is "" when readable.

    A file whose size, times and inode are those recorded last time is not read again: with
    thousands of photos, hashing every byte would dominate a build where nothing changed.
    ``known`` (path → [size, mtime_ns, ctime_ns, inode, content hash]) is updated in place.
    """
    try:
        st = source.stat()
        if not stat.S_ISREG(st.st_mode):
            return "notfile", "", "", 0
        if st.st_size == 0:
            return "empty", "", "", 0
        sig = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        record = known.get(str(source))
        if record is not None and record[:4] == sig:
            content = record[4]
        else:
            data = source.read_bytes()
            if not data:
                return "empty", "", "", 0
            content = hashlib.sha256(data).hexdigest()
            known[str(source)] = [*sig, content]
    except FileNotFoundError:
        return "missing", "", "", 0
    except OSError as exc:
        return "unreadable", exc.strerror or str(exc), "", 0
    return "", "", _digest(content, key), st.st_size


def _load_stat_cache(cache_dir: Path) -> dict[str, list]:
    try:
        data = json.loads((cache_dir / _STAT_CACHE).read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_stat_cache(cache_dir: Path, known: dict[str, list]) -> None:
    tmp = cache_dir / f".{_STAT_CACHE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(known, separators=(",", ":")), "utf-8")
    os.replace(tmp, cache_dir / _STAT_CACHE)


def _read_meta(cache_dir: Path, name: str) -> dict | None:
    """A cache entry's meta, or None unless the entry is complete and intact.

    Only the meta file is read and the outputs stat'ed: a hit never decodes anything.
    """
    entry = cache_dir / name
    try:
        meta = json.loads((entry / _META).read_text())
        if meta.get("version") != _PIPELINE_VERSION:
            return None
        for fname, _w, _h, size in [*meta["renditions"], meta["cover"]]:
            if (entry / fname).stat().st_size != size:
                return None
        return meta
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _result(source: Path, meta: dict, settings: PhotoSettings) -> PhotoResult | PhotoFailure:
    width, height = int(meta["width"]), int(meta["height"])
    # Re-checked on hits so that lowering max_pixels applies to cached photos too.
    if width * height > settings.max_pixels:
        detail = _bomb_detail(width * height, settings.max_pixels)
        return PhotoFailure(source, _failure_message("bomb", detail, source))
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

    Hardlinks where possible (no copy, and an unchanged file keeps its mtime); a copy when the
    cache is on another file system.
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
        tmp = out_dir / f".{name}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        os.replace(tmp, dst)


def _Progress(total: int, enabled: bool) -> Progress:  # noqa: N802 - kept for callers
    # Photos are slow enough that even a few deserve a progress line.
    return Progress("处理照片", total, enabled, minimum=1)


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
    output files. Only cache misses are decoded, in a process pool (inline for one job or
    workers == 1). With ``out_dir=None`` the cache is filled and nothing is published
    (``showcase check`` and ``showcase photos --shard``).
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
    # Reading and hashing is the whole cost of a warm run; hashlib releases the GIL on large
    # buffers, so a few threads overlap disk reads with hashing.
    known = _load_stat_cache(cache_dir)
    before = dict(known)
    with ThreadPoolExecutor(max_workers=min(4, max(1, len(unique)))) as threads:
        prints = list(threads.map(lambda p: _fingerprint(p, key, known), unique))
    if known != before:
        _save_stat_cache(cache_dir, known)

    for source, (kind, detail, digest, size) in zip(unique, prints, strict=True):
        if kind:
            results[source] = PhotoFailure(source, _failure_message(kind, detail, source))
            continue
        results[source] = None  # type: ignore[assignment]  # placeholder keeps input order
        if digest in by_digest:
            by_digest[digest].append(source)
            continue
        by_digest[digest] = [source]
        meta = _read_meta(cache_dir, digest[:16])
        if meta is not None:
            metas[digest] = meta
        else:
            misses.append((size, digest, source))

    # Biggest first so that the pool does not end waiting on one large photo.
    misses.sort(key=lambda m: (-m[0], m[1]))
    jobs = [(str(src), digest, settings, str(cache_dir)) for _size, digest, src in misses]
    outcomes = _run(jobs, workers, _Progress(len(jobs), progress))

    for digest, paths in by_digest.items():
        if digest in outcomes:
            status, payload = outcomes[digest]
            if status == "fail":
                kind, detail = payload
                for p in paths:
                    results[p] = PhotoFailure(p, _failure_message(kind, detail, p))
                continue
            metas[digest] = payload
        meta = metas[digest]
        first = _result(paths[0], meta, settings)
        if isinstance(first, PhotoResult) and out_dir is not None:
            names = [r.name for r in first.renditions] + [first.cover.name]
            _publish(cache_dir / digest[:16], out_dir, names)
        for p in paths:
            results[p] = _result(p, meta, settings)
    return results


def _pool_context() -> multiprocessing.context.BaseContext:
    """How to start workers: fork when that is safe, else a fork server.

    fork starts a pool in ~13 ms and does not re-import ``__main__`` (so scripts without an
    ``if __name__ == "__main__"`` guard work), but forking a process that runs other threads
    (``showcase serve`` and ``mkdocs serve`` run watcher and server threads) can deadlock the
    child. Then a fork server is used: ~140 ms for its first pool, ~40 ms after, with this
    module and Pillow preloaded. macOS never forks (its system libraries are not fork-safe).
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context()
    ctx = multiprocessing.get_context("forkserver")
    # Replaces the default preload of __main__, which need not be import-safe.
    ctx.set_forkserver_preload([__name__])
    return ctx


def _run(jobs: list[_Job], workers: int | None, progress: Progress) -> dict[str, tuple[str, Any]]:
    """Outcome of every job by digest: inline for one job or worker, else in a process pool."""
    outcomes: dict[str, tuple[str, Any]] = {}
    n = min(workers or os.cpu_count() or 1, len(jobs))
    if n <= 1:
        # No pool for a single job or worker: start-up would cost more than the work.
        for job in jobs:
            outcomes[job[1]] = _render(job)
            progress.advance()
        return outcomes
    broken = _pool_pass(jobs, n, outcomes, progress)
    # A worker that dies (killed for memory, a crash in a native decoder) breaks the whole pool
    # and every job still in it. Re-run those one at a time, each in a pool of its own, so that
    # only a photo that really kills its worker is reported -- and never in this process.
    for job in broken:
        if _pool_pass([job], 1, outcomes, progress):
            outcomes[job[1]] = ("fail", ("crashed", ""))
            progress.advance()
    return outcomes


def _pool_pass(
    jobs: list[_Job], n: int, outcomes: dict[str, tuple[str, Any]], progress: Progress
) -> list[_Job]:
    """Run jobs in a process pool; return the jobs lost to a broken pool."""
    broken: list[_Job] = []
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=_pool_context()) as pool:
            pending: dict[Future, _Job] = {pool.submit(_render, job): job for job in jobs}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = pending.pop(fut)
                    try:
                        outcomes[job[1]] = fut.result()
                    except BrokenProcessPool:
                        broken.append(job)
                        continue
                    except Exception as exc:
                        outcomes[job[1]] = ("fail", ("other", f"{type(exc).__name__}: {exc}"))
                    progress.advance()
    except (BrokenProcessPool, OSError):
        pass
    return broken + [j for j in jobs if j[1] not in outcomes and j not in broken]


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
