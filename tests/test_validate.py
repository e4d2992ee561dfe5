"""Loading and validation: every problem as ``path:line: field: message``, all at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import draw_photo, write_branch
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import DEFAULT_FIELDS
from generator.content.branches import load_branches
from generator.content.schema import Choices
from generator.problems import Problem


def load(root: Path):
    return load_branches(root, root / "branches", Choices(DEFAULT_FIELDS))


def errors(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems if p.is_error]


def warnings(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems if not p.is_error]


def test_minimal_branch_loads(tmp_path: Path) -> None:
    write_branch(tmp_path, "hengchong")
    branches, problems = load(tmp_path)
    assert problems == []
    assert [b.slug for b in branches] == ["hengchong"]
    assert branches[0].brand.summary == "一段简介。"


def test_full_branch_keeps_every_value(tmp_path: Path) -> None:
    draw_photo(tmp_path / "branches/hc/photos/a.jpg")
    draw_photo(tmp_path / "branches/hc/photos/b.png")
    write_branch(
        tmp_path,
        "hc",
        """\
        name: 横冲村党支部
        short_name: no
        town: 石门镇
        field: 农村
        org_type: 联村党委
        secretary: 李某
        members: 48
        founded: 1958
        demonstration: 市级
        updated: 2026-10-12
        brand:
          name: 联村共富
          slogan: 强村带弱村，共走富裕路
          summary: >
            强村带弱村。
          methods: [第一步, 第二步]
          carriers:
            - name: 百家宴
              description: 每年一次
          cases:
            - title: 修路
              date: 2026-05-01
              text: 修了一条路
              photos: [photos/a.jpg]
        honors:
          - {title: 全省先进基层党组织, level: 省级, year: 2025}
        tags: [联村党委, 集体经济, 联村党委]
        photos:
          - file: photos/b.png
            caption: 服务中心
          - file: photos/a.jpg
            caption: 新修的路
            cover: true
    """,
    )
    [b], problems = load(tmp_path)
    assert errors(problems) == []
    assert b.short_name == "no"  # YAML 1.1 would have made this False
    assert (b.members, b.founded, b.demonstration) == (48, 1958, "市级")
    assert b.cover is not None and b.cover.file == "photos/a.jpg"
    assert b.tags == ("联村党委", "集体经济")
    assert b.brand.cases[0].photos[0].caption == "新修的路"  # caption from the gallery entry
    assert b.honors[0].level == "省级"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            "name: 甲\ntown: 镇\nfield: 农业\nbrand: {name: 品, summary: 简}\n",
            "branches/x/branch.yml:3: field: “农业” 不是可选的领域（农村、社区",
        ),
        (
            "name: 甲\ntown: 镇\nfield: 农村\nbrand:\n  name: 品\n  sumary: 简\n",
            "branches/x/branch.yml:6: brand.sumary: 未知字段“sumary”，是不是“summary”？",
        ),
        (
            "name: 甲\nname: 乙\ntown: 镇\nfield: 农村\nbrand: {name: 品, summary: 简}\n",
            "branches/x/branch.yml:2: name: 字段重复：第 1 行已经写过 name",
        ),
        (
            "name: 甲\ntown: 镇\nfield: 农村\nmembers: 很多\nbrand: {name: 品, summary: 简}\n",
            "branches/x/branch.yml:4: members: 党员人数应为整数",
        ),
        (
            "name: 甲\ntown: 镇\nfield: 农村\nfounded: 1800\nbrand: {name: 品, summary: 简}\n",
            "branches/x/branch.yml:4: founded: 成立年份应为 1921 到",
        ),
        (
            "name: 甲\ntown: 镇\nfield: 农村\nupdated: 1958-1-1\nbrand: {name: 品, summary: 简}\n",
            "branches/x/branch.yml:4: updated: 日期请写成 1958-01-01",
        ),
        (
            "name: 甲\ntown: 镇\nfield: 农村\nbrand:\n\tname: 品\n",
            "branches/x/branch.yml:5: 文件: 这一行用了制表符（Tab）",
        ),
        ("name: 甲\ntown: 镇: 乙\n", "branches/x/branch.yml:2: 文件: 冒号用得不对"),
        (
            "name: 甲\ntown: 镇\nfield: 农村\n",
            "branches/x/branch.yml:1: brand: 缺少必填项品牌（brand）",
        ),
        ("", "branches/x/branch.yml:1: 文件: 文件是空的"),
        ("# 只有注释\n", "branches/x/branch.yml:1: 文件: 文件是空的"),
        (
            "name: 甲\ntown: 镇\nfield: 农村\ntags: 集体经济\nbrand: {name: 品, summary: 简}\n",
            "branches/x/branch.yml:4: tags: 标签应为列表",
        ),
        (
            "name: 甲\ntown: 镇\nfield: 农村\ndemonstration: 乡级\nbrand: {name: 品, summary: 简}\n",
            "branches/x/branch.yml:4: demonstration: “乡级” 不是可选的示范点级别",
        ),
        ("- 一\n- 二\n", "branches/x/branch.yml:1: 文件: 支部应为“字段: 值”的形式"),
        ("name: 甲\n---\nname: 乙\n", "branches/x/branch.yml:2: 文件: 文件里有多个 YAML 文档"),
    ],
)
def test_bad_yaml_gives_one_clear_line(tmp_path: Path, yaml_text: str, expected: str) -> None:
    write_branch(tmp_path, "x", yaml_text)
    branches, problems = load(tmp_path)
    assert branches == []
    assert any(line.startswith(expected) for line in errors(problems)), errors(problems)


def test_every_problem_of_every_branch_at_once(tmp_path: Path) -> None:
    write_branch(tmp_path, "a", "name: 甲\nfield: 农业\nmembers: -3\nbrand: {name: 品}\n")
    write_branch(
        tmp_path,
        "b",
        "name: 乙\ntown: 镇\nfield: 农村\nbrand: {name: 品2, summary: 简}\n"
        "photos:\n  - file: photos/none.jpg\n    caption: 无\n",
    )
    _, problems = load(tmp_path)
    lines = errors(problems)
    assert "branches/a/branch.yml:1: town: 缺少必填项所属乡镇（街道）（town）" in lines
    assert any(x.startswith("branches/a/branch.yml:2: field:") for x in lines)
    assert "branches/a/branch.yml:3: members: 党员人数不能小于 0" in lines
    assert any(x.startswith("branches/a/branch.yml:4: brand.summary: 缺少必填项") for x in lines)
    assert any(
        x.startswith("branches/b/branch.yml:6: photos[0].file: 找不到照片文件") for x in lines
    )
    assert len(lines) == 5


def test_summary_over_300_characters(tmp_path: Path) -> None:
    long = "很" * 301
    write_branch(
        tmp_path, "x", f"name: 甲\ntown: 镇\nfield: 农村\nbrand:\n  name: 品\n  summary: {long}\n"
    )
    _, problems = load(tmp_path)
    assert errors(problems) == [
        "branches/x/branch.yml:6: brand.summary: 品牌简介太长：301 字，上限 300 字"
    ]


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    write_branch(tmp_path, "x", "\n".join(lines) + "\n")
    # Aliases are refused before anything is expanded (an expansion would exhaust memory).
    _, problems = load(tmp_path)
    assert errors(problems)[0].startswith("branches/x/branch.yml:2: 文件: 不支持 YAML 锚点和别名")


def test_object_building_tag_is_refused_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    write_branch(
        tmp_path,
        "x",
        f"name: !!python/object/apply:os.system ['touch {marker}']\n"
        "town: 镇\nfield: 农村\nbrand: {{name: 品, summary: 简}}\n",
    )
    _, problems = load(tmp_path)
    assert errors(problems)[0].startswith(
        "branches/x/branch.yml:1: 文件: 不允许使用 YAML 标签 tag:yaml.org,2002:python/object/apply"
    )
    assert not marker.exists()


def test_file_over_one_mebibyte(tmp_path: Path) -> None:
    path = write_branch(tmp_path, "x")
    path.write_text(path.read_text("utf-8") + "#" * (1024 * 1024), encoding="utf-8")
    _, problems = load(tmp_path)
    assert errors(problems)[0].startswith("branches/x/branch.yml:1: 文件: 文件太大")


def test_non_utf8_file(tmp_path: Path) -> None:
    path = write_branch(tmp_path, "x")
    path.write_bytes("name: 横冲村\n".encode("gbk"))
    _, problems = load(tmp_path)
    assert errors(problems) == [
        "branches/x/branch.yml:1: 文件: 文件不是 UTF-8 编码；请在编辑器中以 UTF-8 另存（不要用 GBK/ANSI）"
    ]


def test_folder_name_must_be_a_slug_and_names_unique(tmp_path: Path) -> None:
    write_branch(tmp_path, "Heng Chong", name="横冲村党支部")
    write_branch(tmp_path, "hengchong", name="横冲村党支部")
    _, problems = load(tmp_path)
    lines = errors(problems)
    assert any(
        x.startswith("branches/Heng Chong/branch.yml:1: slug: 文件夹名“Heng Chong”不能用作网址")
        for x in lines
    ), lines
    assert any("与 branches/Heng Chong/branch.yml 的支部同名“横冲村党支部”" in x for x in lines), (
        lines
    )


def test_folder_without_branch_yml(tmp_path: Path) -> None:
    (tmp_path / "branches/empty/photos").mkdir(parents=True)
    _, problems = load(tmp_path)
    assert errors(problems) == [
        "branches/empty/branch.yml:1: 文件: 缺少 branch.yml：每个支部文件夹里都要有一个"
    ]


def _photo_branch(tmp_path: Path, files: list[str]) -> None:
    entries = "".join(f"  - file: {f}\n    caption: 照片{i}\n" for i, f in enumerate(files))
    write_branch(
        tmp_path,
        "x",
        f"name: 甲\ntown: 镇\nfield: 农村\nbrand: {{name: 品, summary: 简}}\nphotos:\n{entries}",
    )


def test_photo_paths_must_stay_in_the_branch_folder(tmp_path: Path) -> None:
    outside = draw_photo(tmp_path / "secret.jpg")
    draw_photo(tmp_path / "branches/x/photos/ok.jpg")
    os.symlink(outside, tmp_path / "branches/x/photos/link.jpg")
    _photo_branch(
        tmp_path,
        [
            "../../secret.jpg",
            str(outside),
            "photos/link.jpg",
            "photos/ok.jpg",
            "photos/ok.jpg",
            "photos/readme.txt",
        ],
    )
    (tmp_path / "branches/x/photos/readme.txt").write_text("x")
    _, problems = load(tmp_path)
    lines = errors(problems)
    assert lines[0].startswith(
        "branches/x/branch.yml:6: photos[0].file: 路径“../../secret.jpg”不能包含 .."
    )
    assert lines[1].startswith("branches/x/branch.yml:8: photos[1].file: 不能用绝对路径")
    assert lines[2].startswith(
        "branches/x/branch.yml:10: photos[2].file: “photos/link.jpg”指向本支部文件夹之外"
    )
    assert lines[3].startswith(
        "branches/x/branch.yml:14: photos[4].file: 照片“photos/ok.jpg”重复列出（第 12 行已列出）"
    )
    assert lines[4].startswith("branches/x/branch.yml:16: photos[5].file: 不支持的图片格式“.txt”")
    assert len(lines) == 5


def test_unlisted_photo_and_uncaptioned_case_photo_are_warnings(tmp_path: Path) -> None:
    draw_photo(tmp_path / "branches/x/photos/a.jpg")
    draw_photo(tmp_path / "branches/x/photos/extra.jpg")
    write_branch(
        tmp_path,
        "x",
        """\
        name: 甲
        town: 镇
        field: 农村
        brand:
          name: 品
          summary: 简
          cases:
            - title: 一件事
              text: 经过
              photos: [photos/a.jpg]
    """,
    )
    branches, problems = load(tmp_path)
    assert len(branches) == 1 and errors(problems) == []
    assert warnings(problems) == [
        "branches/x/branch.yml:1: photos: （警告）照片“photos/extra.jpg”没有在 branch.yml 中列出，不会发布",
        "branches/x/branch.yml:10: brand.cases[0].photos[0]: （警告）个案照片“photos/a.jpg”没有说明："
        "请同时在 photos 中列出并写 caption",
    ]


def test_unlisted_photos_are_found_in_subfolders_in_order(tmp_path: Path) -> None:
    """Every image below photos/ that branch.yml does not list is named, sorted as the folder
    tree reads (a folder's photos where its name sorts); a symlinked folder is not entered."""
    photos = tmp_path / "branches/x/photos"
    for name in ("b.jpg", "a/z.png", "a/y/x.webp", "a.jpg", "c/listed.jpg"):
        draw_photo(photos / name)
    (photos / "notes.txt").write_text("不是照片", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    draw_photo(elsewhere / "far.jpg")
    (photos / "link").symlink_to(elsewhere, target_is_directory=True)
    write_branch(
        tmp_path,
        "x",
        """\
        name: 甲
        town: 镇
        field: 农村
        brand:
          name: 品
          summary: 简
        photos:
          - file: photos/c/listed.jpg
            caption: 列出的
    """,
    )
    _, problems = load(tmp_path)
    shown = [w.split("“")[1].split("”")[0] for w in warnings(problems)]
    assert shown == ["photos/a/y/x.webp", "photos/a/z.png", "photos/a.jpg", "photos/b.jpg"]


def test_blank_scaffold_rows_are_ignored(tmp_path: Path) -> None:
    write_branch(
        tmp_path,
        "x",
        """\
        name: 甲
        town: 镇
        field: 农村
        secretary:
        brand:
          name: 品
          summary: 简
          methods:
            -
          carriers:
            - name:
              description:
        honors:
          - title:
            level:
            year:
        photos:
          - file:
            caption:
    """,
    )
    [b], problems = load(tmp_path)
    assert problems == []
    assert (b.secretary, b.honors, b.photos, b.brand.carriers) == ("", (), (), ())


# --- issue 14: what a newcomer hit -------------------------------------------------------------


def test_a_field_error_does_not_hide_a_missing_photo(tmp_path: Path) -> None:
    write_branch(
        tmp_path,
        "x",
        """\
        name: 甲村党支部
        town: 石门镇
        field: 农业
        brand: {name: 品, summary: 简}
        photos:
          - file: photos/missing.jpg
            caption: 不在的照片
        """,
    )
    _, problems = load(tmp_path)
    lines = errors(problems)
    assert any(x.startswith("branches/x/branch.yml:3: field: “农业” 不是可选的领域") for x in lines)
    assert any(
        x.startswith("branches/x/branch.yml:6: photos[0].file: 找不到照片文件") for x in lines
    )


def test_a_missing_required_field_does_not_hide_photo_problems(tmp_path: Path) -> None:
    draw_photo(tmp_path / "branches/x/photos/a.jpg")
    write_branch(
        tmp_path,
        "x",
        """\
        name: 甲村党支部
        field: 农村
        brand:
          name: 品
          summary: 简
          cases:
            - title: 一件事
              text: 经过
              photos: [photos/nope.jpg]
        photos:
          - file: ../outside.jpg
            caption: 外面
          - file: photos/a.jpg
            caption: 一
            cover: true
          - file: photos/a.jpg
            caption: 二
            cover: true
        """,
    )
    _, problems = load(tmp_path)
    lines = errors(problems)
    assert any("缺少必填项所属乡镇（街道）（town）" in x for x in lines)
    assert any("brand.cases[0].photos[0]: 找不到照片文件“photos/nope.jpg”" in x for x in lines)
    assert any("photos[0].file: 路径“../outside.jpg”不能包含 .." in x for x in lines)
    assert any("photos[2].file: 照片“photos/a.jpg”重复列出" in x for x in lines)
    assert any("photos[2].cover: 只能有一张封面" in x for x in lines)


def test_a_town_outside_the_configured_list_names_the_nearest(tmp_path: Path) -> None:
    write_branch(
        tmp_path, "x", "name: 甲\ntown: 石门\nfield: 农村\nbrand: {name: 品, summary: 简}\n"
    )
    towns = ("城关街道", "石门镇", "柳河镇")
    _, problems = load_branches(tmp_path, tmp_path / "branches", Choices(DEFAULT_FIELDS, towns))
    assert errors(problems) == [
        "branches/x/branch.yml:2: town: “石门” 不是可选的所属乡镇（街道）：是不是“石门镇”？"
        "（可选：城关街道、石门镇、柳河镇）"
    ]
    # Without a configured list, any township is accepted.
    assert errors(load(tmp_path)[1]) == []


def test_showcase_new_refuses_a_town_outside_the_list(tmp_path: Path, capsys) -> None:
    from conftest import copy_project

    from generator.cli import main as showcase

    root = copy_project(tmp_path / "p", branches=False)
    code = showcase(
        ["new", "岩下村党支部", "--town", "石门", "--field", "农村", "--root", str(root)]
    )
    err = capsys.readouterr().err
    assert code == 1 and "是不是“石门镇”" in err, err
    assert not (root / "branches" / "yanxiacun").exists()
    assert showcase(["new", "岩下村党支部", "--town", "石门镇", "--root", str(root)]) == 0
    text = (root / "branches/yanxiacun/branch.yml").read_text("utf-8")
    assert (
        'town: "石门镇"' in text and 'org_type: "党支部"' in text and 'short_name: "岩下村"' in text
    )


TAB_IN_NESTED_LIST = (
    "name: 甲\ntown: 石门镇\nfield: 农村\nbrand:\n  name: 品\n  summary: 简\n"
    "  methods:\n    - 第一步\n\t- 第二步\n"
)


def test_tab_advice_gives_the_indentation_of_the_line_above(tmp_path: Path) -> None:
    write_branch(tmp_path, "x", TAB_IN_NESTED_LIST)
    _, problems = load(tmp_path)
    assert errors(problems) == [
        "branches/x/branch.yml:9: 文件: 这一行用了制表符（Tab）；YAML 只能用空格缩进："
        "请删掉 Tab，在行首写 4 个空格（与上一行对齐）"
    ]
    # Following the advice gives four steps, not one.
    write_branch(tmp_path, "x", TAB_IN_NESTED_LIST.replace("\t", "    "))
    [b], problems = load(tmp_path)
    assert b.brand.methods == ("第一步", "第二步") and not problems


def test_list_items_swallowed_by_bad_indentation_are_a_warning(tmp_path: Path) -> None:
    # What "replace the Tab by two spaces" produced: the steps join the first one.
    write_branch(
        tmp_path,
        "x",
        TAB_IN_NESTED_LIST.replace("\t- 第二步\n", "      - 第二步\n      - 第三步\n"),
    )
    [b], problems = load(tmp_path)
    assert b.brand.methods == ("第一步 - 第二步 - 第三步",)
    assert warnings(problems) == [
        "branches/x/branch.yml:9: brand.methods[0]: （警告）这一行的“- ”被并进了上一条，"
        "可能少了一个条目：请检查缩进，同一列表的“- ”要上下对齐"
    ]
    # A list written inside a block of text is Markdown, not a mistake.
    write_branch(
        tmp_path,
        "x",
        TAB_IN_NESTED_LIST.replace(
            "\t- 第二步\n", "    - |\n      要点：\n      - 甲\n      - 乙\n"
        ),
    )
    _, problems = load(tmp_path)
    assert problems == []


_TRICKY = """\
name: ~
town: null
field: NULL
slogan: ""
summary: ''
members: 48
founded: 1958-01-01
featured: yes
base: &base {a: 1}
more:
  <<: *base
  "<<": quoted
  typed: !!int 7
  foreign: !python/name:os.system
list: [Null, 1.5, .inf, "~", "", ~, 0x1F, on]
"""


@pytest.mark.parametrize("loader", ["libyaml", "pure Python"])
def test_nodes_keep_the_tags_validation_reads(loader: str) -> None:
    """Nodes are composed with only null and merge told apart (``reading._Tags``): on the
    example branches and on odd values, every null, merge and written tag is the one PyYAML's
    full resolver gives, with the same values and lines; both composers agree."""
    import yaml

    from generator.content import reading

    if loader == "libyaml" and reading._Loader is None:
        pytest.skip("PyYAML without libyaml")
    compose = reading._Loader if loader == "libyaml" else reading._NodeLoader

    words = ("str", "int", "float", "bool", "timestamp")  # all read as text by validation
    text_tags = {f"tag:yaml.org,2002:{w}" for w in words}

    def tree(node: yaml.Node) -> object:
        tag = "text" if node.tag in text_tags else node.tag  # null, merge, seq, map, foreign
        if isinstance(node, yaml.ScalarNode):
            return (tag, node.value, node.start_mark.line, node.style or None)
        if isinstance(node, yaml.SequenceNode):
            return (tag, node.start_mark.line, [tree(n) for n in node.value])
        return (tag, node.start_mark.line, [(tree(k), tree(v)) for k, v in node.value])

    texts = [p.read_text("utf-8") for p in sorted(Path("branches").glob("*/branch.yml"))]
    assert len(texts) >= 3
    for text in [*texts, _TRICKY]:
        ours = compose(text).get_single_node()
        full = yaml.compose(text, Loader=yaml.SafeLoader)
        assert tree(ours) == tree(full)


_nested = st.recursive(
    st.just("x"),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(tree=_nested, extra=st.integers(min_value=0, max_value=40))
def test_depth_alone_is_found_where_the_full_check_finds_it(tree: object, extra: int) -> None:
    """A text with no &, ! or << is checked for depth only, walking its collections
    (``reading._too_deep``): the same answer and line as the full check, at any depth."""
    import json

    import yaml

    from generator.content import reading

    for _ in range(extra):
        tree = {"k": [tree]} if extra % 2 else [tree]
    text = "top:\n" + yaml.safe_dump(tree, default_flow_style=extra % 3 == 0, indent=2)
    text = "\n".join("  " + line if i else line for i, line in enumerate(text.splitlines()))
    loader = reading._Loader or reading._NodeLoader  # composed whatever the length
    node = loader(text).get_single_node()
    assert not any(c in text for c in "&!") and "<<" not in text, json.dumps(tree)
    assert reading._too_deep(node) == reading._first_forbidden(node)


def test_a_short_file_nested_too_deep_is_refused(tmp_path: Path) -> None:
    """33 levels in a few hundred bytes (libyaml composes it; validation must not recurse)."""
    write_branch(tmp_path, "x", "name: 横冲村党支部\n\nbrand:\n  methods: " + "[" * 32 + "]" * 32)
    _, problems = load(tmp_path)
    assert [e for e in errors(problems) if "嵌套" in e] == [
        "branches/x/branch.yml:4: 文件: 嵌套层数太多：列表和“字段: 值”最多套 32 层，"
        "请检查括号 [ ] { } 和缩进"
    ]
    # A key can be a collection too (``? [...]``).
    write_branch(
        tmp_path, "x", "name: 横冲村党支部\n\nbrand:\n  ? " + "[" * 32 + "]" * 32 + "\n  : x"
    )
    _, problems = load(tmp_path)
    assert any(
        e.startswith("branches/x/branch.yml:4: 文件: 嵌套层数太多") for e in errors(problems)
    )
    write_branch(tmp_path, "x", "name: 横冲村党支部\n\nbrand:\n  methods: " + "[" * 30 + "]" * 30)
    _, problems = load(tmp_path)
    assert not any("嵌套" in e for e in errors(problems))
