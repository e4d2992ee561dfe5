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
