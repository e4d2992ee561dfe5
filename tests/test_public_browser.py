"""A Chinese public site, in a real browser (issue 13): 长辈模式, Chinese everywhere, the brand on
a phone's first screen, accessibility in both modes, the site served under a sub-path of a county
portal (links, QR codes, og:url, sitemap, search, 404) and WeChat share cards.

Search is checked by what a visitor does (type a word into the box named 搜索, see a result link,
open it), not by how the search engine works, so these tests hold whatever engine the site uses.
Screenshots go to ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from conftest import ARTIFACTS, BROWSER_TEST, DESKTOP, PHONE, REPO, copy_project

from generator.cli import main as showcase
from generator.content.schema import walk
from generator.plugin import ShowcaseConfig

ELDER_KEY = "showcase.elder"

pytestmark = BROWSER_TEST

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def example() -> dict[str, dict]:
    """slug → parsed branch.yml of the example county."""
    out = {
        p.parent.name: yaml.safe_load(p.read_text("utf-8"))
        for p in sorted((REPO / "branches").glob("*/branch.yml"))
    }
    assert len(out) >= 10
    return out


def new_page(browser, options: dict, elder: bool = False, **extra):
    context = browser.new_context(**options, **extra)
    context.set_default_timeout(15_000)
    if elder:  # a visitor who switched it on during an earlier visit
        context.add_init_script(f"localStorage.setItem('{ELDER_KEY}', '1')")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(e.message))
    return page


def elder_button(page):
    return page.get_by_role("button", name="长辈模式")


def gallery_slug(example: dict[str, dict]) -> str:
    return next(s for s, d in example.items() if len(d.get("photos") or []) >= 2)


FONT_SIZES = """() => {
  const size = sel => { const el = document.querySelector(sel);
    return el ? parseFloat(getComputedStyle(el).fontSize) : null };
  return { text: size('article p'), heading: size('article h1'),
           header: size('.md-header__title'), footer: size('.md-footer-meta'),
           button: size('[data-sc-elder-toggle]') };
}"""


def font_sizes(page) -> dict[str, float]:
    sizes = page.evaluate(FONT_SIZES)
    return {k: v for k, v in sizes.items() if v}


def assert_enlarged(normal: dict[str, float], elder: dict[str, float], where: str) -> None:
    assert set(normal) == set(elder) and {"text", "heading", "footer"} <= set(normal), where
    small = {
        k: round(elder[k] / normal[k], 3) for k in normal if elder[k] < normal[k] * 1.25 - 0.01
    }
    assert not small, f"{where}: text not enlarged to 125 % in 长辈模式: {small}"


def type_search(page, word: str):
    """Type ``word`` into the box named 搜索, as a visitor does once the page has loaded; return
    the links that then show the word."""
    page.wait_for_load_state("networkidle")  # the search needs its index, as a visitor's would
    box = page.get_by_role("textbox", name="搜索")
    box.click()
    # Chinese is typed through an input method: the text arrives whole, then a key is released
    # (Playwright inserts non-ASCII text without key events; End is the released key).
    box.fill(word)
    box.press("End")
    results = page.get_by_role("link").filter(has_text=word)
    expect(results.first).to_be_visible()
    return results


def search_and_open(page, word: str, base: str) -> str:
    """Type ``word`` into the site's search box and open the first result that is a branch page;
    return that page's URL."""
    results = type_search(page, word)
    href = None
    for i in range(results.count()):
        candidate = results.nth(i).get_attribute("href") or ""
        if "branches/" in candidate:
            href = candidate
            results.nth(i).click()
            break
    assert href, f"no result for {word!r} links to a branch page"
    page.wait_for_url(re.compile(re.escape(base) + r"branches/[a-z0-9-]+/"))
    return page.url


# ---------------------------------------------------------------- 长辈模式


def test_elder_mode_enlarges_text_and_is_remembered(browser, site_url, example) -> None:
    slug = gallery_slug(example)
    branch, town_url = f"{site_url}branches/{slug}/", None

    # Baselines: the branch page and the page the visitor moves to, in the normal mode.
    plain = new_page(browser, PHONE)
    plain.goto(branch)
    normal_branch = font_sizes(plain)
    town_url = plain.locator(".sc-kicker a").first.evaluate("a => a.href")
    plain.goto(town_url)
    normal_town = font_sizes(plain)
    plain.context.close()

    page = new_page(browser, PHONE)
    page.goto(branch)
    button = elder_button(page)
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    assert font_sizes(page) == normal_branch
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert_enlarged(normal_branch, font_sizes(page), "after pressing 长辈模式")

    # Another page, reached by a link: still on, without pressing again.
    page.locator(".sc-kicker a").first.click()
    page.wait_for_url(town_url)
    expect(elder_button(page)).to_have_attribute("aria-pressed", "true")
    assert_enlarged(normal_town, font_sizes(page), "on the next page")

    # A later visit (a new tab with the same browser profile).
    state = page.context.storage_state()
    later = new_page(browser, PHONE, storage_state=state)
    later.goto(branch)
    expect(elder_button(later)).to_have_attribute("aria-pressed", "true")
    assert_enlarged(normal_branch, font_sizes(later), "on a later visit")

    # Off again: back to the normal sizes, and remembered too.
    elder_button(later).click()
    expect(elder_button(later)).to_have_attribute("aria-pressed", "false")
    assert font_sizes(later) == normal_branch
    later.goto(town_url)
    assert font_sizes(later) == normal_town
    errors = page.errors + later.errors
    page.context.close()
    later.context.close()
    assert not errors, errors


CONTRAST = """(selectors) => selectors.map(sel => {
  const el = [...document.querySelectorAll(sel)].find(e => e.getClientRects().length);
  if (!el) return null;
  const backgrounds = [];
  for (let n = el; n; n = n.parentElement) backgrounds.push(getComputedStyle(n).backgroundColor);
  return [sel, getComputedStyle(el).color, backgrounds];
})"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    nums = [float(x) for x in re.findall(r"[\d.]+", css)]
    return (nums[0], nums[1], nums[2], nums[3] if len(nums) > 3 else 1.0)


def _over(top, bottom):
    r, g, b, a = top
    return tuple(r * a + c * (1 - a) for r, c in zip((r, g, b), bottom, strict=True))


def _luminance(rgb) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrasts(page, selectors: list[str]) -> dict[str, float]:
    out = {}
    for item in page.evaluate(CONTRAST, selectors):
        if item is None:
            continue
        sel, color, backgrounds = item
        bg = (255.0, 255.0, 255.0)
        for layer in reversed(backgrounds):  # compose from the page down to the element
            bg = _over(_rgba(layer), bg)
        fg = _over(_rgba(color), bg)
        hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
        out[sel] = round((hi + 0.05) / (lo + 0.05), 2)
    return out


TEXTS = {
    "": [
        ".sc-card__meta",
        ".sc-card__summary",
        ".sc-card__slogan",
        ".sc-figure__label",
        ".sc-recent time",
        ".md-footer-meta .sc-footer__item",
        ".sc-footer a",
    ],
    "branch": [
        "article .sc-summary p",
        ".sc-kicker a",
        ".sc-slogan",
        "table.sc-facts td",
        "table.sc-facts th",
        ".sc-text p",
        ".sc-pager span",
        ".sc-photo figcaption",
    ],
}

TARGETS = """() => [...document.querySelectorAll(
    '.md-header__button, .sc-pager a, .md-tag, .sc-kicker a, .sc-footer a, a.sc-card__link')]
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map(e => { const r = e.getBoundingClientRect();
    return [e.className + ' ' + e.textContent.trim().slice(0, 12), r.width, r.height] })"""


def test_elder_mode_stronger_contrast_and_larger_tap_targets(browser, site_url, example) -> None:
    pages = {"": site_url, "branch": f"{site_url}branches/{gallery_slug(example)}/"}
    report = []
    for key, url in pages.items():
        measured = {}
        for elder in (False, True):
            page = new_page(browser, PHONE, elder=elder)
            page.goto(url)
            page.wait_for_load_state("networkidle")
            measured[elder] = (contrasts(page, TEXTS[key]), page.evaluate(TARGETS))
            page.context.close()
        (normal, normal_targets), (strong, elder_targets) = measured[False], measured[True]
        assert set(strong) == set(TEXTS[key]), (
            f"{url}: selectors not found: {set(TEXTS[key]) - set(strong)}"
        )
        for sel, ratio in strong.items():
            report.append(f"{key or 'home'} {sel}: {normal[sel]} → {ratio}")
            # WCAG AAA for normal text is 7:1; never weaker than the normal mode
            assert ratio >= 7 and ratio >= normal[sel], f"{url} {sel}: contrast {ratio}"
        assert len(elder_targets) == len(normal_targets) > 5
        for (name, w0, h0), (_, w1, h1) in zip(normal_targets, elder_targets, strict=True):
            assert h1 >= 44, f"{url}: tap target {name!r} only {h1:.0f} px high in 长辈模式"
            assert w1 * h1 > w0 * h0, f"{url}: tap target {name!r} not larger"
    print("\n".join(report))


def test_elder_mode_with_search_lightbox_and_print(browser, site_url, example) -> None:
    slug = gallery_slug(example)
    measured = {}
    for elder in (False, True):
        page = new_page(browser, DESKTOP, elder=elder)
        # search, typed as a visitor would, from a page without branch links
        page.goto(f"{site_url}about/")
        opened = search_and_open(page, "百家宴", site_url)
        expect(elder_button(page)).to_have_attribute("aria-pressed", str(elder).lower())
        expect(page.locator("article")).to_contain_text("百家宴")
        page.goto(site_url + "about/")
        result = type_search(page, "百家宴").first
        search_size = result.evaluate("a => parseFloat(getComputedStyle(a).fontSize)")
        # the lightbox
        page.goto(f"{site_url}branches/{slug}/")
        page.locator(".sc-gallery a.glightbox").first.click()
        title = page.locator(".gslide.current .gslide-title")
        expect(title).to_be_visible()
        title_size = title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        close = page.locator(".gclose").bounding_box()
        page.keyboard.press("Escape")
        expect(page.locator(".glightbox-container")).to_have_count(0)
        # print: the same one-page A4 poster, without the button
        page.emulate_media(media="print")
        expect(elder_button(page)).to_be_hidden()
        print_root = page.evaluate(
            "parseFloat(getComputedStyle(document.documentElement).fontSize)"
        )
        pdf = page.pdf(format="A4", print_background=True)
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        measured[elder] = (search_size, title_size, close, print_root, pages, opened)
        errors = page.errors
        page.context.close()
        assert not errors, errors
    (s0, t0, c0, p0, n0, _), (s1, t1, c1, p1, n1, _) = measured[False], measured[True]
    assert s1 >= s0 * 1.25 - 0.01, f"search results {s0} → {s1} px"
    assert t1 >= t0 * 1.25 - 0.01, f"lightbox caption {t0} → {t1} px"
    assert c1["width"] >= 48 and c1["height"] >= 48 and c1["width"] > c0["width"], (c0, c1)
    assert p1 == p0, "长辈模式 must not change the printed poster"
    assert n0 == n1 == 1, f"printed pages: {n0} normal, {n1} 长辈模式"


# ---------------------------------------------------------------- axe in both modes

# Violations inside mkdocs-material's own markup that the project does not write (see
# test_browser.py): printed, not counted.
THIRD_PARTY: set[tuple[str, str]] = set()  # none: the search box is the site's own


def test_axe_no_serious_violations_in_either_mode(browser, site_url, example) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    urls = [
        site_url,
        f"{site_url}branches/{gallery_slug(example)}/",
        f"{site_url}404.html",
        f"{site_url}towns/",
    ]
    serious = []
    for elder in (False, True):
        page = new_page(browser, PHONE, elder=elder)
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            results = axe.run(page)
            for v in results.response["violations"]:
                nodes = [" ".join(n["target"]) for n in v["nodes"]]
                print(
                    f"{'长辈' if elder else '普通'} {url}: {v.get('impact')} {v['id']} {nodes[:3]}"
                )
                if all((v["id"], n) in THIRD_PARTY for n in nodes):
                    continue
                if v.get("impact") in ("serious", "critical"):
                    serious.append(
                        f"{'长辈模式' if elder else '普通模式'} {url} {v['id']}: "
                        f"{v['help']} {nodes[:5]}"
                    )
        page.context.close()
    assert not serious, "\n".join(serious)


# ---------------------------------------------------------------- Chinese everywhere

STRINGS = """() => {
  const out = [];
  const skipped = el => el.closest('code, pre, kbd, samp, script, style, template');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || skipped(el) || !el.checkVisibility({visibilityProperty: true})) continue;
    if (n.textContent.trim()) out.push(['text', n.textContent.trim()]);
  }
  const attrs = ['alt', 'title', 'aria-label', 'placeholder', 'aria-description',
                 'aria-roledescription', 'aria-valuetext'];
  for (const el of document.querySelectorAll('*')) {
    if (skipped(el)) continue;
    for (const a of attrs) { const v = el.getAttribute(a); if (v && v.trim()) out.push([a, v]); }
    if (el.matches('input[type=submit], input[type=button], input[type=reset]') && el.value)
      out.push(['value', el.value]);
  }
  out.push(['document.title', document.title]);
  return out;
}"""

# Names that are not English to translate: file formats, products, filing marks, units.
PROPER = set(
    "ICP SVG PDF JPEG JPG PNG WebP HEIC HEIF YAML JSON CSV Excel VS Code GitHub GitLab Pages "
    "Actions Red Hat iPhone MkDocs Material showcase CI Tab Ctrl Enter GPS EXIF URL http https "
    "xlsx csv yml QR Windows macOS Linux Python pip git KB MB px WPS Word UTF GBK JS SDK "
    "AppSecret nginx gzip CSS HTML Decap CMS Gitea OAuth Application ID admin PKCE Debian Ubuntu".split()
)


# What staff type in branch.yml and mkdocs.yml (the staff guide names them, and search shows the
# guide): identifiers, not English to translate.
IDENTIFIERS = {
    part
    for key in [f.key for _, f in walk()] + [name for name, _ in ShowcaseConfig._schema]
    for part in key.split("_")
} | {"true", "false", "branch", "case"}


def english_words(text: str, allowed: set[str]) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z]+", text)
    return [w for w in words if w not in allowed and w.lower() not in {a.lower() for a in allowed}]


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def test_no_english_a_visitor_can_see(browser, site_url, example_site, example) -> None:
    """Every page's visible text and its alt, title, aria-label and placeholder attributes, in
    both modes' chrome and with the search open: nothing in English. Code samples in the staff
    guide, file formats and product names are not English to translate."""
    content = {
        w
        for data in example.values()
        for value in _strings(data)
        for w in re.findall(r"[A-Za-z]{2,}", value)
    }  # what staff wrote, not the keys
    allowed = PROPER | IDENTIFIERS | content
    urls = []
    for path in sorted(example_site.rglob("*.html")):
        rel = path.relative_to(example_site).as_posix()
        urls.append(site_url + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
    found: dict[str, set[str]] = {}
    page = new_page(browser, PHONE)
    for url in urls:
        page.goto(url, wait_until="load")
        for kind, text in page.evaluate(STRINGS):
            for word in english_words(text, allowed):
                found.setdefault(f"{url[len(site_url) - 1 :]} {kind}", set()).add(word)
    # the search, open, with a query that finds nothing and one that finds something
    page.goto(site_url)
    page.wait_for_load_state("networkidle")
    page.locator('label[for="__search"]').first.click()  # the phone's magnifier
    for query in ("没有这个词", "百家宴"):
        if query == "百家宴":
            type_search(page, query)
        else:
            box = page.get_by_role("textbox", name="搜索")
            box.fill(query)
            box.press("End")
            page.wait_for_timeout(1_000)
        for kind, text in page.evaluate(STRINGS):
            for word in english_words(text, allowed):
                found.setdefault(f"search {query} {kind}", set()).add(word)
    page.context.close()
    assert len(urls) > 20
    assert not found, "English a visitor can see:\n" + "\n".join(
        f"{k}: {sorted(v)}" for k, v in sorted(found.items())
    )


# ---------------------------------------------------------------- the first screen of a phone


def test_brand_name_on_a_phones_first_screen(browser, site_url, example, example_site) -> None:
    """Whatever the cover's shape (the example has a portrait one), the brand name is on the
    first screen of a 375×812 phone, in both modes."""
    shapes = re.findall(
        r'<div class="sc-cover"><img [^>]*width="(\d+)" height="(\d+)"',
        "".join(p.read_text("utf-8") for p in example_site.glob("branches/*/index.html")),
    )
    assert any(int(h) > int(w) for w, h in shapes), "the example should have a portrait cover"
    low = []
    for elder in (False, True):
        page = new_page(browser, PHONE, elder=elder)
        for slug, data in example.items():
            page.goto(f"{site_url}branches/{slug}/")
            h1 = page.locator("article h1")
            expect(h1).to_have_text(data["brand"]["name"])
            box = h1.bounding_box()
            if box["y"] + box["height"] > 812:
                low.append(
                    f"{slug}{' (长辈模式)' if elder else ''}: h1 ends at "
                    f"{box['y'] + box['height']:.0f} px"
                )
        page.context.close()
    assert not low, "brand name below a phone's first screen:\n" + "\n".join(low)


# ---------------------------------------------------------------- screenshots


def test_public_screenshots(browser, site_url, example) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    portrait = "dawan" if "dawan" in example else gallery_slug(example)
    shots = [("home", ""), (f"branch-{portrait}", f"branches/{portrait}/"), ("404", "404.html")]
    saved = []
    for size, options in (("phone", PHONE), ("desktop", DESKTOP)):
        for elder in (False, True):
            page = new_page(browser, options, elder=elder)
            mode = "elder" if elder else "normal"
            for name, path in shots:
                page.goto(site_url + path)
                page.wait_for_load_state("networkidle")
                target = ARTIFACTS / f"public-{name}-{mode}-{size}.png"
                page.screenshot(path=str(target))  # the first screen, as a visitor sees it
                saved.append(target)
            footer = ARTIFACTS / f"public-footer-{mode}-{size}.png"
            page.locator("footer.md-footer").screenshot(path=str(footer))
            saved.append(footer)
            page.context.close()
    for path in saved:
        assert path.stat().st_size > 5_000, f"{path.name} looks empty"


# ---------------------------------------------------------------- served under a sub-path

PREFIX = "/zzb/ppzs/"
TICKET = "test-jsapi-ticket"  # what the official account's backend holds; never in the site
APP_ID = "wx0000000000000000"


def wechat_signature(url: str, nonce: str = "Wm3WZYTPz0wzccnW", timestamp: int = 1414587457):
    """WeChat's JS-SDK signature, as an official-account backend computes it."""
    raw = f"jsapi_ticket={TICKET}&noncestr={nonce}&timestamp={timestamp}&url={url}"
    return {
        "appId": APP_ID,
        "timestamp": timestamp,
        "nonceStr": nonce,
        "signature": hashlib.sha1(raw.encode()).hexdigest(),
    }


class _PortalHandler(http.server.SimpleHTTPRequestHandler):
    """The county portal: the showcase under PREFIX, its 404 page for any missing path there (as
    ``error_page 404`` does), and the official account's signature endpoint at /wx/signature."""

    def log_message(self, format, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        parts = urlsplit(self.path)
        if parts.path == "/wx/signature":
            url = parse_qs(parts.query).get("url", [""])[0]
            self.server.signed.append(url)
            self._send(200, "application/json", json.dumps(wechat_signature(url)).encode())
            return
        super().do_GET()

    def send_error(self, code, message=None, explain=None) -> None:
        if code == 404 and self.path.startswith(PREFIX):
            page = Path(self.directory, PREFIX.strip("/"), "404.html").read_bytes()
            self._send(404, "text/html; charset=utf-8", page)
            return
        super().send_error(code, message, explain)

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Portal(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, www: Path):
        self.requests: list[str] = []
        self.signed: list[str] = []
        super().__init__(("127.0.0.1", 0), functools.partial(_PortalHandler, directory=str(www)))

    def handle_error(self, request, client_address) -> None:
        pass  # a cancelled image download


@dataclass
class Portal:
    base: str  # http://127.0.0.1:PORT/zzb/ppzs/
    site: Path
    server: _Portal
    outside: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def portal(example_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """The example county built with site_url under a sub-path of the portal, only an ICP number
    in site_info, and WeChat share cards on; served as the portal would."""
    root = copy_project(tmp_path_factory.mktemp("portal") / "p")
    shutil.copytree(example_root / ".cache", root / ".cache")  # photos already made
    www = root / "www"
    www.mkdir()
    server = _Portal(www)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    edits = [
        ("site_url: https://showcase.example.org/\n", f"site_url: {base}\n"),
        ("site_dir: site\n", "site_dir: www/zzb/ppzs\n"),
        (
            "      share_image: assets/share.png\n",
            "      share_image: assets/share.png\n      wechat: {signature_endpoint: /wx/signature}\n",
        ),
    ]
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    text = re.sub(r"(?m)^ +(sponsor|contact|police|site_code):.*\n", "", text)
    config.write_text(text, "utf-8")
    assert showcase(["build", "--root", str(root)]) == 0
    yield Portal(base, www / PREFIX.strip("/"), server)
    server.shutdown()
    server.server_close()


def portal_page(browser, portal: Portal, options: dict = PHONE, **extra):
    """A page that records every request; requests leaving 127.0.0.1 are refused and noted."""
    page = new_page(browser, options, **extra)
    page.requests = []
    page.failed = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("response", lambda r: r.status >= 400 and page.failed.append(f"{r.status} {r.url}"))

    def outside(route):
        portal.outside.append(route.request.url)
        route.abort()

    page.context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), outside)
    return page


def test_subpath_links_qr_codes_and_share_urls(browser, portal: Portal, example) -> None:
    page = portal_page(browser, portal)
    base = portal.base
    page.goto(base)
    expect(page.locator("article h1, .sc-hero__title").first).to_be_visible()
    page.locator("a.sc-way", has_text="按乡镇").click()
    page.wait_for_url(base + "towns/")
    page.locator(".sc-group-link a").first.click()
    page.wait_for_url(re.compile(re.escape(base) + r"towns/[a-z0-9-]+/$"))
    page.locator("a.sc-card__link").first.click()
    page.wait_for_url(re.compile(re.escape(base) + r"branches/[a-z0-9-]+/$"))
    slug = page.url[len(base) :].split("/")[1]
    expect(page.locator("article h1")).to_have_text(example[slug]["brand"]["name"])
    og = {
        p: page.locator(f'meta[property="{p}"]').get_attribute("content")
        for p in ("og:url", "og:image")
    }
    assert og["og:url"] == page.url
    assert og["og:image"].startswith(base + "media/")
    image = page.request.get(og["og:image"])
    assert image.ok and image.headers["content-type"] == "image/jpeg"
    # the QR code encodes this page's address under the sub-path, and opens it
    qr = page.locator("img.sc-qr__img")
    qr.scroll_into_view_if_needed()
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 0
    decoded = decode_qr(page, qr.evaluate("img => img.src"))
    assert decoded == page.url
    nxt = page.locator("nav.sc-pager a").last
    nxt.click()
    page.wait_for_load_state("load")
    assert page.url.startswith(base)
    # every request of the visit stayed under the sub-path and was answered
    strays = [u for u in page.requests if not u.startswith(base) and not u.startswith("data:")]
    assert not strays, f"requests outside {PREFIX}: {strays}"
    assert not page.failed, page.failed
    page.context.close()


def decode_qr(page, svg_url: str) -> str:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    shot = page.context.new_page()
    shot.set_content(
        '<body style="margin:0;background:#fff">'
        f'<img id="qr" src="{svg_url}" style="width:300px;height:300px"></body>'
    )
    expect(shot.locator("#qr")).to_have_js_property("complete", True)
    png = shot.locator("#qr").screenshot()
    shot.close()
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert len(decoded) == 1, decoded
    return decoded[0]


def test_subpath_sitemap(browser, portal: Portal) -> None:
    page = portal_page(browser, portal)
    response = page.request.get(portal.base + "sitemap.xml")
    assert response.ok
    locs = re.findall(r"<loc>([^<]+)</loc>", response.text())
    assert len(locs) > 20
    assert not [u for u in locs if not u.startswith(portal.base)]
    broken = [u for u in locs if not page.request.get(u).ok]
    assert not broken, broken
    page.context.close()


def test_subpath_search_finds_and_opens(browser, portal: Portal, example) -> None:
    page = portal_page(browser, portal, DESKTOP)
    checked = 0
    for slug, data in list(example.items())[:3]:
        brand = data["brand"]["name"]
        page.goto(portal.base + "about/")
        opened = search_and_open(page, brand, portal.base)
        assert opened.split("?")[0].split("#")[0] == f"{portal.base}branches/{slug}/", (
            f"searching {brand} opened {opened}"
        )
        expect(page.locator("article h1")).to_have_text(brand)
        checked += 1
    assert checked == 3
    assert not page.failed, page.failed
    page.context.close()


def test_subpath_404_page_is_chinese_searches_and_links_home(browser, portal: Portal) -> None:
    page = portal_page(browser, portal, DESKTOP)
    missing = portal.base + "branches/no-such-branch/"
    response = page.goto(missing)
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("页面没有找到")
    assert page.title().startswith("页面没有找到")
    # the theme's files load from the sub-path, also from a nested missing address
    header = page.locator(".md-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header not in ("rgba(0, 0, 0, 0)", "transparent"), header
    assert not [f for f in page.failed if f != f"404 {missing}"], page.failed
    # its own search box: type, submit, a result opens the branch
    box = page.get_by_role("searchbox", name="搜索本站")
    box.fill("百家宴")
    box.press("Enter")
    result = page.get_by_role("link").filter(has_text="百家宴").first
    expect(result).to_be_visible()
    result.click()
    page.wait_for_url(re.compile(re.escape(portal.base) + r"branches/[a-z0-9-]+/"))
    expect(page.locator("article")).to_contain_text("百家宴")
    # and home
    page.goto(missing)
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_url(portal.base)
    page.context.close()


def test_subpath_footer_shows_only_what_is_given(browser, portal: Portal) -> None:
    page = portal_page(browser, portal)
    page.goto(portal.base)
    footer = page.locator("footer")
    expect(footer).to_contain_text("浙ICP备00000000号-1")
    for absent in ("主办单位", "联系方式", "公网安备", "网站标识码"):
        expect(footer).not_to_contain_text(absent)
    assert page.locator(".sc-footer__item").count() == 1
    assert page.locator("footer img").count() == 0
    page.context.close()


WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2171A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 "
    "MMWEBID/2305 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin "
    "NetType/WIFI Language/zh_CN ABI/arm64"
)

# The bridge that WeChat's browser injects into every page, which the JS-SDK talks to. There is no
# WeChat here: this stand-in answers every call with success and records what the page asked.
WEIXIN_BRIDGE = """
window.__wx = [];
window.WeixinJSBridge = {
  invoke: function (name, args, callback) {
    window.__wx.push({name: name, args: JSON.parse(JSON.stringify(args || {}))});
    setTimeout(function () { callback && callback({err_msg: name + ':ok'}); }, 0);
  },
  on: function () {}, call: function () {}, log: function () {}
};
"""


def test_wechat_share_card(browser, portal: Portal, example) -> None:
    slug = gallery_slug(example)
    url = f"{portal.base}branches/{slug}/"
    before = len(portal.server.signed)
    page = portal_page(browser, portal, PHONE, user_agent=WECHAT_UA)
    page.context.add_init_script(WEIXIN_BRIDGE)
    page.goto(url + "#图片")
    page.wait_for_function("() => window.__wx.some(c => c.name === 'updateAppMessageShareData')")
    calls = page.evaluate("window.__wx")
    og = {
        p: page.locator(f'meta[property="og:{p}"]').get_attribute("content")
        for p in ("title", "description", "url", "image")
    }
    # the backend was asked to sign exactly the page's address, without the #fragment ...
    assert portal.server.signed[before:] == [url]
    verify = next(c["args"] for c in calls if c["name"] == "preVerifyJSAPI")
    # ... and the page handed WeChat that signature, valid for the address WeChat checks
    assert verify["verifyAppId"] == APP_ID
    assert verify["verifySignature"] == wechat_signature(url)["signature"]
    assert set(verify["verifyJsApiList"]) >= {
        "updateAppMessageShareData",
        "updateTimelineShareData",
    }
    friend = next(c["args"] for c in calls if c["name"] == "updateAppMessageShareData")
    assert (friend["title"], friend["desc"], friend["link"], friend["imgUrl"]) == (
        og["title"],
        og["description"],
        og["url"],
        og["image"],
    )
    moments = next(c["args"] for c in calls if c["name"] == "updateTimelineShareData")
    assert (moments["title"], moments["link"], moments["imgUrl"]) == (
        og["title"],
        og["url"],
        og["image"],
    )
    assert og["url"] == url and og["image"].startswith(portal.base + "media/")
    # the SDK came from the site itself
    sdk = [u for u in page.requests if "jweixin" in u]
    assert sdk and all(u.startswith(portal.base) for u in sdk), sdk
    assert not page.errors, page.errors
    page.context.close()

    # Outside WeChat: no SDK, no signature request.
    signed = len(portal.server.signed)
    plain = portal_page(browser, portal)
    plain.goto(url)
    plain.wait_for_load_state("networkidle")
    assert not [u for u in plain.requests if "jweixin" in u or "/wx/" in u]
    assert len(portal.server.signed) == signed
    assert plain.evaluate("typeof window.wx") == "undefined"
    plain.context.close()


def test_no_wechat_without_the_option(browser, site_url, example) -> None:
    """The example has no wechat option: even inside WeChat, nothing WeChat-related loads."""
    page = new_page(browser, PHONE, user_agent=WECHAT_UA)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{site_url}branches/{gallery_slug(example)}/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if re.search(r"wechat|weixin|jweixin|/wx/", u, re.I)]
    assert page.evaluate("typeof window.wx") == "undefined"
    page.context.close()
