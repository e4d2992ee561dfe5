"""The JSON Schema for branch.yml: generated from schema.py, accepts the examples, flags typos."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import REPO, copy_project
from helpers import draw_photo, settings_for

from generator.cli import main as showcase
from generator.content.schema import Choices
from generator.tools.json_schema import SCHEMA_LINE, branch_schema, dumps
from generator.tools.scaffold import render_scaffold


def _configured() -> Choices:
    from mkdocs.config import load_config

    options = load_config(str(REPO / "mkdocs.yml")).plugins["showcase"].config
    return Choices(tuple(options.fields), tuple(options.towns))


CHOICES = _configured()
FIELDS = list(CHOICES.fields)


class _EditorLoader(yaml.SafeLoader):
    """YAML as an editor sees it (YAML 1.2 core): dates stay strings."""


_EditorLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def editor_load(text: str):
    return yaml.load(text, Loader=_EditorLoader)  # noqa: S506 - a SafeLoader subclass


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / "schema" / "branch.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def examples() -> dict[str, dict]:
    return {
        p.parent.name: editor_load(p.read_text("utf-8"))
        for p in sorted((REPO / "branches").glob("*/branch.yml"))
    }


def errors(validator, data) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


def test_committed_schema_is_generated_from_schema_py() -> None:
    committed = (REPO / "schema" / "branch.schema.json").read_text("utf-8")
    # The newest year allowed is the year it was generated in; compare like with like.
    year = json.loads(committed)["properties"]["founded"]["maximum"]
    assert 2026 <= year <= dt.date.today().year
    assert committed == dumps(branch_schema(CHOICES, year=year)), "run: showcase schema"
    assert dumps(branch_schema(CHOICES)) == dumps(branch_schema(CHOICES))  # deterministic


def test_every_example_branch_is_valid(validator) -> None:
    data = examples()
    assert len(data) >= 12
    for slug, d in data.items():
        assert errors(validator, d) == [], slug


def test_every_branch_file_points_at_the_schema() -> None:
    for p in sorted((REPO / "branches").glob("*/branch.yml")):
        assert p.read_text("utf-8").splitlines()[0] == SCHEMA_LINE, p
    # ... and the path is right: two folders up from branches/<slug>/ is the project root.
    target = (REPO / "branches" / "x" / SCHEMA_LINE.split("=", 1)[1]).resolve()
    assert target == (REPO / "schema" / "branch.schema.json").resolve()


def test_a_typo_key_is_rejected(validator) -> None:
    d = copy.deepcopy(examples()["xikou"])
    d["secretery"] = d.pop("secretary")
    assert any("secretery" in e for e in errors(validator, d))
    d = copy.deepcopy(examples()["xikou"])
    d["brand"]["slogen"] = "口号"
    assert any("slogen" in e for e in errors(validator, d))


def test_bad_values_are_rejected(validator) -> None:
    base = examples()["xikou"]
    for path, value in [
        (("field",), "农业"),
        (("demonstration",), "乡级"),
        (("founded",), 1900),
        (("members",), -1),
        (("updated",), "2026-5-1"),
        (("brand", "summary"), "长" * 301),
        (("photos", 0, "file"), "../x.jpg"),
    ]:
        d = copy.deepcopy(base)
        target = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert errors(validator, d), (path, value)
    d = copy.deepcopy(base)
    del d["brand"]["name"]
    assert any("'name' is a required property" in e for e in errors(validator, d))


def test_the_scaffold_carries_the_line_and_its_blanks_pass(validator, tmp_path: Path) -> None:
    text = render_scaffold(settings_for(tmp_path), "横冲村党支部", town="石门镇", field="农村")
    assert text.splitlines()[0] == SCHEMA_LINE
    problems = errors(validator, editor_load(text))
    # Only what the validator would also ask for: the brand's name and summary.
    assert problems and all(p.startswith("brand/") for p in problems), problems


def test_showcase_schema_writes_the_file(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", branches=False)
    assert showcase(["schema", "--root", str(root)]) == 0
    written = (root / "schema" / "branch.schema.json").read_text("utf-8")
    assert written == dumps(branch_schema(CHOICES))
    assert json.loads(written)["properties"]["field"]["enum"] == FIELDS


# --- schema.py is the one source: every field reaches the model and the page -------------------


def test_every_schema_map_names_a_model_with_its_fields() -> None:
    import dataclasses

    from generator.content import schema

    maps = [schema.BRANCH] + [
        f if f.kind == schema.MAP else f.item
        for _, f in schema.walk()
        if f.kind == schema.MAP or (f.item and f.item.kind == schema.MAP)
    ]
    for spec in maps:
        assert spec.model is not None, spec.label
        names = {f.name for f in dataclasses.fields(spec.model)}
        missing = [c.key for c in spec.children if c.key not in names]
        assert not missing, f"{spec.model.__name__} lacks {missing}"


def _filled_in(folder: Path) -> tuple[str, dict[str, str]]:
    """A branch.yml with every field of the schema filled in with a value of its own, written
    from the schema; returns the text and {field path: what the page must show for it}."""
    from generator.content import schema

    shown: dict[str, str] = {}
    counter = iter(range(1, 10_000))
    draw_photo(folder / "photos" / "logo.png", (400, 400))

    def value(path: str, f) -> tuple[str, str]:
        n = next(counter)
        if f.choices == schema.CONFIGURED_FIELDS:
            return "社区", "社区"
        if f.choices == schema.CONFIGURED_TOWNS:
            return "石门镇", "石门镇"
        if f.choices:
            return f.choices[n % len(f.choices)], f.choices[n % len(f.choices)]
        if f.kind == schema.INT:
            return str(30 + n), f"{30 + n} 名"
        if f.kind == schema.YEAR:
            return str(1950 + n), f"{1950 + n} 年"
        if f.kind == schema.DATE:
            return f"2025-03-{n % 28 + 1:02d}", f"2025 年 3 月 {n % 28 + 1} 日"
        if f.kind == schema.BOOL:
            return "true", ""
        if f.kind == schema.PATH:
            name = "logo.png" if path.endswith("logo") else f"p{n}.jpg"
            if not (folder / "photos" / name).exists():
                draw_photo(folder / "photos" / name)
            return f"photos/{name}", ""
        return f"值{n}号", f"值{n}号"

    def emit(spec, path: str, indent: int, item: bool = False) -> list[str]:
        lines = []
        for i, f in enumerate(spec.children):
            pad = " " * (indent - 2) + "- " if item and i == 0 else " " * indent
            here = f"{path}.{f.key}" if path else f.key
            if f.kind == schema.MAP:
                lines.append(f"{pad}{f.key}:")
                lines += emit(f, here, indent + 2)
            elif f.kind == schema.LIST:
                lines.append(f"{pad}{f.key}:")
                if f.item.kind == schema.MAP:
                    lines += emit(f.item, here + "[]", indent + 4, item=True)
                elif f.item.kind == schema.PATH:  # case photos: name a gallery photo
                    lines.append(" " * (indent + 2) + "- photos/p-case.jpg")
                    draw_photo(folder / "photos" / "p-case.jpg")
                else:
                    raw, page = value(here + "[]", f.item)
                    lines.append(" " * (indent + 2) + f"- {raw}")
                    shown[here + "[]"] = page
            else:
                raw, page = value(here, f)
                lines.append(f"{pad}{f.key}: {raw}")
                if page:
                    shown[here] = page
        return lines

    text = "\n".join(emit(schema.BRANCH, "", 0)) + "\n"
    # The gallery lists the case photo too, so it has a caption.
    text += "  - file: photos/p-case.jpg\n    caption: 个案照片说明\n"
    return text, shown


def test_every_schema_leaf_reaches_branch_and_page(tmp_path: Path) -> None:
    from dataclasses import replace as dc_replace

    from generator.buildcache import BuildCache
    from generator.cli import _load, _settings
    from generator.content import schema
    from generator.pipeline import generate

    root = copy_project(tmp_path / "p", branches=False)
    folder = root / "branches" / "full"
    text, shown = _filled_in(folder)
    (folder / "branch.yml").write_text(text, "utf-8")
    cfg, plugin = _load(str(root))
    settings = dc_replace(_settings(cfg, plugin), progress=False, workers=1)
    result = generate(settings, BuildCache(None))
    assert result.ok, [str(p) for p in result.problems]
    [branch] = result.branches

    def reach(obj, path: str) -> list:
        """Every value at a dotted path with [] steps (``brand.cases[].title``)."""
        values = [obj]
        for step in path.split("."):
            key, many = step.removesuffix("[]"), step.endswith("[]")
            values = [getattr(v, key) for v in values]
            if many:
                values = [x for v in values for x in v]
        return values

    for path, f in schema.walk():
        if f.kind in (schema.MAP, schema.LIST) and not (f.item and f.item.is_leaf):
            continue
        got = reach(branch, path + ("[]" if f.kind == schema.LIST else ""))
        # The first of each list is the one filled in field by field.
        assert got and got[0] not in (None, "", ()), f"{path} did not reach Branch"

    page = (root / "site_src" / "branches" / "full.md").read_text("utf-8")
    missing = [path for path, expected in shown.items() if expected not in page]
    assert not missing, f"not on the page: {missing}"
    # Every image (gallery, case photo, logo) is shown, with its caption as alt text.
    for ref in branch.photo_refs():
        assert f'alt="{ref.caption}"' in page, ref.field
