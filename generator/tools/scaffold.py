"""``showcase new``: a commented ``branch.yml`` scaffold in a new branch folder.

The body is written from the schema tree, so every field appears with its label, hint and
example exactly as ``showcase check``, the JSON Schema and the editor describe it.
"""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..config import Settings
from ..content import schema
from ..content.branches import SLUG_RE
from ..content.reading import BRANCH_FILE
from ..content.schema import Choices, Field
from ..content.slugs import slugify
from ..display import display_width

COMMENT_COLUMN = 36  # where the ``#`` comments line up, in screen columns
_BLOCK = {"summary": ">"}  # a folded paragraph; other text fields keep their line breaks (|)


class ScaffoldError(Exception):
    pass


def render_scaffold(settings: Settings, name: str, *, town: str = "", field: str = "") -> str:
    short, org_type = schema.split_org_suffix(name)
    values = {
        "name": name,
        "short_name": short if short != name else "",
        "town": town,
        "field": field,
        "org_type": org_type,
    }
    env = Environment(
        loader=PackageLoader("generator.tools", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    body = "\n".join(_lines(schema.BRANCH, values, settings.choices, indent=0))
    return env.get_template("branch.yml.j2").render(name=name, body=body)


def create_branch(
    settings: Settings, name: str, *, slug: str | None = None, town: str = "", field: str = ""
) -> Path:
    name = " ".join(name.split())
    if not name:
        raise ScaffoldError("请给出支部全称，如：showcase new 横冲村党支部")
    slug = slug or slugify(schema.split_org_suffix(name)[0])
    if not SLUG_RE.match(slug):
        raise ScaffoldError(f"网址名“{slug}”不合规：只能用小写英文字母、数字和 -，请用 --slug 指定")
    for value, spec, option in ((field, "field", "--field"), (town, "town", "--town")):
        problem = _not_allowed(value, schema.BRANCH.child(spec), settings.choices)
        if problem:
            raise ScaffoldError(f"{option} {problem}")
    folder = settings.branches_dir / slug
    if folder.exists():
        raise ScaffoldError(
            f"{folder.relative_to(settings.root).as_posix()} 已存在；"
            "换一个 --slug，或直接编辑已有的 branch.yml"
        )
    (folder / "photos").mkdir(parents=True)
    path = folder / BRANCH_FILE
    path.write_text(render_scaffold(settings, name, town=town, field=field), encoding="utf-8")
    return path


def _not_allowed(value: str, spec: Field, choices: Choices) -> str:
    allowed = choices.of(spec)
    if not value or not allowed or value in allowed:
        return ""
    guess = schema.nearest(value, allowed)
    hint = f"是不是“{guess}”？" if guess else ""
    return f"“{value}”不是可选的{spec.label}：{hint}（可选：{'、'.join(allowed)}）"


def _lines(
    spec: Field, values: dict[str, str], choices: Choices, indent: int, *, item: bool = False
) -> list[str]:
    """The YAML lines of a map's fields, each with its comment; blank unless ``values`` has it.

    With ``item``, the map is a list row: its first line starts with ``- ``.
    """
    out: list[str] = []
    for i, f in enumerate(spec.children):
        if indent == 0 and i and f.kind in (schema.MAP, schema.LIST):
            out.append("")  # a blank line before each block of the top level
        pad = " " * (indent - 2) + "- " if item and i == 0 else " " * indent
        head = f"{pad}{f.key}:"
        if f.kind == schema.MAP:
            out.append(_commented(head, _comment(f, choices)))
            out.extend(_lines(f, {}, choices, indent + 2))
        elif f.kind == schema.LIST:
            out.extend(_list_lines(f, head, choices, indent))
        elif f.kind == schema.TEXT:
            out.append(_commented(f"{head} {_BLOCK.get(f.key, '|')}", _comment(f, choices)))
            out.append(" " * (indent + 2))
        else:
            value = values.get(f.key, "")
            # Values are quoted as JSON strings (valid YAML) so any name reads back as typed.
            shown = f" {json.dumps(value, ensure_ascii=False)}" if value else ""
            out.append(_commented(head + shown, _comment(f, choices)))
    return out


def _list_lines(f: Field, head: str, choices: Choices, indent: int) -> list[str]:
    assert f.item is not None
    item = f.item
    if item.kind != schema.MAP and item.kind != schema.TEXT:
        return [_commented(f"{head} []", _comment(f, choices))]  # [集体经济, 乡村振兴]
    lines = [_commented(head, _comment(f, choices))]
    if item.kind == schema.TEXT:
        return [*lines, f"{' ' * (indent + 2)}- "]
    # One blank row to fill in; blank rows are ignored by showcase check.
    return lines + _lines(item, {}, choices, indent + 4, item=True)


def _comment(f: Field, choices: Choices) -> str:
    text = ("必填。" if f.required else "") + f.label
    allowed = choices.of(f)
    if allowed and f.choices in (schema.CONFIGURED_FIELDS, schema.CONFIGURED_TOWNS):
        text += "，只能是：" + "、".join(allowed)
    if f.hint:
        text += ("，" if f.hint.startswith("如") else "：") + f.hint
    short = f.kind in (schema.LINE, schema.PATH, schema.INT, schema.YEAR)
    # No example where the hint already gives one or lists the choices.
    if f.example and short and "如" not in f.hint and "、" not in f.hint and not allowed:
        text += f"，如：{f.example}"
    return text


def _commented(line: str, comment: str) -> str:
    gap = max(1, COMMENT_COLUMN - display_width(line))
    return f"{line}{' ' * gap}# {comment}"
