"""showcase report: completeness per branch as a terminal table, CSV and HTML; worst first."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, copy_project
from helpers import write_branch

from generator.cli import main as showcase
from generator.display import display_width


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two complete example branches, a bare one, and two that cannot be read."""
    root = copy_project(tmp_path / "p", branches=False)
    for slug in ("xikou", "hengchong-liancun"):
        shutil.copytree(REPO / "branches" / slug, root / "branches" / slug)
    write_branch(root, "bare", name="光秃村党支部", brand="光秃品牌")
    write_branch(
        root,
        "typo",
        "name: 错字村党支部\ntown: 石门镇\nfield: 农业\nbrand:\n  name: 错字\n  summary: 简介。\n",
    )
    write_branch(root, "broken", "name: 坏村\n  town: [石门镇\n")
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = showcase(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_terminal_table_worst_first(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "report", "--root", str(project))
    assert code == 0
    lines = out.splitlines()
    header, rule, *rows = lines[: lines.index("")]
    assert header.split() == ["支部", "网址名", "乡镇", "完整度", "缺少"]
    slugs = [r.split()[1] for r in rows]
    # Unreadable first, then the bare branch, then the complete ones.
    assert set(slugs[:2]) == {"broken", "typo"} and slugs[2] == "bare"
    assert set(slugs[3:]) == {"xikou", "hengchong-liancun"}
    typo = rows[slugs.index("typo")]
    assert "无法读取：第 3 行 field: “农业” 不是可选的领域" in typo
    assert "无法读取：第 2 行" in rows[slugs.index("broken")]
    bare = rows[slugs.index("bare")]
    for missing in (
        "品牌口号",
        "理念产生",
        "理论支撑",
        "方法路径",
        "活动载体",
        "成效愿景",
        "典型个案",
        "照片（现有 0 张，至少 2 张）",
        "指定封面",
        "荣誉",
        "标签",
        "书记",
        "党员人数",
        "成立年份",
    ):
        assert missing in bare, missing
    assert "6%（1/17）" in bare  # only the summary is there
    assert "100%（17/17）  无" in rows[slugs.index("xikou")]
    # Columns line up on screen (Chinese characters are two columns wide).
    assert (
        len({display_width(r[: r.index(" " + slug)]) for r, slug in zip(rows, slugs, strict=True)})
        == 1
    )
    score_at = {display_width(r[: re.search(r"\d+%（|—", r).start()]) for r in rows}
    assert len(score_at) == 1, score_at
    assert lines[-1] == "共 5 个支部：2 个资料齐全，2 个无法读取。"


def test_csv_with_bom_for_excel(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "完整度.csv"
    code, out = run(
        capsys, "report", "--format", "csv", "--output", str(out_file), "--root", str(project)
    )
    assert code == 0 and "已写出" in out
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["网址名"] for r in rows][2:] in (
        ["bare", "hengchong-liancun", "xikou"],
        ["bare", "xikou", "hengchong-liancun"],
    )
    bare = next(r for r in rows if r["网址名"] == "bare")
    assert bare["品牌简介"] == "有" and bare["理论支撑"] == "缺" and bare["得分"] == "1"
    assert bare["满分"] == "17" and bare["完整度(%)"] == "6"
    broken = next(r for r in rows if r["网址名"] == "broken")
    assert broken["缺少"].startswith("无法读取：")
    # Without --output the CSV goes to the terminal, still with its BOM.
    code, out = run(capsys, "report", "--format", "csv", "--root", str(project))
    assert code == 0 and out.startswith("\ufeff支部,网址名")


def test_html_page(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_branch(project, "xss", name="<script>alert(1)</script>村党支部", brand="脚本")
    out_file = tmp_path / "report.html"
    code, _ = run(capsys, "report", "--format", "html", "-o", str(out_file), "--root", str(project))
    assert code == 0
    page = out_file.read_text("utf-8")
    assert page.startswith("<!doctype html>") and "<table>" in page and "</html>" in page
    assert "<title>桐溪县支部品牌资料完整度</title>" in page
    assert page.count("<tr") == 1 + 6
    assert page.index("broken") < page.index("bare") < page.index("xikou")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'class="error"' in page and 'class="full"' in page


def test_example_county_all_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "report", "--root", str(REPO))
    assert code == 0
    assert "无法读取：" not in out and out.rstrip().endswith("0 个无法读取。")
    assert len(out.splitlines()) == 2 + len(list((REPO / "branches").glob("*/branch.yml"))) + 2
