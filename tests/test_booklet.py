"""``showcase booklet``: real PDFs made by WeasyPrint, read back with poppler's tools.

The example county's booklet is made once per session (from the example site's warm photo
cache); the bad-input cases use small fresh projects.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_project
from helpers import draw_photo, write_branch
from PIL import Image

from generator.cli import main as showcase

POPPLER = all(
    shutil.which(t)
    for t in ("pdfinfo", "pdftotext", "pdffonts", "pdftoppm", "pdftohtml", "pdfimages")
)
pytestmark = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext …) not installed")

PART_TITLE = re.compile(
    r"^[一二三四五六]、(理念产生|理论支撑|方法路径|活动载体|成效愿景|典型个案)$"
)


def squash(text: str) -> str:
    """Text without spaces: pdftotext keeps or drops the ones between CJK and digits by layout."""
    return re.sub(r"[ \u3000]+", "", text)


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", run("pdfinfo", str(pdf)), re.M).group(1))


def page_text(pdf: Path, page: int) -> str:
    return run("pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-")


def outline(pdf: Path) -> list[tuple[str, int]]:
    """The PDF's bookmarks (title, page), as poppler reads them."""
    xml = run("pdftohtml", "-xml", "-i", "-q", "-stdout", str(pdf))
    root = ET.fromstring(xml.encode("utf-8"))
    return [("".join(item.itertext()).strip(), int(item.get("page"))) for item in root.iter("item")]


def render_page(pdf: Path, page: int, out: Path, dpi: int = 150) -> Image.Image:
    prefix = out / f"page{page}"
    run(
        "pdftoppm",
        "-r",
        str(dpi),
        "-png",
        "-singlefile",
        "-f",
        str(page),
        "-l",
        str(page),
        str(pdf),
        str(prefix),
    )
    return Image.open(f"{prefix}.png")


def brands(root: Path) -> dict[str, dict]:
    """slug → branch.yml, read with plain YAML (not the generator)."""
    return {
        p.parent.name: yaml.safe_load(p.read_text("utf-8"))
        for p in sorted((root / "branches").glob("*/branch.yml"))
    }


@dataclass
class Booklet:
    root: Path
    pdf: Path
    out: str


@pytest.fixture(scope="session")
def booklet(example_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Booklet:
    pdf = tmp_path_factory.mktemp("booklet") / "观摩手册.pdf"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = showcase(["booklet", "--root", str(example_root), "-o", str(pdf)])
    assert code == 0, buf.getvalue()
    return Booklet(example_root, pdf, buf.getvalue())


@pytest.fixture(scope="session")
def tour(example_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-stop tour given in the order b, a: xikou first, then hengchong-liancun."""
    pdf = tmp_path_factory.mktemp("tour") / "路线.pdf"
    code = showcase(
        [
            "booklet",
            "--root",
            str(example_root),
            "-o",
            str(pdf),
            "--branch",
            "xikou",
            "--branch",
            "hengchong-liancun",
        ]
    )
    assert code == 0
    return pdf


# --------------------------------------------------------------------------- the example booklet


def test_pages_and_size(booklet: Booklet) -> None:
    pages = page_count(booklet.pdf)
    n = len(brands(booklet.root))
    # cover + contents, then every branch on pages of its own
    assert pages >= 2 + n
    assert f"{n} 个支部、{pages} 页" in booklet.out
    sizes = set(
        re.findall(
            r"size:\s+([\d.]+ x [\d.]+)",
            run("pdfinfo", "-f", "1", "-l", str(pages), str(booklet.pdf)),
        )
    )
    assert sizes == {"595.276 x 841.89"}, sizes  # A4 portrait, every page
    per_branch = booklet.pdf.stat().st_size / n
    assert per_branch <= 300_000, f"{per_branch / 1000:.0f} KB per branch"


def test_text_has_every_brand_and_the_contents(booklet: Booklet) -> None:
    text = run("pdftotext", str(booklet.pdf), "-")
    assert "目录" in squash(page_text(booklet.pdf, 2))
    for slug, data in brands(booklet.root).items():
        assert data["brand"]["name"] in text, slug
        assert data["name"] in text, slug
    cover = page_text(booklet.pdf, 1)
    assert "桐溪县" in squash(cover) and "支部品牌观摩手册" in cover


def test_every_font_is_embedded(booklet: Booklet) -> None:
    rows = run("pdffonts", str(booklet.pdf)).splitlines()[2:]
    assert rows
    for row in rows:
        emb = row.split()[-5]
        assert emb == "yes", row
    assert any("CJK" in row for row in rows), rows


def test_outline_has_one_entry_per_branch_in_browse_order(booklet: Booklet) -> None:
    entries = outline(booklet.pdf)
    data = brands(booklet.root)
    assert len(entries) == len(data)
    by_brand = {d["brand"]["name"]: d for d in data.values()}
    titles = [t.split(" · ")[0] for t, _ in entries]
    assert sorted(titles) == sorted(by_brand)
    # browse order: the townships in mkdocs.yml's order
    listed = re.search(r"^\s+towns: \[(.*)\]", (REPO / "mkdocs.yml").read_text("utf-8"), re.M)
    order = [t.strip() for t in listed.group(1).split(",")]
    ranks = [order.index(by_brand[t]["town"]) for t in titles]
    assert ranks == sorted(ranks)
    pages = [p for _, p in entries]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)


def test_contents_page_numbers_are_right(booklet: Booklet) -> None:
    entries = outline(booklet.pdf)
    first = entries[0][1]
    contents = "\n".join(page_text(booklet.pdf, p) for p in range(2, first))
    for title, page in entries:
        brand = title.split(" · ")[0]
        line = next(ln for ln in contents.splitlines() if ln.strip().startswith(brand + " "))
        printed = int(re.search(r"(\d+)\s*$", line).group(1))
        assert printed == page, (brand, printed, page)
        heading = page_text(booklet.pdf, page)
        assert brand in heading.split("\n", 4)[-1], (brand, page)  # on the page, under the header


def test_every_page_after_the_cover_is_numbered(booklet: Booklet) -> None:
    pages = page_count(booklet.pdf)
    assert not re.search(r"—\s*\d+\s*—", page_text(booklet.pdf, 1))
    for page in range(2, pages + 1):
        footer = page_text(booklet.pdf, page).strip().splitlines()[-1].strip()
        assert re.fullmatch(rf"—\s*{page}\s*—", footer), (page, footer)


def test_no_part_heading_is_left_at_a_page_bottom(booklet: Booklet) -> None:
    for page in range(2, page_count(booklet.pdf) + 1):
        lines = [ln.strip() for ln in page_text(booklet.pdf, page).splitlines() if ln.strip()]
        assert not PART_TITLE.match(lines[-2]), (page, lines[-2])


def test_qr_code_on_a_branch_page_opens_that_branch(booklet: Booklet, tmp_path: Path) -> None:
    import zxingcpp

    slug = "hengchong-liancun"
    brand = brands(booklet.root)[slug]["brand"]["name"]
    page = next(p for t, p in outline(booklet.pdf) if t.startswith(brand + " · "))
    image = render_page(booklet.pdf, page, tmp_path)
    decoded = [r.text for r in zxingcpp.read_barcodes(image)]
    url = f"https://showcase.example.org/branches/{slug}/"
    assert decoded == [url]
    assert url in squash(page_text(booklet.pdf, page)).replace("\n", "")


def test_photos_are_jpeg_at_about_150_dpi(booklet: Booklet) -> None:
    rows = [r.split() for r in run("pdfimages", "-list", str(booklet.pdf)).splitlines()[2:]]
    photos = [r for r in rows if r[8] == "jpeg"]
    n = len(brands(booklet.root))
    assert n <= len(photos) <= 3 * n
    for r in photos:
        width, ppi = int(r[3]), int(r[12])
        assert 130 <= ppi <= 160, r
        assert width < 1100, r  # never the 1600 px rendition


def test_same_content_gives_the_same_bytes(
    example_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for out in (a, b):
        assert (
            showcase(["booklet", "--root", str(example_root), "-o", str(out), "--branch", "dawan"])
            == 0
        )
    assert a.read_bytes() == b.read_bytes()
    info = run("pdfinfo", "-isodates", str(a))
    assert re.search(r"^CreationDate:\s+2026-01-01T00:00:00", info, re.M), info
    assert "二〇二六年一月" in squash(page_text(a, 1))


# --------------------------------------------------------------------------- a tour


def test_tour_has_exactly_the_given_branches_in_order(example_root: Path, tour: Path) -> None:
    data = brands(example_root)
    b, a = data["xikou"], data["hengchong-liancun"]
    entries = outline(tour)
    assert [t for t, _ in entries] == [
        f"第 1 站 {b['brand']['name']} · {b['short_name']}",
        f"第 2 站 {a['brand']['name']} · {a['short_name']}",
    ]
    for (_, page), stop, branch in zip(entries, ("第1站", "第2站"), (b, a), strict=True):
        text = squash(page_text(tour, page))
        assert stop in text and branch["brand"]["name"] in text
    everything = squash(run("pdftotext", str(tour), "-"))
    assert "第3站" not in everything
    others = [
        d["brand"]["name"] for s, d in data.items() if s not in ("xikou", "hengchong-liancun")
    ]
    assert not [name for name in others if name in everything]


def test_tour_route_lists_the_stops_with_addresses(example_root: Path, tour: Path) -> None:
    data = brands(example_root)
    route = squash(page_text(tour, 2))
    assert "观摩路线" in route
    entries = outline(tour)
    for (_, page), slug, stop in zip(entries, ("xikou", "hengchong-liancun"), (1, 2), strict=True):
        line = next(ln for ln in route.splitlines() if f"第{stop}站" in ln)
        assert data[slug]["brand"]["name"] in line
        assert data[slug]["address"] in line
        assert line.rstrip().endswith(str(page))
    assert route.index("第1站") < route.index("第2站")


# --------------------------------------------------------------------------- bad input


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A fresh project (cold caches) with two valid branches, one with a photo."""
    root = copy_project(tmp_path / "p", branches=False)
    write_branch(root, "alpha", name="甲村党支部", brand="甲品牌")
    write_branch(
        root,
        "beta",
        """\
        name: 乙村党支部
        town: 石门镇
        field: 农村
        address: 石门镇乙村村部
        brand:
          name: 乙品牌
          summary: 一段简介。
          methods: [第一步, 第二步]
        photos:
          - file: photos/a.jpg
            caption: 村部外景
        """,
    )
    draw_photo(root / "branches/beta/photos/a.jpg", (1600, 1200))
    return root


def test_unknown_slug_is_one_line(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = small / "手册.pdf"
    code = showcase(["booklet", "--root", str(small), "-o", str(out), "--branch", "alpah"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().splitlines() == [
        "错误：找不到支部“alpah”（branches/alpah/ 不存在），是不是“alpha”？"
    ]
    assert not out.exists()


def test_content_errors_are_the_lines_of_check(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (small / "branches/beta/branch.yml").write_text(
        (small / "branches/beta/branch.yml")
        .read_text("utf-8")
        .replace("field: 农村", "field: 农村\nmembers: -3")
        .replace("photos/a.jpg", "photos/b.jpg"),
        encoding="utf-8",
    )
    out = small / "手册.pdf"
    out.write_bytes(b"the previous booklet")
    assert showcase(["check", "--root", str(small)]) == 1
    checked = capsys.readouterr().out.strip().splitlines()
    assert len(checked) == 2  # a wrong number and a missing photo: every problem at once
    assert showcase(["booklet", "--root", str(small), "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines() == checked
    assert "Traceback" not in captured.err
    assert out.read_bytes() == b"the previous booklet"
    assert not [p for p in small.iterdir() if p.name.endswith(".tmp")]
    # a tour that does not visit the broken branch is not held up by it
    assert showcase(["booklet", "--root", str(small), "-o", str(out), "--branch", "alpha"]) == 0
    assert page_count(out) >= 3


def test_output_that_cannot_be_written(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for target, words in (
        (small, "是一个文件夹"),
        (Path("/proc/手册.pdf"), "无法写入"),
        (small / "mkdocs.yml" / "x.pdf", "不是文件夹"),
    ):
        code = showcase(["booklet", "--root", str(small), "-o", str(target)])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 1
        assert len(err) == 1 and words in err[0] and "Traceback" not in err[0], err


def test_no_chinese_font_says_how_to_install_one(small: Path, tmp_path: Path) -> None:
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?>\n<fontconfig><cachedir>{tmp_path / "fc"}</cachedir></fontconfig>\n',
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "booklet",
            "--root",
            str(small),
            "-o",
            str(small / "x.pdf"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "fonts-noto-cjk" in lines[0] and "中文字体" in lines[0], lines
    assert not (small / "x.pdf").exists()


def test_small_booklet_from_a_cold_cache(small: Path, tmp_path: Path) -> None:
    """No site build first: the booklet fills the photo and QR caches itself."""
    out = small / "手册.pdf"
    config = small / "mkdocs.yml"
    options = config.read_text("utf-8")
    assert "        title: 支部品牌观摩手册\n" in options
    config.write_text(
        options.replace(
            "        title: 支部品牌观摩手册\n",
            "        title: 石门镇观摩手册\n        date: 2026年春\n",
        ),
        "utf-8",
    )
    assert showcase(["booklet", "--root", str(small), "-o", str(out)]) == 0
    cover = squash(page_text(out, 1))
    assert "石门镇观摩手册" in cover and "2026年春" in cover
    text = run("pdftotext", str(out), "-")
    assert "甲品牌" in text and "乙品牌" in text and "村部外景" in text
    assert [t for t, _ in outline(out)] == ["甲品牌 · 甲村党支部", "乙品牌 · 乙村党支部"]
    # The codes are the site's, kept in the cache folder the site build links them from.
    kept = {p.read_bytes() for p in (small / ".cache/showcase/qr").glob("*.svg")}
    assert len(kept) == 2 and all(b"<title>" in svg for svg in kept)
    # without site_url: a warning, and no QR code
    config.write_text(re.sub(r"(?m)^site_url:.*$", "", config.read_text("utf-8")), "utf-8")
    assert showcase(["booklet", "--root", str(small), "-o", str(out)]) == 0
    assert "扫码" not in run("pdftotext", str(out), "-")


def test_missing_cover_logo_is_one_line(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = small / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace(
            "        title: 支部品牌观摩手册\n", "        logo: 县徽.png\n"
        ),
        "utf-8",
    )
    assert showcase(["booklet", "--root", str(small), "-o", str(small / "x.pdf")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["错误：找不到手册封面的标志文件 县徽.png（mkdocs.yml 的 booklet.logo）"]
