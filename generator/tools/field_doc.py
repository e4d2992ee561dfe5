"""The field reference of ``branch.yml`` in the staff guide, written from the schema.

``site_src/guide.md`` holds the reference between two marker comments; ``showcase schema`` rewrites
it from ``generator/content/schema.py`` (labels, hints, examples, required, choices, limits), with
the fields and townships configured in ``mkdocs.yml``. The rest of the guide is hand-written and
left alone.
"""

from __future__ import annotations

from pathlib import Path

from ..content import schema
from ..content.schema import Choices, Field

BEGIN = "<!-- 字段说明开始：由 showcase schema 按 generator/content/schema.py 生成，请勿手改 -->"
END = "<!-- 字段说明结束 -->"

_KINDS = {
    schema.LINE: "一行文字",
    schema.TEXT: "文字，可分段，可用加粗、斜体、列表和链接",
    schema.INT: "整数",
    schema.YEAR: "年份",
    schema.DATE: "日期",
    schema.BOOL: "true 或 false",
    schema.PATH: "本支部文件夹里的文件",
}
_CONFIGURED = {
    schema.CONFIGURED_FIELDS: "（mkdocs.yml 的 fields）",
    schema.CONFIGURED_TOWNS: "（mkdocs.yml 的 towns）",
}


def field_reference(choices: Choices) -> str:
    """Markdown: one list per level of ``branch.yml``, in the order the file is written (lists,
    not tables: they read on a phone)."""
    out: list[str] = []
    _section(out, "基本情况", "", schema.BRANCH, choices)
    return "\n".join(out).strip() + "\n"


def _section(out: list[str], title: str, where: str, spec: Field, choices: Choices) -> None:
    nested: list[tuple[str, str, Field]] = []
    out += [f"### {title}", ""]
    for f in spec.children:
        path = f"{where}{f.key}"
        if f.kind == schema.MAP:
            nested.append((f"{f.label}（{path} 下面）", f"{path}.", f))
        elif f.kind == schema.LIST and f.item is not None and f.item.kind == schema.MAP:
            nested.append((f"{f.label}（{path} 的每一项）", f"{path}[].", f.item))
        required = " · **必填**" if f.required else ""
        out.append(f"- `{f.key}` {f.label}{required}：{_how(f, choices)}")
    out.append("")
    for sub_title, sub_where, sub_spec in nested:
        _section(out, sub_title, sub_where, sub_spec, choices)


def _how(f: Field, choices: Choices) -> str:
    """How to write a field: its kind, the choices or limits, the schema's hint and example."""
    value = f.item if f.kind == schema.LIST and f.item is not None else f
    if f.kind == schema.MAP:
        parts = [f"下面的字段见“{f.label}”一节"]
    elif value.kind == schema.MAP:
        parts = [f"列表，每项的字段见“{f.label}”一节"]
    elif value is not f:
        parts = [f"列表，每项是{_KINDS[value.kind]}"]
    else:
        parts = [_KINDS[f.kind]]
    allowed = choices.of(f)
    if allowed:
        parts.append(f"只能是：{'、'.join(allowed)}{_CONFIGURED.get(str(f.choices), '')}")
    listed = "、".join(allowed)
    hints = [h for h in (value.hint, f.hint if value is not f else "") if h]
    # A hint that repeats the choices keeps only what it adds (不是示范点就空着).
    hints = [h.removeprefix(listed).lstrip("；，") if listed else h for h in hints]
    hints = [h for h in hints if h and h not in parts]
    if value.kind != schema.MAP:
        if value.max_len and not any(f"不超过 {value.max_len} 字" in h for h in hints):
            parts.append(f"不超过 {value.max_len} 字")
        if value.minimum is not None:
            parts.append(f"不小于 {value.minimum}")
        if value.kind == schema.DATE and not any("写成" in h for h in hints):
            parts.append("写成 2026-05-01 这样")
        if value.example and not allowed and not any(value.example in h for h in hints):
            hints.append(f"例：{value.example}")
    return "；".join(parts + hints)


def update_guide(path: Path, choices: Choices) -> bool:
    """Rewrite the reference between the markers; True when that changed the file (a guide
    without the markers is left alone)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return False
    new = text[: start + len(BEGIN)] + "\n\n" + field_reference(choices) + "\n" + text[end:]
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True
