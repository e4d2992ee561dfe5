"""content/roundtrip.merge: a whole new document folded into branch.yml changes only what changed."""

from __future__ import annotations

import copy
import difflib
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from helpers import settings_for

from generator.content.reading import read_document
from generator.content.roundtrip import dump, merge, yaml_rt
from generator.content.validate import validate_document
from generator.tools.scaffold import render_scaffold

EXAMPLES = sorted((REPO / "branches").glob("*/branch.yml"))


def edited(text: str, change) -> tuple[str, list[str]]:
    """The file after the editor saved ``change``d data (read as Decap reads it: plain YAML)."""
    doc = yaml_rt().load(text)
    data = yaml.safe_load(text)
    change(data)
    changed = merge(doc, copy.deepcopy(data))
    return dump(doc), changed


def changed_lines(a: str, b: str) -> list[str]:
    return [
        d
        for d in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
        if d[:1] in "+-" and d[:3] not in ("---", "+++")
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_saving_unchanged_data_changes_no_byte(path: Path) -> None:
    text = path.read_text("utf-8")
    out, changed = edited(text, lambda d: None)
    assert changed == []
    assert out == text


def test_one_changed_slogan_is_one_changed_line() -> None:
    text = (REPO / "branches" / "xikou" / "branch.yml").read_text("utf-8")
    out, changed = edited(text, lambda d: d["brand"].update(slogan="星级农户年年评"))
    assert changed == ["brand.slogan"]
    assert changed_lines(text, out) == [
        "-  slogan: 人人争当星，户户比五美",
        "+  slogan: 星级农户年年评",
    ]


def test_reordered_photos_keep_their_own_lines() -> None:
    text = (REPO / "branches" / "xikou" / "branch.yml").read_text("utf-8")
    out, changed = edited(text, lambda d: d["photos"].reverse())
    assert changed == ["photos"]
    assert yaml.safe_load(out)["photos"] == yaml.safe_load(text)["photos"][::-1]
    assert sorted(out.splitlines()) == sorted(text.splitlines())  # moved, none rewritten


def test_emptied_fields_are_removed_and_new_ones_go_in_schema_order() -> None:
    text = (REPO / "branches" / "xikou" / "branch.yml").read_text("utf-8")

    def change(d: dict) -> None:
        del d["demonstration"]
        d["brand"]["slogan"] = ""
        d["tags"] = []
        d["photos"][1]["credit"] = "李某 摄"

    out, changed = edited(text, change)
    assert sorted(changed) == ["brand.slogan", "demonstration", "photos", "tags"]
    lines = changed_lines(text, out)
    assert "-demonstration: 镇级" in lines and "-  slogan: 人人争当星，户户比五美" in lines
    assert "+    credit: 李某 摄" in lines
    data = yaml.safe_load(out)
    assert list(data["photos"][1]) == ["file", "caption", "date", "credit"]
    assert "tags" not in data and "demonstration" not in data


def test_text_keeps_its_block_style_and_markdown_lists_stay_lists() -> None:
    text = (REPO / "branches" / "xikou" / "branch.yml").read_text("utf-8")
    steps = "第一步\n- 要点甲\n- 要点乙"
    out, _ = edited(text, lambda d: d["brand"]["methods"].append(steps))
    assert yaml.safe_load(out)["brand"]["methods"][-1] == steps
    out, _ = edited(text, lambda d: d["brand"].update(concept="一段新的理念。"))
    assert "  concept: |\n    一段新的理念。\n" in out  # literal block kept


def test_a_new_branch_from_the_scaffold_validates(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    doc = yaml_rt().load(render_scaffold(settings, "横冲村党支部"))
    merge(
        doc,
        {
            "name": "横冲村党支部",
            "town": "石门镇",
            "field": "农村",
            "members": 48,
            "brand": {
                "name": "联村共富",
                "summary": "一段简介。",
                "methods": ["第一步", "第二步"],
                "carriers": [{"name": "百家宴", "description": "每年一次"}],
            },
            "honors": [{"title": "先进基层党组织", "level": "省级", "year": 2025}],
            "tags": ["集体经济", "乡村振兴"],
        },
    )
    out = dump(doc)
    assert (
        "# 必填。全称：支部、村或单位的全称" in out
    )  # the scaffold's comments stay for hand editing
    assert "tags: [集体经济, 乡村振兴]" in out
    path = tmp_path / "branch.yml"
    path.write_text(out, "utf-8")
    parsed, problems = read_document(path, "branches/hengchong/branch.yml", "hengchong")
    branch, more = validate_document(parsed, tmp_path, settings.choices)
    assert [p for p in problems + more if p.is_error] == []
    assert branch is not None and branch.brand.methods == ("第一步", "第二步")
    assert branch.members == 48
