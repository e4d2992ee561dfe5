"""The built site as a whole: text stays text, builds are deterministic, every link resolves,
``mkdocs build --strict`` passes, and the generator touches nothing that is not its own.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from conftest import NEEDS_CHROMIUM, copy_project
from helpers import draw_photo, fold_mismatches, write_branch

from generator import parallel
from generator.cli import main as showcase

# --------------------------------------------------------------------------- HTML helpers


class Page(HTMLParser):
    """Every element of a page with its attributes, whether it is inside <article>, and the text
    of <script> and <h1>/<h2> elements."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], bool]] = []
        self.scripts: list[tuple[dict[str, str | None], str, bool]] = []
        self.headings: list[tuple[str, str]] = []  # (tag, text) inside <article>
        self.ids: set[str] = set()
        self._article = 0
        self._stack: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []
        self._heading: tuple[str, list[str]] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        inside = self._article > 0
        self.elements.append((tag, a, inside))
        if a.get("id"):
            self.ids.add(a["id"])
        if a.get("name") and tag == "a":
            self.ids.add(a["name"])
        if tag == "article":
            self._article += 1
        if tag == "script":
            self._script, self._script_text = a, []
        if tag in ("h1", "h2") and inside:
            self._heading = (tag, [])
        if tag not in self.VOID:
            self._stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_endtag(self, tag):
        if tag == "article":
            self._article -= 1
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text), self._article > 0))
            self._script = None
        if self._heading and tag == self._heading[0]:
            self.headings.append((tag, "".join(self._heading[1]).strip()))
            self._heading = None
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self._script is not None:
            self._script_text.append(data)
        if self._heading is not None:
            self._heading[1].append(data)


def article_html(html: str) -> str:
    m = re.search(r"<article\b.*?</article>", html, re.S)
    assert m, "page has no <article>"
    return m.group(0)


def assert_inert(html: str, where: str) -> None:
    """No event attribute anywhere in the content, no script or script URL in it."""
    page = Page(html)
    for tag, attrs, inside in page.elements:
        for name, value in attrs.items():
            # The theme itself has no event attributes, so none may appear anywhere.
            assert not name.lower().startswith("on"), f"{where}: <{tag} {name}={value!r}>"
            if name.lower() in ("href", "src", "srcset", "action", "formaction", "data", "poster"):
                v = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
                assert not v.startswith(("javascript:", "data:", "vbscript:")), (
                    f"{where}: <{tag} {name}={value!r}>"
                )
        if inside:
            assert tag not in ("script", "iframe", "object", "embed", "form", "style", "base"), (
                f"{where}: <{tag}> inside the article"
            )


def theme_scripts(html: str) -> list[str]:
    """The page's scripts, normalised for comparing pages at different depths."""
    out = []
    for attrs, text, _inside in Page(html).scripts:
        src = attrs.get("src") or ""
        src = re.sub(r"^(\.\./)+", "", src)
        text = re.sub(r"\.\./|\.\.(?=\")|\./|\.(?=\")", "", text)
        out.append(f"{src}|{attrs.get('id', '')}|{text[:200] if not src else ''}")
    return out


# --------------------------------------------------------------------------- text is text

EVIL_TEXT = (
    "<b onclick=alert(1)>x</b> <script>alert(1)</script> <img src=x onerror=alert(1)>\n"
    "第一段文字\n"
    '{: onclick="alert(1)" }\n'
    "\n"
    "# heading\n"
    '{: onclick="alert(1)" }\n'
    "\n"
    "## 理念产生\n"
    "\n"
    "[x](javascript:alert(1)) [y](data:text/html;base64,PHNjcmlwdD4=) "
    "[z]( JaVaScRiPt:alert(1)) <javascript:alert(1)> [ok](https://example.org/ok)\n"
    "\n"
    "{{ config }} {% include 'x' %} {{ page.meta }}\n"
    "\n"
    "---\n"
    "title: hacked\n"
    "---\n"
    "\n"
    '--8<-- "mkdocs.yml"\n'
    "\n"
    "<!-- material/tags -->\n"
    "\n"
    "![img](https://example.org/x.png) <style>body{display:none}</style> <iframe src=x></iframe>\n"
    "\n"
    "结束语 END-OF-TEXT"
)
EVIL_SHORT = (
    "<script>alert(1)</script> <b onclick=alert(1)>x</b> [x](javascript:alert(1)) "
    "{{ config }} {% include 'x' %} {: onclick=alert(1) }\n\n---\ntitle: hacked\n---\n\n"
    "# heading\n\n## 理念产生"
)
EVIL_LINE = "<script>alert(1)</script>\"'{: #x }*bold*"
# Title (brand name · short name), description (summary) and tags reach Material's templates,
# which print them without escaping; the theme-channel tests below use their own build.
SAFE_FOR_THEME = "'{: #x }*b*"


def _branch(branch_name: str, evil: bool, **over) -> dict:
    text = EVIL_TEXT if evil else "普通的一段话。\n\n第二段，**加粗**。"
    line = EVIL_LINE if evil else "普通"
    data = {
        "name": branch_name,
        "short_name": "村" + SAFE_FOR_THEME if evil else "普通村",
        "town": "石门镇",
        "field": "农村",
        "secretary": "<b onclick=x>李</b>" if evil else "李某",
        "address": line if evil else "一组",
        "brand": {
            "name": "品" + SAFE_FOR_THEME if evil else "普通品牌",
            "slogan": line,
            "summary": EVIL_SHORT if evil else "一段简介。",
            "concept": text,
            "theory": text,
            "methods": [text, EVIL_SHORT if evil else "一步"],
            "carriers": [{"name": line[:40], "description": text}],
            "results": text,
            "cases": [
                {
                    "title": ('标题 {: #evil onclick="alert(1)" }' if evil else "一件事"),
                    "date": "2026-05-01",
                    "text": text,
                    "photos": ["photos/a.jpg"],
                }
            ],
        },
        "honors": [{"title": line, "level": "省级", "year": 2025}],
        "tags": ["{: #x }", "*bold*", "\"'", "a&b"] if evil else ["集体经济"],
        "photos": [
            {
                "file": "photos/a.jpg",
                "caption": (
                    "<script>alert(1)</script><img src=x onerror=alert(1)>\"'{: #x }*bold*"
                    if evil
                    else "村部外景"
                ),
                "credit": "<b onclick=alert(1)>王某</b>" if evil else "王某 摄",
                "date": "2026-03-02",
            },
        ],
    }
    for key, value in over.items():
        target = data["brand"] if key in data["brand"] else data
        target[key] = value
    return data


def _build(root: Path, branches: dict[str, dict]) -> Path:
    for slug, data in branches.items():
        write_branch(root, slug, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        draw_photo(root / f"branches/{slug}/photos/a.jpg")
    assert showcase(["build", "--root", str(root)]) == 0
    return root


@pytest.fixture(scope="module")
def evil_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("evil"), branches=False)
    return _build(
        root, {"evil": _branch(EVIL_LINE + "村", True), "clean": _branch("普通村党支部", False)}
    )


SECTIONS = [
    "理念产生",
    "理论支撑",
    "方法路径",
    "活动载体",
    "成效愿景",
    "典型个案",
    "图片",
    "扫码访问",
]


def test_branch_page_text_is_text(evil_root: Path) -> None:
    html = (evil_root / "site/branches/evil/index.html").read_text("utf-8")
    clean = (evil_root / "site/branches/clean/index.html").read_text("utf-8")
    assert_inert(html, "branches/evil")
    # Only the theme's scripts, the same as on a clean branch page.
    assert theme_scripts(html) == theme_scripts(clean)
    assert not [s for s in Page(html).scripts if s[2]], "a <script> inside the article"
    page = Page(html)
    # Exactly the page's own sections: text never opens a section or adds a heading.
    assert [t for tag, t in page.headings if tag == "h2"] == SECTIONS
    assert len([t for tag, t in page.headings if tag == "h1"]) == 1
    assert [t for tag, t in Page(clean).headings if tag == "h2"] == SECTIONS
    content = article_html(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "{{ config }}" in content and "{% include" in content and "{{ page.meta }}" in content
    assert "title: hacked" in content and "<title>hacked" not in html
    assert "&lt;!-- material/tags --&gt;" in content or "material/tags" not in content
    assert "site_name:" not in html  # snippets did not include mkdocs.yml
    assert "END-OF-TEXT" in content  # nothing after the injections was swallowed
    # The attribute-list id never reached an element.
    assert "x" not in page.ids and "evil" not in page.ids
    # The https link survives, with rel; the other schemes do not.
    assert 'href="https://example.org/ok"' in content
    links = [a.get("href") or "" for t, a, inside in page.elements if t == "a" and inside]
    assert not [
        h
        for h in links
        if not h.startswith(("https:", "http:", "mailto:", "../", "#"))
        and "/" not in h.split(":")[0]
        and ":" in h.split("/")[0]
    ], links


def test_lightbox_titles_are_double_escaped(evil_root: Path) -> None:
    """glightbox puts data-title/data-description into the page with innerHTML."""
    html = (evil_root / "site/branches/evil/index.html").read_text("utf-8")
    boxes = [
        a
        for tag, a, inside in Page(html).elements
        if tag == "a" and "glightbox" in (a.get("class") or "")
    ]
    assert len(boxes) == 2  # the case photo and the gallery photo
    for a in boxes:
        for key in ("data-title", "data-description"):
            value = a.get(key)
            if value is None:
                continue
            # After the browser decodes the attribute once, it is still escaped HTML.
            assert "<" not in value and ">" not in value, (key, value)
        assert "&lt;script&gt;" in a["data-title"]
    assert 'data-title="&amp;lt;script&amp;gt;' in html


def test_every_page_is_inert(evil_root: Path) -> None:
    pages = sorted((evil_root / "site").rglob("*.html"))
    assert len(pages) > 8
    clean = theme_scripts((evil_root / "site/branches/clean/index.html").read_text("utf-8"))
    for path in pages:
        html = path.read_text("utf-8")
        where = path.relative_to(evil_root / "site").as_posix()
        assert_inert(html, where)
        if "<article" in html:
            assert "<script>alert" not in html.lower(), where
            # The lightbox's scripts are only on pages with a lightbox (the clean branch page).
            lightbox = [s for s in clean if "glightbox" in s]
            expected = clean if "glightbox" in html else [s for s in clean if s not in lightbox]
            assert theme_scripts(html) == expected or where == "404.html", where


def test_names_are_escaped_on_every_listing(evil_root: Path) -> None:
    site = evil_root / "site"
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for listing in ("index.html", "towns/index.html", "fields/index.html", "honours/index.html"):
        html = (site / listing).read_text("utf-8")
        assert escaped in html, listing  # the evil branch is listed, as text
        assert_inert(html, listing)
    title = Page((site / "branches/evil/index.html").read_text("utf-8"))
    assert not [t for t, a, _ in title.elements if t in ("svg", "img") and "onerror" in a]


@pytest.mark.browser
@NEEDS_CHROMIUM
def test_search_shows_content_as_text(evil_root: Path, browser) -> None:
    """Searching the evil branch in a real browser: its markup shows as text in the results and
    on the page opened from them (marked words included), and nothing in it runs."""
    from conftest import serve_folder

    evil = json.loads(
        gzip.decompress(
            next(
                f.read_bytes()
                for f in (evil_root / "site/pagefind/fragment").iterdir()
                if b"/branches/evil/" in gzip.decompress(f.read_bytes())
            )
        )[len(b"pagefind_dcd") :]
    )
    assert "<" in evil["meta"]["title"] + evil["content"]  # markup arrives as text to show
    with serve_folder(evil_root / "site") as url:
        page = browser.new_page()
        ran = []
        page.on("dialog", lambda d: (ran.append(d.message), d.dismiss()))
        page.goto(url)
        box = page.locator("input.md-search__input")
        box.click()
        box.fill("alert")
        box.press("End")
        result = page.locator(".md-search-result")
        page.wait_for_selector('.md-search-result[data-sc-state="done"]')
        items = page.locator(".md-search-result__item")
        assert items.count() >= 1
        shown = result.inner_text()
        assert "<script>" in shown or "onclick" in shown, shown
        bad = "script, img, iframe, [onclick], [onerror]"
        assert result.locator(bad).count() == 0
        items.first.locator("a").click()
        page.wait_for_url("**/branches/**")
        assert page.locator("article mark[data-sc-highlight]").count() >= 1
        assert page.locator("article mark[data-sc-highlight] *").count() == 0
        page.wait_for_timeout(300)
        page.close()
    assert not ran, ran


# --------------------------------------------------------------------------- determinism


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch) -> None:
    """Two first builds; a rebuild whose pages all come from the cache; and a build whose pages
    are made in this process (another thread runs, as in a live preview: no worker is forked)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    sites = []
    for name in ("one", "two"):
        root = copy_project(tmp_path / name)
        assert showcase(["build", "--root", str(root)]) == 0
        sites.append(_tree(root / "site"))
    assert showcase(["build", "--root", str(root)]) == 0
    sites.append(_tree(root / "site"))
    root = copy_project(tmp_path / "three")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not parallel.fork_is_safe()
        assert showcase(["build", "--root", str(root)]) == 0
    finally:
        stop.set()
        other.join()
    sites.append(_tree(root / "site"))
    one = sites[0]
    for other_site in sites[1:]:
        assert sorted(one) == sorted(other_site)
        differ = [k for k in one if one[k] != other_site[k]]
        assert differ == [], differ[:20]
    assert "sitemap.xml" in one and "sitemap.xml.gz" in one
    assert gzip.decompress(one["sitemap.xml.gz"]) == one["sitemap.xml"]
    assert b"2026-01-01" in one["sitemap.xml"]


def test_build_date_follows_source_date_epoch_not_the_clock(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "946684800")  # 2000-01-01
    root = copy_project(tmp_path, branches=False)
    write_branch(root, "x")
    assert showcase(["build", "--root", str(root)]) == 0
    sitemap = (root / "site/sitemap.xml").read_text("utf-8")
    assert "<lastmod>2000-01-01</lastmod>" in sitemap


# --------------------------------------------------------------------------- strict and links


def test_mkdocs_build_strict_passes(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert (root / "site/index.html").is_file()


SKIP_SCHEMES = ("http:", "https:", "mailto:", "tel:", "data:", "javascript:", "//")


def _urls(tag: str, attrs: dict[str, str | None]) -> list[tuple[str, str]]:
    out = []
    for name in ("href", "src"):
        if attrs.get(name) is not None:
            out.append((name, attrs[name] or ""))
    if attrs.get("srcset"):
        for part in (attrs["srcset"] or "").split(","):
            if part.strip():
                out.append(("srcset", part.strip().split()[0]))
    return out


def test_every_internal_link_and_image_resolves(example_site: Path) -> None:
    site = example_site
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    broken: list[str] = []
    images = 0
    ids_of: dict[Path, set[str]] = {}

    def ids(path: Path) -> set[str]:
        if path not in ids_of:
            ids_of[path] = Page(path.read_text("utf-8")).ids
        return ids_of[path]

    for page_path in pages:
        page = Page(page_path.read_text("utf-8"))
        ids_of[page_path] = page.ids
        for tag, attrs, _inside in page.elements:
            if tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
                continue
            for name, url in _urls(tag, attrs):
                if not url or url.lower().startswith(SKIP_SCHEMES):
                    continue
                parts = urlsplit(url)
                where = f"{page_path.relative_to(site)}: <{tag} {name}={url!r}>"
                if not parts.path:  # "#fragment" on the same page
                    if parts.fragment and parts.fragment not in page.ids:
                        broken.append(where + " (no such anchor)")
                    continue
                base = site if parts.path.startswith("/") else page_path.parent  # site_url is /
                target = (base / unquote(parts.path).lstrip("/")).resolve()
                if not target.is_relative_to(site.resolve()):
                    broken.append(where + " (leaves the site)")
                    continue
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    broken.append(where)
                    continue
                if tag == "img" or name == "srcset":
                    images += 1
                    if target.stat().st_size == 0:
                        broken.append(where + " (empty image)")
                if (
                    parts.fragment
                    and target.suffix == ".html"
                    and unquote(parts.fragment) not in ids(target)
                ):
                    broken.append(where + " (no such anchor)")
    assert broken == [], "\n".join(broken[:30])
    assert images > 50


def test_published_images_decode(example_site: Path) -> None:
    from PIL import Image

    media = sorted((example_site / "media").glob("*.webp"))
    assert media
    for path in media:
        with Image.open(path) as im:
            im.load()
            assert im.format == "WEBP" and im.width > 0


# --------------------------------------------------------------------------- ownership


def test_generator_touches_only_its_own_files(tmp_path: Path, capsys) -> None:
    root = copy_project(tmp_path, branches=False)
    write_branch(root, "hengchong")
    write_branch(root, "longtan")
    draw_photo(root / "branches/longtan/photos/a.jpg")
    yml = root / "branches/longtan/branch.yml"
    yml.write_text(
        yml.read_text("utf-8") + "photos:\n  - file: photos/a.jpg\n    caption: 外景\n",
        encoding="utf-8",
    )
    notes = root / "site_src/notes.md"
    notes.write_text("# 手写笔记\n\n不要动我。\n", encoding="utf-8")
    index = root / "site_src/index.md"
    index.write_text("# 手写首页\n", encoding="utf-8")
    os.utime(notes, (1_000_000_000, 1_000_000_000))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (notes, index)}
    outside = root / "keep.txt"
    outside.write_text("outside", encoding="utf-8")

    capsys.readouterr()
    assert showcase(["build", "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "site_src/index.md:1: 文件: 这是生成器要写的位置，但这里已有手写文件" in out
    assert "Traceback" not in out + err
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (notes, index)} == before
    assert not (root / "site").exists()

    index.unlink()
    assert showcase(["build", "--root", str(root)]) == 0
    assert (notes.read_bytes(), notes.stat().st_mtime_ns) == before[notes]
    assert (root / "site/notes/index.html").is_file()
    assert (root / "site/branches/longtan/index.html").is_file()
    longtan_media = set((root / "site_src/media").iterdir())
    assert longtan_media

    shutil.rmtree(root / "branches/longtan")
    assert showcase(["build", "--root", str(root)]) == 0
    assert not (root / "site_src/branches/longtan.md").exists()
    assert not (root / "site_src/branches/longtan").exists()
    assert not (root / "site/branches/longtan").exists()
    assert not [p for p in longtan_media if p.exists() and p.suffix in (".webp", ".jpg")]
    assert (root / "site_src/branches/hengchong.md").is_file()
    assert (notes.read_bytes(), notes.stat().st_mtime_ns) == before[notes]
    assert outside.read_text("utf-8") == "outside"
    for hand in ("about.md", "stylesheets/showcase.css"):
        assert (root / "site_src" / hand).read_bytes() == (
            Path(__file__).resolve().parents[1] / "site_src" / hand
        ).read_bytes()


def test_a_tampered_manifest_cannot_delete_files(tmp_path: Path, capsys) -> None:
    """The manifest is a file in docs_dir anyone could commit: it must not steer deletions."""
    root = copy_project(tmp_path, branches=False)
    write_branch(root, "x")
    assert showcase(["build", "--root", str(root)]) == 0
    victims = [
        root / "mkdocs.yml",
        root / "site_src/about.md",
        root / "branches/x/branch.yml",
        root / "site_src/notes.md",
        tmp_path.parent / f"{tmp_path.name}-victim.txt",
    ]
    victims[3].write_text("手写\n", encoding="utf-8")
    victims[4].write_text("victim\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in victims}
    manifest = root / "site_src/.showcase-manifest.json"
    listed = json.loads(manifest.read_text("utf-8"))
    listed += [
        "../mkdocs.yml",
        "about.md",
        "../branches/x/branch.yml",
        "notes.md",
        f"../../{tmp_path.name}-victim.txt",
        str(victims[4]),
    ]
    manifest.write_text(json.dumps(listed), encoding="utf-8")
    assert showcase(["build", "--root", str(root)]) == 0
    assert {p: p.read_bytes() for p in victims} == before
    # A manifest that is not a list of paths proves nothing is ours: the build may refuse to
    # overwrite (exit 1, a clear message) but never crashes or deletes.
    for junk in ("5", '{"a": 1}', "[1, null, {}]", "not json", '["\\u0000"]'):
        manifest.write_text(junk, encoding="utf-8")
        capsys.readouterr()
        assert showcase(["build", "--root", str(root)]) in (0, 1), junk
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        assert {p: p.read_bytes() for p in victims} == before
    victims[4].unlink()


def test_a_hand_written_file_in_a_generated_folder_is_kept(tmp_path: Path) -> None:
    root = copy_project(tmp_path, branches=False)
    write_branch(root, "x")
    assert showcase(["build", "--root", str(root)]) == 0
    mine = root / "site_src/towns/mine.md"
    mine.write_text("# 手写\n", encoding="utf-8")
    write_branch(root, "y")
    assert showcase(["build", "--root", str(root)]) == 0
    assert mine.read_text("utf-8") == "# 手写\n"


# --------------------------------------------------------------------------- theme channels
# Material's templates print page.meta.title (header, <title>), page.meta.description (inside
# content="…") and tag names without escaping (MkDocs' Jinja environment has no autoescape), so
# whatever the generator writes into a page's front matter must already be HTML-escaped.

THEME_XSS = (
    "generator writes brand/short name (title), summary (description) and tags into "
    "the front matter unescaped; Material prints them raw (pages.py/branch.md.j2)"
)


@pytest.fixture(scope="module")
def theme_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("theme"), branches=False)
    return _build(
        root,
        {
            "title": _branch(
                "甲村党支部",
                False,
                name="<img src=x onerror=alert(1)>",
                short_name="<svg onload=alert()>",
            ),
            "description": _branch("乙村党支部", False, summary='"><img src=x onerror=alert(1)>'),
            "tags": _branch("丙村党支部", False, tags=["<svg onload=alert()>", "<script>"]),
            "clean": _branch("普通村党支部", False),
        },
    )


def _theme_page(theme_root: Path, slug: str) -> str:
    html = (theme_root / f"site/branches/{slug}/index.html").read_text("utf-8")
    clean = (theme_root / "site/branches/clean/index.html").read_text("utf-8")
    assert_inert(html, slug)
    assert theme_scripts(html) == theme_scripts(clean)
    return html


def test_brand_and_short_name_in_the_title_are_escaped(theme_root: Path) -> None:
    _theme_page(theme_root, "title")


def test_summary_in_the_meta_description_is_escaped(theme_root: Path) -> None:
    html = _theme_page(theme_root, "description")
    metas = [a for t, a, _ in Page(html).elements if t == "meta" and a.get("name") == "description"]
    assert len(metas) == 1 and set(metas[0]) == {"name", "content"}


def test_tags_are_escaped(theme_root: Path) -> None:
    _theme_page(theme_root, "tags")
    html = (theme_root / "site/tags/index.html").read_text("utf-8")
    assert_inert(html, "tags/index.html")


def test_folded_html_blocks_convert_to_the_same_pages(evil_root: Path, theme_root: Path) -> None:
    """MkDocs converts generated pages with their HTML blocks folded (the plugin, for speed):
    markup in every field gives the same HTML and contents as the page converted as written."""
    for root in (evil_root, theme_root):
        count, wrong = fold_mismatches(root)
        assert count >= 8 and wrong == [], wrong
