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
from helpers import settings_for

from generator.cli import main as showcase
from generator.tools.json_schema import SCHEMA_LINE, branch_schema, dumps
from generator.tools.scaffold import render_scaffold


def _configured_fields() -> list[str]:
    from mkdocs.config import load_config

    return list(load_config(str(REPO / "mkdocs.yml")).plugins["showcase"].config.fields)


FIELDS = _configured_fields()


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
    return {p.parent.name: editor_load(p.read_text("utf-8"))
            for p in sorted((REPO / "branches").glob("*/branch.yml"))}


def errors(validator, data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)]


def test_committed_schema_is_generated_from_schema_py() -> None:
    committed = (REPO / "schema" / "branch.schema.json").read_text("utf-8")
    # The newest year allowed is the year it was generated in; compare like with like.
    year = json.loads(committed)["properties"]["founded"]["maximum"]
    assert 2026 <= year <= dt.date.today().year
    assert committed == dumps(branch_schema(FIELDS, year=year)), "run: showcase schema"
    assert dumps(branch_schema(FIELDS)) == dumps(branch_schema(FIELDS))  # deterministic


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
    for path, value in [(("field",), "农业"), (("demonstration",), "乡级"), (("founded",), 1900),
                        (("members",), -1), (("updated",), "2026-5-1"),
                        (("brand", "summary"), "长" * 301), (("photos", 0, "file"), "../x.jpg")]:
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
    assert written == dumps(branch_schema(FIELDS))
    assert json.loads(written)["properties"]["field"]["enum"] == FIELDS
