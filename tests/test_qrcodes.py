"""QR codes: every code the example site publishes decodes (zxing-cpp reading a Pillow drawing of
the SVG's modules) to its branch's URL; the SVG scales, is named, and keeps its quiet zone."""

from __future__ import annotations

import random
import re
import string
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
import zxingcpp
from conftest import REPO
from PIL import Image, ImageDraw

from generator.site.qrcodes import BORDER, DARK, SCALE, qr_codes, qr_svg

SITE_URL = "https://showcase.example.org/"
SVG = "{http://www.w3.org/2000/svg}"
RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\3z")


def parse(svg: bytes) -> tuple[ET.Element, list[tuple[int, int, int]]]:
    root = ET.fromstring(svg)
    path = root.find(f"{SVG}path")
    d = path.get("d")
    runs = [(int(x), int(y), int(n)) for x, y, n in RUN.findall(d)]
    assert "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in runs) == d, "unexpected path syntax"
    return root, runs


def decode(svg: bytes, px: int = 8) -> list[str]:
    """Draw the SVG's dark modules with Pillow (black on white, ``px`` a module) and read it."""
    root, runs = parse(svg)
    side = int(root.get("viewBox").split()[2])
    image = Image.new("L", (side * px, side * px), 255)
    draw = ImageDraw.Draw(image)
    for x, y, n in runs:
        draw.rectangle([x * px, y * px, (x + n) * px - 1, (y + 1) * px - 1], fill=0)
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_every_published_code_decodes_to_its_page(example_site: Path) -> None:
    codes = sorted(example_site.glob("branches/*/qr.svg"))
    branches = sorted(p.parent.name for p in (REPO / "branches").glob("*/branch.yml"))
    assert [p.parent.name for p in codes] == branches
    for path in codes:
        slug = path.parent.name
        svg = path.read_bytes()
        assert decode(svg) == [f"{SITE_URL}branches/{slug}/"], slug
        root, runs = parse(svg)
        side = int(root.get("viewBox").split()[2])
        assert root.get("viewBox") == f"0 0 {side} {side}"
        assert root.get("width") == root.get("height") == str(side * SCALE)
        name = yaml.safe_load((REPO / "branches" / slug / "branch.yml").read_text("utf-8"))["name"]
        assert root.find(f"{SVG}title").text == f"{name} 二维码"
        assert root.find(f"{SVG}path").get("fill") == DARK == "#1a1a1a"
        # The quiet zone: no dark module in the outer BORDER modules.
        assert min(x for x, _, _ in runs) == BORDER and min(y for _, y, _ in runs) == BORDER
        assert max(x + n for x, _, n in runs) == side - BORDER
        assert max(y for _, y, _ in runs) == side - BORDER - 1


def test_codes_of_all_lengths_decode_and_titles_stay_text() -> None:
    rng = random.Random(16)
    alphabet = string.ascii_lowercase + string.digits + "-"
    for i in range(60):
        slug = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))
        url = f"https://{rng.choice(['a.cn', 'showcase.example.org', 'x.gov.cn/dj'])}/branches/{slug}/"
        title = rng.choice(["横冲村党支部", 'A&B <党委> "x"', "</title><script>"]) + str(i)
        svg = qr_svg(url, title)
        assert decode(svg) == [url], url
        assert ET.fromstring(svg).find(f"{SVG}title").text == f"{title} 二维码"
        assert b"<script>" not in svg


def test_kept_codes_are_the_codes(tmp_path: Path) -> None:
    items = {"a": ("https://a.cn/branches/a/", "甲"), "b": ("https://a.cn/branches/b/", "乙")}
    made = qr_codes(items, tmp_path)
    assert made == {k: qr_svg(*v) for k, v in items.items()}
    assert sorted(p.read_bytes() for p in tmp_path.iterdir()) == sorted(made.values())
    first = next(tmp_path.iterdir())
    first.write_bytes(b"<svg/>")  # a kept code is used as it is, not drawn again
    assert sorted(qr_codes(items, tmp_path).values()).count(b"<svg/>") == 1
    # A changed title is a new code.
    renamed = qr_codes({"a": ("https://a.cn/branches/a/", "甲村")}, tmp_path)
    assert (
        b"<title>\xe7\x94\xb2\xe6\x9d\x91 " in renamed["a"] and len(list(tmp_path.iterdir())) == 3
    )


def test_site_codes_are_links_to_the_kept_ones(example_root: Path) -> None:
    """A code reaches the site as a hard link to the cache's file: no thousand files written."""
    kept = {p.name: p for p in (example_root / ".cache/showcase/qr").glob("*.svg")}
    codes = sorted((example_root / "site").glob("branches/*/qr.svg"))
    assert codes and len(kept) == len(codes)
    for code in codes:
        assert any(code.samefile(k) for k in kept.values()), code
