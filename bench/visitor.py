"""Visitor benchmark: the first view of the home page and of a branch page on a slow phone.

    python bench/visitor.py                    # about 5 minutes on 2 cores
    python bench/visitor.py --rounds 5 --branch dawan

Each view is a fresh browser context (empty cache, as a first visit) in Debian chromium driven by
Playwright, with Chrome DevTools Protocol throttling: the CPU 4× slower
(``Emulation.setCPUThrottlingRate``) and DevTools' "Fast 3G" network (562.5 ms round trip,
1.44 Mbit/s down, 675 kbit/s up: ``Network.emulateNetworkConditions``), on a 375×812 phone
viewport at device pixel ratio 2. Measured: Largest Contentful Paint (from the page's own
PerformanceObserver) and the bytes transferred until the network is idle (``encodedDataLength``
of every response, headers included), by resource type.

The site is served by a small local server twice: as files are (no compression), and with gzip
for text (HTML, CSS, JS, JSON, SVG, XML), as a web server with ``gzip on`` serves it. In the same
run, each page has a baseline: a bare HTML page with nothing but the page's LCP content (the cover
photo with the same srcset, or the home page's title text), served the same way, so the ratios
show what the theme, styles and scripts cost over the least any page could do.

Two builds of the example county, in temporary copies: as it is (its photos are drawings, small
as files), and with the measured branch's cover replaced by a photo-like 12 MP JPEG (bench/photos.py's
synthetic photo, which compresses like a real phone photo), so the cover weighs what a real one
does. Results are printed as a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import re
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.conftest import CHROMIUM, LAUNCH_ARGS  # noqa: E402 - the browser the tests use

PHONE = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# DevTools' "Fast 3G" preset (front_end/core/sdk/NetworkManager.ts): 1.6 Mbit/s down and 750 kbit/s
# up, each × 0.9, and 150 ms × 3.75 of latency.
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6e6 / 8 * 0.9,
    "uploadThroughput": 750e3 / 8 * 0.9,
}
CPU_SLOWDOWN = 4
GZIP_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/xml",
)
BARE = "/__bare__/"

LCP_OBSERVER = """
window.__lcp = [];
new PerformanceObserver(list => {
  for (const e of list.getEntries()) window.__lcp.push({
    time: e.startTime, size: e.size,
    what: e.element ? e.element.tagName + (e.element.className ? '.' + e.element.className : '')
          : '', url: e.url || '' });
}).observe({type: 'largest-contentful-paint', buffered: true});
"""


class Handler(http.server.SimpleHTTPRequestHandler):
    """The built site; with ``gzip`` set, text is compressed as a web server would. HTTP/1.1 with
    keep-alive, as every web server speaks it (the stdlib default, HTTP/1.0, opens a connection
    per file)."""

    protocol_version = "HTTP/1.1"
    bare: dict[str, bytes] = {}
    compress = False

    def log_message(self, format, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path in self.bare:
            self._send(200, "text/html; charset=utf-8", self.bare[path])
            return
        target = Path(self.translate_path(path))
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            self.send_error(404)
            return
        kind = self.guess_type(str(target))
        if kind.startswith("text/") and "charset" not in kind:
            kind += "; charset=utf-8"
        self._send(200, kind, target.read_bytes())

    def _send(self, status: int, kind: str, body: bytes) -> None:
        compressed = self.compress and kind.startswith(GZIP_TYPES) and len(body) > 256
        if compressed:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if compressed:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a download the browser cancelled


def make_site(work: Path, slug: str, phone_cover: bool) -> Path:
    """Build a copy of the example county (with the repository's photo cache) and return its site."""
    import shutil

    import yaml

    from generator.site.output import MANIFEST
    from generator.site.pages import GENERATED

    root = work / ("phone-cover" if phone_cover else "example")
    root.mkdir(parents=True)
    for name in ("mkdocs.yml",):
        shutil.copy2(REPO / name, root / name)
    for name in ("overrides", "branches"):
        shutil.copytree(REPO / name, root / name)
    skip = set(GENERATED) | {MANIFEST}
    shutil.copytree(
        REPO / "site_src",
        root / "site_src",
        ignore=lambda d, names: [n for n in names if Path(d) == REPO / "site_src" and n in skip],
    )
    if (REPO / ".cache").is_dir():
        shutil.copytree(REPO / ".cache", root / ".cache")
    if phone_cover:
        sys.path.insert(0, str(Path(__file__).parent))
        from photos import _synth

        data = yaml.safe_load((root / "branches" / slug / "branch.yml").read_text("utf-8"))
        photos = data.get("photos") or []
        if not photos:
            sys.exit(f"branches/{slug} has no photos; choose another with --branch")
        cover = next((p for p in photos if p.get("cover")), photos[0])
        path = root / "branches" / slug / cover["file"]
        from PIL import Image, ImageOps

        with Image.open(path) as old:
            portrait = ImageOps.exif_transpose(old).height > old.width
        image = _synth(7)
        (image.transpose(Image.Transpose.ROTATE_90) if portrait else image).save(
            path, "JPEG", quality=90
        )
    subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", "--root", str(root)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return root / "site"


def serve(site: Path, compress: bool, bare: dict[str, bytes]) -> Server:
    handler = type("H", (Handler,), {"compress": compress, "bare": bare})
    server = Server(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def bare_pages(site: Path, branch: str) -> dict[str, str]:
    """The least each page could be: only its LCP content, in a bare HTML page."""
    html = (site / "branches" / branch / "index.html").read_text("utf-8")
    cover = re.search(r'<div class="sc-cover">(<img [^>]+>)', html)
    if not cover:
        sys.exit(f"branches/{branch}/ has no cover photo; choose another with --branch")
    img = re.sub(
        r'(src|srcset)="([^"]+)"',
        lambda m: f'{m.group(1)}="{_absolute(m.group(2))}"',
        cover.group(1),
    )
    home = (site / "index.html").read_text("utf-8")
    title = re.search(r'<h1 class="sc-hero__title">(.*?)</h1>', home, re.S)
    head = (
        '<!doctype html><html lang="zh"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        "<style>body{margin:0;font-family:sans-serif}img{width:100%;height:auto}</style>"
    )
    return {
        "branch": head + f"<body>{img}</body></html>",
        "home": head
        + f"<body><h1>{title.group(1) if title else '支部品牌展示'}</h1></body></html>",
    }


def _absolute(value: str) -> str:
    """Cover URLs of a branch page (``../../media/x.webp 480w, …``) from the site root."""
    return re.sub(r"(?:\.\./)+", "/", value)


def first_view(browser, url: str) -> dict:
    context = browser.new_context(**PHONE)
    context.add_init_script(LCP_OBSERVER)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", FAST_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    kinds: dict[str, str] = {}
    sizes: dict[str, float] = {}
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_load_state("networkidle", timeout=120_000)
    lcp = page.evaluate("window.__lcp")
    nav = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        const p = performance.getEntriesByName('first-contentful-paint')[0];
        return {fcp: p ? p.startTime : null, load: n.loadEventEnd} }""")
    context.close()
    by_kind: dict[str, float] = {}
    for rid, size in sizes.items():
        kind = kinds.get(rid, "Other")
        by_kind[kind] = by_kind.get(kind, 0) + size
    last = lcp[-1] if lcp else {"time": float("nan"), "what": "", "url": ""}
    return {
        "lcp": last["time"] / 1000,
        "lcp_element": last["what"],
        "lcp_url": last["url"],
        "fcp": (nav["fcp"] or float("nan")) / 1000,
        "load": nav["load"] / 1000,
        "bytes": sum(sizes.values()),
        "by_kind": by_kind,
        "requests": len(sizes),
    }


def median_of(runs: list[dict]) -> dict:
    out = dict(runs[len(runs) // 2])
    for key in ("lcp", "fcp", "load", "bytes", "requests"):
        out[key] = statistics.median(r[key] for r in runs)
    kinds = {k for r in runs for k in r["by_kind"]}
    out["by_kind"] = {k: statistics.median(r["by_kind"].get(k, 0) for r in runs) for k in kinds}
    out["rounds"] = [round(r["lcp"], 2) for r in runs]
    return out


def measure(
    browser, site: Path, pages: list[tuple[str, str, str]], bare: dict[str, bytes], rounds: int
) -> list[dict]:
    results = []
    for compress in (True, False):
        server = serve(site, compress, bare)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for name, path, bare_path in pages:
            ours, least = [], []
            for _ in range(rounds):  # interleaved, so load on the machine hits both alike
                ours.append(first_view(browser, base + path))
                least.append(first_view(browser, base + bare_path.lstrip("/")))
            row = {
                "page": name,
                "gzip": compress,
                "ours": median_of(ours),
                "bare": median_of(least),
            }
            results.append(row)
            o, b = row["ours"], row["bare"]
            print(
                f"{name:>28} gzip={'on ' if compress else 'off'} LCP {o['lcp']:.2f} s "
                f"(bare {b['lcp']:.2f} s, ×{o['lcp'] / b['lcp']:.2f}) rounds {o['rounds']} "
                f"· {o['bytes'] / 1024:.0f} KB in {o['requests']:.0f} requests "
                f"(bare {b['bytes'] / 1024:.0f} KB) · LCP element {o['lcp_element']} "
                f"{o['lcp_url'].rsplit('/', 1)[-1]}",
                flush=True,
            )
        server.shutdown()
        server.server_close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--branch", default="dawan", help="branch page to measure (its slug)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        example = make_site(Path(tmp), args.branch, phone_cover=False)
        phone = make_site(Path(tmp), args.branch, phone_cover=True)
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        branch = f"branches/{args.branch}/"
        for site, pages in (
            (example, [("home", "", "home"), (f"branch {args.branch}", branch, "branch")]),
            (phone, [(f"branch {args.branch}, phone-photo cover", branch, "branch")]),
        ):
            bare = {
                f"{BARE}{name}.html": html.encode()
                for name, html in bare_pages(site, args.branch).items()
            }
            results += measure(
                browser, site, [(n, u, f"{BARE}{b}.html") for n, u, b in pages], bare, args.rounds
            )
        browser.close()
    print()
    print(report(results))


def report(rows: list[dict]) -> str:
    lines = [
        "| page | text gzip | LCP s | bare page LCP s | ours / bare | FCP s | KB transferred | "
        "bare KB | requests | KB by type | LCP element |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        o, b = r["ours"], r["bare"]
        kinds = ", ".join(
            f"{k.lower()} {v / 1024:.0f}"
            for k, v in sorted(o["by_kind"].items(), key=lambda kv: -kv[1])
            if v >= 512
        )
        element = o["lcp_element"].split(".")[0].lower() + (
            f" {o['lcp_url'].rsplit('/', 1)[-1]}" if o["lcp_url"] else ""
        )
        lines.append(
            f"| {r['page']} | {'on' if r['gzip'] else 'off'} | {o['lcp']:.2f} | {b['lcp']:.2f} | "
            f"{o['lcp'] / b['lcp']:.2f} | {o['fcp']:.2f} | {o['bytes'] / 1024:.0f} | "
            f"{b['bytes'] / 1024:.0f} | {o['requests']:.0f} | {kinds} | {element} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
