"""showcase import: registers made here with openpyxl and csv, imported into a project copy."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import REPO, copy_project
from openpyxl import Workbook, load_workbook

from generator.cli import main as showcase

HEADERS = [
    "名称",
    "简称",
    "乡镇",
    "领域",
    "书记",
    "党员人数",
    "成立年份",
    "示范点",
    "品牌名称",
    "品牌口号",
    "品牌简介",
    "标签",
]
GOOD = [
    "石门镇横冲村党支部",
    "横冲村",
    "石门镇",
    "农村",
    "李某",
    48,
    1958,
    "市级",
    "横冲共富",
    "强村带弱村，共走富裕路",
    "横冲村党支部带领群众发展高山蔬菜，村集体经济收入翻番。",
    "集体经济、乡村振兴，高山蔬菜",
]
BAD_FIELD = [
    "柳河镇新桥村党支部",
    "新桥村",
    "柳河镇",
    "农业",
    "张某",
    30,
    1960,
    "",
    "新桥品牌",
    "",
    "一段简介。",
    "",
]
SECOND_GOOD = [
    "城关街道新华社区党委",
    "新华社区",
    "城关街道",
    "社区",
    "",
    "",
    "",
    "",
    "新华邻里",
    "",
    "新华社区的邻里节。",
    "",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "p", branches=False)
    import shutil

    for slug in ("xikou", "dawan"):
        shutil.copytree(REPO / "branches" / slug, root / "branches" / slug)
    return root


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = showcase(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_xlsx_creates_a_valid_branch_and_reports_the_bad_row(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = write_xlsx(project / "台账.xlsx", [HEADERS, GOOD, BAD_FIELD, SECOND_GOOD])
    code, out = run(capsys, "import", str(book), "--root", str(project))
    assert code == 1, out
    assert (
        "台账.xlsx:第 3 行: 领域: “农业” 不是可选的领域（农村、社区、机关、事业单位、两新组织、国有企业、学校）"
        in out.splitlines()
    )
    assert "新建 2 个、更新 0 个、跳过 1 行。" in out
    assert not (project / "branches" / "xinqiaocun").exists()

    created = project / "branches" / "hengchongcun" / "branch.yml"
    assert (project / "branches" / "hengchongcun" / "photos").is_dir()
    text = created.read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/branch.schema.json\n")
    assert "# 必填。品牌名称" in text  # the scaffold's comments are kept for the staff
    for value in (
        'name: "石门镇横冲村党支部"',
        "members: 48",
        "founded: 1958",
        "demonstration: 市级",
        "slogan: 强村带弱村，共走富裕路",
        "tags: [集体经济, 乡村振兴, 高山蔬菜]",
    ):
        assert value in text, value
    assert (project / "branches" / "xinhuashequ" / "branch.yml").is_file()

    code, out = run(capsys, "check", "--root", str(project))
    assert code == 0, out


def test_csv_in_utf8_and_gbk(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for encoding in ("utf-8", "gbk"):
        folder = project / encoding
        folder.mkdir()
        register = write_csv(folder / "台账.csv", [HEADERS, GOOD, BAD_FIELD], encoding)
        code, out = run(capsys, "import", str(register), "--root", str(project))
        assert code == 1
        assert "台账.csv:第 3 行: 领域: “农业” 不是可选的领域" in out
    # The second run finds the branch the first one made: by 名称, nothing to change.
    assert "无变化 branches/hengchongcun/branch.yml" in out
    assert "新建 0 个、更新 0 个、跳过 1 行。（另有 1 个没有变化）" in out
    assert showcase(["check", "--root", str(project)]) == 0


def test_every_bad_cell_is_named_and_good_rows_still_import(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        HEADERS + ["网址名"],
        [
            "甲村党支部",
            "",
            "石门镇",
            "农村",
            "",
            "四十",
            "1900",
            "乡级",
            "甲品牌",
            "",
            "长" * 301,
            "",
            "",
        ],
        ["", "", "石门镇", "农村", "", "", "", "", "乙品牌", "", "简介。", "", ""],
        ["丙村党支部", "", "石门镇", "农村", "", "", "", "", "", "", "", "", "Bing Cun"],
        ["丁村党支部", "", "石门镇", "农村", "", "", "", "", "", "", "", "", ""],
        ["戊村党支部", "", "石门镇", "农村", "", "", "", "", "戊品牌", "", "简介。", "", "wucun"],
    ]
    register = write_csv(project / "register.csv", rows)
    code, out = run(capsys, "import", str(register), "--root", str(project))
    assert code == 1
    lines = out.splitlines()
    assert "register.csv:第 2 行: 党员人数: 党员人数应为整数，如 48，这里是“四十”" in lines
    assert any(x.startswith("register.csv:第 2 行: 成立年份: 成立年份应为 1921 到") for x in lines)
    assert any(
        x.startswith("register.csv:第 2 行: 示范点: “乡级” 不是可选的示范点级别") for x in lines
    )
    assert "register.csv:第 2 行: 品牌简介: 品牌简介太长：301 字，上限 300 字" in lines
    assert "register.csv:第 3 行: 名称: 名称是必填项，不能为空" in lines
    assert any(x.startswith("register.csv:第 4 行: 网址名: 网址名“Bing Cun”不合规") for x in lines)
    assert any(x.startswith("register.csv:第 5 行: 品牌名称: ") for x in lines)
    assert any(x.startswith("register.csv:第 5 行: 品牌简介: ") for x in lines)
    assert "新建 1 个、更新 0 个、跳过 4 行。" in out
    assert (project / "branches" / "wucun" / "branch.yml").is_file()
    assert sorted(p.name for p in (project / "branches").iterdir()) == ["dawan", "wucun", "xikou"]


def test_existing_branch_keeps_everything_hand_written(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "branches" / "xikou" / "branch.yml"
    before = path.read_text("utf-8")
    # Hand-written touches a register knows nothing about: comments, quoting, a flow list.
    before = before.replace("members: 47", "members: 47   # 2025 年底统计，含预备党员 2 名")
    before = before.replace(
        "  slogan: 人人争当星，户户比五美",
        "  # 口号经村民代表大会讨论确定\n  slogan: '人人争当星，户户比五美'",
    )
    path.write_text(before, "utf-8")
    assert showcase(["check", "--root", str(project)]) == 0
    capsys.readouterr()

    old_summary = next(ln for ln in before.splitlines() if ln.startswith("    溪口村位于"))
    rows = [
        ["名称", "党员人数", "品牌口号", "书记", "乡镇", "品牌简介"],
        [
            "双溪镇溪口村党支部",
            52,
            "人人争当星，户户比五美，家家是风景",
            "",
            "",
            "溪口村评五美之星。",
        ],
    ]
    register = write_xlsx(project / "台账.xlsx", rows)
    code, out = run(capsys, "import", str(register), "--root", str(project))
    assert code == 0, out
    assert "台账.xlsx:第 2 行: 更新 branches/xikou/branch.yml：党员人数、品牌口号、品牌简介" in out
    assert "新建 0 个、更新 1 个、跳过 0 行。" in out

    after = path.read_text("utf-8")
    expected = (
        before.replace("members: 47   #", "members: 52   #")
        .replace("'人人争当星，户户比五美'", "'人人争当星，户户比五美，家家是风景'")
        .replace(old_summary, "    溪口村评五美之星。")
    )  # still a `>-` block, as written
    assert after == expected  # byte for byte, but for the two values
    assert showcase(["check", "--root", str(project)]) == 0

    # Importing the same register again changes nothing at all.
    capsys.readouterr()
    code, out = run(capsys, "import", str(register), "--root", str(project))
    assert code == 0 and path.read_text("utf-8") == expected
    assert "新建 0 个、更新 0 个、跳过 0 行。（另有 1 个没有变化）" in out


def test_matching_by_slug_column(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["网址名", "名称", "标签"], ["dawan", "柳河镇大湾村党支部（新名）", "古村落 乡村旅游"]]
    register = write_csv(project / "r.csv", rows)
    code, out = run(capsys, "import", str(register), "--root", str(project))
    assert code == 0, out
    text = (project / "branches" / "dawan" / "branch.yml").read_text("utf-8")
    assert "name: 柳河镇大湾村党支部（新名）" in text
    assert "tags: [古村落, 乡村旅游]" in text


def test_unreadable_registers_fail_in_words(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = write_csv(project / "empty.csv", [])
    code, out = run(capsys, "import", str(empty), "--root", str(project))
    assert code == 1 and "empty.csv 是空的" in out
    no_name = write_csv(project / "noname.csv", [["乡镇", "领域"], ["石门镇", "农村"]])
    code, out = run(capsys, "import", str(no_name), "--root", str(project))
    assert code == 1 and "没有“名称”列" in out
    xls = project / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    code, out = run(capsys, "import", str(xls), "--root", str(project))
    assert code == 1 and "只支持 .xlsx 和 .csv" in out
    code, out = run(capsys, "import", str(project / "missing.xlsx"), "--root", str(project))
    assert code == 1 and "找不到文件" in out
    assert "Traceback" not in out


def test_template_has_drop_downs_and_notes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_path = project / "模板.xlsx"
    code, _ = run(capsys, "import", "--template", str(out_path), "--root", str(project))
    assert code == 0
    wb = load_workbook(out_path)
    assert wb.sheetnames == ["台账", "说明"]
    ws = wb["台账"]
    header = [c.value for c in ws[1]]
    assert (
        header[:4] == ["名称", "简称", "乡镇", "领域"]
        and "示范点" in header
        and "品牌简介" in header
    )
    assert ws[2][0].value  # one sample row
    assert ws.column_dimensions["A"].width >= 10
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    field_col = "ABCDEFGHIJKLMNOP"[header.index("领域")]
    demo_col = "ABCDEFGHIJKLMNOP"[header.index("示范点")]
    assert lists[f"{field_col}2"] == '"农村,社区,机关,事业单位,两新组织,国有企业,学校"'
    assert lists[f"{demo_col}2"] == '"国家级,省级,市级,县级,镇级"'
    notes = [row[0].value for row in wb["说明"].iter_rows(min_row=2)]
    assert set(header) <= set(notes)
    # The template imports as it is (its sample row is a valid branch).
    code, out = run(capsys, "import", str(out_path), "--root", str(project))
    assert code == 0, out
    assert showcase(["check", "--root", str(project)]) == 0
