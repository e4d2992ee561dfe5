"""Booklet benchmark: ``showcase booklet`` of N synthetic branches, against ``showcase build``.

    python bench/booklet.py              # N = 100 (about 5 minutes on 2 cores, most of it photos)
    python bench/booklet.py 100 300

The project is bench/scale.py's (same generator of branch.yml: all six parts, ~1,500 Chinese
characters, 20 townships, 3 photos of 2000x1500 per branch); by default every photo is distinct
(``--photo-pool 0`` = 3 x N), so the PDF's size per branch is what real, different photos give.
In the same run, as child processes:

- ``showcase build`` cold (empty caches) and warm: the baseline;
- ``showcase booklet`` after that build (photo and QR caches warm, print JPEGs made now),
  then again (everything warm; the two PDFs must be byte-identical);
- ``showcase booklet`` with the caches deleted (no build first: it decodes the photos itself).

Prints a table (seconds, ratios to the warm build, seconds per branch, pages, KB per branch) and
writes bench/booklet.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from scale import make_photo_pool, make_project  # noqa: E402

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


def run(cmd: list[str], cwd: Path) -> dict:
    """Wall and CPU seconds (the process and the workers it waited for), peak RSS, stderr.

    On a shared machine wall time moves with the neighbours' load; CPU time barely does, and
    on an idle machine a single-threaded step's wall time is its CPU time.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **EPOCH},
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stderr}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss // 1024,
        "stderr": stderr,
    }


def build(root: Path) -> dict:
    r = run([sys.executable, "-m", "generator.cli", "build", "--root", str(root)], root)
    r.pop("stderr")
    return r


def booklet(root: Path, out: Path) -> dict:
    r = run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "booklet",
            "--root",
            str(root),
            "-o",
            str(out),
            "--timings-json",
            str(out.with_suffix(".json")),
        ],
        root,
    )
    r.pop("stderr")
    figures = json.loads(out.with_suffix(".json").read_text("utf-8"))
    return {**r, **figures}


def images_in(pdf: Path) -> dict:
    """Photos in the PDF as poppler lists them: count, widest, and the dpi range."""
    rows = [
        r.split()
        for r in subprocess.run(
            ["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True
        ).stdout.splitlines()[2:]
    ]
    photos = [r for r in rows if r[8] == "jpeg"]
    ppi = [int(r[12]) for r in photos]
    return {
        "photos": len(photos),
        "widest_px": max(int(r[3]) for r in photos),
        "ppi_min": min(ppi),
        "ppi_max": max(ppi),
    }


def bench(n: int, work: Path, pool_size: int) -> dict:
    root = work / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    t = time.perf_counter()
    pool = make_photo_pool(work / "pool", pool_size or 3 * n)
    make_project(root, n, pool)
    print(f"N={n}: project made in {time.perf_counter() - t:.1f} s", flush=True)
    row: dict = {"n": n}
    row["build_cold"] = build(root)
    row["build_warm"] = build(root)
    print(f"  build cold {row['build_cold']}, warm {row['build_warm']}", flush=True)
    first, second = work / "first.pdf", work / "second.pdf"
    row["booklet_after_build"] = booklet(root, first)
    row["booklet_warm"] = booklet(root, second)
    row["identical"] = first.read_bytes() == second.read_bytes()
    print(f"  booklet after build {row['booklet_after_build']}", flush=True)
    print(f"  booklet warm {row['booklet_warm']}; identical bytes: {row['identical']}", flush=True)
    shutil.rmtree(root / ".cache")
    row["booklet_cold"] = booklet(root, work / "cold.pdf")
    print(f"  booklet cold (no build, empty caches) {row['booklet_cold']}", flush=True)
    row["images"] = images_in(second)
    print(f"  images {row['images']}", flush=True)
    shutil.rmtree(root, ignore_errors=True)
    return row


def report(rows: list[dict]) -> str:
    def both(r: dict) -> str:
        return f"{r['wall']:.1f} / {r['cpu']:.1f}"

    lines = [
        "| N | build cold | build warm | booklet after build | booklet warm | booklet cold "
        "| warm booklet / warm build (CPU) | CPU s per branch (warm) | layout + PDF s | pages "
        "| PDF MB | KB per branch | photos | widest px | dpi | same bytes | peak RSS MiB |",
        "|" + "---|" * 17,
    ]
    for r in rows:
        n, w = r["n"], r["booklet_warm"]
        rss = max(r[k]["rss_mib"] for k in ("booklet_after_build", "booklet_warm", "booklet_cold"))
        img = r["images"]
        lines.append(
            f"| {n} | {both(r['build_cold'])} | {both(r['build_warm'])}"
            f" | {both(r['booklet_after_build'])} | {both(w)} | {both(r['booklet_cold'])}"
            f" | {w['cpu'] / r['build_warm']['cpu']:.2f} | {w['cpu'] / n:.3f} | {w['pdf']:.1f}"
            f" | {w['pages']} | {w['bytes'] / 1e6:.1f} | {w['bytes'] / n / 1000:.0f}"
            f" | {img['photos']} | {img['widest_px']} | {img['ppi_min']}–{img['ppi_max']}"
            f" | {'yes' if r['identical'] else 'NO'} | {rss} |"
        )
    lines.append("")
    lines.append("Times are wall s / CPU s (the command and the workers it waited for).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="*", type=int, default=[100])
    parser.add_argument(
        "--photo-pool",
        type=int,
        default=0,
        help="distinct photos to draw from; 0 (default): 3 x N, all distinct",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep the photo pool here between runs (drawing it takes a while)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench/booklet.json")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="showcase-booklet-"))
    rows = [bench(n, work, args.photo_pool) for n in args.n]
    args.out.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    print(report(rows))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
