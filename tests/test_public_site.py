"""Ready to go live as a Chinese public site (issue 13): the filing footer, share metadata, only
site files in ``site/``, and the site options' problems. Built sites, read as files; what needs a
browser is in ``test_public_browser.py``.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO, copy_project
from helpers import draw_photo, settings_for, write_branch
from PIL import Image, ImageChops, ImageStat

from generator.cli import main as showcase
from generator.config import SiteInfo
from generator.problems import Severity
from generator.site.public import MIIT_URL, footer_items, police_code, site_problems

SITE_URL = "https://showcase.example.org/"  # mkdocs.yml


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of the footer."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.footer_text: list[str] = []
        self._footer = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "footer":
            self._footer += 1

    def handle_endtag(self, tag):
        if tag == "footer":
            self._footer -= 1

    def handle_data(self, data):
        if self._footer and data.strip():
            self.footer_text.append(data.strip())

    def meta(self, prop: str) -> list[str]:
        return [
            a.get("content", "") for t, a in self.tags if t == "meta" and a.get("property") == prop
        ]

    def footer_items(self) -> list[tuple[str, dict[str, str]]]:
        return [(t, a) for t, a in self.tags if "sc-footer__item" in a.get("class", "")]


def html_pages(site: Path, at_least: int = 20) -> list[Path]:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= at_least
    return pages


def page_url(site: Path, path: Path, base: str = SITE_URL) -> str:
    rel = path.relative_to(site).as_posix()
    return base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


# --------------------------------------------------------------------------- footer


def test_every_page_has_the_filing_footer(example_site: Path) -> None:
    """mkdocs.yml's example site_info: each item on every page, linked where the rules say."""
    problems = []
    for path in html_pages(example_site):
        page = Tags(path.read_text("utf-8"))
        where = path.relative_to(example_site).as_posix()
        kinds = [a["class"].split()[-1].removeprefix("sc-footer__") for _, a in page.footer_items()]
        if kinds != ["sponsor", "contact", "icp", "police", "site_code"]:
            problems.append(f"{where}: footer items {kinds}")
        text = " ".join(page.footer_text)
        for expected in (
            "主办单位：中共桐溪县委组织部",
            "联系方式：0000-00000000",
            "浙ICP备00000000号-1",
            "浙公网安备33000000000000号",
            "网站标识码：3300000000",
        ):
            if expected not in text:
                problems.append(f"{where}: footer lacks {expected}")
        hrefs = [a.get("href") for t, a in page.tags if t == "a"]
        if MIIT_URL not in hrefs:
            problems.append(f"{where}: no link to {MIIT_URL}")
        police = "https://beian.mps.gov.cn/#/query/webSearch?code=33000000000000"
        if police not in hrefs:
            problems.append(f"{where}: no link to {police}")
        emblems = [
            a["src"]
            for t, a in page.tags
            if t == "img" and "sc-footer__emblem" in a.get("class", "")
        ]
        if len(emblems) != 1:
            problems.append(f"{where}: {len(emblems)} police emblems")
        else:  # shipped with the site, never an outside image
            src = emblems[0]
            target = (example_site / src.lstrip("/")) if src.startswith("/") else path.parent / src
            if not target.resolve().is_file() or urlsplit(src).scheme:
                problems.append(f"{where}: emblem {src} is not a file of the site")
    assert not problems, "\n".join(problems[:20])


def test_footer_items_only_when_given() -> None:
    assert footer_items(SiteInfo()) == []
    only_icp = footer_items(SiteInfo(icp="浙ICP备12345678号-2"))
    assert [(i.kind, i.text, i.href) for i in only_icp] == [
        ("icp", "浙ICP备12345678号-2", MIIT_URL)
    ]
    # The 党政机关 mark needs both its id and its image, and is a plain link with an image.
    assert footer_items(SiteInfo(conac_id="ABC")) == []
    (mark,) = footer_items(SiteInfo(conac_id="0A1B", conac_image="assets/mark.png"))
    assert mark.href == "https://bszs.conac.cn/sitename?method=show&id=0A1B"
    assert mark.image == "assets/mark.png"
    assert police_code("浙公网安备 33010602011771号") == "33010602011771"


def test_no_script_writes_the_page_and_nothing_comes_from_outside(example_site: Path) -> None:
    """No document.write (the form the 党政机关 mark is usually pasted in), and every script,
    stylesheet and image is a file of the site: no CDN, no outside host."""
    outside = []
    for path in html_pages(example_site):
        html = path.read_text("utf-8")
        scripts = re.findall(r"(?s)<script\b[^>]*>(.*?)</script>", html)
        assert not [s for s in scripts if "document.write" in s], path
        for tag, attrs in Tags(html).tags:
            url = attrs.get("src") or (
                attrs.get("href")
                if tag == "link"
                and attrs.get("rel") in ("stylesheet", "icon", "preload", "modulepreload")
                else ""
            )
            if url and (urlsplit(url).scheme or url.startswith("//")):
                outside.append(f"{path.relative_to(example_site)}: <{tag}> {url}")
    assert not outside, "\n".join(outside[:20])


# --------------------------------------------------------------------------- share metadata


def test_share_metadata_on_every_page(example_site: Path) -> None:
    """og:title, og:description, og:url and og:image on every page, absolute, and the image is a
    file of the site that share cards can show (JPEG or PNG, at least 300 px)."""
    problems = []
    seen_images: dict[str, Path] = {}
    for path in html_pages(example_site):
        where = path.relative_to(example_site).as_posix()
        page = Tags(path.read_text("utf-8"))
        values = {p: page.meta(p) for p in ("og:title", "og:description", "og:url", "og:image")}
        for prop, found in values.items():
            if len(found) != 1 or not found[0].strip():
                problems.append(f"{where}: {prop} = {found}")
        if problems:
            continue
        url, image = values["og:url"][0], values["og:image"][0]
        for prop, value in (("og:url", url), ("og:image", image)):
            if not value.startswith(SITE_URL):
                problems.append(f"{where}: {prop} {value} is not absolute under {SITE_URL}")
        if where != "404.html" and url != page_url(example_site, path):
            problems.append(f"{where}: og:url {url}")
        canonical = [a["href"] for t, a in page.tags if t == "link" and a.get("rel") == "canonical"]
        if canonical and canonical != [url]:
            problems.append(f"{where}: og:url {url} is not the canonical {canonical}")
        file = example_site / image[len(SITE_URL) :]
        if not file.is_file():
            problems.append(f"{where}: og:image {image} is not in site/")
            continue
        seen_images[image] = file
    assert not problems, "\n".join(problems[:20])
    for image, file in seen_images.items():
        with Image.open(file) as im:
            assert im.format in ("JPEG", "PNG"), (image, im.format)
            assert min(im.size) >= 300, (image, im.size)
            assert not im.getexif() and "icc_profile" not in im.info, image


def test_a_branch_page_shares_its_cover(example_site: Path) -> None:
    pages = sorted(example_site.glob("branches/*/index.html"))
    assert len(pages) >= 10
    for path in pages:
        html = path.read_text("utf-8")
        page = Tags(html)
        (image,) = page.meta("og:image")
        cover = re.search(r'<div class="sc-cover"><img [^>]*src="([^"]+)"', html)
        assert cover, f"{path}: the example branches all have a cover"
        # The share JPEG is the cover's 4:3 card crop: the same photo (by content hash) ...
        digest = Path(cover.group(1)).name.split("-")[0]
        assert re.fullmatch(rf"{re.escape(SITE_URL)}media/{digest}-cover\.jpg", image), image
        jpeg = example_site / image[len(SITE_URL) :]
        webp = jpeg.with_suffix(".webp")
        # ... and the same pixels, give or take JPEG's losses.
        with Image.open(jpeg) as a, Image.open(webp) as b:
            assert a.format == "JPEG" and a.size == b.size
            diff = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB")))
            assert max(diff.mean) < 6, (path, diff.mean)


def test_share_images_are_deterministic_and_cached(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", branches=False)
    write_branch(root, "hengchong")
    draw_photo(root / "branches/hengchong/photos/a.jpg", (1200, 1600))  # portrait
    yml = root / "branches/hengchong/branch.yml"
    yml.write_text(
        yml.read_text("utf-8") + "photos:\n  - file: photos/a.jpg\n    caption: 村部\n", "utf-8"
    )
    assert showcase(["build", "--root", str(root)]) == 0
    (share,) = (root / "site/media").glob("*-cover.jpg")
    first = share.read_bytes()
    cached = list((root / ".cache/showcase/share").rglob("*.jpg"))
    assert [c.read_bytes() for c in cached] == [first]
    with Image.open(share) as im:
        assert im.size == (640, 480)  # the card crop, also of a portrait photo
    (root / "site_src/media" / share.name).unlink()
    assert showcase(["build", "--root", str(root)]) == 0
    assert share.read_bytes() == first


# --------------------------------------------------------------------------- only site files

SITE_SUFFIXES = {
    ".html",
    ".css",
    ".js",
    ".json",
    ".svg",
    ".webp",
    ".jpg",
    ".png",
    ".xml",
    ".gz",
    ".map",
    # Pagefind's search index (site/pagefind/): its binary, meta, chunks and fragments
    ".pagefind",
    ".pf_meta",
    ".pf_index",
    ".pf_fragment",
}


def assert_only_site_files(site: Path, branches: Path) -> None:
    files = [p for p in site.rglob("*") if p.is_file()]
    assert files
    rel = [p.relative_to(site).as_posix() for p in files]
    assert not [r for r in rel if r.startswith("overrides/") or "/overrides/" in r]
    assert not [r for r in rel if r.endswith(("branch.yml", ".yml", ".yaml", ".j2", ".md", ".py"))]
    assert not [r for r in rel if Path(r).suffix not in SITE_SUFFIXES], rel
    for p in files:
        if p.suffix == ".html":
            text = p.read_text("utf-8")
            assert not re.search(r"\{%-?\s|\{#-?\s|\{\{\s*(page|config|super)\b", text), (
                f"{p.relative_to(site)}: an unrendered theme template"
            )
    originals = {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in branches.rglob("*") if p.is_file()
    }
    published = [p for p in files if hashlib.sha256(p.read_bytes()).hexdigest() in originals]
    assert not published, f"files of branches/ published: {published}"


def test_site_holds_only_site_files(example_site: Path) -> None:
    assert_only_site_files(example_site, REPO / "branches")
    assert (example_site / "assets/showcase/site.css").is_file()
    assert (example_site / "404.html").is_file()
    # Material's own search is not used: neither lunr nor its worker is published
    assert not (example_site / "assets/javascripts/lunr").exists()
    assert not list((example_site / "assets/javascripts").glob("workers/search*"))


def test_a_theme_folder_inside_docs_dir_is_not_published(tmp_path: Path) -> None:
    """A county that kept the old layout (custom_dir inside docs_dir), with a stray branch.yml and
    an original photo inside docs_dir: the theme still works, its templates are not published."""
    root = copy_project(tmp_path / "p", branches=False)
    (root / "overrides").rename(root / "site_src/overrides")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace(
            "custom_dir: overrides", "custom_dir: site_src/overrides"
        ),
        "utf-8",
    )
    write_branch(root, "hengchong")
    (root / "site_src/old").mkdir()
    (root / "site_src/old/branch.yml").write_text("name: 旧的\n", "utf-8")
    assert showcase(["build", "--root", str(root)]) == 0
    site = root / "site"
    assert_only_site_files(site, root / "branches")
    assert not (site / "old").exists()
    home = (site / "index.html").read_text("utf-8")
    assert "sc-footer" in home and "长辈模式" in home  # the theme is still applied


# --------------------------------------------------------------------------- option problems


def test_site_option_problems_name_their_line(tmp_path: Path) -> None:
    (tmp_path / "site_src").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\n"
        "plugins:\n"
        "  - showcase:\n"
        "      site_info:\n"
        "        icp: 浙ICP备00000000号-1\n"
        "        police: 浙公网安备\n"
        "        conac: {id: 0A1B}\n"
        "      share_image: assets/none.png\n"
        "      wechat: {signature_endpoint: http://wx.example.org/sign}\n",
        "utf-8",
    )
    settings = settings_for(
        tmp_path,
        site_info=SiteInfo(icp="浙ICP备00000000号-1", police="浙公网安备", conac_id="0A1B"),
        share_image="assets/none.png",
        wechat_signature_endpoint="http://wx.example.org/sign",
    )
    found = {(p.line, p.field, p.severity) for p in site_problems(settings)}
    assert found == {
        (6, "site_info.police", Severity.ERROR),
        (7, "site_info.conac", Severity.ERROR),
        (8, "share_image", Severity.WARNING),
        (9, "wechat.signature_endpoint", Severity.ERROR),
    }
    problems = site_problems(settings)
    assert all(str(p).startswith("mkdocs.yml:") for p in problems)
    assert all(re.search(r"[\u4e00-\u9fff]{4}", p.message) for p in problems), problems
    short = settings_for(tmp_path, site_info=SiteInfo(police="浙公网安备3300号"))
    (warning,) = [p for p in site_problems(short) if p.field == "site_info.police"]
    assert warning.severity is Severity.WARNING and "14 位" in warning.message


def test_wechat_with_instant_navigation_is_refused(tmp_path: Path) -> None:
    """Instant loading changes the address without loading the page: WeChat's signature for the
    first address then fails on iOS. The example keeps it off."""
    features = re.search(r"(?s)features:\n(.*?)\n  \w", (REPO / "mkdocs.yml").read_text("utf-8"))
    assert "navigation.instant" not in features.group(1)
    root = copy_project(tmp_path / "p", branches=False)
    write_branch(root, "hengchong")
    config = root / "mkdocs.yml"
    text = (
        config.read_text("utf-8")
        .replace("    - navigation.tabs\n", "    - navigation.instant\n    - navigation.tabs\n")
        .replace(
            "      share_image: assets/share.png\n",
            "      share_image: assets/share.png\n      wechat: {signature_endpoint: /wx/sign}\n",
        )
    )
    assert "navigation.instant" in text and "signature_endpoint: /wx/sign" in text
    config.write_text(text, "utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1
    assert "navigation.instant" in run.stderr and "Traceback" not in run.stderr
    assert not (root / "site").exists()


@pytest.mark.parametrize("endpoint", ["", "/wx/sign"])
def test_wechat_files_only_with_the_option(tmp_path: Path, endpoint: str) -> None:
    root = copy_project(tmp_path / "p", branches=False)
    write_branch(root, "hengchong")
    if endpoint:
        config = root / "mkdocs.yml"
        config.write_text(
            config.read_text("utf-8").replace(
                "      share_image: assets/share.png\n",
                f"      share_image: assets/share.png\n      wechat: {{signature_endpoint: {endpoint}}}\n",
            ),
            "utf-8",
        )
    assert showcase(["build", "--root", str(root)]) == 0
    for path in html_pages(root / "site", at_least=5):
        html = path.read_text("utf-8")
        scripts = re.findall(r"<script\b[^>]*>", html)
        wechat = [s for s in scripts if re.search(r"wechat|jweixin|data-endpoint", s)]
        if endpoint:
            assert len(wechat) == 1 and f'data-endpoint="{endpoint}"' in wechat[0], path
        else:
            assert not wechat and "jweixin" not in html, path


# --------------------------------------------------------------------------- first view on a phone


def test_first_screen_is_not_held_back_by_the_lightbox(example_site: Path) -> None:
    """Pages without a lightbox load none of its files; on a branch page its script is deferred
    (not render-blocking) and the cover is requested first, from <head>, with the same srcset."""
    home = (example_site / "index.html").read_text("utf-8")
    assert "glightbox" not in home
    html = (example_site / "branches/dawan/index.html").read_text("utf-8")
    scripts = [a for t, a in Tags(html).tags if t == "script" and "glightbox" in a.get("src", "")]
    assert len(scripts) == 1 and "defer" in scripts[0], scripts
    head = html[: html.index("</head>")]
    preload = re.search(
        r'<link rel="preload" as="image"[^>]*imagesrcset="([^"]+)"'
        r'[^>]*imagesizes="([^"]+)"',
        head,
        re.S,
    )
    cover = re.search(r'<div class="sc-cover"><img [^>]*srcset="([^"]+)" sizes="([^"]+)"', html)
    assert preload and cover and preload.groups() == cover.groups()
    assert head.index('rel="preload"') < head.index('rel="stylesheet"')
