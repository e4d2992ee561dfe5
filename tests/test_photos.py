"""generator.photos: real images made by Pillow, real files in tmp_path, no mocks."""

from __future__ import annotations

import io
import os
import re
import struct
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw

from generator import parallel
from generator.photos import (
    PhotoFailure,
    PhotoResult,
    PhotoSettings,
    Rendition,
    clean_stale,
    process_photos,
)

NAME_RE = re.compile(r"^[0-9a-f]{16}-(\d+|cover)\.webp$")


# --------------------------------------------------------------------------- helpers


def photo(w: int = 1200, h: int = 900, seed: int = 0) -> Image.Image:
    """A small photo-like image: gradient, shapes, a marker block at the stored top-left."""
    im = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    d = ImageDraw.Draw(im)
    for i in range(6):
        x = (seed * 97 + i * 173) % w
        y = (seed * 31 + i * 89) % h
        d.ellipse((x, y, x + w // 6, y + h // 6), fill=(40 * i % 256, 200, (seed * 50) % 256))
    d.rectangle((0, 0, w // 8, h // 8), fill=(255, 0, 0))
    return im


def save_jpeg(path: Path, im: Image.Image, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, "JPEG", quality=90, **kw)
    return path


def run(sources, tmp_path: Path, settings: PhotoSettings | None = None, **kw):
    return process_photos(
        [Path(s) for s in sources],
        settings or PhotoSettings(),
        out_dir=tmp_path / "out",
        cache_dir=tmp_path / "cache",
        workers=kw.pop("workers", 1),
        **kw,
    )


def ok(result) -> PhotoResult:
    assert isinstance(result, PhotoResult), result
    return result


def outputs(result: PhotoResult, out_dir: Path) -> list[Path]:
    return [out_dir / r.name for r in (*result.renditions, result.cover)]


def cache_entries(cache: Path) -> set[str]:
    return {p.name for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")}


class count_reads:
    """Count how often each file's bytes are read in this process (inline runs, workers=1).

    The parent reads a source to hash it only when its size, times or inode changed since the
    last run; a decode reads it once more. So a new or edited source read twice was decoded,
    and a source not read at all was a cache hit on a known file. The photo step reads files
    only through ``Path.read_bytes``, which is watched for the duration of the block only.
    """

    def __enter__(self) -> count_reads:
        self.paths: list[str] = []
        self._real = Path.read_bytes
        real, paths = self._real, self.paths

        def watched(path: Path) -> bytes:
            paths.append(str(path))
            return real(path)

        Path.read_bytes = watched  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        Path.read_bytes = self._real  # type: ignore[method-assign]

    def decoded(self, sources: list[Path]) -> list[Path]:
        return [s for s in sources if self.paths.count(str(s)) >= 2]


def adobe_rgb_icc() -> bytes:
    """A minimal ICC v2 matrix/TRC profile with the Adobe RGB (1998) primaries (D50-adapted).

    ImageCms can only create sRGB/LAB/XYZ profiles and no ICC files ship on this machine, so the
    profile is written byte by byte; littleCMS reads it like the real one.
    """

    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    text = b"Adobe RGB (1998) compatible\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * 8 + b"\0" * 70
    cprt = b"text\0\0\0\0public domain\0"
    curv = b"curv\0\0\0\0" + struct.pack(">IH", 1, 563) + b"\0\0"  # gamma 563/256 ≈ 2.2
    tags = [
        (b"desc", desc),
        (b"cprt", cprt),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.60974, 0.31111, 0.01947)),
        (b"gXYZ", xyz(0.20528, 0.62567, 0.06087)),
        (b"bXYZ", xyz(0.14919, 0.06322, 0.74457)),
        (b"rTRC", curv),
        (b"gTRC", curv),
        (b"bTRC", curv),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table = body = b""
    for sig, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (
        struct.pack(">I", offset + len(body))
        + b"\0" * 4
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2020, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 28
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        fourcc, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        chunks.append(fourcc)
        pos += 8 + size + (size & 1)
    return chunks


def assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    assert not set(webp_chunks(data)) & {b"EXIF", b"XMP ", b"ICCP"}
    assert b"Exif" not in data and b"GPS" not in data
    with Image.open(path) as im:
        assert im.format == "WEBP"
        assert len(im.getexif()) == 0
        assert "icc_profile" not in im.info and "exif" not in im.info and "xmp" not in im.info


def near(a, b, tol: int) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=False))


# --------------------------------------------------------------------------- orientation, metadata


def test_orientation_6_comes_out_portrait_without_exif(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    src = save_jpeg(tmp_path / "b/rot.jpg", photo(1200, 900), exif=exif)
    res = ok(run([src], tmp_path)[src])
    assert (res.width, res.height) == (900, 1200)
    assert [(r.width, r.height) for r in res.renditions] == [(480, 640), (900, 1200)]
    big = tmp_path / "out" / res.renditions[-1].name
    with Image.open(big) as im:
        assert im.size == (900, 1200)
        # Orientation 6 = rotate 90° clockwise to display: the stored top-left marker is now
        # at the top-right.
        rgb = im.convert("RGB")
        assert near(rgb.getpixel((900 - 20, 20)), (255, 0, 0), 40)
        assert not near(rgb.getpixel((20, 20)), (255, 0, 0), 60)
    for out in outputs(res, tmp_path / "out"):
        assert_no_metadata(out)


def test_draft_decode_keeps_full_oriented_size(tmp_path):
    # 1600x1200 with widths up to 400 decodes at 1/4 scale; the reported size stays full.
    exif = Image.Exif()
    exif[0x0112] = 8
    src = save_jpeg(tmp_path / "big.jpg", photo(1600, 1200), exif=exif)
    settings = PhotoSettings(widths=(200, 400), cover_width=200)
    res = ok(run([src], tmp_path, settings)[src])
    assert (res.width, res.height) == (1200, 1600)
    assert [(r.width, r.height) for r in res.renditions] == [(200, 267), (400, 533)]
    assert (res.cover.width, res.cover.height) == (200, 150)


def test_gps_is_never_published(tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0132] = "2026:03:02 10:00:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (30.0, 31.0, 12.5)
    gps[3], gps[4] = "E", (114.0, 18.0, 3.25)
    src = save_jpeg(tmp_path / "gps.jpg", photo(), exif=exif.tobytes(), comment=b"GPS secret")
    with Image.open(src) as im:  # the fixture really carries GPS
        assert im.getexif().get_ifd(0x8825)
    res = ok(run([src], tmp_path)[src])
    for out in outputs(res, tmp_path / "out"):
        assert_no_metadata(out)


def test_adobe_rgb_is_converted_to_srgb(tmp_path):
    icc = adobe_rgb_icc()
    green = (60, 180, 60)
    expected = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), green),
        ImageCms.ImageCmsProfile(io.BytesIO(icc)),
        ImageCms.createProfile("sRGB"),
    ).getpixel((0, 0))
    assert not near(expected, green, 30)  # the test means something: Adobe ≠ sRGB numbers
    src = tmp_path / "adobe.jpg"
    Image.new("RGB", (1200, 900), green).save(src, "JPEG", quality=95, icc_profile=icc)
    res = ok(run([src], tmp_path)[src])
    for out in outputs(res, tmp_path / "out"):
        assert_no_metadata(out)
        with Image.open(out) as im:
            px = im.convert("RGB").getpixel((im.width // 2, im.height // 2))
        assert near(px, expected, 6), (px, expected)
        assert not near(px, green, 30)


# --------------------------------------------------------------------------- formats and modes


def test_heic_publishes(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    src = tmp_path / "phone.heic"
    try:
        photo(1200, 900).save(src, "HEIF", quality=80)
    except (KeyError, OSError, RuntimeError) as exc:  # pragma: no cover - build without x265
        pytest.skip(f"此 pillow-heif 构建无法写 HEIC：{exc}")
    res = ok(run([src], tmp_path)[src])
    assert (res.width, res.height) == (1200, 900)
    with Image.open(tmp_path / "out" / res.renditions[-1].name) as im:
        assert im.size == (1200, 900)
        assert near(im.convert("RGB").getpixel((20, 20)), (255, 0, 0), 40)
    # Phones store rotation in HEIF itself; an EXIF orientation must not turn it twice.
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated = tmp_path / "portrait.heic"
    photo(1200, 900).save(rotated, "HEIF", quality=80, exif=exif.tobytes())
    res = ok(run([rotated], tmp_path)[rotated])
    assert (res.width, res.height) == (900, 1200)
    with Image.open(tmp_path / "out" / res.renditions[-1].name) as im:
        assert im.size == (900, 1200)
        assert near(im.convert("RGB").getpixel((900 - 20, 20)), (255, 0, 0), 40)
        assert len(im.getexif()) == 0


def test_cmyk_jpeg_publishes_as_rgb(tmp_path):
    src = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (1000, 750), (0, 255, 255, 0)).save(src, "JPEG", quality=95)
    res = ok(run([src], tmp_path)[src])
    with Image.open(tmp_path / "out" / res.renditions[-1].name) as im:
        assert im.mode == "RGB"
        assert near(im.getpixel((500, 375)), (255, 0, 0), 25)


def test_transparent_png_keeps_alpha(tmp_path):
    im = Image.new("RGBA", (1200, 900), (0, 0, 255, 255))
    ImageDraw.Draw(im).rectangle((0, 0, 599, 899), fill=(0, 0, 0, 0))
    src = tmp_path / "logo.png"
    im.save(src)
    res = ok(run([src], tmp_path)[src])
    for out in outputs(res, tmp_path / "out"):
        with Image.open(out) as pub:
            assert pub.mode == "RGBA"
            assert pub.getpixel((5, pub.height // 2))[3] == 0
            assert pub.getpixel((pub.width - 5, pub.height // 2))[3] == 255


@pytest.mark.parametrize("mode", ["P", "LA", "L", "I;16", "1", "RGB-tRNS"])
def test_other_modes_publish(tmp_path, mode):
    src = tmp_path / f"m-{mode.replace(';', '')}.png"
    if mode == "P":
        im = Image.new("P", (900, 600), 1)
        im.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
        im.info["transparency"] = 0
        ImageDraw.Draw(im).rectangle((0, 0, 100, 100), fill=0)
        im.save(src, transparency=0)
    elif mode == "RGB-tRNS":  # colour-key transparency, common in logos
        im = Image.new("RGB", (900, 600), (10, 200, 30))
        ImageDraw.Draw(im).rectangle((0, 0, 100, 100), fill=(0, 0, 0))
        im.save(src, transparency=(0, 0, 0))
    elif mode == "I;16":
        Image.new("I;16", (900, 600), 32768).save(src)
    else:
        Image.new(mode, (900, 600), 200 if mode != "LA" else (200, 128)).save(src)
    res = ok(run([src], tmp_path)[src])
    with Image.open(tmp_path / "out" / res.renditions[-1].name) as pub:
        px = pub.getpixel((450, 300))
        if mode == "I;16":  # 16-bit grey is scaled to 8 bits, not clipped to white
            assert near(px[:3], (128, 128, 128), 6)
        if mode in ("P", "LA", "RGB-tRNS"):
            assert pub.mode == "RGBA"
        if mode in ("P", "RGB-tRNS"):
            assert pub.getpixel((50, 50))[3] == 0 and near(px, (10, 200, 30, 255), 25)


# --------------------------------------------------------------------------- failures


def message(results, src: Path) -> str:
    res = results[src]
    assert isinstance(res, PhotoFailure), res
    assert res.source == src and str(src) in res.message
    return res.message


def test_bomb_by_settings_is_a_failure(tmp_path):
    src = save_jpeg(tmp_path / "big.jpg", photo(1200, 900))
    msg = message(run([src], tmp_path, PhotoSettings(max_pixels=1_000_000)), src)
    assert msg.startswith("图片像素过多（108 万像素，上限 100 万），可能是解压炸弹：")
    assert not any((tmp_path / "out").iterdir())


def png_claiming(w: int, h: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("w,h", [(12_000, 10_000), (100_000, 100_000)])
def test_png_header_bomb_is_refused_before_decoding(tmp_path, w, h):
    # 120 MP: above our limit, below Pillow's own error; 10 000 MP: Pillow refuses at open.
    src = tmp_path / "bomb.png"
    src.write_bytes(png_claiming(w, h))
    msg = message(run([src], tmp_path), src)
    assert "可能是解压炸弹" in msg and f"{w * h // 10_000} 万像素" in msg, msg


def test_truncated_zero_missing_unsupported(tmp_path):
    good = save_jpeg(tmp_path / "good.jpg", photo())
    data = good.read_bytes()
    trunc = tmp_path / "trunc.jpg"
    trunc.write_bytes(data[: len(data) // 2])
    header_only = tmp_path / "header.jpg"
    header_only.write_bytes(data[:40])
    png_trunc = tmp_path / "trunc.png"
    buf = io.BytesIO()
    photo(600, 400).save(buf, "PNG")
    png_trunc.write_bytes(buf.getvalue()[: len(buf.getvalue()) * 2 // 3])
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    gif = tmp_path / "anim.gif"
    photo(300, 200).save(gif, "GIF")
    text = tmp_path / "notes.jpg"
    text.write_text("这不是照片")
    missing = tmp_path / "nope.jpg"
    results = run(
        [good, trunc, header_only, png_trunc, empty, gif, text, missing], tmp_path, workers=2
    )
    ok(results[good])
    for p in (trunc, header_only, png_trunc):
        assert message(results, p) == f"文件已损坏或不完整：{p}"
    assert message(results, empty) == f"文件是空的（0 字节）：{empty}"
    assert message(results, gif).startswith("不支持的图片格式（GIF）：")
    assert message(results, text).startswith("不支持的图片格式：")
    assert "支持 JPEG、PNG、WebP、HEIC/HEIF" in message(results, text)
    assert message(results, missing).startswith("找不到照片文件：")
    # Only the good photo made a cache entry; failures leave nothing behind.
    assert len(cache_entries(tmp_path / "cache")) == 1
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".tmp")]


def test_small_photo_warns_and_is_never_upscaled(tmp_path):
    tiny = save_jpeg(tmp_path / "tiny.jpg", photo(300, 200))
    mid = save_jpeg(tmp_path / "mid.jpg", photo(1200, 900, seed=2))
    res = run([tiny, mid], tmp_path)
    t, m = ok(res[tiny]), ok(res[mid])
    assert t.renditions == (Rendition(t.renditions[0].name, 300, 200),)
    assert (t.cover.width, t.cover.height) == (266, 200)  # the crop itself, no upscale
    assert t.warnings == ("照片宽度只有 300 像素，建议至少 800 像素",)
    assert [r.width for r in m.renditions] == [480, 960, 1200] and m.warnings == ()
    for r in (*t.renditions, t.cover, *m.renditions, m.cover):
        with Image.open(tmp_path / "out" / r.name) as im:
            assert im.size == (r.width, r.height)


# --------------------------------------------------------------------------- cache, names


def test_names_are_content_hashed_stable_and_shared(tmp_path):
    a = save_jpeg(tmp_path / "branches/a/photos/x.jpg", photo(seed=1))
    b = tmp_path / "branches/b/photos/same.jpg"
    b.parent.mkdir(parents=True)
    b.write_bytes(a.read_bytes())
    first = run([a, b], tmp_path / "one")
    second = run([a, b], tmp_path / "two", workers=2)
    ra, rb = ok(first[a]), ok(first[b])
    assert ra.renditions == rb.renditions and ra.cover == rb.cover
    assert (ra.source, rb.source) == (a, b)
    assert ok(second[a]).renditions == ra.renditions
    names = sorted(p.name for p in (tmp_path / "one/out").iterdir())
    assert len(names) == 4 and all(NAME_RE.match(n) for n in names)
    assert len({n[:16] for n in names}) == 1
    for n in names:  # deterministic: same input, same bytes, pool or not
        assert (tmp_path / "one/out" / n).read_bytes() == (tmp_path / "two/out" / n).read_bytes()
    expected = [f"{names[0][:16]}-{w}.webp" for w in (480, 960, 1200)]
    assert [r.name for r in ra.renditions] == expected


def test_second_run_decodes_nothing_and_touches_nothing(tmp_path):
    srcs = [save_jpeg(tmp_path / f"p{i}.jpg", photo(seed=i)) for i in range(3)]
    with count_reads() as reads:
        first = run(srcs, tmp_path)
    assert reads.decoded(srcs) == srcs  # the counter sees decodes
    cache, out = tmp_path / "cache", tmp_path / "out"
    entries = cache_entries(cache)
    stamp = {p: p.stat().st_mtime_ns for p in [*out.iterdir(), *cache.rglob("*")]}
    with count_reads() as reads:
        second = run(srcs, tmp_path)
    assert second == first
    assert reads.decoded(srcs) == []
    # Size, times and inode unchanged: not even read again.
    assert all(reads.paths.count(str(s)) == 0 for s in srcs)
    assert cache_entries(cache) == entries
    assert {p: p.stat().st_mtime_ns for p in stamp} == stamp
    assert run(srcs, tmp_path, workers=2) == first  # the pool path hits the cache too


def test_changes_reprocess_exactly_that_work(tmp_path):
    srcs = [save_jpeg(tmp_path / f"p{i}.jpg", photo(seed=i)) for i in range(3)]
    cache = tmp_path / "cache"
    run(srcs, tmp_path)
    before = cache_entries(cache)
    assert len(before) == 3

    save_jpeg(srcs[1], photo(seed=9))  # one photo edited
    with count_reads() as reads:
        run(srcs, tmp_path)
    assert reads.decoded(srcs) == [srcs[1]]
    after_edit = cache_entries(cache)
    assert len(after_edit - before) == 1

    # min_width and max_pixels do not change output: no work at all.
    with count_reads() as reads:
        run(srcs, tmp_path, PhotoSettings(min_width=2000, max_pixels=50_000_000))
    assert reads.decoded(srcs) == [] and cache_entries(cache) == after_edit

    wider = PhotoSettings(widths=(480, 960, 1600, 2000))
    with count_reads() as reads:
        res = run(srcs, tmp_path, wider)
    # Every photo decoded once, no more; its hash was known from the unchanged file's stat.
    assert all(reads.paths.count(str(s)) == 1 for s in srcs)
    assert len(cache_entries(cache) - after_edit) == 3
    assert all(ok(r).warnings == () for r in res.values())
    with count_reads() as reads:
        run(srcs, tmp_path, wider)
    assert reads.decoded(srcs) == []


def test_half_written_cache_entry_is_rebuilt(tmp_path):
    src = save_jpeg(tmp_path / "p.jpg", photo())
    res = ok(run([src], tmp_path)[src])
    entry = tmp_path / "cache" / res.cover.name[:16]
    (entry / res.renditions[0].name).write_bytes(b"half")  # as if a copy was cut off
    (tmp_path / "cache/.tmp-deadbeef-x").mkdir()  # leftover of a killed worker
    (tmp_path / "out" / res.renditions[0].name).write_bytes(b"stale")
    again = ok(run([src], tmp_path)[src])
    assert again == res
    with Image.open(tmp_path / "out" / res.renditions[0].name) as im:
        assert im.size == (480, 360)


def test_no_published_file_equals_a_source(tmp_path):
    srcs = [save_jpeg(tmp_path / "a.jpg", photo(seed=3))]
    png = tmp_path / "b.png"
    photo(800, 600, seed=4).save(png)
    srcs.append(png)
    first = run(srcs, tmp_path / "1")
    # Feed one of our own outputs back in as a source: it must still not be published as is.
    recycled = tmp_path / "recycled.webp"
    recycled.write_bytes((tmp_path / "1/out" / ok(first[srcs[0]]).renditions[0].name).read_bytes())
    srcs.append(recycled)
    second = run(srcs, tmp_path / "2")
    for src in srcs:
        res = ok(second[src])
        own = {p.read_bytes() for p in outputs(res, tmp_path / "2/out")}
        assert src.read_bytes() not in own
    assert [r.width for r in ok(second[recycled]).renditions] == [480]


def test_settings_key_tracks_output_settings_only():
    base = PhotoSettings()
    assert base.key() == PhotoSettings().key() and re.fullmatch(r"[0-9a-f]{16}", base.key())
    assert PhotoSettings(widths=[1600, 480, 960]).key() == base.key()
    assert PhotoSettings(min_width=10, max_pixels=5).key() == base.key()
    for changed in (
        PhotoSettings(quality=80),
        PhotoSettings(method=4),
        PhotoSettings(widths=(480, 1600)),
        PhotoSettings(cover_width=320),
        PhotoSettings(cover_ratio=(1, 1)),
    ):
        assert changed.key() != base.key()
    with pytest.raises(ValueError):
        PhotoSettings(quality=101)


def test_clean_stale_removes_only_files_not_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for n in ("keep-480.webp", "keep-cover.webp", "old-480.webp", ".tmp"):
        (out / n).write_bytes(b"x")
    (out / "sub").mkdir()
    assert clean_stale(out, ["keep-480.webp", "keep-cover.webp"]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["keep-480.webp", "keep-cover.webp", "sub"]
    assert clean_stale(tmp_path / "missing", []) == 0


def test_progress_prints_plain_lines_when_not_a_tty(tmp_path, capsys):
    srcs = [save_jpeg(tmp_path / f"p{i}.jpg", photo(600, 450, seed=i)) for i in range(3)]
    run(srcs, tmp_path, progress=True, workers=2)
    err = capsys.readouterr().err
    assert not sys.stderr.isatty()
    assert err.splitlines() == ["处理照片 1/3", "处理照片 2/3", "处理照片 3/3"]
    run(srcs, tmp_path, progress=True)  # all cached: nothing to report
    assert capsys.readouterr().err == ""


def test_directory_as_source_is_a_failure(tmp_path):
    d = tmp_path / "photos"
    d.mkdir()
    assert message(run([d], tmp_path), d).startswith("不是普通文件")
    assert os.listdir(tmp_path / "out") == []


class _KillsWorker:
    """Unpickling this in a worker ends that process at once, as an OOM kill or a crash in a
    native decoder would."""

    def __reduce__(self):
        return (os._exit, (70,))


def test_a_dying_worker_fails_only_its_own_photo(tmp_path):
    from generator.photos import cache, publish

    settings = PhotoSettings()
    srcs = [save_jpeg(tmp_path / f"p{i}.jpg", photo(600, 450, seed=i)) for i in range(3)]
    jobs = [
        publish.Job(
            str(s),
            cache.digest(cache.content_hash(s.read_bytes()), settings.key()),
            settings,
            str(tmp_path / "c"),
        )
        for s in srcs
    ]
    poison = publish.Job("poison.jpg", "f" * 64, settings, _KillsWorker())
    outcomes = parallel.process_map(
        publish.work,
        [jobs[0], poison, *jobs[1:]],
        workers=2,
        chunksize=1,
        on_crash=lambda job: publish.Outcome(None, "crashed"),
    )
    assert outcomes[1] == publish.Outcome(None, "crashed")
    assert [o.meta is not None for o in (outcomes[0], *outcomes[2:])] == [True, True, True]
    failure = PhotoFailure(Path("a.jpg"), "crashed")
    assert (
        failure.describe("branches/x/a.jpg")
        == "处理照片时进程意外退出（可能内存不足）：branches/x/a.jpg"
    )


def test_pool_with_other_threads_running_uses_a_fork_server(tmp_path):
    # `showcase serve` runs watcher threads: workers must not be forked from a threaded process,
    # and the fork server must give the same bytes as fork.
    import threading

    from generator.photos import publish

    srcs = [save_jpeg(tmp_path / f"p{i}.jpg", photo(600, 450, seed=i)) for i in range(2)]
    forked = run(srcs, tmp_path / "fork", workers=2)
    stop = threading.Event()
    watcher = threading.Thread(target=stop.wait, daemon=True)
    watcher.start()
    try:
        if sys.platform.startswith("linux"):
            assert parallel.worker_context(publish.work).get_start_method() == "forkserver"
        served = run(srcs, tmp_path / "server", workers=2)
    finally:
        stop.set()
        watcher.join()
    assert served == forked
    for r in served.values():
        for out in outputs(ok(r), tmp_path / "server/out"):
            assert out.read_bytes() == (tmp_path / "fork/out" / out.name).read_bytes()
