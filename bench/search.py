"""Search benchmark: today's search (Material, lunr, jieba) and the new one (Pagefind), side by side.

    python bench/search.py                          # the example county, then N = 100, 1000, 5000
    python bench/search.py 100 --only baseline      # one side, one N (plus the example county)
    python bench/search.py 1000 --no-example --work /tmp/sb --keep   # keep projects for a rerun

Two code trees build the same content: *baseline* is today's search, the project at commit
7ba3f8e checked out as a git worktree (``--base``, default /work/base-search; make it with
``git worktree add /work/base-search 7ba3f8e``), and *new* is this working tree. Each build is
``python -m generator.cli build`` in a child process with ``PYTHONPATH`` set to that tree (the
bench checks where ``generator`` is imported from). Sites:

- the example county: ``branches/`` of each tree with that tree's mkdocs.yml, overrides and
  site_src (and this tree's cached photos), 14 branches;
- N synthetic branches from bench/scale.py's generator (``branch_yaml``, seeded as
  ``make_project`` seeds it, photos hard-linked from its pool of 60), with each tree's mkdocs.yml
  and the townships of the generator, as bench/scale.py configures them.

Queries (bench/search_queries.yml, one set for the example county, one for the synthetic text).
Ground truth: a branch is relevant iff every space-separated term of the query is a substring
of ``generator.site.search.branch_text(branch)``; branches are loaded as the build loads them.
Results are compared by branch URL (``/branches/<slug>/``); other pages a search lists (tag
pages, the home page) are counted apart and are not in precision.

Every site is served with gzip for text as a web server does (bench/visitor.py's server; Pagefind's
index files are gzip already and are served as they are) and driven by Debian chromium through
Playwright:

- **Correctness** (recall, precision), unthrottled, all queries. Baseline: the page's own
  search worker is wrapped (``window.Worker``) to catch the index message Material's page sends
  it; a second worker from the same script gets that same message, then each query as Material's
  search box posts it (the raw text), and its answer lists every result — the box renders them
  ten at a time as you scroll, the worker's answer is all of them. New: the page's
  ``window.showcaseSearch(query)`` (every matching branch URL).
- **Phone profile** (the ``timed`` queries, ``--rounds`` each, sides interleaved): a fresh
  browser context (empty cache, a first visit), viewport 375×812, ``is_mobile``, CDP
  ``Emulation.setCPUThrottlingRate`` 4. The home page loads; at its ``load`` event (plus
  ``--think`` seconds) the visitor opens the search (``label[for="__search"]``) and, after
  ``--typing`` seconds (default 0: the worst case for a search that loads on first use), enters
  the query as an input method commits it (``insert_text``, then an End key press: Material
  starts a search on ``keyup``). Time: from that last keystroke (the event's ``timeStamp``) to
  the first animation frame in which the results are on screen — Material: its worker answered
  after the keystroke, the meta line shows a result count and the first result has a height;
  new: ``.md-search-result`` has ``data-sc-state="done"`` and ``data-sc-query`` equal to the
  query, and the first result (or the no-result line) is shown. Then a second query in the same
  visit, timed the same way. The count the box shows is checked against the correctness pass.
  Chromium 156 applies CDP CPU throttling to the page's main thread only (a worker target
  refuses ``setCPUThrottlingRate``): work in a web worker — Material's lunr index, Pagefind's
  wasm search — runs at full speed on both sides.
- **Bytes for the first query**: counted by the server, as sent (status line, headers and body,
  gzip where it compresses): every response to a search file at any time (``SEARCH_FILES``:
  Material's worker, lunr and ``search_index.json``, which Material fetches as the page loads;
  ``pagefind/…``) plus every other response from opening the search until the network is quiet
  for 0.5 s, but for the page's own images, icons and styles (``PAGE_ASSET``: lazy cards go on
  loading). The server sees web workers' requests and whole worker scripts, which Chromium's
  DevTools network events report without their body. The second query pays only what it adds.

Ratios new / baseline are taken within one run. Nothing here asserts a time. Results go to
bench/search.json; Markdown tables are printed for bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

import scale  # noqa: E402 - bench/scale.py: the synthetic branches
import visitor  # noqa: E402 - bench/visitor.py: the gzip server, chromium and the phone

SIDES = ("baseline", "new")
QUERIES = REPO / "bench" / "search_queries.yml"
CPU_SLOWDOWN = 4
EPOCH = "1767225600"  # SOURCE_DATE_EPOCH of every build, as bench/scale.py sets it
SEARCH_FILES = re.compile(
    r"/search/search_index\.json|/assets/javascripts/workers/search\.|/assets/javascripts/lunr/"
    r"|/pagefind/"
)
SHOWN = 20  # missed and extra branches listed by name in search.json, per query
BRANCH_URL = re.compile(r"^/branches/([a-z0-9][a-z0-9-]*)/$")
WAIT_MS = 600_000  # a 5,000-branch index on a loaded 2-core machine; never a pass/fail limit

# Baseline only: keep the message Material's page sends its search worker (the index), so that a
# worker of our own can answer queries with every result, and note when an answer arrives.
MATERIAL_HOOK = """
(() => {
  const Native = window.Worker;
  const m = window.__material = {setup: null, resultAt: null, queue: []};
  window.Worker = function (url, options) {
    const worker = new Native(url, options);
    if (!String(url).includes("search")) return worker;
    m.url = String(url);
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message, ...rest) => {
      if (message && message.type === 0) m.setup = message;
      return post(message, ...rest);
    };
    worker.addEventListener("message", (e) => {
      if (e.data && e.data.type === 3) m.resultAt = performance.now();
    });
    return worker;
  };
  window.Worker.prototype = Native.prototype;
  m.start = () => new Promise((resolve) => {
    const own = m.own = new Native(m.url);
    own.addEventListener("message", (e) => {
      if (e.data.type === 1) resolve(true);
      if (e.data.type === 3) m.queue.shift()(e.data.data);
    });
    own.postMessage(m.setup);
  });
  m.query = (q) => new Promise((resolve) => {
    m.queue.push((data) => resolve(data.items.map((g) => (Array.isArray(g) ? g[0] : g).location)));
    m.own.postMessage({type: 2, data: q});
  });
})();
"""

# Both sides: the time of the last keystroke in the search box, and the first animation frame
# in which the results for the armed query are on screen.
TIMER = """
(() => {
  const sc = window.__sc = {t0: null, done: null, info: null};
  const mark = (e) => {
    if (e.target && e.target.matches && e.target.matches("input.md-search__input")) {
      sc.t0 = e.timeStamp;
    }
  };
  document.addEventListener("input", mark, true);
  document.addEventListener("keyup", mark, true);
  const meta = () => (document.querySelector(".md-search-result__meta") || {}).textContent || "";
  const shown = () => {
    if (/没有找到/.test(meta())) return true;
    const li = document.querySelector(".md-search-result__list > li");
    return !!li && li.getBoundingClientRect().height > 0;
  };
  const ready = {
    baseline: () => {
      const m = window.__material;
      return !!m && m.resultAt !== null && m.resultAt > sc.t0
        && /符合条件的结果/.test(meta()) && shown();
    },
    new: () => {
      const r = document.querySelector(".md-search-result");
      return !!r && r.dataset.scState === "done" && r.dataset.scQuery === sc.q && shown();
    },
  };
  const poll = () => {
    if (sc.done !== null) return;
    if (sc.t0 !== null && ready[sc.side]()) {
      sc.done = performance.now();
      const items = document.querySelectorAll(".md-search-result__list > li");
      sc.info = {meta: meta().trim(), rendered: items.length,
                 first: [...items].slice(0, 3).map((li) => (li.querySelector("a") || {}).href)};
      return;
    }
    requestAnimationFrame(poll);
  };
  sc.arm = (q, side) => {
    Object.assign(sc, {q, side, t0: null, done: null, info: null});
    requestAnimationFrame(poll);
  };
})();
"""


@dataclass
class Site:
    """One side's built project at one N: where it is and what built it."""

    side: str
    label: str  # "example" or the N
    root: Path
    tree: Path
    build_s: float | None = None  # None: reused from an earlier run (--keep)
    stamp: str = ""  # commit and tree_stamp() of the code that built it
    notes: list[str] = field(default_factory=list)

    @property
    def site(self) -> Path:
        return self.root / "site"


# --- projects and builds -----------------------------------------------------------------------


# What a build reads from a tree: a kept build is reused only while these are unchanged.
BUILD_INPUTS = ("generator", "overrides", "site_src", "branches", "mkdocs.yml", "search-dict.txt")


def tree_stamp(tree: Path) -> str:
    """A hash of the tree's build inputs as committed, plus their uncommitted changes."""

    def git(*args: str) -> bytes:
        return subprocess.run(
            ["git", "-C", str(tree), *args], capture_output=True, check=False
        ).stdout

    h = hashlib.sha256()
    for name in BUILD_INPUTS:
        h.update(git("rev-parse", f"HEAD:{name}"))
    h.update(git("diff", "HEAD", "--", *BUILD_INPUTS))
    for name in git("ls-files", "--others", "--exclude-standard", "--", *BUILD_INPUTS).split(b"\n"):
        if name:
            h.update(name + (tree / name.decode()).read_bytes())
    return h.hexdigest()[:16]


def skeleton(tree: Path, dest: Path) -> None:
    """What a fresh clone of ``tree`` has besides branches/ (as tests/conftest.py's copy_project,
    but from either tree, and without the files a tree does not have)."""
    from generator.site.output import MANIFEST
    from generator.site.pages import GENERATED

    dest.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "search-dict.txt"):
        if (tree / name).is_file():
            shutil.copy2(tree / name, dest / name)
    shutil.copytree(tree / "overrides", dest / "overrides")
    skip = set(GENERATED) | {MANIFEST}
    top = tree / "site_src"
    shutil.copytree(
        top,
        dest / "site_src",
        ignore=lambda d, names: [n for n in names if Path(d) == top and n in skip],
    )


def refresh(tree: Path, root: Path, label: str) -> None:
    """A kept project gets the tree's current theme, hand-written pages and mkdocs.yml before it
    is built again: they were copied when the project was made (the branches stay)."""
    from generator.site.output import MANIFEST
    from generator.site.pages import GENERATED

    shutil.rmtree(root / "overrides", ignore_errors=True)
    shutil.copytree(tree / "overrides", root / "overrides")
    for src in (tree / "site_src").iterdir():
        if src.name in GENERATED or src.name == MANIFEST:
            continue
        dest = root / "site_src" / src.name
        if src.is_dir():
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(src, dest)
        else:
            shutil.copy2(src, dest)
    config = (tree / "mkdocs.yml").read_text("utf-8")
    if label != "example":
        config = re.sub(r"towns: \[.*?\]", "towns: [" + ", ".join(scale.TOWNS) + "]", config)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")


def make_example(root: Path, tree: Path) -> None:
    skeleton(tree, root)
    shutil.copytree(tree / "branches", root / "branches")
    # A copy, not links: this tree's own cache must not change under a build elsewhere.
    if (REPO / ".cache/showcase/photos").is_dir():
        shutil.copytree(REPO / ".cache/showcase/photos", root / ".cache/showcase/photos")


def make_synthetic(root: Path, tree: Path, n: int, pool: list[Path]) -> None:
    """bench/scale.py's project of N branches over ``tree``'s skeleton. Its make_project copies
    this tree's skeleton, so the loop is repeated here, with the same seed and calls: the
    branches are the ones make_project writes."""
    skeleton(tree, root)
    config = (root / "mkdocs.yml").read_text("utf-8")
    config = re.sub(r"towns: \[.*?\]", "towns: [" + ", ".join(scale.TOWNS) + "]", config)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    rng = random.Random(n)
    for i in range(n):
        slug, text = scale.branch_yaml(i, rng)
        folder = root / "branches" / slug
        (folder / "photos").mkdir(parents=True)
        (folder / "branch.yml").write_text(text, encoding="utf-8")
        for k in range(3):
            os.link(pool[(i * 3 + k) % len(pool)], folder / "photos" / f"p{k}.jpg")


def share_photo_cache(source: Path, dest: Path) -> None:
    """Hard-link the other side's photo cache (content-addressed, the same for both trees), so
    a build here does not process the same photos again; nothing else of its cache."""
    cache = source / ".cache/showcase/photos"
    if cache.is_dir() and not (dest / ".cache/showcase/photos").exists():
        shutil.copytree(cache, dest / ".cache/showcase/photos", copy_function=os.link)


def child_env(tree: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(tree),
        "SOURCE_DATE_EPOCH": EPOCH,
        "NO_MKDOCS_2_WARNING": "1",
    }


def check_tree(tree: Path, cwd: Path) -> None:
    """The child's ``generator`` must come from ``tree`` (the editable install points at REPO)."""
    where = subprocess.run(
        [sys.executable, "-c", "import generator; print(generator.__file__)"],
        cwd=cwd,
        env=child_env(tree),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not Path(where).resolve().is_relative_to(tree.resolve()):
        sys.exit(f"PYTHONPATH={tree} imports generator from {where}")


def build(site: Site) -> None:
    check_tree(site.tree, site.root)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", "--root", str(site.root)],
        cwd=site.root,
        env=child_env(site.tree),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"{site.side} build failed in {site.root}:\n{done.stdout}\n{done.stderr}")
    site.build_s = time.perf_counter() - start


def prepare(side: str, label: str, work: Path, trees: dict[str, Path], args) -> Site:
    """The built site of one side at one N; with --keep, reused when nothing it depends on changed."""
    tree = trees[side]
    root = work / f"{side}-{label}"
    site = Site(side, label, root, tree)
    made = {"label": label, "generator": generator_hash(), "tree": str(tree)}
    stamp = tree_stamp(tree)
    if args.keep and read_marker(root, "project") == made:
        earlier = read_marker(root, "built") or {}
        if earlier.get("stamp") == stamp and (site.site / "index.html").is_file():
            site.stamp = f"{earlier.get('commit', '?')} (build inputs {stamp})"
            return site
    else:
        shutil.rmtree(root, ignore_errors=True)
        if label == "example":
            make_example(root, tree)
        else:
            pool = scale.make_photo_pool(work / "pool", 60)
            make_synthetic(root, tree, int(label), pool)
            for other in SIDES:
                share_photo_cache(work / f"{other}-{label}", root)
        write_marker(root, "project", made)
    refresh(tree, root, label)
    commit = head(tree)
    build(site)
    write_marker(root, "built", {"stamp": stamp, "commit": commit})
    site.stamp = f"{commit} (build inputs {stamp})"
    return site


def head(tree: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()


def generator_hash() -> str:
    """What bench/scale.py's generator writes (a sample of it): a kept project is remade when
    it would write other branches."""
    rng = random.Random(7)
    sample = [scale.branch_yaml(i, rng) for i in range(3)], scale.TOWNS, scale.FIELDS
    return hashlib.sha256(json.dumps(sample, ensure_ascii=False).encode()).hexdigest()[:12]


def read_marker(root: Path, name: str) -> dict | None:
    path = root / f".bench-{name}.json"
    return json.loads(path.read_text("utf-8")) if path.is_file() else None


def write_marker(root: Path, name: str, value: dict) -> None:
    (root / f".bench-{name}.json").write_text(json.dumps(value), encoding="utf-8")


def site_notes(site: Site) -> None:
    """What the built site's search is, in a line, so a wrong build shows in the output."""
    index = site.site / "search/search_index.json"
    pagefind = site.site / "pagefind"
    if index.is_file():
        raw = index.read_text("utf-8")
        if "\u200b" not in json.dumps(json.loads(raw), ensure_ascii=False):
            site.notes.append("search_index.json holds no U+200B: jieba did not segment it")
        site.notes.append(f"Material index {len(raw.encode()) / 1024:.0f} KB raw")
    if pagefind.is_dir():
        files = [p for p in pagefind.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        site.notes.append(f"pagefind/ {len(files)} files, {size / 1024:.0f} KB")


# --- ground truth and scores -------------------------------------------------------------------


def ground_truth(root: Path, queries: list[str]) -> dict[str, set[str]]:
    """Each query's relevant branch URLs, from the branches as the build loads them."""
    from generator.content.branches import load_branches
    from generator.content.schema import Choices
    from generator.problems import has_errors
    from generator.site.search import branch_text

    branches, problems = load_branches(root, root / "branches", Choices(fields=tuple(scale.FIELDS)))
    if has_errors(problems):
        sys.exit(f"{root}: branches do not load: {problems[:3]}")
    texts = {f"/branches/{b.slug}/": branch_text(b) for b in branches}
    return {q: {u for u, t in texts.items() if all(w in t for w in q.split())} for q in queries}


def score(found: list[str], relevant: set[str]) -> dict:
    """Recall and precision over branch pages (None where undefined: nothing relevant, nothing
    found); other pages in the results are counted apart."""
    branches = {u for u in found if BRANCH_URL.match(u)}
    hit = branches & relevant
    return {
        "found": len(branches),
        "other_pages": len(set(found) - branches),
        "recall": len(hit) / len(relevant) if relevant else None,
        "precision": len(hit) / len(branches) if branches else None,
        "exact": branches == relevant,
        # The first few by name: enough to look at, and search.json stays small at N = 5,000.
        "missed": len(relevant - branches),
        "extra": len(branches - relevant),
        "missed_first": sorted(slug(u) for u in relevant - branches)[:SHOWN],
        "extra_first": sorted(slug(u) for u in branches - relevant)[:SHOWN],
    }


def slug(url: str) -> str:
    match = BRANCH_URL.match(url)
    return match.group(1) if match else url


def mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


# --- the browser -------------------------------------------------------------------------------


def page_path(url: str) -> str:
    """A result's address as a path from the site root, without its #anchor."""
    from urllib.parse import unquote, urlsplit

    path = urlsplit(url).path if "://" in url else "/" + url.split("#")[0].lstrip("/")
    return unquote(path)


def correctness(browser, base_url: str, side: str, queries: list[str]) -> dict[str, list[str]]:
    """Every result of every query, unthrottled, in one page."""
    context = browser.new_context()
    if side == "baseline":
        context.add_init_script(MATERIAL_HOOK)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(base_url, wait_until="load")
    results = {}
    if side == "baseline":
        page.wait_for_function("window.__material.setup !== null")
        page.evaluate("window.__material.start()")
        for q in queries:
            results[q] = [page_path(u) for u in page.evaluate("q => window.__material.query(q)", q)]
    else:
        page.wait_for_function("typeof window.showcaseSearch === 'function'")
        for q in queries:
            answer = page.evaluate("q => window.showcaseSearch(q)", q)
            if answer["count"] != len(answer["urls"]):
                print(
                    f"  note: showcaseSearch({q!r}) count {answer['count']} != {len(answer['urls'])} urls"
                )
            results[q] = [page_path(u) for u in answer["urls"]]
    context.close()
    return results


class Handler(visitor.Handler):
    """bench/visitor.py's server (gzip for text, keep-alive) that also notes each response: when
    its request arrived and the bytes it sent, headers included. Counting at the server sees the
    requests of web workers too, and the whole of a worker's own script, which Chromium's
    DevTools network events report without its body."""

    compress = True
    log: list[tuple[float, str, int]] = []

    def _send(self, status: int, kind: str, body: bytes) -> None:
        arrived = time.monotonic()
        raw, self.wfile = self.wfile, _Counting(self.wfile)
        try:
            super()._send(status, kind, body)
        finally:
            sent, self.wfile = self.wfile.sent, raw
        self.log.append((arrived, page_path(self.path.split("?")[0]), sent))


class _Counting:
    """A response stream that counts what is written to it (status line, headers, body)."""

    def __init__(self, raw) -> None:
        self.raw, self.sent = raw, 0

    def write(self, data: bytes) -> int:
        self.sent += len(data)
        return self.raw.write(data)

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


def serve(site: Path) -> visitor.Server:
    """The site on a free port, with its own request log."""
    import functools
    import threading

    handler = type("H", (Handler,), {"log": []})
    server = visitor.Server(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    server.log = handler.log
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# After the search is opened the page may still fetch its own lazy images, icons and styles:
# those are not the search's (Pagefind's files are under pagefind/ whatever their type).
PAGE_ASSET = re.compile(r"\.(?:webp|jpe?g|png|gif|svg|ico|css|woff2?)$")


def search_bytes(
    log: list[tuple[float, str, int]], since: float, until: float, first: bool
) -> dict:
    """Bytes the search cost between ``since`` and ``until``: every response but the page's own
    assets; the first query also pays for the search files the page fetched before it
    (Material fetches its index as the page loads)."""
    files: dict[str, int] = {}
    for at, path, sent in log:
        searchy = bool(SEARCH_FILES.search(path))
        if (since <= at < until and (searchy or not PAGE_ASSET.search(path))) or (
            first and at < since and searchy
        ):
            files[path] = files.get(path, 0) + sent
    return files


def visit(
    browser, server, side: str, first: str, second: str | None, think_s: float, typing_s: float
) -> dict:
    """A first visit on the phone profile: the home page, then ``first`` and ``second`` typed
    into the search box; times from the last keystroke, bytes by query."""
    context = browser.new_context(**visitor.PHONE)
    if side == "baseline":
        context.add_init_script(MATERIAL_HOOK)
    context.add_init_script(TIMER)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    server.log.clear()
    start = time.perf_counter()
    page.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait_until="load")
    out: dict = {"load_s": time.perf_counter() - start, "queries": []}
    page.wait_for_timeout(think_s * 1000)
    for n, query in enumerate(q for q in (first, second) if q is not None):
        since = time.monotonic()
        if n == 0:
            page.locator('label[for="__search"]:visible').first.click()
        else:
            page.fill("input.md-search__input", "")
        page.focus("input.md-search__input")
        page.wait_for_timeout(typing_s * 1000)  # composing the word in an input method
        page.evaluate("([q, side]) => window.__sc.arm(q, side)", [query, side])
        page.keyboard.insert_text(query)
        page.keyboard.press("End")
        page.wait_for_function("window.__sc.done !== null", polling=100)
        sc = page.evaluate("({t0: __sc.t0, done: __sc.done, info: __sc.info})")
        quiet(page, server.log)
        files = search_bytes(server.log, since, time.monotonic(), first=n == 0)
        out["queries"].append(
            {
                "query": query,
                "s": (sc["done"] - sc["t0"]) / 1000,
                "since_navigation_s": sc["done"] / 1000,
                "bytes": sum(files.values()),
                "files": files,
                **sc["info"],
            }
        )
    context.close()
    out["page_bytes"] = sum(sent for _, path, sent in server.log if not SEARCH_FILES.search(path))
    return out


def quiet(page, log: list, quiet_s: float = 0.5, limit_s: float = 20) -> None:
    """Wait until the server has had no request for ``quiet_s`` (what results still fetch after
    they are shown, e.g. the rest of a page of fragments)."""
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        page.wait_for_timeout(100)
        last = log[-1][0] if log else start
        if time.monotonic() - max(last, start) >= quiet_s:
            return


# --- one N -------------------------------------------------------------------------------------


def run_label(label: str, queries: list[dict], work: Path, trees: dict, args, browser) -> dict:
    texts = [q["q"] for q in queries]
    row: dict = {
        "label": label,
        "why": {q["q"]: q.get("why", "") for q in queries},
        "load_before": os.getloadavg(),
        "sides": {},
    }
    sites = {}
    for side in args.only:
        print(f"[{label}] {side}: building …", flush=True)
        site = sites[side] = prepare(side, label, work, trees, args)
        site_notes(site)
        if side == "new" and not (site.site / "pagefind").is_dir():
            print(
                f"[{label}] new: no site/pagefind/ in the build — the new search is not in this tree"
            )
            del sites[side]
            continue
        built = "reused" if site.build_s is None else f"built in {site.build_s:.0f} s"
        print(f"[{label}] {side}: {built}; {'; '.join(site.notes)}", flush=True)
    truths = {side: ground_truth(s.root, texts) for side, s in sites.items()}
    if len({json.dumps({q: sorted(v) for q, v in t.items()}) for t in truths.values()}) > 1:
        print(f"[{label}] note: the two trees' branches differ; each side is scored on its own")
    servers = {side: serve(s.site) for side, s in sites.items()}
    urls = {side: f"http://127.0.0.1:{srv.server_address[1]}/" for side, srv in servers.items()}
    try:
        for side, site in sites.items():
            start = time.perf_counter()
            found = correctness(browser, urls[side], side, texts)
            truth = truths[side]
            row["sides"][side] = {
                "root": str(site.root),
                "tree": str(site.tree),
                "built_by": site.stamp,
                "build_s": site.build_s,
                "notes": site.notes,
                "branches": len(list((site.root / "branches").iterdir())),
                "queries": {
                    q: score(found[q], truth[q]) | {"relevant": len(truth[q])} for q in texts
                },
                "visits": [],
            }
            print(
                f"[{label}] {side}: {len(texts)} queries checked in {time.perf_counter() - start:.0f} s",
                flush=True,
            )
        timed = [q["q"] for q in queries if q.get("timed")]
        for rnd in range(args.rounds):
            for i, q in enumerate(timed):
                second = timed[(i + 1) % len(timed)] if len(timed) > 1 else None
                for side in sites:  # interleaved, so the machine's load hits both alike
                    v = visit(browser, servers[side], side, q, second, args.think, args.typing)
                    v["round"] = rnd
                    row["sides"][side]["visits"].append(v)
                    a = v["queries"][0]
                    print(
                        f"[{label}] {side:8} round {rnd + 1} {q!r}: {a['s']:.2f} s, "
                        f"{a['bytes'] / 1024:.0f} KB ({a['meta']})",
                        flush=True,
                    )
        check_counts(label, row)
    finally:
        for srv in servers.values():
            srv.shutdown()
            srv.server_close()
    row["load_after"] = os.getloadavg()
    return row


def shown_count(meta: str, count: int) -> bool:
    """Whether the meta line states ``count``, as a number or as Material abbreviates one (its
    ``round`` in bundle.js: 2.3k, 5k). 「没有找到…」 may quote a query of digits: no number there."""
    if "没有" in meta:
        return count == 0
    number = re.search(r"\d+(?:\.\d+)?k?", meta.replace(",", ""))
    if count > 999:
        digits = 1 if (count - 950) % 1000 > 99 else 0
        return bool(number) and number.group() in (
            str(count),
            f"{(count + 1e-6) / 1000:.{digits}f}k",
        )
    return bool(number) and number.group() == str(count)


def check_counts(label: str, row: dict) -> None:
    """The count the search box showed must be what the correctness pass found: both read the
    same search, one through the page, one through its worker or showcaseSearch."""
    for side, data in row["sides"].items():
        for v in data["visits"]:
            for q in v["queries"]:
                r = data["queries"][q["query"]]
                q["count_matches"] = shown_count(q["meta"], r["found"] + r["other_pages"])
                if not q["count_matches"]:
                    print(
                        f"[{label}] note: {side} box shows {q['meta']!r} for {q['query']!r}, "
                        f"the correctness pass found {r['found']} branches + {r['other_pages']} other pages"
                    )


# --- report ------------------------------------------------------------------------------------


def summary(side: dict) -> dict:
    qs = side["queries"].values()
    firsts = [v["queries"][0] for v in side["visits"]]
    seconds = [v["queries"][1] for v in side["visits"] if len(v["queries"]) > 1]
    return {
        "recall": mean(q["recall"] for q in qs),
        "precision": mean(q["precision"] for q in qs),
        "exact": sum(q["exact"] for q in qs),
        "queries": len(qs),
        "kb": statistics.median(f["bytes"] / 1024 for f in firsts) if firsts else None,
        "kb_max": max(f["bytes"] / 1024 for f in firsts) if firsts else None,
        "cold_s": statistics.median(f["s"] for f in firsts) if firsts else None,
        "second_s": statistics.median(f["s"] for f in seconds) if seconds else None,
    }


def fmt(value, spec: str = ".2f") -> str:
    return "–" if value is None else format(value, spec)


def ratio(new, base) -> str:
    return "–" if new is None or not base else f"{new / base:.2f}"


def report(rows: list[dict]) -> str:
    out = [
        "| site | branches | recall today | recall new | precision today | precision new "
        "| exact today | exact new | first query KB today | new | new / today "
        "| first query s today | new | new / today | second query s today | new |",
        "|" + "---|" * 16,
    ]
    for row in rows:
        s = {k: summary(v) for k, v in row["sides"].items()}
        b, n = s.get("baseline", {}), s.get("new", {})
        count = next(iter(row["sides"].values()))["branches"] if row["sides"] else 0
        name = "example county" if row["label"] == "example" else f"N = {int(row['label']):,}"
        out.append(
            f"| {name} | {count:,} | {fmt(b.get('recall'))} | {fmt(n.get('recall'))} "
            f"| {fmt(b.get('precision'))} | {fmt(n.get('precision'))} "
            f"| {b.get('exact', '–')}/{b.get('queries', '–')} | {n.get('exact', '–')}/{n.get('queries', '–')} "
            f"| {fmt(b.get('kb'), '.0f')} | {fmt(n.get('kb'), '.0f')} | {ratio(n.get('kb'), b.get('kb'))} "
            f"| {fmt(b.get('cold_s'))} | {fmt(n.get('cold_s'))} | {ratio(n.get('cold_s'), b.get('cold_s'))} "
            f"| {fmt(b.get('second_s'))} | {fmt(n.get('second_s'))} |"
        )
    for row in rows:
        out += ["", *per_query(row), "", *per_timed(row)]
    return "\n".join(out)


def per_query(row: dict) -> list[str]:
    name = "Example county" if row["label"] == "example" else f"N = {int(row['label']):,}"
    sides = row["sides"]
    lines = [
        f"{name}: results per query (branch pages found · recall · precision; +k other pages)",
        "",
        "| query | what it tests | relevant | today | new |",
        "|---|---|---|---|---|",
    ]
    queries = next(iter(sides.values()))["queries"] if sides else {}
    for q, first in queries.items():
        cells = [cell(sides[s]["queries"][q]) if s in sides else "–" for s in SIDES]
        lines.append(
            f"| {q} | {row.get('why', {}).get(q, '')} | {first['relevant']} | {cells[0]} | {cells[1]} |"
        )
    return lines


def cell(r: dict) -> str:
    mark = "✓" if r["exact"] else ""
    other = f" +{r['other_pages']}" if r["other_pages"] else ""
    return f"{r['found']} · {fmt(r['recall'])} · {fmt(r['precision'])}{other} {mark}".strip()


def per_timed(row: dict) -> list[str]:
    name = "Example county" if row["label"] == "example" else f"N = {int(row['label']):,}"
    lines = [
        f"{name}: phone profile, median of rounds (first query of a visit: KB and s; second query: s)",
        "",
        "| query | KB today | KB new | s today | s new | second s today | second s new |",
        "|---|---|---|---|---|---|---|",
    ]
    by: dict[tuple[str, str], list[dict]] = {}
    for side, data in row["sides"].items():
        for v in data["visits"]:
            by.setdefault((side, v["queries"][0]["query"]), []).append(v)
    for q in dict.fromkeys(q for _, q in by):
        cells = []
        for key in ("kb", "s", "second"):
            for side in SIDES:
                visits = by.get((side, q), [])
                if key == "kb":
                    values = [v["queries"][0]["bytes"] / 1024 for v in visits]
                elif key == "s":
                    values = [v["queries"][0]["s"] for v in visits]
                else:
                    values = [v["queries"][1]["s"] for v in visits if len(v["queries"]) > 1]
                cells.append(
                    fmt(statistics.median(values), ".0f" if key == "kb" else ".2f")
                    if values
                    else "–"
                )
        lines.append(f"| {q} | " + " | ".join(cells) + " |")
    return lines


def machine(browser_version: str) -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    versions = {}
    for package in ("mkdocs", "mkdocs-material", "pagefind", "jieba", "playwright"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "chromium": browser_version,
        **versions,
    }


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="*", type=int, default=[100, 1000, 5000])
    parser.add_argument("--only", choices=SIDES, help="run one side only")
    parser.add_argument("--no-example", action="store_true", help="skip the example county")
    parser.add_argument(
        "--base",
        type=Path,
        default=Path("/work/base-search"),
        help="worktree of today's search (git worktree add DIR 7ba3f8e)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="phone-profile visits per timed query and side"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds between the page's load event and opening the search",
    )
    parser.add_argument(
        "--typing",
        type=float,
        default=0.0,
        help="seconds between opening the search box and the query's last keystroke",
    )
    parser.add_argument(
        "--work", type=Path, help="projects and sites (default: a new temporary folder)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the work folder, and reuse its projects and builds when unchanged",
    )
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--out", type=Path, default=REPO / "bench/search.json")
    parser.add_argument(
        "--report", type=Path, metavar="JSON", help="only print the tables of a saved run"
    )
    args = parser.parse_args()
    args.only = [args.only] if args.only else list(SIDES)
    if any(n < 1 for n in args.n):
        parser.error("N must be at least 1")
    trees = {"baseline": args.base.resolve(), "new": REPO}
    if "baseline" in args.only and not (trees["baseline"] / "generator").is_dir():
        sys.exit(f"{args.base}: no baseline tree; git -C {REPO} worktree add {args.base} 7ba3f8e")
    query_sets = yaml.safe_load(args.queries.read_text("utf-8"))
    if args.report:
        saved = json.loads(args.report.read_text("utf-8"))
        print(f"`{saved['command']}`; machine: {saved['machine']}\n")
        print(report(saved["rows"]))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="showcase-search-"))
    work.mkdir(parents=True, exist_ok=True)
    labels = ([] if args.no_example else ["example"]) + [str(n) for n in args.n]

    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=visitor.CHROMIUM, headless=True, args=visitor.LAUNCH_ARGS
        )
        result = {
            "command": " ".join(["python", "bench/search.py", *sys.argv[1:]]),
            "machine": machine(browser.version),
            "trees": {
                side: {"path": str(t), "commit": head(t), "stamp": tree_stamp(t)}
                for side, t in trees.items()
            },
            "load_start": os.getloadavg(),
            "rows": rows,
        }
        print(f"machine: {result['machine']}; load average {os.getloadavg()}", flush=True)
        try:
            for label in labels:
                queries = query_sets["example" if label == "example" else "synthetic"]
                rows.append(run_label(label, queries, work, trees, args, browser))
                print(
                    f"[{label}] load average {rows[-1]['load_before']} → {rows[-1]['load_after']}"
                )
        finally:
            browser.close()
            result["load_end"] = os.getloadavg()
            args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print()
    print(report(rows))
    print(f"\nload average (1, 5, 15 min): start {result['load_start']}, end {result['load_end']}")
    if args.keep or args.work:
        print(f"work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
