"""Benchmark of the photo step: ours (cold, warm) against a bare Pillow loop and sigal.

    python bench/photos.py --count 100            # corpus in a temp dir, removed afterwards
    python bench/photos.py --count 100 --corpus /tmp/showcase-corpus   # corpus kept and reused
    python bench/photos.py --count 24 --methods   # also sweep the WebP encoder method

Not a test: it prints a table and the machine facts to paste into bench/README.md. sigal is
not a project dependency; install it for the comparison with `pip install sigal`.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat, features

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.parallel import worker_context  # noqa: E402
from generator.photos import PhotoResult, PhotoSettings, process_photos  # noqa: E402

W, H = 4000, 3000
_CHILDREN = resource.RUSAGE_CHILDREN


# --------------------------------------------------------------------------- corpus


def _synth(seed: int) -> Image.Image:
    """A deterministic 12 MP image that compresses like a photo (~3 MB at JPEG q90).

    Smooth colour fields and hard-edged shapes give the large-scale structure, blurred noise at
    two scales gives texture (foliage, fabric) and grain, which is what costs bytes in photos.
    """
    rnd = random.Random(seed)
    base = Image.frombytes("RGB", (16, 12), rnd.randbytes(16 * 12 * 3)).resize((W, H), 3)
    d = ImageDraw.Draw(base)
    for _ in range(60):
        x, y, r = rnd.randrange(W), rnd.randrange(H), rnd.randrange(40, 600)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        if rnd.random() < 0.5:
            d.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            d.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
    base = base.filter(ImageFilter.GaussianBlur(2))
    mid = Image.frombytes("L", (W // 4, H // 4), rnd.randbytes(W // 4 * H // 4)).resize((W, H), 3)
    grain = Image.frombytes("L", (W, H), rnd.randbytes(W * H)).filter(ImageFilter.GaussianBlur(0.7))
    return Image.blend(base, Image.merge("RGB", (mid, grain, mid)), 0.22)


def _make_one(job: tuple[int, str]) -> str:
    i, path = job
    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"
    if i % 4 == 0:
        exif[0x0112] = 6  # a quarter shot in portrait: stored landscape, rotated on display
    if i % 3 == 0:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", (30.0, 31.0, float(i % 60))
        gps[3], gps[4] = "E", (114.0, 18.0, 3.25)
    _synth(i).save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def make_corpus(folder: Path, count: int, workers: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"photo-{i:04d}.jpg" for i in range(count)]
    todo = [(i, str(p)) for i, p in enumerate(paths) if not p.exists()]
    if todo:
        print(f"生成测试照片 {len(todo)} 张 → {folder}", file=sys.stderr)
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_make_one, todo))
    return paths


# --------------------------------------------------------------------------- bare Pillow loop


def _bare(job: tuple[str, str, PhotoSettings]) -> None:
    """The same work as ours minus every guarantee: no hashing, cache, checks, ICC or alpha."""
    src, out_dir, s = job
    stem = Path(src).stem
    im = Image.open(src)
    orientation = im.getexif().get(0x0112, 1)
    sw, sh = im.size
    if orientation >= 5:
        sw, sh = sh, sw
    crop_w = min(sw, sh * s.cover_ratio[0] / s.cover_ratio[1])
    scale = max(min(1.0, max(s.widths) / sw), min(1.0, s.cover_width / crop_w))
    box = (math.ceil(sw * scale), math.ceil(sh * scale))
    im.draft("RGB", box[::-1] if orientation >= 5 else box)
    if orientation != 1:
        im = ImageOps.exif_transpose(im)
    im = im.convert("RGB")
    scaled = [im]
    for w in sorted(s.widths, reverse=True):
        if w > sw:
            continue
        scaled.append(scaled[-1].resize((w, round(w * sh / sw)), Image.LANCZOS, reducing_gap=3.0))
        scaled[-1].save(f"{out_dir}/{stem}-{w}.webp", quality=s.quality, method=s.method)
    cover_h = s.cover_width * 3 // 4
    for base in reversed(scaled):  # the smallest image that holds the cover, as ours does
        bw, bh = base.size
        cw, ch = (bh * 4 / 3, bh) if bw * 3 > bh * 4 else (bw, bw * 3 / 4)
        if cw >= s.cover_width:
            break
    crop = ((bw - cw) / 2, (bh - ch) / 2, (bw + cw) / 2, (bh + ch) / 2)
    cover = base.resize((s.cover_width, cover_h), Image.LANCZOS, box=crop, reducing_gap=3.0)
    cover.save(f"{out_dir}/{stem}-cover.webp", quality=s.quality, method=s.method)


def run_bare(paths: list[Path], out_dir: Path, s: PhotoSettings, workers: int) -> float:
    out_dir.mkdir(parents=True)
    t = time.perf_counter()
    # The same pool as ours (forkserver context), so start-up costs match.
    with ProcessPoolExecutor(workers, mp_context=worker_context(_bare)) as pool:
        list(pool.map(_bare, [(str(p), str(out_dir), s) for p in paths]))
    return time.perf_counter() - t


# --------------------------------------------------------------------------- sigal


def _sigal_available() -> bool:
    try:
        import sigal  # noqa: F401
    except ImportError:
        print("sigal 未安装，跳过对比（安装：pip install sigal）", file=sys.stderr)
        return False
    return True


def run_sigal(
    paths: list[Path], work: Path, s: PhotoSettings, workers: int, method: int | None
) -> float:
    from sigal.gallery import Gallery
    from sigal.settings import read_settings

    album = work / "album"
    album.mkdir(parents=True)
    for p in paths:  # hardlinks: same bytes, no copy cost in the timing
        os.link(p, album / p.name)
    conf = work / "sigal.conf.py"
    jpg_options = {"quality": s.quality} | ({} if method is None else {"method": method})
    # Closest equivalent: our largest width as sigal's box (1600x1200; sigal swaps it for
    # portrait photos, so those come out 1200 wide where ours are 1600), its 640x480
    # centre-crop thumbnail as our cover, WebP at our quality, no HTML.
    conf.write_text(
        f"source = {str(album)!r}\n"
        f"destination = {str(work / 'out')!r}\n"
        "img_size = (1600, 1200)\n"
        "img_format = 'WEBP'\n"
        f"thumb_size = ({s.cover_width}, {s.cover_width * 3 // 4})\n"
        "thumb_fit = True\n"
        # sigal has no WebP setting: jpg_options go to save() for JPEG sources. Without a
        # method, libwebp's default (4) applies, which is what a sigal user gets.
        f"jpg_options = {jpg_options!r}\n"
        "write_html = False\n"
        "copy_exif_data = False\n"
        "autorotate_images = True\n"
    )
    import logging

    logging.getLogger("sigal").setLevel(logging.WARNING)
    t = time.perf_counter()
    settings = read_settings(str(conf))
    gallery = Gallery(settings, ncpu=workers, show_progress=False)
    gallery.build()
    elapsed = time.perf_counter() - t
    made = list((work / "out").rglob("*.webp"))
    if len(made) < 2 * len(paths):
        print(f"警告：sigal 只生成了 {len(made)} 个文件", file=sys.stderr)
    return elapsed


# --------------------------------------------------------------------------- encoder sweep


def _psnr(a: Image.Image, b: Image.Image) -> float:
    rms = ImageStat.Stat(ImageChops.difference(a, b)).rms
    mse = sum(v * v for v in rms) / 3
    return 10 * math.log10(255 * 255 / mse) if mse else 99.0


def method_sweep(paths: list[Path], quality: int) -> None:
    print(f"\nWebP method 对比（1600 px，quality {quality}，{len(paths)} 张，单核）")
    print("| method | median KB | ms/encode | PSNR dB |")
    print("|---|---|---|---|")
    images = []
    for p in paths:
        im = Image.open(p)
        im.draft("RGB", (2000, 1500))
        images.append(im.convert("RGB").resize((1600, 1200), Image.LANCZOS))
    for m in range(7):
        sizes, times, psnrs = [], [], []
        for im in images:
            t = time.perf_counter()
            buf = io.BytesIO()
            im.save(buf, "WEBP", quality=quality, method=m)
            times.append(time.perf_counter() - t)
            sizes.append(len(buf.getvalue()))
            psnrs.append(_psnr(im, Image.open(buf).convert("RGB")))
        print(
            f"| {m} | {statistics.median(sizes) / 1024:.0f} | "
            f"{statistics.mean(times) * 1000:.0f} | {statistics.mean(psnrs):.2f} |"
        )


# --------------------------------------------------------------------------- main


def _cpu_seconds() -> float:
    """CPU time of this process, its reaped children (sigal's fork pool) and the workers of the
    multiprocessing fork server (ours and the bare loop), which are the server's children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, _CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid:
        # /proc/PID/stat fields 16 and 17: cutime, cstime (waited-for children), in ticks.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return total


def machine() -> str:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    try:
        from importlib.metadata import version

        sigal_v = version("sigal")
    except Exception:
        sigal_v = "未安装"
    import PIL
    import pillow_heif

    return (
        f"nproc {os.cpu_count()}, CPU {model}; Python {platform.python_version()}, "
        f"Pillow {PIL.__version__}, libwebp {features.version('webp')}, "
        f"libjpeg-turbo {features.version('jpg')}, pillow-heif {pillow_heif.__version__}, "
        f"sigal {sigal_v}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--corpus", type=Path, help="folder to keep (and reuse) the test photos in")
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--method", type=int, default=PhotoSettings().method)
    ap.add_argument("--methods", action="store_true", help="also sweep WebP method 0..6")
    ap.add_argument("--no-sigal", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; medians are reported")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="showcase-bench-"))
    try:
        corpus = args.corpus or tmp / "corpus"
        paths = make_corpus(corpus, args.count, args.workers)
        for p in paths:  # page cache warm for every contender alike
            p.read_bytes()
        mb = statistics.median(p.stat().st_size for p in paths) / 1e6
        s = PhotoSettings(method=args.method)
        n = len(paths)
        print(f"{machine()}\n{n} 张 {W}x{H} JPEG（中位 {mb:.1f} MB），{args.workers} 进程")

        runs: dict[str, list[tuple[float, float]]] = {}

        def timed(name: str, fn) -> None:
            # Wall time decides; CPU seconds (this process + reaped pool workers) show whether a
            # slow round was our work or the VM's neighbours.
            c0 = _cpu_seconds()
            t = time.perf_counter()
            fn()
            wall = time.perf_counter() - t
            time.sleep(0.2)  # let the fork server reap its workers before reading its counters
            cpu = _cpu_seconds() - c0
            runs.setdefault(name, []).append((wall, cpu))

        have_sigal = not args.no_sigal and _sigal_available()
        res: dict = {}
        for rnd in range(args.repeat):
            # Interleaved rounds, fresh output and cache folders each time; medians reported.
            work = tmp / f"round{rnd}"
            timed("bare", lambda w=work: run_bare(paths, w / "bare", s, args.workers))

            def ours(w: Path = work) -> None:
                res.update(
                    process_photos(
                        paths, s, out_dir=w / "out", cache_dir=w / "cache", workers=args.workers
                    )
                )

            timed("cold", ours)
            timed("warm", ours)
            if have_sigal:
                timed("sigal", lambda w=work: run_sigal(paths, w / "sg", s, args.workers, None))
                timed(
                    "sigal_m", lambda w=work: run_sigal(paths, w / "sgm", s, args.workers, s.method)
                )
            if rnd < args.repeat - 1:
                shutil.rmtree(work, ignore_errors=True)
        failed = [r for r in res.values() if not isinstance(r, PhotoResult)]
        assert not failed, failed[:3]
        out_dir = work / "out"

        big = [
            (out_dir / r.renditions[-1].name).stat().st_size
            for r in res.values()
            if r.renditions[-1].width == 1600
        ]
        digest = hashlib.sha256()
        for r in sorted(res.values(), key=lambda r: str(r.source)):
            digest.update(r.renditions[-1].name.encode())

        def med(name: str) -> tuple[float, float]:
            # Best wall time (other jobs on a shared VM only ever add time) and the median CPU
            # time, which neighbours barely move.
            cpus = sorted(c for _w, c in runs[name])
            return min(w for w, _c in runs[name]), cpus[len(cpus) // 2]

        labels = {
            "cold": "ours, cold (empty cache)",
            "warm": "ours, warm (nothing changed)",
            "bare": "bare Pillow loop, same pool",
            "sigal": f"sigal, WebP q{s.quality}, libwebp default method 4",
            "sigal_m": f"sigal, WebP q{s.quality}, method {s.method} (passed via jpg_options)",
        }
        print(f"\n{args.repeat} 轮交替运行：最短墙钟时间，CPU 时间取中位数")
        print("| run | best s | photos/s | CPU s/photo | every round (s) |")
        print("|---|---|---|---|---|")
        for name, label in labels.items():
            if name not in runs:
                why = "--no-sigal" if args.no_sigal else "未安装：pip install sigal"
                print(f"| sigal | — | — | — | {why} |")
                break
            wall, cpu = med(name)
            every = ", ".join(f"{w:.3g}" for w, _c in runs[name])
            print(f"| {label} | {wall:.3g} | {n / wall:.1f} | {cpu / n:.3f} | {every} |")
        cold, warm = med("cold")[0], med("warm")[0]

        def ratio(other: str) -> str:
            (w_o, c_o), (w_c, c_c) = med(other), med("cold")
            return f"{w_o / w_c:.2f} by wall time, {c_o / c_c:.2f} by CPU time"

        print()
        print(f"- ours cold / bare (photos/s): {ratio('bare')}  (target ≥ 0.85)")
        if "sigal" in runs:
            print(f"- ours cold / sigal (photos/s): {ratio('sigal')}  (target ≥ 2)")
            print(f"- ours cold / sigal at our method: {ratio('sigal_m')}")
        print(f"- warm / cold time: {warm / cold * 100:.2f} %  (target ≤ 2 %)")
        print(f"- median 1600 px WebP: {statistics.median(big) / 1024:.0f} KB  (target ≤ 350 KB)")
        print(f"- output names digest: {digest.hexdigest()[:16]} (same corpus → same value)")

        if args.methods:
            method_sweep(paths[: min(12, n)], s.quality)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
