"""The catalog's choices: which branches the home page features."""

from __future__ import annotations

from pathlib import Path

from helpers import draw_photo, settings_for, write_branch

from generator.config import DEFAULT_FIELDS
from generator.content.branches import load_branches
from generator.content.schema import Choices
from generator.site.catalog import build_catalog

PHOTO = """\
name: {name}
town: 石门镇
field: 农村
{extra}brand:
  name: {name}品牌
  summary: 简介。
photos:
  - file: photos/a.jpg
    caption: 外景
"""


def test_featured_prefers_branches_with_a_cover(tmp_path: Path) -> None:
    # The best-decorated branch has no photo yet: it comes after every branch that has one.
    write_branch(
        tmp_path,
        "star",
        "name: 明星村\ntown: 石门镇\nfield: 农村\n"
        "demonstration: 国家级\nbrand:\n  name: 明星\n  summary: 简介。\n",
    )
    for slug, extra in (("plain", ""), ("county", "demonstration: 县级\n")):
        write_branch(tmp_path, slug, PHOTO.format(name=f"{slug}村", extra=extra))
        draw_photo(tmp_path / f"branches/{slug}/photos/a.jpg")
    branches, problems = load_branches(tmp_path, tmp_path / "branches", Choices(DEFAULT_FIELDS))
    assert not [p for p in problems if p.is_error]

    def featured(count: int) -> list[str]:
        settings = settings_for(tmp_path, featured_count=count)
        return [b.slug for b in build_catalog(branches, settings, {}).featured]

    assert featured(2) == ["county", "plain"]
    assert featured(3) == ["county", "plain", "star"]  # still shown when there is room
    # Chosen by hand in mkdocs.yml: kept as given.
    chosen = settings_for(tmp_path, featured=("star", "plain"))
    assert [b.slug for b in build_catalog(branches, chosen, {}).featured] == ["star", "plain"]


def test_names_are_spelled_as_pypinyin_spells_them() -> None:
    """The sort key's pinyin (each syllable's style remembered, ``catalog._pinyin``) is exactly
    ``lazy_pinyin(…, style=TONE3)``: for every character pypinyin knows, thousands of its
    phrases, and names mixing digits, letters and punctuation."""
    import random

    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    from generator.site.catalog import pinyin_key

    rng = random.Random(7)
    texts = [chr(c) for c in sorted(PINYIN_DICT)]
    texts += rng.sample(sorted(PHRASES_DICT), 5000)
    texts += ["重庆路第2村党支部", "长安镇（街道）", "A区乐清·行知 3 号", "银行长", "", "Ünïcode"]
    texts += ["".join(rng.sample(texts[:20000], 4)) for _ in range(2000)]
    mine = [pinyin_key(t)[0] for t in texts]
    theirs = ["".join(lazy_pinyin(t, style=Style.TONE3)) for t in texts]
    assert mine == theirs
    assert pinyin_key("重庆")[0] == "chong2qing4"  # a phrase, not 重's commonest reading
