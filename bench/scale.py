"""Scale benchmark: N synthetic branches built cold, warm and after one edit, stage by stage.

    python bench/scale.py                 # N = 100, 1000, 5000 (about 15 minutes on 2 cores)
    python bench/scale.py 100 1000 --serve 1000 --browser 1000

For each N it generates a project in a temporary folder (realistic branch.yml with all six
parts, ~1,500 Chinese characters, 20 townships, shared tags, 3 photos of 2000x1500 each) and
runs ``showcase build`` as a child process, recording time per stage (the timings the build
writes with --timings-json FILE), peak RSS, ``site/`` size and the search index size
(``site/pagefind``, all of it; a visitor downloads only the chunks a query needs):

- cold: empty caches;
- cold, photos cached: every cache and output removed except the photo cache (the targets);
- warm (nothing changed) and after editing one branch.yml.

Baselines in the same run, over the same generated Markdown:

- plain ``mkdocs build``: our mkdocs.yml without the showcase plugin (warm builds are compared
  with it, alternating, ``--repeat`` times each);
- default Material: Material's defaults (no nav, so every page is in the navigation, default
  search, no theme overrides, no plugins but search and tags), only at the N of ``--material``
  because every page then carries the whole navigation.

Photos: each branch has its own three files, but their bytes come from a pool of distinct
images (``--photo-pool``), so the content-addressed cache processes the pool once. The photo
step's own speed is measured by bench/photos.py; here it must simply not dominate.

Results go to bench/scale.json; ``--plot`` draws bench/scale.png (needs matplotlib, a bench-only
dependency: ``pip install matplotlib``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TOWNS = [
    f"{a}{b}"
    for a, b in zip(
        "东南西北中上下前后新青白金石柳云双龙桃溪",
        "山河湖岭桥湾塘坪坝冲源港岗庄集铺垭峪沟洲",
        strict=True,
    )
]
TOWNS = [t + ("街道" if i < 3 else "镇" if i < 15 else "乡") for i, t in enumerate(TOWNS)]
FIELDS = ["农村", "社区", "机关", "事业单位", "两新组织", "国有企业", "学校"]
TAGS = [
    "集体经济",
    "乡村振兴",
    "邻里互助",
    "志愿服务",
    "产业党建",
    "基层治理",
    "红色文化",
    "为民服务",
    "百家宴",
    "联村党委",
    "菜单式服务",
    "文化礼堂",
    "党员先锋岗",
    "五美之星",
    "户党建",
    "教育党建",
    "两新党建",
    "生态保护",
    "平安建设",
    "移风易俗",
    "网格管理",
    "青年人才",
    "电商助农",
    "养老服务",
]
PHRASES = [
    "党支部召开党员大会专题研究",
    "村集体经济收入从不足五万元增加到",
    "党员群众服务中心全天开放",
    "每月固定主题党日",
    "组织党员认领责任岗位",
    "邀请县农业技术员驻村指导",
    "建立积分制管理台账",
    "群众满意度测评达到",
    "举办百家宴邀请老党员讲传统",
    "设立邻里节增进邻里感情",
    "推行菜单式服务清单",
    "联村党委统筹三个村的土地和劳力",
    "强村带弱村共同发展",
    "把支部建在产业链上",
    "开设学习大讲堂",
    "文化礼堂成为村民议事的场所",
    "党员带头清理房前屋后",
    "建成高标准农田",
    "发展特色种植和乡村旅游",
    "困难党员和老人得到结对帮扶",
    "矛盾纠纷化解在村里",
    "网格员每天走访",
    "年轻人返乡创业",
    "合作社统一收购统一销售",
    "收益按比例分配给入股农户",
    "开展五美之星评选",
    "户户挂牌亮身份",
    "党员承诺践诺接受群众监督",
    "年度考评排名全县前列",
    "入选市级示范点",
    "总结形成可复制的经验",
]


def sentence(rng: random.Random) -> str:
    parts = rng.sample(PHRASES, 3)
    return f"{parts[0]}，{parts[1]}{rng.randint(2, 98)}万元，{parts[2]}。"


def paragraph(rng: random.Random, n: int) -> str:
    return "".join(sentence(rng) for _ in range(n))


def branch_yaml(i: int, rng: random.Random) -> tuple[str, str]:
    town = TOWNS[i % len(TOWNS)]
    field = FIELDS[i % len(FIELDS)] if i % 3 else "农村"
    slug = f"b{i:05d}"
    name = f"{town}第{i}{'村' if field == '农村' else '单位'}党支部"
    tags = rng.sample(TAGS, 3)
    carriers = "\n".join(
        f"    - name: 载体{i}-{k}\n      description: {paragraph(rng, 1)}" for k in range(3)
    )
    cases = "\n".join(
        f"    - title: 第{k + 1}个故事\n      date: 2025-0{k + 1}-1{k}\n"
        f"      text: |\n        {paragraph(rng, 3)}\n      photos: [photos/p{k}.jpg]"
        for k in range(2)
    )
    methods = "\n".join(f"    - {sentence(rng)}" for _ in range(4))
    photos = "\n".join(
        f"  - file: photos/p{k}.jpg\n    caption: {name}活动照片{k + 1}" for k in range(3)
    )
    demo = f"demonstration: {rng.choice(['县级', '市级', '镇级'])}\n" if i % 7 == 0 else ""
    honors = (
        "honors:\n  - title: 先进基层党组织\n    level: 县级\n    year: 2024\n"
        if i % 5 == 0
        else ""
    )
    text = f"""name: {name}
short_name: {town}第{i}支部
town: {town}
field: {field}
org_type: 党支部
secretary: 王某
members: {rng.randint(10, 200)}
founded: {rng.randint(1950, 2020)}
{demo}brand:
  name: 品牌{i}号
  slogan: 一支部一品牌第{i}号
  summary: {paragraph(rng, 2)[:280]}
  concept: |
    {paragraph(rng, 4)}
  theory: |
    {paragraph(rng, 3)}
  methods:
{methods}
  carriers:
{carriers}
  results: |
    {paragraph(rng, 4)}
  cases:
{cases}
{honors}tags: [{", ".join(tags)}]
photos:
{photos}
"""
    return slug, text


def make_photo_pool(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(count):
        path = folder / f"pool{k:03d}.jpg"
        if not path.exists():
            rng = random.Random(k)
            im = Image.effect_noise((2000, 1500), 40).convert("RGB")
            im = Image.blend(
                im,
                Image.new("RGB", im.size, (rng.randint(60, 200), rng.randint(60, 200), 120)),
                0.6,
            )
            d = ImageDraw.Draw(im)
            for _ in range(12):
                x, y = rng.randint(0, 1800), rng.randint(0, 1300)
                d.rectangle(
                    [x, y, x + rng.randint(80, 400), y + rng.randint(80, 300)],
                    fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)),
                )
            im.filter(ImageFilter.GaussianBlur(1)).save(path, quality=85)
        paths.append(path)
    return paths


def make_project(root: Path, n: int, pool: list[Path]) -> None:
    from tests.conftest import copy_project  # the same clean copy the tests use

    copy_project(root, branches=False)
    config = (root / "mkdocs.yml").read_text("utf-8")
    config = re.sub(r"towns: \[.*?\]", "towns: [" + ", ".join(TOWNS) + "]", config)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    rng = random.Random(n)
    for i in range(n):
        slug, text = branch_yaml(i, rng)
        folder = root / "branches" / slug
        (folder / "photos").mkdir(parents=True)
        (folder / "branch.yml").write_text(text, encoding="utf-8")
        for k in range(3):
            os.link(pool[(i * 3 + k) % len(pool)], folder / "photos" / f"p{k}.jpg")


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, str, str]:
    """Wall seconds, peak RSS in MiB (largest process of the tree), stdout, stderr.

    The CPU seconds of the process and the workers it waited for go to ``LAST_CPU``: on a
    machine shared with others they move far less than wall time does."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdout=out,
            stderr=err,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        LAST_CPU[0] = usage.ru_utime + usage.ru_stime
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stdout}\n{stderr}")
    return wall, usage.ru_maxrss // 1024, stdout, stderr


LAST_CPU = [0.0]


def build(root: Path) -> dict:
    figures = root / "timings.json"
    cmd = [
        sys.executable,
        "-m",
        "generator.cli",
        "build",
        "--root",
        str(root),
        "--timings-json",
        str(figures),
    ]
    wall, rss, _, _ = run(cmd, root, {"SOURCE_DATE_EPOCH": "1767225600"})
    timings = json.loads(figures.read_text("utf-8"))
    return {"wall": wall, "cpu": LAST_CPU[0], "rss_mib": rss, **timings}


def cache_entries(root: Path) -> int:
    folder = root / ".cache/showcase/photos"
    return sum(1 for p in folder.iterdir() if p.is_dir()) if folder.exists() else 0


def forget_all_but_photos(root: Path) -> None:
    """Back to a first build whose photos are already in the cache (CI keeps that cache)."""
    from generator.site.output import MANIFEST
    from generator.site.pages import GENERATED

    cache = root / ".cache/showcase"
    for p in cache.iterdir():
        if p.name != "photos":
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    for name in (*GENERATED, MANIFEST):
        p = root / "site_src" / name
        shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
    shutil.rmtree(root / "site", ignore_errors=True)


def plain_mkdocs(root: Path) -> float:
    """``mkdocs build`` over the same generated Markdown, without the showcase plugin."""
    config = (root / "mkdocs.yml").read_text("utf-8")
    (root / "mkdocs-plain.yml").write_text(without_showcase(config), encoding="utf-8")
    return mkdocs_build(root, "mkdocs-plain.yml")


def default_material(root: Path) -> float:
    """Material with its defaults over the same generated Markdown: every page in the navigation
    (no nav, no not_in_nav), default search, no overrides, no plugins but search and tags."""
    config = yaml.safe_load(
        re.sub(r"!!python/\S+", "", without_showcase((root / "mkdocs.yml").read_text("utf-8")))
    )
    plain = {
        "site_name": config["site_name"],
        "site_url": config["site_url"],
        "docs_dir": config["docs_dir"],
        "theme": {"name": "material", "language": "zh"},
        "markdown_extensions": ["attr_list", "md_in_html", "tables", "admonition", "toc"],
        "plugins": ["search", "tags"],
    }
    (root / "mkdocs-material.yml").write_text(yaml.safe_dump(plain, allow_unicode=True), "utf-8")
    return mkdocs_build(root, "mkdocs-material.yml")


def without_showcase(config: str) -> str:
    return re.sub(r"  - showcase:\n(?:      .*\n|        .*\n)*", "", config)


def mkdocs_build(root: Path, config_file: str) -> float:
    out = Path(tempfile.mkdtemp(prefix="baseline-site-"))
    try:
        wall, _, _, _ = run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-f", config_file, "-d", str(out)],
            root,
            {"SOURCE_DATE_EPOCH": "1767225600"},
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return wall


def du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def edit_one(root: Path) -> Path:
    path = sorted((root / "branches").glob("*/branch.yml"))[
        len(list((root / "branches").iterdir())) // 2
    ]
    text = path.read_text("utf-8")
    path.write_text(
        re.sub(r"slogan: .*", f"slogan: 改过的口号{time.time_ns()}", text, count=1),
        encoding="utf-8",
    )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_latency(root: Path) -> float:
    """Seconds from saving one branch.yml to the new text being served by ``showcase serve``."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "serve",
            "--root",
            str(root),
            "-a",
            f"127.0.0.1:{port}",
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        path = sorted((root / "branches").glob("*/branch.yml"))[0]
        url = f"http://127.0.0.1:{port}/branches/{path.parent.name}/"
        deadline = time.time() + 900
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(2)  # let the watcher settle after the first build
        marker = f"serve-marker-{time.time_ns()}"
        text = path.read_text("utf-8")
        start = time.perf_counter()
        path.write_text(re.sub(r"slogan: .*", f"slogan: {marker}", text, count=1), encoding="utf-8")
        while time.perf_counter() - start < 300:
            try:
                if marker in urllib.request.urlopen(url, timeout=5).read().decode():
                    return time.perf_counter() - start
            except OSError:
                pass
            time.sleep(0.1)
        return float("nan")
    finally:
        proc.terminate()
        proc.wait(30)


def browser_search(site: Path, query: str) -> dict:
    """Index load + first query in headless chromium on a phone viewport, in seconds."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True)
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            page.click('label[for="__search"]')
            page.fill("input.md-search__input", query)
            page.wait_for_selector(".md-search-result__item", timeout=120_000)
            first = time.perf_counter() - start
            browser.close()
    finally:
        server.shutdown()
    return {"first_query_s": first}


def bench(n: int, work: Path, pool: list[Path], args: argparse.Namespace) -> dict:
    root = work / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    t = time.perf_counter()
    make_project(root, n, pool)
    print(f"N={n}: project made in {time.perf_counter() - t:.1f} s", flush=True)
    row: dict = {"n": n}
    row["cold"] = build(root)
    print(f"  cold  {row['cold']}", flush=True)
    forget_all_but_photos(root)
    row["cold_photos_cached"] = build(root)
    print(f"  cold, photos cached  {row['cold_photos_cached']}", flush=True)
    entries = cache_entries(root)
    row["warm_runs"], row["plain_runs"], row["plain_cpu_runs"] = [], [], []
    for _ in range(args.repeat):  # alternate, so both see the same neighbours on the machine
        row["warm_runs"].append(build(root))
        row["plain_runs"].append(plain_mkdocs(root))
        row["plain_cpu_runs"].append(LAST_CPU[0])
        print(
            f"  warm {row['warm_runs'][-1]['wall']:.2f} s ({row['warm_runs'][-1]['cpu']:.2f} "
            f"CPU s), plain mkdocs {row['plain_runs'][-1]:.2f} s ({LAST_CPU[0]:.2f} CPU s)",
            flush=True,
        )
    row["warm"] = sorted(row["warm_runs"], key=lambda r: r["wall"])[len(row["warm_runs"]) // 2]
    row["warm"]["photos_decoded"] = cache_entries(root) - entries
    row["plain_mkdocs"] = sorted(row["plain_runs"])[len(row["plain_runs"]) // 2]
    row["warm_cpu"] = sorted(r["cpu"] for r in row["warm_runs"])[len(row["warm_runs"]) // 2]
    row["plain_cpu"] = sorted(row["plain_cpu_runs"])[len(row["plain_cpu_runs"]) // 2]
    edit_one(root)
    row["edit"] = build(root)
    print(f"  edit  {row['edit']}", flush=True)
    cached = [row["cold_photos_cached"]]  # cold builds with photos cached: ours / MkDocs
    if n in args.material:
        # Alternating pairs, like warm/plain: on a shared machine the speed drifts by 20-30 %
        # within minutes, so a cold build and a Material build far apart compare badly.
        pairs = []
        for _ in range(args.repeat):
            forget_all_but_photos(root)
            cached.append(build(root))
            cold = cached[-1]["wall"]
            pairs.append([cold, default_material(root)])
            print(f"  cold, photos cached {cold:.2f} s, default Material {pairs[-1][1]:.2f} s")
        row["cold_material_pairs"] = pairs
        row["default_material"] = median([m for _, m in pairs])
        row["cold_vs_material"] = median([c / m for c, m in pairs])
    else:
        for _ in range(args.repeat - 1):
            forget_all_but_photos(root)
            cached.append(build(root))
    # One build's share moved by a fifth between runs here: the median of every cold build.
    row["ours_shares"] = [ours(b) / b["mkdocs"] for b in cached]
    row["site_bytes"] = du(root / "site")
    # Pagefind writes its index and fragments compressed already: their size is what is sent.
    row["index_gz"] = du(root / "site/pagefind")
    row["branch_page_bytes"] = (root / "site/branches/b00000/index.html").stat().st_size
    if n in args.serve:
        row["serve_edit_s"] = serve_latency(root)
        print(f"  serve: change visible after {row['serve_edit_s']:.2f} s", flush=True)
    if n in args.browser:
        row["browser"] = browser_search(root / "site", "集体经济")
        print(f"  browser: {row['browser']}", flush=True)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return row


OURS = ("load", "qr", "pages", "write")  # our stages; pages: planning + waiting for its worker


def ours(b: dict) -> float:
    return sum(b.get(k, 0.0) for k in OURS)


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def ours_share(r: dict) -> float:
    """Our stages' time over MkDocs', the median of the run's cold builds (photos cached)."""
    shares = r.get("ours_shares") or [
        ours(r["cold_photos_cached"]) / r["cold_photos_cached"]["mkdocs"]
    ]
    return median(shares)


def vs_default_material(r: dict) -> float:
    """Cold (photos cached) / default Material: the median of the alternating pairs' ratios."""
    if "cold_vs_material" in r:
        return r["cold_vs_material"]
    return r["cold_photos_cached"]["wall"] / r["default_material"]


def cpu_ratio(r: dict) -> str:
    return f"{r['warm_cpu'] / r['plain_cpu']:.2f}" if r.get("plain_cpu") else "–"


def report(rows: list[dict]) -> str:
    lines = [
        "| N | cold s | cold, photos cached s | ours s | MkDocs s | ours / MkDocs | "
        "default Material s | cold / default Material | warm s | plain mkdocs s | warm / plain | "
        "warm / plain, CPU s | "
        "warm: startup s | warm: outside stages s | edit: ours s | edit: pages written | "
        "peak RSS MiB | site MB | index gz B/branch |",
        "|" + "---|" * 19,
    ]
    for r in rows:
        c, p, w, e, n = r["cold"], r["cold_photos_cached"], r["warm"], r["edit"], r["n"]
        material = r.get("default_material")
        vs_material = f"{vs_default_material(r):.2f}" if material else "–"
        stages = [
            k
            for k in w
            if k not in ("wall", "cpu", "rss_mib", "total", "written", "photos_decoded")
        ]
        outside = w["wall"] - sum(w[k] for k in stages)
        lines.append(
            f"| {n} | {c['wall']:.1f} | {p['wall']:.1f} | {ours(p):.2f} | {p['mkdocs']:.1f}"
            f" | {ours_share(r):.1%} | {material or 0:.1f} | {vs_material}"
            f" | {w['wall']:.2f} | {r['plain_mkdocs']:.2f} | {w['wall'] / r['plain_mkdocs']:.2f}"
            f" | {cpu_ratio(r)}"
            f" | {w['startup']:.2f} | {outside:.2f} | {ours(e):.2f} | {e['written']}"
            f" | {max(c['rss_mib'], p['rss_mib'], w['rss_mib'])} | {r['site_bytes'] / 1e6:.0f}"
            f" | {r['index_gz'] / n:.0f} |"
        )
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [r["n"] for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 4), dpi=110)
    ax.plot(
        ns,
        [ours(r["cold_photos_cached"]) for r in rows],
        marker="o",
        label="ours: load+qr+pages+write (cold, photos cached)",
    )
    ax.plot(
        ns,
        [r["cold_photos_cached"]["mkdocs"] for r in rows],
        marker="o",
        label="MkDocs (cold, photos cached)",
    )
    ax.plot(ns, [r["cold"]["photos"] for r in rows], marker="o", label="photos (cold)")
    ax.plot(ns, [r["warm"]["wall"] for r in rows], marker="s", linestyle="--", label="warm total")
    ax.plot(
        ns, [r["plain_mkdocs"] for r in rows], marker="^", linestyle=":", label="plain mkdocs build"
    )
    material = [(r["n"], r["default_material"]) for r in rows if "default_material" in r]
    if material:
        ax.plot(
            *zip(*material, strict=True),
            marker="v",
            linestyle=":",
            label="default Material (all pages in nav)",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("branches (N)")
    ax.set_ylabel("seconds")
    ax.set_title("showcase build time by stage")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="*", type=int, default=[100, 500, 1000])
    parser.add_argument("--photo-pool", type=int, default=60)
    parser.add_argument(
        "--serve",
        type=int,
        nargs="*",
        default=[1000],
        help="N at which to measure showcase serve's edit latency",
    )
    parser.add_argument(
        "--browser",
        type=int,
        nargs="*",
        default=[5000],
        help="N at which to measure index load + first query in chromium",
    )
    parser.add_argument(
        "--material",
        type=int,
        nargs="*",
        default=[100, 500, 1000],
        help="N at which to time default Material on the same Markdown",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="warm builds and plain mkdocs builds, alternating, per N",
    )
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--out", type=Path, default=REPO / "bench/scale.json")
    parser.add_argument("--plot", type=Path, default=REPO / "bench/scale.png")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="showcase-scale-"))
    pool = make_photo_pool(work / "pool", args.photo_pool)
    rows = [bench(n, work, pool, args) for n in args.n]
    args.out.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    print(report(rows))
    for r in rows:
        shares = ", ".join(f"{x:.1%}" for x in r.get("ours_shares", []))
        line = (
            f"N={r['n']}: ours / MkDocs {ours_share(r):.1%} (median of {shares}; "
            "target <= 10 % at 1,000); "
            f"warm / plain {r['warm']['wall'] / r['plain_mkdocs']:.2f} by wall, "
            f"{cpu_ratio(r)} by CPU (target <= 1.10)"
        )
        if "default_material" in r:
            line += f"; cold / default Material {vs_default_material(r):.2f} (<= 0.3)"
        print(line)
    if len(rows) > 1:
        lin = rows[-1]
        base = next((r for r in rows if r["n"] == lin["n"] // 5), None)
        if base:
            print(
                f"linearity: ours at N={lin['n']} / N={base['n']} = "
                f"{ours(lin['cold']) / ours(base['cold']):.2f}x (target <= 5.5x)"
            )
    try:
        plot(rows, args.plot)
        print(f"plot: {args.plot}")
    except ImportError:
        print("matplotlib not installed: pip install matplotlib for the plot")


if __name__ == "__main__":
    main()
