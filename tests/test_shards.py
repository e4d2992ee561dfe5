"""Photos beyond one machine: shards fill content-addressed caches that merge by copying."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import copy_project
from helpers import draw_photo, write_branch

from generator.cli import main as showcase


def _project(root: Path) -> Path:
    copy_project(root, branches=False)
    for i in range(6):
        slug = f"b{i}"
        write_branch(root, slug, name=f"第{i}村党支部", brand=f"品牌{i}")
        draw_photo(root / f"branches/{slug}/photos/a.jpg", color=f"#{40 * i:02x}3030")
        yml = root / f"branches/{slug}/branch.yml"
        yml.write_text(
            yml.read_text("utf-8") + "photos:\n  - file: photos/a.jpg\n    caption: 外景\n",
            encoding="utf-8",
        )
    return root


def _entries(root: Path) -> set[str]:
    folder = root / ".cache/showcase/photos"
    return {p.name for p in folder.iterdir() if p.is_dir()} if folder.exists() else set()


def test_two_shards_merge_into_a_cache_that_decodes_nothing(tmp_path: Path) -> None:
    a = _project(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    assert showcase(["photos", "--shard", "1/2", "--root", str(a)]) == 0
    assert showcase(["photos", "--shard", "2/2", "--root", str(b)]) == 0
    first, second = _entries(a), _entries(b)
    assert first and second and not first & second, "each shard does its own share"
    # The merge a CI matrix does: restore every shard's cache into one folder.
    final = tmp_path / "final"
    shutil.copytree(a, final)
    for entry in (b / ".cache/showcase/photos").iterdir():
        if not entry.is_dir():  # machine-local bookkeeping, not cache entries
            continue
        shutil.copytree(entry, final / ".cache/showcase/photos" / entry.name, dirs_exist_ok=True)
    merged = _entries(final)
    assert merged == first | second and len(merged) == 6
    assert showcase(["build", "--root", str(final)]) == 0
    assert _entries(final) == merged, "the final build decoded no photo"
    assert len(list((final / "site/media").glob("*-cover.webp"))) == 6


@pytest.mark.parametrize("shard", ["0/2", "3/2", "x", "1/0"])
def test_bad_shard_is_one_clear_line(
    tmp_path: Path, shard: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path, branches=False)
    assert showcase(["photos", "--shard", shard, "--root", str(root)]) == 1
    assert capsys.readouterr().err.startswith("错误：--shard 应写成 i/N")
