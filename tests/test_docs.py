"""The project's own user documentation: the branch.yml reference in the staff guide follows the
schema, its example is a valid branch that uses every field, and no link leaves the repo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_project
from helpers import draw_photo

from generator.cli import main as showcase
from generator.config import DEFAULT_FIELDS
from generator.content import schema
from generator.content.branches import load_branches
from generator.content.schema import Choices
from generator.site.pages import GENERATED
from generator.tools.field_doc import BEGIN, END, field_reference

GUIDE = REPO / "site_src/guide.md"


def schema_paths() -> set[str]:
    """Every key a branch.yml can hold, as ``brand.cases[].photos``."""
    return {path for path, _ in schema.walk()}


def data_paths(value: object, where: str = "") -> set[str]:
    paths = set()
    if isinstance(value, dict):
        for key, sub in value.items():
            paths.add(f"{where}{key}")
            paths |= data_paths(sub, f"{where}{key}.")
    elif isinstance(value, list):
        for sub in value:
            paths |= data_paths(sub, f"{where[:-1]}[].")
    return paths


def guide_example() -> str:
    section = GUIDE.read_text("utf-8").split("## 六、branch.yml 的全部字段", 1)[1]
    return re.search(r"(?s)```yaml\n(.*?)```", section).group(1)


def configured(name: str) -> tuple[str, ...]:
    """A list option of the showcase plugin in the repo's mkdocs.yml (``fields: [a, b]``)."""
    line = re.search(rf"^\s+{name}: \[(.*)\]$", (REPO / "mkdocs.yml").read_text("utf-8"), re.M)
    return tuple(line.group(1).split(", ")) if line else ()


EXAMPLE_COUNTY = Choices(fields=configured("fields"), towns=configured("towns"))


def test_guide_field_reference_follows_the_schema() -> None:
    text = GUIDE.read_text("utf-8")
    assert BEGIN in text and END in text
    reference = text.split(BEGIN, 1)[1].split(END, 1)[0].strip() + "\n"
    assert EXAMPLE_COUNTY.fields == DEFAULT_FIELDS and EXAMPLE_COUNTY.towns
    assert reference == field_reference(EXAMPLE_COUNTY), (
        "site_src/guide.md's field reference is out of date: run showcase schema"
    )


def test_guide_example_is_valid_and_uses_every_field(tmp_path: Path) -> None:
    text = guide_example()
    folder = tmp_path / "branches/hengchong"
    folder.mkdir(parents=True)
    (folder / "branch.yml").write_text(text, "utf-8")
    for ref in sorted(set(re.findall(r"photos/[\w.-]+", text))):
        draw_photo(folder / ref, (1200, 900))
    branches, problems = load_branches(tmp_path, tmp_path / "branches", EXAMPLE_COUNTY)
    assert [str(p) for p in problems] == [] and len(branches) == 1
    missing = schema_paths() - data_paths(yaml.safe_load(text))
    assert not missing, f"the guide's example leaves out {sorted(missing)}"


def test_showcase_schema_rewrites_the_guide_reference(tmp_path: Path, capsys) -> None:
    root = copy_project(tmp_path, branches=False)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("学校]", "学校, 新兴领域]"), "utf-8")
    guide = root / "site_src/guide.md"
    before = guide.read_text("utf-8")
    assert showcase(["schema", "--root", str(root)]) == 0
    assert "已更新 site_src/guide.md 里的字段说明" in capsys.readouterr().out
    after = guide.read_text("utf-8")
    assert "学校、新兴领域（mkdocs.yml 的 fields）" in after
    # Only the reference between the markers changes.
    assert after.split(BEGIN)[0] == before.split(BEGIN)[0]
    assert after.split(END)[1] == before.split(END)[1]
    assert showcase(["schema", "--root", str(root)]) == 0
    assert "字段说明" not in capsys.readouterr().out  # nothing to change the second time


def documents() -> list[Path]:
    pages = [p for p in sorted((REPO / "site_src").glob("*.md")) if p.name not in GENERATED]
    readmes = [p for p in sorted(REPO.glob("*/README.md")) if not p.parent.name.startswith(".")]
    return [REPO / "README.md", *readmes, *pages]


def links(markdown: str) -> list[str]:
    text = re.sub(r"(?ms)^\s*```.*?^\s*```", "", markdown)  # code blocks
    text = re.sub(r"`[^`\n]*`", "", text)  # inline code
    return (
        re.findall(r"\]\(([^)\s]+)", text)
        + re.findall(r"<(\w+:[^>\s]+)>", text)
        + re.findall(r"""href=["']([^"']+)""", text)
    )


@pytest.mark.parametrize("doc", documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_link_leaves_the_repo(doc: Path) -> None:
    outside = []
    for target in links(doc.read_text("utf-8")):
        if re.match(r"https?://(127\.0\.0\.1|localhost)[:/]", target):
            continue  # the local preview
        path = target.split("#", 1)[0]
        if re.match(r"\w+:", target) or path.startswith("/"):
            outside.append(target)
        elif path and not (doc.parent / path).resolve().is_relative_to(REPO):
            outside.append(target)
        elif path and not (doc.parent / path).exists() and doc.parent.name != "site_src":
            outside.append(f"{target} (missing)")
    assert not outside, f"{doc.relative_to(REPO)} links outside the repo: {outside}"


def _readme_defaults() -> dict[str, str]:
    """``option → default`` from the README's options table (``a`` / ``b`` rows split)."""
    rows = {}
    for line in (REPO / "README.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`") or cells[0].startswith("`showcase"):
            continue
        names = [n.strip().strip("`") for n in cells[0].split("/")]
        values = [v.strip() for v in cells[1].split(" / ")]
        if len(values) != len(names):
            values = [cells[1]] * len(names)
        rows.update(zip(names, values, strict=True))
    return rows


def _shown(value) -> str:
    if value in ("", [], None):
        return "空"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def test_the_readme_gives_every_option_its_real_default() -> None:
    """Defaults live in the generator (config.py, photos/settings.py); the README's table must
    say the same, so a changed default cannot leave the documentation behind."""
    from mkdocs.config import base

    from generator.plugin import ShowcaseConfig

    readme = _readme_defaults()

    def options(schema, prefix=""):
        for name, option in schema:
            sub = getattr(option, "config_class", None)
            if sub is not None and issubclass(sub, base.Config):
                yield from options(sub._schema, f"{prefix}{name}.")
            else:
                yield f"{prefix}{name}", getattr(option, "default", None)

    checked = 0
    for name, default in options(ShowcaseConfig._schema):
        if name not in readme or not isinstance(default, str | int | bool | list):
            continue
        if default in ("", []):  # "empty" means something (the theme's logo, any township…)
            continue
        assert readme[name].strip("`") == _shown(default), f"README: {name}"
        checked += 1
    assert checked >= 10, readme
