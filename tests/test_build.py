"""End to end: the bundled example county through real MkDocs, and the command line."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_project
from helpers import draw_photo, fold_mismatches, write_branch

from generator.cli import main as showcase
from generator.display import display_width

SIX_PARTS = ("理念产生", "理论支撑", "方法路径", "活动载体", "成效愿景", "典型个案")


def example_branches() -> dict[str, dict]:
    return {
        p.parent.name: yaml.safe_load(p.read_text("utf-8"))
        for p in sorted((REPO / "branches").glob("*/branch.yml"))
    }


def test_example_content_covers_the_county() -> None:
    data = example_branches()
    assert len(data) >= 12
    assert {d["field"] for d in data.values()} >= {
        "农村",
        "社区",
        "机关",
        "事业单位",
        "两新组织",
        "国有企业",
        "学校",
    }
    assert len({d["town"] for d in data.values()}) >= 4
    for slug, d in data.items():
        brand = d["brand"]
        for key in ("concept", "theory", "methods", "carriers", "results", "cases"):
            assert brand.get(key), f"{slug}: brand.{key} is empty"
        assert 2 <= len(d["photos"]) <= 4, slug
        assert all(p["caption"].strip() for p in d["photos"]), slug
    photos = list((REPO / "branches").glob("*/photos/*.jpg"))
    assert all(p.stat().st_size <= 300 * 1024 for p in photos)
    assert sum(p.stat().st_size for p in (REPO / "branches").rglob("photos/*")) <= 10 * 1024 * 1024


def test_every_branch_has_its_page(example_site: Path) -> None:
    for slug, d in example_branches().items():
        page = example_site / "branches" / slug / "index.html"
        html = page.read_text("utf-8")
        assert d["brand"]["name"] in html and d["name"] in html
        for part in SIX_PARTS:
            assert re.search(rf'<h2[^>]*id="{part}"[^>]*>{part}</h2>', html), (slug, part)
        assert 'class="sc-gallery"' in html
        # Every gallery photo published as WebP with srcset, size and lazy loading.
        imgs = re.findall(r"<figure class=\"sc-photo\">.*?<img ([^>]*)>", html)
        assert len(imgs) >= len(d["photos"])
        for attrs in imgs:
            assert "srcset=" in attrs and 'loading="lazy"' in attrs and 'width="' in attrs
            assert 'alt="' in attrs and 'alt=""' not in attrs
        assert (example_site / "branches" / slug / "qr.svg").is_file()
        assert d["brand"]["summary"].split("。")[0][:20] in html  # meta description / summary


def test_browse_pages(example_site: Path) -> None:
    data = example_branches()
    towns = (example_site / "towns/index.html").read_text("utf-8")
    for d in data.values():
        assert d["town"] in towns
    town_pages = list((example_site / "towns").glob("*/index.html"))
    assert len(town_pages) == len({d["town"] for d in data.values()})
    field_pages = list((example_site / "fields").glob("*/index.html"))
    assert len(field_pages) == len({d["field"] for d in data.values()})
    tags = (example_site / "tags/index.html").read_text("utf-8")
    for d in data.values():
        for tag in d.get("tags", []):
            assert tag in tags
    honours = (example_site / "honours/index.html").read_text("utf-8")
    for d in data.values():
        for h in d.get("honors", []):
            assert h["title"] in honours
    demo = (example_site / "demonstration/index.html").read_text("utf-8")
    for d in data.values():
        if d.get("demonstration"):
            assert d["brand"]["name"] in demo
    home = (example_site / "index.html").read_text("utf-8")
    assert 'class="sc-figures"' in home and "精选品牌" in home
    assert home.count('class="sc-card"') >= 6


def test_search_index_holds_every_branch_whole(example_site: Path) -> None:
    """Pagefind's index of the example: one record a branch, holding the pairs of its whole text
    (all six parts, not only the summary), and only the files the site's search loads."""
    from generator.config import DEFAULT_FIELDS
    from generator.content.branches import load_branches
    from generator.content.schema import Choices
    from generator.site.search import branch_text, pairs

    index = example_site / "pagefind"
    names = {p.name for p in index.iterdir()}
    assert {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json"} <= names
    assert not [n for n in names if "-ui" in n or "highlight" in n], names
    assert not (example_site / "search/search_index.json").exists()
    fragments = {}
    for f in (index / "fragment").iterdir():
        raw = gzip.decompress(f.read_bytes())
        assert raw.startswith(b"pagefind_dcd")
        record = json.loads(raw[len(b"pagefind_dcd") :])
        fragments[record["url"]] = record
    branches, problems = load_branches(REPO, REPO / "branches", Choices(DEFAULT_FIELDS, ()))
    assert not problems and len(branches) == len(fragments) == len(example_branches())
    for b in branches:
        record = fragments[f"/branches/{b.slug}/"]
        assert record["meta"]["title"] == b.brand.name
        assert record["content"] == pairs(branch_text(b)) + " ¶"
        text = branch_text(b)
        for part in (b.brand.concept, b.brand.theory, b.brand.results, *b.brand.methods):
            assert part.split("。")[0].replace("**", "") in text, (b.slug, part[:20])


def test_mkdocs_build_runs_the_same_generator(tmp_path: Path, monkeypatch) -> None:
    """``showcase build`` hands its result to the plugin; ``mkdocs build`` lets the plugin
    generate: the same site either way, byte for byte (search index and sitemap included)."""
    root = copy_project(tmp_path, branches=False)
    write_branch(root, "hengchong")
    draw_photo(root / "branches/hengchong/photos/a.jpg")
    yml = root / "branches/hengchong/branch.yml"
    yml.write_text(
        yml.read_text("utf-8") + "photos:\n  - file: photos/a.jpg\n    caption: 外景\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert showcase(["build", "--root", str(root)]) == 0
    # No NO_MKDOCS_2_WARNING here: the project itself keeps Material's English banner away.
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "site2"],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": "0", "HOME": str(tmp_path)},
    )
    assert "end of life" not in run.stderr and "MkDocs 2" not in run.stderr, run.stderr
    ours, theirs = tree(root / "site"), tree(root / "site2")
    assert sorted(ours) == sorted(theirs)
    assert [k for k in ours if ours[k] != theirs[k]] == []
    assert "pagefind/pagefind-entry.json" in theirs


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_mkdocs_build_reports_content_errors_without_traceback(tmp_path: Path) -> None:
    root = copy_project(tmp_path, branches=False)
    write_branch(root, "x", "name: 甲\ntown: 镇\nfield: 农业\nbrand: {name: 品, summary: 简}\n")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert run.returncode == 1
    assert "branches/x/branch.yml:3: field: “农业” 不是可选的领域" in run.stderr
    assert "Traceback" not in run.stderr


def test_replaced_site_never_vanishes_from_the_project_later(tmp_path: Path) -> None:
    """The old site goes into the cache's trash and is deleted during the next build, never by
    something still running after ``showcase build`` has returned (a copy of the project made
    right after a build must not meet a vanishing folder)."""
    root = copy_project(tmp_path, branches=False)
    write_branch(root, "hengchong")
    trash = root / ".cache/showcase/trash"
    for n in range(3):
        (root / "site_src/about.md").write_text(f"# 关于\n\n第 {n} 次构建。\n", "utf-8")
        assert showcase(["build", "--root", str(root)]) == 0
        listing = sorted(p.name for p in root.iterdir())
        assert not [name for name in listing if name.startswith(".site.")], listing
        entries = {p.name: p for p in trash.iterdir()} if n else {}
        if n:
            # Exactly the site this build replaced waits in the trash, whole.
            assert len(entries) == 1, entries
            old = next(iter(entries.values()))
            assert f"第 {n - 1} 次构建" in (old / "about/index.html").read_text("utf-8")
        assert f"第 {n} 次构建" in (root / "site/about/index.html").read_text("utf-8")
    # Nothing left running deletes anything afterwards.
    snapshot = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    time.sleep(0.5)
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == snapshot


@pytest.mark.skipif(
    not Path("/dev/shm").is_dir() or Path("/dev/shm").stat().st_dev == Path(__file__).stat().st_dev,
    reason="needs a second file system (tmpfs at /dev/shm)",
)
def test_site_replaced_when_the_cache_is_on_another_disk(tmp_path: Path) -> None:
    from generator.site.replace import replace_site

    site, staging = tmp_path / "site", tmp_path / ".site.building-x"
    for folder, text in ((site, "旧"), (staging, "新")):
        folder.mkdir()
        (folder / "index.html").write_text(text, "utf-8")
    with tempfile.TemporaryDirectory(dir="/dev/shm") as other_disk:
        replace_site(staging, site, Path(other_disk) / "trash")
    assert (site / "index.html").read_text("utf-8") == "新"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_build_warns_while_site_url_is_the_example(tmp_path: Path, capsys) -> None:
    root = copy_project(tmp_path, branches=False)
    write_branch(root, "hengchong")
    config = (root / "mkdocs.yml").read_text("utf-8")
    line = next(n for n, t in enumerate(config.splitlines(), 1) if t.startswith("site_url:"))
    capsys.readouterr()
    assert showcase(["build", "--root", str(root)]) == 0  # a warning, not an error
    err = capsys.readouterr().err
    assert [t for t in err.splitlines() if "site_url" in t] == [
        f"mkdocs.yml:{line}: site_url: （警告）还是示例地址 https://showcase.example.org/，"
        "二维码会指向这个不存在的网站；发布前请改成站点的真实网址"
    ], err
    (root / "mkdocs.yml").write_text(
        config.replace("https://showcase.example.org/", "https://dangjian.tongxi.gov.cn/"), "utf-8"
    )
    assert showcase(["build", "--root", str(root)]) == 0
    assert "site_url" not in capsys.readouterr().err


def test_timings_for_people_and_for_the_bench(tmp_path: Path, capsys) -> None:
    root = copy_project(tmp_path, branches=False)
    write_branch(root, "hengchong")
    figures = tmp_path / "timings.json"
    capsys.readouterr()
    assert (
        showcase(["build", "--root", str(root), "--timings", "--timings-json", str(figures)]) == 0
    )
    out, err = capsys.readouterr()
    line = re.search(
        r"^耗时：启动 [\d.]+ 秒，读取校验 .*MkDocs [\d.]+ 秒，换上新站点 [\d.]+ 秒；"
        r"合计 ([\d.]+) 秒；页面写入 \d+ 个",
        err,
        re.M,
    )
    assert line, err
    assert "timings-json" not in out + err and "{" not in out + err
    data = json.loads(figures.read_text("utf-8"))
    assert {
        "startup",
        "load",
        "photos",
        "qr",
        "pages",
        "write",
        "mkdocs",
        "swap",
        "total",
        "written",
    } <= set(data)
    assert data["written"] > 0
    # The stages account for the command's whole time, up to rounding and the last print.
    stages = sum(v for k, v in data.items() if k not in ("total", "written"))
    assert 0 <= data["total"] - stages < 0.25 + 0.05 * data["total"]


def test_scaffold_comments_line_up(tmp_path: Path) -> None:
    """The comments of a new branch.yml start in one column on screen, Chinese values or not."""
    root = copy_project(tmp_path, branches=False)
    assert (
        showcase(
            ["new", "横冲村党支部", "--root", str(root), "--town", "石门镇", "--field", "农村"]
        )
        == 0
    )
    lines = (root / "branches/hengchongcun/branch.yml").read_text("utf-8").splitlines()
    top = [t for t in lines if re.match(r"[a-z_]+:", t) and "#" in t]
    assert top[0].startswith('name: "横冲村党支部"') and len(top) >= 10
    assert {display_width(t[: t.index("#")]) for t in top} == {36}, "\n".join(top)


def hand_written_pages() -> list[Path]:
    from generator.site.pages import GENERATED

    pages = [p for p in sorted((REPO / "site_src").glob("*.md")) if p.name not in GENERATED]
    assert {p.name for p in pages} >= {"guide.md", "about.md"}
    return pages


def fenced_blocks(markdown: str) -> list[str]:
    """The text of every ``` fenced block (at any indentation, in lists too)."""
    blocks, current, indent = [], None, 0
    for line in markdown.splitlines():
        stripped = line.lstrip()
        if current is None and stripped.startswith("```"):
            current, indent = [], len(line) - len(stripped)
        elif current is not None and stripped.startswith("```"):
            blocks.append("\n".join(current).strip())
            current = None
        elif current is not None:
            current.append(line[indent:])
    assert current is None, "an unclosed fence"
    return blocks


def test_every_code_block_of_a_hand_written_page_is_a_block(example_site: Path) -> None:
    import html as html_lib

    for page in hand_written_pages():
        built = (example_site / page.stem / "index.html").read_text("utf-8")
        pres = [
            html_lib.unescape(re.sub(r"<[^>]+>", "", m))
            for m in re.findall(r"(?s)<pre\b.*?</pre>", built)
        ]
        for block in fenced_blocks(page.read_text("utf-8")):
            assert any(block in pre for pre in pres), f"{page.name}: not shown as a block:\n{block}"


def test_the_guide_is_for_staff_not_in_the_visitors_tabs(example_site: Path) -> None:
    home = (example_site / "index.html").read_text("utf-8")
    tabs = re.search(r'(?s)<nav class="md-tabs".*?</nav>', home)
    assert tabs and "关于" in tabs.group(0) and "使用指南" not in tabs.group(0)
    assert "使用指南" in (example_site / "guide/index.html").read_text("utf-8")  # same URL
    assert "](site_src/guide.md)" in (REPO / "README.md").read_text("utf-8")


def test_a_warm_build_does_not_load_pypinyin(tmp_path: Path) -> None:
    """Names seen before are spelled from the build cache: pypinyin's dictionaries (~0.2 s to
    load) stay unloaded when nothing new needs them, and the site is the same."""
    root = copy_project(tmp_path, branches=False)
    write_branch(root, "hengchong", name="横冲村党支部", brand="联村共富")
    write_branch(root, "dawan", name="大湾村党支部", brand="百家宴")
    assert showcase(["build", "--root", str(root)]) == 0
    first = (root / "site/towns/index.html").read_bytes()
    code = (
        "import sys\nfrom generator.cli import main\n"
        f"assert main(['build', '--root', {str(root)!r}]) == 0\n"
        "print('pypinyin' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip().splitlines()[-1] == "False", run.stdout + run.stderr
    assert (root / "site/towns/index.html").read_bytes() == first


def test_folded_html_blocks_convert_to_the_same_pages(example_root: Path) -> None:
    """MkDocs converts generated pages with their HTML blocks folded (the plugin, for speed):
    every generated page of the example gives the same HTML and contents as written."""
    count, wrong = fold_mismatches(example_root)
    assert count >= 20 and wrong == [], wrong


def test_a_preview_rebuild_writes_only_changed_qr_codes(tmp_path: Path) -> None:
    """QR codes reach the site from the cache; a live preview's rebuild leaves a code that did
    not change as it is (a thousand of them a save otherwise), and replaces one that did."""
    from generator.site.output import publish_file

    site, cache = tmp_path / "site", tmp_path / "cache"
    cache.mkdir()
    (cache / "a.svg").write_bytes(b"<svg>a</svg>")
    (cache / "b.svg").write_bytes(b"<svg>b</svg>")
    written = site / "branches/a/qr.svg"
    publish_file(site, "branches/a/qr.svg", cache / "a.svg")
    assert written.read_bytes() == b"<svg>a</svg>" and written.samefile(cache / "a.svg")
    before = written.stat().st_ctime_ns
    time.sleep(0.01)  # a new link would show in the change time
    publish_file(site, "branches/a/qr.svg", cache / "a.svg")
    assert written.stat().st_ctime_ns == before
    publish_file(site, "branches/a/qr.svg", cache / "b.svg")
    assert written.read_bytes() == b"<svg>b</svg>"
    assert (cache / "a.svg").read_bytes() == b"<svg>a</svg>", "the kept code is never written"


def test_a_branch_page_is_made_again_only_when_what_it_shows_changes(tmp_path: Path) -> None:
    """The build cache keeps each branch page under the hash of its context (hashed where the
    page is rendered); an unchanged page is taken from it, a changed one is made again."""
    from helpers import settings_for

    from generator.buildcache import BuildCache
    from generator.pipeline import generate

    write_branch(tmp_path, "jia", name="甲村党支部")
    write_branch(tmp_path, "yi", name="乙村党支部")
    settings, cache = settings_for(tmp_path), BuildCache(None)

    def reused() -> set[str]:
        result = generate(settings, cache)
        assert result.ok and result.pending is not None
        return set(result.pending.plan.known)

    assert reused() == set()
    assert reused() == {"branches/jia.md", "branches/yi.md"}
    path = tmp_path / "branches/yi/branch.yml"
    path.write_text(
        path.read_text("utf-8").replace("  summary:", "  slogan: 新口号\n  summary:"), "utf-8"
    )
    assert reused() == {"branches/jia.md"}  # its pager shows 乙's names, not its slogan
    page = (tmp_path / "site_src/branches/yi.md").read_text("utf-8")
    assert "新口号" in page
