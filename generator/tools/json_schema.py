"""A JSON Schema (draft 2020-12) for ``branch.yml``, generated from ``schema.BRANCH``.

Editors (VS Code with the YAML extension) read it through the first line of every
``branch.yml``, ``# yaml-language-server: $schema=../../schema/branch.schema.json``, and then
offer completion, show the Chinese hints and flag typos while staff type. It is derived from the
same Field tree the validator walks, so the two cannot drift apart.

Editors parse YAML 1.2, where ``2026-05-01`` is a string and an empty value is ``null``; the
schema follows that, and accepts ``null`` wherever the validator treats a blank as "not filled in"
(optional fields, and the blank rows of the ``showcase new`` scaffold).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ..content import schema
from ..content.schema import Choices, Field

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/branch.schema.json"


def branch_schema(choices: Choices, *, year: int | None = None) -> dict[str, Any]:
    """The whole schema; ``choices`` are the 领域 and townships configured in mkdocs.yml."""
    conv = _Converter(choices, year or dt.date.today().year)
    out: dict[str, Any] = {
        "$schema": DRAFT,
        "title": "branch.yml：支部品牌资料",
        "description": "一个支部一个文件：基本情况、品牌六要素、荣誉、标签和照片。"
        "由 showcase schema 根据生成器的字段定义生成，请勿手改。",
    }
    body = conv.convert(schema.BRANCH, nullable=False)
    body.pop("title", None)  # the file's own title above says more than the Field's "支部"
    out.update(body)
    return out


def dumps(data: dict[str, Any]) -> str:
    """Stable text: keys in schema order, two-space indent, Chinese kept readable."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_schema(path: Path, choices: Choices) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(branch_schema(choices)), encoding="utf-8")
    return path


class _Converter:
    def __init__(self, choices: Choices, year: int):
        self.choices = choices
        self.year = year

    def convert(self, f: Field, *, nullable: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if f.label:
            out["title"] = f.label
        description = self._describe(f)
        if description:
            out["description"] = description
        out.update(self._type(f))
        if nullable:
            _allow_null(out)
        return out

    def _describe(self, f: Field) -> str:
        parts = (["必填"] if f.required else []) + ([f.hint] if f.hint else [])
        return "。".join(parts)

    def _type(self, f: Field) -> dict[str, Any]:
        k = f.kind
        if k == schema.MAP:
            props = {c.key: self.convert(c, nullable=not c.required) for c in f.children}
            out: dict[str, Any] = {"type": "object", "properties": props}
            required = [c.key for c in f.children if c.required]
            if required:
                out["required"] = required
            out["additionalProperties"] = False  # a typo must not silently drop content
            return out
        if k == schema.LIST:
            assert f.item is not None
            item = self.convert(f.item, nullable=f.item.kind != schema.MAP)
            if f.item.kind == schema.MAP:
                # The validator skips rows left blank (the scaffold's empty examples).
                item = {"anyOf": [item, _blank_row(f.item)]}
            return {"type": "array", "items": item}
        if k in (schema.LINE, schema.TEXT, schema.PATH):
            out = {"type": "string"}
            if f.required:
                out["minLength"] = 1
            if f.max_len:
                out["maxLength"] = f.max_len
            choices = self.choices.of(f)
            if choices:
                out["enum"] = list(choices)
            if k == schema.PATH:
                # Inside the branch folder: no absolute paths, no way out with "..".
                out["pattern"] = r"^(?![/\\])(?![A-Za-z]:)(?!.*(^|[/\\])\.\.([/\\]|$)).+$"
            return out
        if k == schema.INT:
            out = {"type": "integer"}
            if f.minimum is not None:
                out["minimum"] = f.minimum
            return out
        if k == schema.YEAR:
            return {"type": "integer", "minimum": schema.FIRST_YEAR, "maximum": self.year}
        if k == schema.DATE:
            return {"type": "string", "pattern": DATE_PATTERN}
        if k == schema.BOOL:
            return {"type": "boolean"}
        raise AssertionError(k)


def _allow_null(out: dict[str, Any]) -> None:
    """Optional fields may be left empty (``secretary:``), as the validator allows."""
    if "type" in out:
        out["type"] = [out["type"], "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]


def _blank_row(f: Field) -> dict[str, Any]:
    """A list row whose every value is empty, like ``- name:`` in the scaffold."""
    return {
        "type": "object",
        "propertyNames": {"enum": [c.key for c in f.children]},
        "additionalProperties": {"enum": [None, "", []]},
    }
