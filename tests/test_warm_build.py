"""A warm build (with the page cache) gives the same site/ as a clean one, after any edit.

The branch-page cache keys hash the page's whole context (``pages.BranchPage``); this property
test makes random edits to branches and to mkdocs.yml options, then builds the same project warm
and from a clean copy, and compares every byte of both sites.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import copy_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main as showcase

TOWNS = ["城关街道", "石门镇", "柳河镇", "双溪镇", "云岭乡"]


def _branch_files(root: Path) -> list[Path]:
    return sorted((root / "branches").glob("*/branch.yml"))


def _edit_branch(path: Path, edit: str, n: int) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    if edit == "brand":
        data["brand"]["name"] = f"新品牌{n}"
    elif edit == "town":
        data["town"] = TOWNS[n % len(TOWNS)]
    elif edit == "updated":
        data["updated"] = f"2026-0{n % 9 + 1}-1{n % 10}"
    elif edit == "caption" and data.get("photos"):
        data["photos"][0]["caption"] = f"改过的说明{n}"
    elif edit == "tag":
        data["tags"] = [*data.get("tags", [])[:1], f"新标签{n % 3}"]
    elif edit == "short_name":
        data["short_name"] = f"简称{n}"
    elif edit == "cover" and len(data.get("photos", [])) > 1:
        for i, p in enumerate(data["photos"]):
            p["cover"] = i == 1
    elif edit == "demonstration":
        data["demonstration"] = ["国家级", "省级", "市级", "县级", "镇级"][n % 5]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_style=None)
    # safe_dump writes dates as dates and keeps strings quoted where YAML 1.1 needs it.
    path.write_text(text, "utf-8")


def _edit_config(root: Path, edit: str, n: int) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    if edit == "directory_urls":
        value = "false" if "use_directory_urls: true" in text else "true"
        text = re.sub(r"use_directory_urls: \w+", f"use_directory_urls: {value}", text)
    elif edit == "site_url":
        text = re.sub(r"(?m)^site_url: .*$", f"site_url: https://www{n}.example.gov.cn/zzb/", text)
    elif edit == "recent":
        text = re.sub(r"(?m)^\s*recent_count: \d+\n", "", text)
        text = text.replace("      county:", f"      recent_count: {n % 4 + 2}\n      county:")
    elif edit == "featured":
        text = re.sub(r"featured_count: \d+", f"featured_count: {n % 5 + 2}", text)
    elif edit == "county":
        text = re.sub(r"(?m)^(\s*county:) .*$", rf"\1 县{n}", text)
    config.write_text(text, "utf-8")


def _site(root: Path) -> dict[str, bytes]:
    site = root / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _clean_copy(src: Path, dest: Path) -> Path:
    """The project as a fresh clone would have it, with only the content-addressed photo and
    QR caches copied (their names are hashes of what they hold, so they cannot be stale)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("mkdocs.yml",):
        shutil.copy2(src / name, dest / name)
    shutil.copytree(src / "branches", dest / "branches")
    fresh = copy_project(dest / ".template", branches=False)
    shutil.copytree(fresh / "site_src", dest / "site_src")
    shutil.copytree(fresh / "overrides", dest / "overrides")
    shutil.rmtree(fresh)
    for part in ("photos", "qr", "share"):
        if (src / ".cache/showcase" / part).is_dir():
            shutil.copytree(src / ".cache/showcase" / part, dest / ".cache/showcase" / part)
    return dest


@pytest.fixture(scope="module")
def warm_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("warm"))
    assert showcase(["build", "--root", str(root)]) == 0
    return root


EDITS = st.lists(
    st.one_of(
        st.tuples(
            st.just("branch"),
            st.sampled_from(
                [
                    "brand",
                    "town",
                    "updated",
                    "caption",
                    "tag",
                    "short_name",
                    "cover",
                    "demonstration",
                ]
            ),
            st.integers(0, 13),
        ),
        st.tuples(
            st.just("config"),
            st.sampled_from(["directory_urls", "site_url", "recent", "featured", "county"]),
            st.integers(0, 13),
        ),
    ),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=EDITS)
def test_warm_build_equals_clean_build(
    warm_root: Path, tmp_path_factory: pytest.TempPathFactory, edits, monkeypatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764633600")  # the sitemap's dates
    files = _branch_files(warm_root)
    for where, edit, n in edits:
        if where == "branch":
            _edit_branch(files[n % len(files)], edit, n)
        else:
            _edit_config(warm_root, edit, n)
    assert showcase(["build", "--root", str(warm_root)]) == 0
    clean = _clean_copy(warm_root, tmp_path_factory.mktemp("clean") / "p")
    assert not (clean / ".cache/showcase/build.pickle").exists()
    assert showcase(["build", "--root", str(clean)]) == 0
    warm, cold = _site(warm_root), _site(clean)
    assert sorted(warm) == sorted(cold), set(warm) ^ set(cold)
    differ = [name for name in warm if warm[name] != cold[name]]
    assert not differ, f"after {edits}: warm and clean builds differ in {differ[:5]}"
