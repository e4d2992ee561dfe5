"""Real-browser tests of the built example site (Debian chromium driven by Playwright).

They use the session fixtures of ``conftest.py``: the example county built once with
``showcase build`` and served on 127.0.0.1. Expectations come from ``branches/*/branch.yml``.
Screenshots go to ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import io
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from conftest import ARTIFACTS, BROWSER_TEST, DESKTOP, PHONE

SITE_URL = "https://showcase.example.org/"  # mkdocs.yml site_url: what the QR codes encode

pytestmark = BROWSER_TEST

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture()
def phone(browser) -> Iterator:
    """A fresh phone-sized page (375×812, touch); JS errors are collected in ``page.errors``."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.errors = []
    page.on(
        "pageerror",
        lambda e: page.errors.append(
            f"{e.message} [{page.url}] at {(e.stack or '').splitlines()[1:2]}"
        ),
    )
    yield page
    context.close()


@pytest.fixture(scope="session")
def branches(example_root: Path) -> dict[str, dict]:
    """slug → the parsed branch.yml plus ``_text`` (the raw YAML text) of the built example."""
    out = {}
    for path in sorted((example_root / "branches").glob("*/branch.yml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        data["_text"] = text
        out[path.parent.name] = data
    assert len(out) >= 3, "the example county should have several branches"
    return out


def branch_slug(url: str) -> str | None:
    """``/branches/<slug>/`` of a URL, or None for any other page."""
    m = re.fullmatch(r"/branches/([a-z0-9][a-z0-9-]*)/", urlsplit(url).path)
    return m.group(1) if m else None


def page_path(url: str) -> str:
    return unquote(urlsplit(url).path)


def open_search(page) -> None:
    """Open the header's search on a phone: the magnifier in the header."""
    page.locator('label[for="__search"]').first.click()
    expect(page.locator("input.md-search__input")).to_be_focused()


def search(page, query: str) -> list[str]:
    """Type ``query`` into the open search box; return every result's href (absolute), pressing
    显示更多 until all are listed."""
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")  # as an input method ends: the text arrives whole, then a key
    result = page.locator(".md-search-result")
    expect(result).to_have_attribute("data-sc-query", query)
    expect(result).to_have_attribute("data-sc-state", "done")
    more = page.locator(".sc-search__more")
    while more.is_visible():
        shown = page.locator(".md-search-result__item").count()
        more.click()
        expect(page.locator(".md-search-result__item")).not_to_have_count(shown)
    return page.eval_on_selector_all(
        "li.md-search-result__item > a.md-search-result__link", "els => els.map(a => a.href)"
    )


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html).replace("\u200b", "")


def page_text(page, url: str) -> str:
    """The text of the page's article (without the theme's navigation), fetched over HTTP."""
    response = page.request.get(url)
    assert response.ok, url
    html = response.text()
    m = re.search(r'(?s)<article class="md-content__inner.*?</article>', html)
    return visible_text(m.group(0) if m else html)


def carriers_mention(data: dict, word: str) -> bool:
    for carrier in data.get("brand", {}).get("carriers") or []:
        if word in str(carrier.get("name", "")) + str(carrier.get("description", "")):
            return True
    return False


def gallery_branch(branches: dict[str, dict], at_least: int = 2) -> str:
    for slug, data in branches.items():
        if len(data.get("photos") or []) >= at_least:
            return slug
    pytest.skip(f"no example branch has {at_least} photos")


# ---------------------------------------------------------------- search


def test_search_collective_economy_finds_every_branch_that_says_it(phone, site_url, branches):
    word = "集体经济"
    expected = {slug for slug, data in branches.items() if word in data["_text"]}
    assert len(expected) >= 3, "the example should have several branches about 集体经济"
    phone.goto(site_url)
    open_search(phone)
    hrefs = search(phone, word)
    found = {branch_slug(h) for h in hrefs} - {None}
    missing = sorted(expected - found)
    assert not missing, (
        f"search {word} misses branches {missing}; results: {[page_path(h) for h in hrefs]}"
    )
    wrong = [page_path(h) for h in hrefs if word not in page_text(phone, h.split("#")[0])]
    assert not wrong, f"search {word} lists pages that do not contain it: {wrong}"


def test_search_banquet_lands_on_a_branch_with_that_carrier(phone, site_url, branches):
    word = "百家宴"
    expected = {slug for slug, data in branches.items() if carriers_mention(data, word)}
    assert expected, "the example should have a branch whose carriers include 百家宴"
    phone.goto(site_url)
    open_search(phone)
    hrefs = search(phone, word)
    first = next((i for i, h in enumerate(hrefs) if branch_slug(h)), None)
    assert first is not None, f"no branch page among the results for {word}: {hrefs}"
    phone.locator("li.md-search-result__item > a.md-search-result__link").nth(first).click()
    phone.wait_for_url(re.compile(r"/branches/[a-z0-9-]+/"))
    slug = branch_slug(phone.url)
    assert slug in expected, (
        f"first branch result {slug} does not have a {word} carrier "
        f"(those that do: {sorted(expected)})"
    )
    expect(phone.locator("article")).to_contain_text(word)
    expect(phone.locator("article h1")).to_have_text(branches[slug]["brand"]["name"])


def test_search_every_brand_name(phone, site_url, branches):
    phone.goto(site_url)
    open_search(phone)
    failures = {}
    for slug, data in branches.items():
        brand = data["brand"]["name"]
        hrefs = search(phone, brand)
        found = [branch_slug(h) for h in hrefs]
        if slug not in found:
            failures[brand] = [page_path(h) for h in hrefs]
    assert not failures, f"brand names whose branch is not found by search: {failures}"


@pytest.fixture(scope="session")
def texts(example_root: Path) -> dict[str, str]:
    """slug → the text search finds a branch by (every part of it, as the index holds it)."""
    from generator.config import DEFAULT_FIELDS
    from generator.content.branches import load_branches
    from generator.content.schema import Choices
    from generator.site.search import branch_text

    loaded, problems = load_branches(
        example_root, example_root / "branches", Choices(DEFAULT_FIELDS, ())
    )
    assert not [p for p in problems if p.is_error]
    return {b.slug: branch_text(b) for b in loaded}


def containing(texts: dict[str, str], query: str) -> set[str]:
    """The ground truth: branches whose text holds every word of ``query`` (case aside)."""
    return {s for s, t in texts.items() if all(w.lower() in t.lower() for w in query.split())}


def only_in_methods(branches: dict[str, dict], texts: dict[str, str]) -> str:
    """A four-character word of some branch's 方法路径 that no other part of any branch has."""
    for slug, data in branches.items():
        methods = "".join(data["brand"].get("methods") or [])
        rest = texts[slug].replace("\n".join(data["brand"].get("methods") or []), "")
        for i in range(len(methods) - 3):
            word = methods[i : i + 4]
            if (
                re.fullmatch(r"\w{4}", word)
                and word not in rest
                and len(containing(texts, word)) == 1
            ):
                return word
    pytest.skip("no word found only in a 方法路径")


def test_search_finds_exactly_the_branches_that_say_it(phone, site_url, branches, texts):
    """Recall and precision through the box, as a visitor types: a compound word, a word inside
    a longer one (网格 in 网格员), a word only in 方法路径, two words, one character, none."""
    queries = [
        "集体经济",
        "网格",
        only_in_methods(branches, texts),
        "百家宴 茶",
        "茶",
        "没有这个词",
    ]
    assert any("网格员" in t for t in texts.values())
    phone.goto(site_url)
    open_search(phone)
    wrong = {}
    for query in queries:
        found = {branch_slug(h) for h in search(phone, query)}
        expected = containing(texts, query)
        if found != expected:
            wrong[query] = {"missing": sorted(expected - found), "extra": sorted(found - expected)}
    assert not wrong, wrong
    assert phone.locator(".md-search-result__meta").inner_text().startswith("没有找到")


def test_search_agrees_with_the_text_on_random_words(phone, site_url, texts):
    """Any piece of any branch's text, 1 to 6 characters, letters, digits and punctuation inside
    included: the index (search.py) and the box (search.js) code it the same way, so search
    finds exactly the branches holding it."""
    rng = random.Random(12)
    runs = [r for t in texts.values() for r in re.findall(r"[^\W_]+", t)]
    queries = []
    while len(queries) < 40:
        run = rng.choice(runs)
        n = rng.randint(1, min(6, len(run)))
        at = rng.randrange(len(run) - n + 1)
        queries.append(run[at : at + n])
    # pieces with punctuation inside (种茶、户户): the whole piece must be there, not its words
    lines = [line for t in texts.values() for line in t.splitlines() if len(line) > 8]
    while len(queries) < 50:
        line = rng.choice(lines)
        at = rng.randrange(len(line) - 6)
        piece = line[at : at + rng.randint(3, 6)]
        if re.fullmatch(r"[^\W_]+[^\w\s]+[^\W_]+", piece):
            queries.append(piece)
    queries += [
        w for w in ("2025", "5G", "GDP") if any(w.lower() in t.lower() for t in texts.values())
    ]
    phone.goto(site_url)
    phone.wait_for_function("typeof window.showcaseSearch === 'function'")
    wrong = {}
    for query in queries:
        got = phone.evaluate("q => window.showcaseSearch(q)", query)
        found = {branch_slug(u) for u in got["urls"]}
        if found != containing(texts, query) or got["count"] != len(found):
            wrong[query] = sorted(found ^ containing(texts, query))
    assert not wrong, wrong


def test_search_results_show_brand_branch_and_the_word_marked(phone, site_url, texts):
    """Each result: brand, branch and a snippet with the word marked; no 「缺少」 line; the page
    opened from a result marks the whole word, never its single characters."""
    word = "集体经济"
    phone.goto(site_url)
    open_search(phone)
    hrefs = search(phone, word)
    items = phone.locator(".md-search-result__item")
    assert items.count() == len(hrefs) == len(containing(texts, word)) >= 3
    for i in range(items.count()):
        item = items.nth(i)
        assert item.locator("h1").inner_text().strip()
        expect(item.locator(".sc-search__where")).to_contain_text(" · ")
        marks = item.locator("p mark").all_inner_texts()
        assert marks and set(marks) == {word}, marks
    panel = phone.locator(".md-search-result").inner_text()
    assert "缺少" not in panel and "missing" not in panel.lower()
    items.first.locator("a").click()
    phone.wait_for_url(re.compile(r"/branches/[a-z0-9-]+/\?h="))
    marks = phone.locator("article mark[data-sc-highlight]").all_inner_texts()
    assert marks and set(marks) == {word}, marks
    assert not phone.errors, phone.errors


def test_search_by_keyboard_and_by_address(browser, site_url, texts):
    """On a desktop: / opens the box, arrow keys walk the results, Enter opens one; ?q=词 in an
    address opens the search with that query (the 404 page's form sends one)."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(site_url)
    page.keyboard.press("/")
    expect(page.locator("input.md-search__input")).to_be_focused()
    hrefs = search(page, "百家宴")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.href")
    assert focused == hrefs[1], (focused, hrefs)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/branches/[a-z0-9-]+/\?h="))
    assert branch_slug(page.url) in containing(texts, "百家宴")
    page.goto(site_url + "towns/?q=" + "网格")
    result = page.locator(".md-search-result")
    expect(result).to_have_attribute("data-sc-state", "done")
    expect(page.locator("input.md-search__input")).to_have_value("网格")
    assert page.locator(".md-search-result__item").count() == len(containing(texts, "网格"))
    context.close()


# ---------------------------------------------------------------- navigation


def test_visitor_navigates_home_town_branch_and_pager(phone, site_url):
    phone.goto(site_url)
    phone.locator("a.sc-way", has_text="按乡镇").click()
    phone.wait_for_url(re.compile(r"/towns/$"))
    town_link = phone.locator(".sc-group-link a").first
    town_link.click()
    phone.wait_for_url(re.compile(r"/towns/[a-z0-9-]+/$"))
    town = phone.locator("article h1").inner_text().strip()
    town_url = phone.url
    cards = phone.locator("a.sc-card__link")
    assert cards.count() >= 1, f"township page {town_url} shows no branch card"
    brand = cards.first.locator(".sc-card__brand").inner_text().strip()
    loaded_errors = len(phone.errors)
    cards.first.click()
    phone.wait_for_url(re.compile(r"/branches/[a-z0-9-]+/$"))
    expect(phone.locator("article h1")).to_have_text(brand)
    kicker = phone.locator(".sc-kicker a").first
    expect(kicker).to_have_text(town)
    assert urljoin(phone.url, kicker.get_attribute("href")) == town_url
    visited = {phone.url}
    nxt = phone.locator("nav.sc-pager a[rel=next]")
    while nxt.count() and len(visited) < 6:
        nxt.click()
        phone.wait_for_url(re.compile(r"/branches/[a-z0-9-]+/$"))
        assert phone.url not in visited, f"the pager loops back to {phone.url}"
        visited.add(phone.url)
        expect(phone.locator(".sc-kicker a").first).to_have_text(town)
    # errors that every page load gives are test_pages_run_without_javascript_errors' business
    seen = {e.split(" [")[0] for e in phone.errors[:loaded_errors]}
    new = [e for e in phone.errors[loaded_errors:] if e.split(" [")[0] not in seen]
    assert not new, f"new JavaScript errors while browsing: {new}"


def test_pages_run_without_javascript_errors(phone, site_url, branches):
    slug = next(iter(branches))
    for path in ("", f"branches/{slug}/", "towns/", "tags/"):
        phone.goto(site_url + path)
        phone.wait_for_load_state("networkidle")
    assert not phone.errors, f"uncaught JavaScript errors on the site: {set(phone.errors)}"


# ---------------------------------------------------------------- lightbox


def swipe_left(page, selector: str) -> None:
    """A real touch swipe (touchstart → touchmove… → touchend) from right to left."""
    box = page.locator(selector).bounding_box()
    y = box["y"] + box["height"] / 2
    x0, x1 = box["x"] + box["width"] * 0.85, box["x"] + box["width"] * 0.1
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, x: float | None = None) -> None:
        points = [] if x is None else [{"x": x, "y": y, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", x0)
    for i in range(1, 11):
        touch("touchMove", x0 + (x1 - x0) * i / 10)
        page.wait_for_timeout(16)
    touch("touchEnd")
    cdp.detach()


def test_lightbox_opens_largest_photo_and_swipes_to_the_next(phone, site_url, branches):
    slug = gallery_branch(branches)
    photos = branches[slug]["photos"]
    phone.goto(f"{site_url}branches/{slug}/")
    links = phone.locator(".sc-gallery figure.sc-photo > a.glightbox")
    assert links.count() == len(photos)
    first = links.first
    srcset = first.locator("img").get_attribute("srcset")
    widths = {int(w): u for u, w in re.findall(r"(\S+)\s+(\d+)w", srcset)}
    largest = widths[max(widths)]
    assert first.get_attribute("href") == largest, "the lightbox should open the largest rendition"
    first.scroll_into_view_if_needed()
    loaded_errors = list(phone.errors)  # page-load errors are test_pages_run_without_js_errors'
    first.tap()
    expect(phone.locator(".glightbox-container")).to_be_visible()
    current = phone.locator(".gslide.current")
    expect(current.locator("img")).to_be_visible()
    src = current.locator("img").get_attribute("src")
    assert src.endswith(largest.rsplit("/", 1)[-1]), f"lightbox shows {src}, not {largest}"
    natural = current.locator("img").evaluate("img => img.naturalWidth")
    assert natural == max(widths) or natural > 960, f"lightbox image is only {natural}px wide"
    expect(current.locator(".gslide-title")).to_have_text(photos[0]["caption"])
    phone.wait_for_timeout(400)  # the zoom-in effect

    swipe_left(phone, ".gslide.current .gslide-image img")
    second = phone.locator(".gslide.current .gslide-title")
    try:
        expect(second).to_have_text(photos[1]["caption"], timeout=3_000)
        swiped = True
    except AssertionError:
        swiped = False
    if not swiped:  # headless touch emulation can be flaky: fall back to the next button
        phone.locator(".gnext").click()
        expect(second).to_have_text(photos[1]["caption"])
    print(f"lightbox on {slug}: swipe {'changed' if swiped else 'did not change'} the slide")
    new = phone.errors[len(loaded_errors) :]
    assert not new, f"JavaScript errors in the lightbox: {new}"


# ---------------------------------------------------------------- QR code


def test_qr_code_opens_the_page(phone, site_url, branches):
    """Every branch's qr.svg, drawn by chromium as a visitor's camera would see it (on white,
    at 300 px, which its viewBox allows), decodes to that branch's public URL."""
    import zxingcpp
    from PIL import Image

    slug = next(iter(branches))
    phone.goto(f"{site_url}branches/{slug}/")
    qr = phone.locator("img.sc-qr__img")
    qr.scroll_into_view_if_needed()
    assert qr.get_attribute("src") == "qr.svg"
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 0, "the QR code image does not load"
    response = phone.request.get(urljoin(phone.url, "qr.svg"))
    assert response.ok and "svg" in response.headers.get("content-type", "")

    phone.set_viewport_size({"width": 375, "height": 812})
    for slug in branches:
        svg_url = f"{site_url}branches/{slug}/qr.svg"
        phone.set_content(
            '<body style="margin:0;background:#fff">'
            f'<img id="qr" src="{svg_url}" style="width:300px;height:300px"></body>'
        )
        expect(phone.locator("#qr")).to_have_js_property("complete", True)
        png = phone.locator("#qr").screenshot()
        image = Image.open(io.BytesIO(png))
        decoded = [r.text for r in zxingcpp.read_barcodes(image)]
        assert decoded == [f"{SITE_URL}branches/{slug}/"], f"{slug}/qr.svg decodes to {decoded}"
        # Drawn to the full 300 px: dark modules reach close to both edges of the image.
        dark = image.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
        assert dark and dark[0] < 40 and dark[2] > 260, f"{slug}/qr.svg does not scale: {dark}"
    print(f"{len(branches)} QR codes decoded by zxing-cpp from chromium's rendering")


# ---------------------------------------------------------------- images, language, headings

IMG_FACTS = """() => [...document.querySelectorAll('img')].map(img => ({
    src: img.getAttribute('src'), alt: img.getAttribute('alt'),
    width: img.getAttribute('width'), height: img.getAttribute('height'),
    loading: img.getAttribute('loading'), srcset: img.getAttribute('srcset'),
    cover: !!img.closest('.sc-cover'), gallery: !!img.closest('.sc-photo'),
    card: img.classList.contains('sc-card__img'), decorative: img.getAttribute('alt') === '',
    content: !!img.closest('article'),
}))"""

HEADINGS = """() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
    .filter(h => !h.closest('.md-sidebar, .md-search, .md-nav, .md-header, .md-footer'))
    .map(h => [Number(h.tagName[1]), h.textContent.trim()])"""


def check_page_basics(page, url: str) -> list[str]:
    problems = []
    page.goto(url)
    page.wait_for_load_state("networkidle")
    lang = page.get_attribute("html", "lang") or ""
    if not lang.startswith("zh"):
        problems.append(f"html lang={lang!r}")
    for img in page.evaluate(IMG_FACTS):
        name = img["src"]
        if img["alt"] is None or (not img["alt"].strip() and not img["decorative"]):
            problems.append(f"{name}: no alt")
        if not img["content"]:  # theme chrome (Material's header logo): sized by its CSS
            continue
        if not (img["width"] and img["height"]):
            problems.append(f"{name}: no width/height attributes")
        if not img["cover"] and img["loading"] != "lazy":
            problems.append(f"{name}: not loading=lazy")
        if img["cover"] and img["loading"] == "lazy":
            problems.append(f"{name}: the cover at the top should not be lazy")
        if (img["cover"] or img["gallery"]) and not img["srcset"]:
            problems.append(f"{name}: no srcset")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > 375 + 1:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 376 && e.offsetParent !== null)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
        problems.append(f"horizontal scrolling: scrollWidth {scroll_width} (e.g. {wide})")
    headings = page.evaluate(HEADINGS)
    h1 = [text for level, text in headings if level == 1]
    if len(h1) != 1:
        problems.append(f"{len(h1)} h1 headings: {h1}")
    previous = 1
    for level, text in headings:
        if level > previous + 1:
            problems.append(f"heading level skipped: h{previous} → h{level} {text!r}")
        previous = level
    return [f"{page_path(url)}: {p}" for p in problems]


def test_images_language_headings_and_width(phone, site_url, branches):
    slug = gallery_branch(branches)
    problems = check_page_basics(phone, site_url)
    problems += check_page_basics(phone, f"{site_url}branches/{slug}/")
    assert phone.locator(".sc-gallery img[srcset]").count() >= 2
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- accessibility

# Violations inside mkdocs-material's own markup that the project's templates do not write. Each
# is still printed; it is only not counted. Keep the list short and say why.
THIRD_PARTY: set[tuple[str, str]] = set()


def axe_summary(results) -> list[tuple[str, str, int, str]]:
    return [
        (v["id"], v.get("impact") or "", len(v["nodes"]), v["help"])
        for v in results.response["violations"]
    ]


def test_axe_no_serious_violations(phone, site_url, branches):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    slug = gallery_branch(branches)
    serious = []
    for url in (site_url, f"{site_url}branches/{slug}/"):
        phone.goto(url)
        phone.wait_for_load_state("networkidle")
        results = axe.run(phone)
        print(f"\naxe-core on {page_path(url)}: {results.violations_count} violation(s)")
        for vid, impact, count, text in axe_summary(results):
            print(f"  {impact:9} {vid} ×{count}: {text}")
            nodes = [
                " ".join(node["target"])
                for v in results.response["violations"]
                if v["id"] == vid
                for node in v["nodes"]
            ]
            if all((vid, target) in THIRD_PARTY for target in nodes):
                print(f"            (in mkdocs-material's markup, not counted: {nodes})")
            elif impact in ("serious", "critical"):
                serious.append(f"{page_path(url)} {vid} ({impact}) ×{count}: {text} {nodes[:5]}")
    assert not serious, "serious or critical accessibility problems:\n" + "\n".join(serious)


# ---------------------------------------------------------------- screenshots


def test_screenshots(browser, site_url, branches):
    ARTIFACTS.mkdir(exist_ok=True)
    slug = gallery_branch(branches)
    saved = []
    for size, options in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(**options)
        page = context.new_page()
        for name, url in (("home", site_url), (f"branch-{slug}", f"{site_url}branches/{slug}/")):
            page.goto(url)
            page.wait_for_load_state("networkidle")
            # lazy images below the fold: scroll through so the full-page shot has them
            page.evaluate("""async () => { for (let y = 0; y < document.body.scrollHeight;
                y += 600) { window.scrollTo(0, y); await new Promise(r => setTimeout(r, 30)); }
                window.scrollTo(0, 0); }""")
            page.wait_for_load_state("networkidle")
            path = ARTIFACTS / f"{name}-{size}.png"
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)
        page.goto(site_url)
        if size == "phone":
            open_search(page)
        else:
            page.locator("input.md-search__input").click()
        search(page, "集体经济")
        path = ARTIFACTS / f"search-集体经济-{size}.png"
        # Material's open-search overlay (a scaled circle) widens <body> to ~1250 px on a phone
        # without any horizontal scrolling; clip the full-page shot to the viewport's width
        height = page.evaluate("document.documentElement.scrollHeight")
        width = options["viewport"]["width"]
        page.screenshot(
            path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}
        )
        saved.append(path)
        context.close()
    for path in saved:
        assert path.stat().st_size > 10_000, f"{path.name} looks empty"


def test_branch_pages_print_as_one_a4_poster_each(browser, site_url, branches):
    """Printed at the venue: cover, brand, summary, facts and the QR code on one A4 sheet."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    printed = {}
    for slug in sorted(branches):
        page.goto(urljoin(site_url, f"branches/{slug}/"))
        page.wait_for_load_state("networkidle")
        page.emulate_media(media="print")
        assert page.locator("img.sc-qr__img").is_visible(), slug
        assert page.locator(".sc-summary").is_visible(), slug
        assert SITE_URL + f"branches/{slug}/" in page.locator(".sc-qr").inner_text(), slug
        for hidden in (".sc-gallery", "nav.sc-pager", ".md-header", ".sc-qr__download"):
            assert not page.locator(hidden).first.is_visible(), (slug, hidden)
        pdf = page.pdf(format="A4", print_background=True)
        printed[slug] = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        page.emulate_media(media="screen")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"poster-{slug}.pdf").write_bytes(pdf)
    context.close()
    assert {s: n for s, n in printed.items() if n != 1} == {}, "posters longer than one A4 page"


# ---------------------------------------------------------------- a branch without photos

NO_PHOTO_BRAND = "山水画廊里的共富工坊"


@pytest.fixture(scope="module")
def sparse_site_url(tmp_path_factory) -> Iterator[str]:
    """A small county where a 国家级 示范点 has no photo yet, next to one that has photos."""
    from conftest import REPO, copy_project, serve_folder
    from helpers import write_branch

    from generator.cli import main as showcase

    root = copy_project(tmp_path_factory.mktemp("sparse"), branches=False)
    shutil.copytree(REPO / "branches/xikou", root / "branches/xikou")
    write_branch(
        root,
        "wuzhao",
        f"""\
        name: 乌沼村党支部
        town: 石门镇
        field: 农村
        demonstration: 国家级
        brand:
          name: {NO_PHOTO_BRAND}
          summary: 村党支部牵头办起共富工坊，把山水资源变成村民家门口的就业岗位。
        """,
    )
    assert showcase(["build", "--root", str(root)]) == 0
    with serve_folder(root / "site") as url:
        yield url


CARD_FACTS = """el => {
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const mark = el.querySelector('.sc-card__mark');
  const inner = mark ? mark.getBoundingClientRect() : box;
  return {display: style.display, color: style.color, image: style.backgroundImage,
          text: el.innerText.trim(), inside: inner.left >= box.left - 1 &&
          inner.right <= box.right + 1 && inner.top >= box.top - 1 &&
          inner.bottom <= box.bottom + 1, clipped: el.scrollWidth > el.clientWidth + 1 ||
          el.scrollHeight > el.clientHeight + 1,
          offCentre: Math.abs((inner.left + inner.right) / 2 - (box.left + box.right) / 2)};
}"""


def test_card_without_a_photo_shows_the_brand_on_the_brand_colour(browser, sparse_site_url):
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    for size, options in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(**options)
        page = context.new_page()
        for name, path in (("home", ""), ("town", "towns/shimenzhen/")):
            page.goto(sparse_site_url + path)
            page.wait_for_load_state("networkidle")
            cards = page.locator(".sc-card", has_text=NO_PHOTO_BRAND)
            expect(cards).to_have_count(1)
            card = cards.first
            card.scroll_into_view_if_needed()
            card.screenshot(path=str(ARTIFACTS / f"card-without-photo-{name}-{size}.png"))
            facts = card.locator(".sc-card__img").evaluate(CARD_FACTS)
            where = f"{name} ({size})"
            if facts["display"] != "flex" or "gradient" not in facts["image"]:
                problems.append(f"{where}: placeholder not laid out: {facts}")
            if "rgb(164, 22, 26)" not in facts["image"]:  # mkdocs.yml extra.brand_color
                problems.append(f"{where}: not on the brand colour: {facts['image']}")
            if facts["color"] != "rgb(255, 255, 255)":
                problems.append(f"{where}: brand name not white: {facts['color']}")
            if facts["text"] != NO_PHOTO_BRAND or not facts["inside"] or facts["clipped"]:
                problems.append(f"{where}: brand name cut: {facts}")
            if facts["offCentre"] > 2:
                problems.append(f"{where}: brand name not centred: {facts['offCentre']} px")
        context.close()
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- line breaks on a phone

# Units that must stay on one line: a date, a number with its measure word, a short bracket
# such as （街道） or （镇级）, the word 乡镇. A line may break between them, not inside them.
UNITS = [r"\d{4} 年 \d{1,2} 月 \d{1,2} 日", r"\d+ [个项名年]", r"（[^（）\s]{1,4}）", r"乡镇"]
BROKEN_UNITS = """([patterns, selector]) => {
  const broken = [];
  for (const root of document.querySelectorAll(selector)) {
    // The element's text as one string, and where each text node starts in it.
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    let text = '';
    while (walker.nextNode()) {
      nodes.push([walker.currentNode, text.length]);
      text += walker.currentNode.data;
    }
    const at = (pos, end) => {
      for (let i = nodes.length - 1; i >= 0; i--) {
        const [node, start] = nodes[i];
        if (end ? start < pos : start <= pos) return [node, pos - start];
      }
    };
    for (const source of patterns) {
      const re = new RegExp(source, 'g');
      let m;
      while ((m = re.exec(text))) {
        const range = document.createRange();
        range.setStart(...at(m.index, false));
        range.setEnd(...at(m.index + m[0].length, true));
        const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
        if (!rects.length) continue;  // not shown
        const tops = rects.map(r => r.top);
        const lowest = Math.min(...rects.map(r => r.height));
        if (Math.max(...tops) - Math.min(...tops) > lowest / 2) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""
# A separator stays with what comes before it: no line of a list starts with 、 or ·.
SEPARATOR = r"\S ?[、，·]"
# Where the templates list brand and branch names: short enough to keep whole on a phone.
NAME_LISTS = ".sc-list li, .sc-recent li, .sc-honours li, .sc-card__brand, .sc-way span"


def test_units_never_break_across_lines_on_a_phone(browser, site_url, branches):
    honoured = next(s for s, d in branches.items() if d.get("honors"))
    names = [
        re.escape(n)
        for d in branches.values()
        for n in (d["name"], d["brand"]["name"], d["town"], d["field"], *d.get("tags", []))
        if len(n) <= 12
    ]
    pages = [
        site_url + p
        for p in (
            "",
            "towns/",
            "fields/",
            "tags/",
            "demonstration/",
            "honours/",
            "about/",
            f"branches/{honoured}/",
        )
    ]
    problems = []
    for width in (375, 320):  # a common phone, and a small one
        context = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": 812}})
        phone = context.new_page()
        phone.goto(site_url + "towns/")
        town = phone.locator(".sc-group-link a").first.get_attribute("href")
        for url in [*pages, urljoin(phone.url, town)]:
            phone.goto(url)
            phone.evaluate("document.fonts.ready.then(() => true)")  # lines are laid out in them
            broken = phone.evaluate(BROKEN_UNITS, [UNITS, ".md-content"])
            broken += phone.evaluate(BROKEN_UNITS, [names + [SEPARATOR], NAME_LISTS])
            problems += [f"{width} px {page_path(url)}: “{unit}” split" for unit in broken]
        context.close()
    assert not problems, "\n".join(problems)
