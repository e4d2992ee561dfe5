"""``showcase import``: create or update branches from a spreadsheet register (台账).

One row is one branch. The spreadsheet owns a fixed set of fields (the columns below); every
other line of an existing ``branch.yml`` — comments, key order, the brand's six parts, photos —
is left exactly as the staff wrote it (ruamel.yaml round-trip). Each row becomes a YAML document
that is checked by the same validator as ``showcase check`` before anything is written; a bad
row is reported and skipped, the good rows still import.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from ..config import Settings
from ..content import schema
from ..content.branches import SLUG_RE
from ..content.reading import BRANCH_FILE, find_branch_files, read_document
from ..content.roundtrip import dump, keep_comment_column, text_value, yaml_rt
from ..content.slugs import slugify
from ..content.validate import validate_document
from ..files import atomic_write
from ..problems import rel_path
from .scaffold import render_scaffold


@dataclass(frozen=True)
class Column:
    header: str
    path: tuple[str, ...]  # where the value goes in branch.yml; () for 网址名
    note: str
    example: str
    kind: str = schema.LINE
    spec: schema.Field | None = None  # the schema field it fills


SLUG_COLUMN = Column(
    "网址名", (), "可不填：默认由简称或名称的拼音生成；只能用小写字母、数字和 -", ""
)


def _columns() -> tuple[Column, ...]:
    """The register's columns: every schema field that names one, in schema order, then 网址名."""
    columns = []
    for path, f in schema.walk():
        if not f.column:
            continue
        keys = tuple(path.split("."))
        note = ("必填。" if len(keys) == 1 else "新建支部时必填。") if f.required else ""
        note += f.hint
        if f.key == "name" and len(keys) == 1:
            note += "；用来找到已有的支部"
        if f.choices:
            note += "；从下拉列表中选"
        columns.append(Column(f.column, keys, note, f.example, f.kind, f))
    return (*columns, SLUG_COLUMN)


COLUMNS: tuple[Column, ...] = _columns()
NAME = schema.BRANCH.child("name").column  # the column that finds an existing branch
SHORT_NAME = schema.BRANCH.child("short_name").column
BY_HEADER = {c.header: c for c in COLUMNS}
BY_FIELD = {".".join(c.path): c for c in COLUMNS if c.path}
TAG_SPLIT = re.compile(r"[，,、;；\s]+")
MAX_ROWS = 5000


@dataclass
class Summary:
    created: list[str] = field(default_factory=list)  # slugs
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: int = 0
    messages: list[str] = field(default_factory=list)  # one line each, in row order


class RegisterError(ValueError):
    """The file as a whole cannot be read (not a row problem)."""


# --- reading the spreadsheet ----------------------------------------------------------------


def read_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells as text) for every row, header included."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        yield from _xlsx_rows(path)
    elif suffix == ".csv":
        yield from _csv_rows(path)
    else:
        raise RegisterError(f"{path.name}：只支持 .xlsx 和 .csv（.xls 请在 Excel 中另存为 .xlsx）")


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise RegisterError(f"{path.name} 无法打开：{exc}") from None
    try:
        # The template's second sheet is 说明; data is on the first sheet that is not.
        ws = next((s for s in wb.worksheets if s.title != "说明"), wb.worksheets[0])
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in row]
    finally:
        wb.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 48 as 48.0
    if hasattr(value, "year") and hasattr(value, "strftime"):
        return f"{value.year}"  # a year cell Excel turned into a date
    return str(value).strip()


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # Excel on Chinese Windows saves CSV as GBK
        except UnicodeDecodeError:
            raise RegisterError(
                f"{path.name} 不是 UTF-8 或 GBK 编码，请在 Excel 中另存为“CSV UTF-8”"
            ) from None
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        yield number, [c.strip() for c in row]


# --- import ---------------------------------------------------------------------------------


def import_file(settings: Settings, path: Path) -> Summary:
    """Create or update a branch for every good row; report and skip the bad ones."""
    if not path.is_file():
        raise RegisterError(f"找不到文件 {path}")
    label = path.name
    summary = Summary()
    rows = read_rows(path)
    header: list[str] | None = None
    existing = _existing_branches(settings)
    claimed: dict[str, int] = {}  # slug -> the row that already took it
    for number, cells in rows:
        if not any(cells):
            continue
        if header is None:
            header = _check_header(cells, label)
            unknown = [h for h in header if h and h not in BY_HEADER]
            if unknown:
                summary.messages.append(
                    f"{label}:第 {number} 行: 列名: 不认识的列“{'”“'.join(unknown)}”，已忽略"
                    f"（可用的列：{'、'.join(BY_HEADER)}）"
                )
            continue
        if number > MAX_ROWS:
            raise RegisterError(f"{label} 超过 {MAX_ROWS} 行，请分批导入")
        values = {h: cells[i] for i, h in enumerate(header) if h in BY_HEADER and i < len(cells)}
        try:
            kind, slug, what = _import_row(settings, values, existing, claimed, number)
        except _RowErrors as exc:
            summary.skipped += 1
            summary.messages.extend(f"{label}:第 {number} 行: {c}: {m}" for c, m in exc.errors)
            continue
        getattr(summary, kind).append(slug)
        verb = {"created": "新建", "updated": "更新", "unchanged": "无变化"}[kind]
        target = rel_path(settings.branches_dir / slug / BRANCH_FILE, settings.root)
        summary.messages.append(f"{label}:第 {number} 行: {verb} {target}{what}")
    if header is None:
        raise RegisterError(f"{label} 是空的：第一行应为列名（{'、'.join(BY_HEADER)}）")
    return summary


def _check_header(cells: list[str], label: str) -> list[str]:
    header = [c.strip().rstrip("*＊").strip() for c in cells]
    if NAME not in header:
        raise RegisterError(
            f"{label}：第一行没有“{NAME}”列；第一行应为列名，如 {'、'.join(BY_HEADER)}"
        )
    return header


@dataclass
class _Existing:
    slug: str
    path: Path


def _existing_branches(settings: Settings) -> dict[str, _Existing]:
    """Existing branches by slug and by name (their ``name:``, read with the round-trip loader)."""
    found: dict[str, _Existing] = {}
    for folder in find_branch_files(settings.branches_dir):
        path = folder / BRANCH_FILE
        entry = _Existing(folder.name, path)
        found[folder.name] = entry
        try:
            data = yaml_rt().load(path.read_text("utf-8-sig"))
        except (OSError, UnicodeDecodeError, YAMLError):
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            found.setdefault("名称:" + " ".join(data["name"].split()), entry)
    return found


class _RowErrors(Exception):
    """A row that cannot be imported: (column, message) pairs."""

    def __init__(self, *errors: tuple[str, str]):
        super().__init__(errors)
        self.errors = list(errors)


def _import_row(
    settings: Settings,
    values: dict[str, str],
    existing: dict[str, _Existing],
    claimed: dict[str, int],
    number: int,
) -> tuple[str, str, str]:
    """Import one row: (outcome, slug, detail), or raise _RowErrors."""
    name = " ".join(values.get(NAME, "").split())
    if not name:
        raise _RowErrors((NAME, f"{NAME}是必填项，不能为空"))
    slug = values.get("网址名", "").strip()
    if slug and not SLUG_RE.match(slug):
        raise _RowErrors(("网址名", f"网址名“{slug}”不合规：只能用小写英文字母、数字和 -"))
    match = existing.get(slug) if slug else existing.get("名称:" + name)
    if match is None and not slug:
        base = values.get(SHORT_NAME) or schema.split_org_suffix(name)[0]
        slug = slugify(base) or "branch"
        if slug in existing:  # a different branch already has this slug: never overwrite it
            raise _RowErrors(
                ("网址名", f"自动生成的网址名“{slug}”已被另一个支部使用，请在“网址名”列指定")
            )
    if match is not None:
        slug = match.slug
    if slug in claimed:
        raise _RowErrors((NAME, f"与第 {claimed[slug]} 行是同一个支部（{slug}），只能写一行"))

    folder = settings.branches_dir / slug
    path = folder / BRANCH_FILE
    y = yaml_rt()
    original = ""
    if match is not None:
        try:
            original = path.read_text("utf-8-sig")
            data = y.load(original)
        except (OSError, UnicodeDecodeError, YAMLError) as exc:
            where = rel_path(path, settings.root)
            raise _RowErrors((NAME, f"{where} 无法读取，请先改正：{_first_line(exc)}")) from None
        if not isinstance(data, CommentedMap):
            shown = rel_path(path, settings.root)
            raise _RowErrors((NAME, f"{shown} 不是“字段: 值”的形式，请先改正"))
    else:
        data = y.load(render_scaffold(settings, name))

    changed = _apply(data, values)
    text = dump(data)
    errors = _validate(settings, text, folder, slug)
    if errors:
        raise _RowErrors(*errors)
    claimed[slug] = number
    if match is None:
        (folder / "photos").mkdir(parents=True, exist_ok=True)
        atomic_write(path, text)
        existing[slug] = existing["名称:" + name] = _Existing(slug, path)
        return "created", slug, f"（{name}）"
    if text == original:
        return "unchanged", slug, ""
    atomic_write(path, text)
    return "updated", slug, "：" + "、".join(changed)


def _apply(data: CommentedMap, values: dict[str, str]) -> list[str]:
    """Put the row's non-empty cells into the document; the headers of what changed.

    An empty cell never clears what the file already says: the register may simply not track it.
    """
    changed = []
    for col in COLUMNS:
        raw = values.get(col.header, "")
        if not col.path or not raw.strip():
            continue
        parent = data
        for key in col.path[:-1]:
            if not isinstance(parent.get(key), CommentedMap):
                parent[key] = CommentedMap()
            parent = parent[key]
        key = col.path[-1]
        old = parent.get(key)
        value = _value(col, raw, old)
        if _same(old, value):
            continue
        parent[key] = value
        keep_comment_column(parent, key, old, value)
        changed.append(col.header)
    return changed


def _value(col: Column, raw: str, old: Any) -> Any:
    if col.path == ("tags",):
        tags = list(dict.fromkeys(t for t in TAG_SPLIT.split(raw) if t))
        seq = CommentedSeq(tags)
        if not isinstance(old, CommentedSeq) or not old or old.fa.flow_style():
            seq.fa.set_flow_style()  # [集体经济, 乡村振兴] on one line, as the scaffold writes
        return seq
    if col.kind in (schema.INT, schema.YEAR):
        return int(raw) if re.fullmatch(r"[+-]?\d+", raw) else raw  # the validator says why not
    if col.kind == schema.TEXT:
        return text_value(raw, old)
    return " ".join(raw.split())


def _same(old: Any, new: Any) -> bool:
    if isinstance(new, list):
        return isinstance(old, list) and [str(x) for x in old] == [str(x) for x in new]
    if old is None:
        return False
    return str(old).strip() == str(new).strip()


def _validate(settings: Settings, text: str, folder: Path, slug: str) -> list[tuple[str, str]]:
    """The validator's errors for the document about to be written, as (column, message)."""
    with tempfile.TemporaryDirectory(prefix="showcase-import-") as tmp:
        candidate = Path(tmp) / BRANCH_FILE
        candidate.write_text(text, encoding="utf-8")
        doc, problems = read_document(candidate, f"branches/{slug}/{BRANCH_FILE}", slug)
        if doc.node is not None:
            _, more = validate_document(doc, folder, settings.choices)
            problems = problems + more
    out = []
    for p in problems:
        if not p.is_error:
            continue
        col = BY_FIELD.get(p.field)
        if col is not None:
            out.append((col.header, p.message))
    return out


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- the template ---------------------------------------------------------------------------


def write_template(path: Path, choices: schema.Choices) -> Path:
    """An .xlsx with the header row, one fictional sample row, widths, drop-downs and 说明."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append([c.header for c in COLUMNS])
    ws.append([_sample(c, choices) for c in COLUMNS])
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="A4161A")
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = bold, fill
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = 40 if col.kind == schema.TEXT else 14
        ws.cell(row=2, column=i).font = Font(color="808080")  # the sample row, greyed
    ws.freeze_panes = "A2"

    def drop_down(header: str, choices: Sequence[str], title: str) -> None:
        letter = get_column_letter([c.header for c in COLUMNS].index(header) + 1)
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(choices) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=title,
            error=f"请从下拉列表中选择：{'、'.join(choices)}",
        )
        dv.add(f"{letter}2:{letter}{MAX_ROWS}")
        ws.add_data_validation(dv)

    for col in COLUMNS:
        # Configured lists (领域, 乡镇), 示范点 levels; 组织类型 suggests its usual values.
        allowed = choices.of(col.spec) if col.spec else ()
        if col.spec is schema.BRANCH.child("org_type"):
            allowed = schema.ORG_TYPES
        if allowed:
            drop_down(col.header, allowed, col.spec.label if col.spec else col.header)

    notes = wb.create_sheet("说明")
    notes.append(["列名", "写入 branch.yml 的字段", "说明"])
    for c in COLUMNS:
        notes.append([c.header, ".".join(c.path) or "（文件夹名）", c.note])
    notes.append([])
    for line in (
        "一行一个支部。第二行是虚构的示例，导入前请删除。",
        "已有的支部按“网址名”或“名称”找到，只更新表格里填了的列；空着的列不会清除已有内容，"
        "branch.yml 里手写的品牌六要素、照片、注释都保持原样。",
        "新支部会新建 branches/网址名/ 文件夹和带注释的 branch.yml，请再补充品牌六要素和照片。",
        "导入：showcase import 台账.xlsx；有问题的行会列出行号和原因并跳过，其他行照常导入。",
    ):
        notes.append([line])
    for cell in notes[1]:
        cell.font, cell.fill = bold, fill
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 22
    notes.column_dimensions["C"].width = 70
    for row in notes.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _sample(c: Column, choices: schema.Choices) -> str | int:
    allowed = choices.of(c.spec) if c.spec else ()
    if allowed and c.example not in allowed:
        return allowed[0]
    if c.kind in (schema.INT, schema.YEAR) and c.example:
        return int(c.example)
    return c.example
