"""Validate: check one loaded node tree against the schema and build its model.

Every problem is collected; nothing stops at the first one. The model is built from the schema
tree itself (``Field.model``), so a field added to ``schema.py`` reaches ``Branch`` or fails
loudly, never silently dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import re
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..problems import Problem, Severity
from . import schema
from .model import Branch, PhotoRef
from .reading import NULL_TAG, Document

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"}
_MISSING = object()
_INTEGER = re.compile(r"[+-]?\d+")
_YEAR = re.compile(r"\d{4}")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class _Items(list):
    """A list's values, with the position each had in the file (blank rows are skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.indices: list[int] = []


def validate_document(
    doc: Document, folder: Path, choices: schema.Choices
) -> tuple[Branch | None, list[Problem]]:
    """The branch (None when there is any error) and every problem of one document."""
    walker = _Walker(doc, choices)
    data = walker.walk(doc.node, schema.BRANCH, "", line=1)
    if data is _MISSING or not isinstance(data, dict):
        if not any(p.is_error for p in walker.problems):  # ``~``, ``null``, ``&a``: no content
            walker.error(1, "", "文件是空的：至少要写 name、town、field 和 brand")
        return None, walker.problems
    builder = _Builder(doc, folder, walker.lines)
    built = builder.convert(schema.BRANCH, data, "")
    # Photo paths are checked whatever else is wrong, so staff see every problem at once.
    walker.problems.extend(
        _check_photos(builder.gallery, builder.others, folder, doc.rel, walker.lines)
    )
    if any(p.is_error for p in walker.problems):
        return None, walker.problems
    assert isinstance(built, Branch)
    return _borrow_captions(built), walker.problems


class _Walker:
    """Turns a node tree into plain values, recording each field's line and every problem."""

    def __init__(self, doc: Document, choices: schema.Choices):
        self.rel = doc.rel
        self.text = doc.text
        self.choices = choices
        self.lines: dict[str, int] = {}
        self.problems: list[Problem] = []

    def error(self, line: int, where: str, message: str) -> object:
        self.problems.append(Problem(self.rel, line, where or "文件", message))
        return _MISSING

    def warn(self, line: int, where: str, message: str) -> None:
        self.problems.append(Problem(self.rel, line, where or "文件", message, Severity.WARNING))

    def walk(self, node: yaml.Node, spec: schema.Field, where: str, line: int) -> Any:
        line = node.start_mark.line + 1
        self.lines[where] = line
        if isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG:
            if spec.required:
                return self.error(line, where, f"{spec.label}是必填项，不能为空")
            return _MISSING
        if spec.kind == schema.MAP:
            return self._map(node, spec, where, line)
        if spec.kind == schema.LIST:
            return self._list(node, spec, where, line)
        if not isinstance(node, yaml.ScalarNode):
            return self.error(
                line, where, f"{spec.label}应为{_kind_word(spec)}，这里写成了列表或多个字段"
            )
        plain = not node.style  # None from the pure-Python parser, "" from libyaml
        if plain and node.end_mark.line > node.start_mark.line:
            self._check_folded_items(node, where)
        return self._leaf(node.value, spec, where, line)

    def _check_folded_items(self, node: yaml.ScalarNode, where: str) -> None:
        """A plain value whose continuation lines start with "- " swallowed list items.

        That is what a mis-indented list gives (``- 第一步`` and ``- 第二步`` at different
        depths): YAML joins the lines into one value, and the steps silently become one.
        """
        first, last = node.start_mark.line, node.end_mark.line
        lines = self.text.splitlines()
        for number in range(first + 1, min(last, len(lines) - 1) + 1):
            if lines[number].lstrip().startswith("- "):
                self.warn(
                    number + 1,
                    where,
                    "这一行的“- ”被并进了上一条，可能少了一个条目：请检查缩进，"
                    "同一列表的“- ”要上下对齐",
                )
                return

    def _map(self, node: yaml.Node, spec: schema.Field, where: str, line: int) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return self.error(line, where, f"{spec.label}应为“字段: 值”的形式，请检查缩进")
        known = spec.by_key
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            kline = key_node.start_mark.line + 1
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            shown = key if key in known else _show_key(key) if isinstance(key, str) else key
            # Interned: the same few dozen field names in every branch, each pickled once a
            # batch when the load workers hand their branches back (``lines``, ``field``).
            child_where = sys.intern(f"{where}.{shown}" if where else str(shown))
            if not isinstance(key, str):
                self.error(kline, where, "字段名必须是文字")
                continue
            if key in seen:
                self.error(kline, child_where, f"字段重复：第 {seen[key]} 行已经写过 {key}，请合并")
                continue
            seen[key] = kline
            if key not in known:
                self.error(kline, child_where, _unknown_key(key, list(known)))
                continue
            value = self.walk(value_node, known[key], child_where, kline)
            if value is not _MISSING:
                out[key] = value
        for f in spec.children:
            if f.required and f.key not in seen:
                self.error(
                    line, f"{where}.{f.key}" if where else f.key, f"缺少必填项{f.label}（{f.key}）"
                )
        return out

    def _list(self, node: yaml.Node, spec: schema.Field, where: str, line: int) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return self.error(line, where, f"{spec.label}应为列表：每项一行，以“- ”开头")
        assert spec.item is not None
        items = _Items()
        for i, item_node in enumerate(node.value):
            if _is_blank(item_node):  # an unfilled row of the scaffold
                continue
            value = self.walk(item_node, spec.item, sys.intern(f"{where}[{i}]"), line)
            if value is not _MISSING:
                items.append(value)
                items.indices.append(i)
        return items

    def _leaf(self, raw: str, spec: schema.Field, where: str, line: int) -> Any:
        kind = spec.kind
        value = " ".join(raw.split()) if kind in (schema.LINE, schema.PATH) else raw.strip()
        if not value:
            if spec.required:
                return self.error(line, where, f"{spec.label}是必填项，不能为空")
            return _MISSING
        if kind in (schema.LINE, schema.TEXT, schema.PATH):
            if spec.max_len and len(value) > spec.max_len:
                return self.error(
                    line, where, f"{spec.label}太长：{len(value)} 字，上限 {spec.max_len} 字"
                )
            choices = self.choices.of(spec)
            if choices and value not in choices:
                return self.error(line, where, _not_a_choice(value, spec, choices))
            return value
        if kind == schema.INT:
            if not _INTEGER.fullmatch(value):
                return self.error(line, where, f"{spec.label}应为整数，如 48，这里是“{value}”")
            number = int(value)
            if spec.minimum is not None and number < spec.minimum:
                return self.error(line, where, f"{spec.label}不能小于 {spec.minimum}")
            return number
        if kind == schema.YEAR:
            this_year = dt.date.today().year
            first = schema.FIRST_YEAR
            if not _YEAR.fullmatch(value) or not first <= int(value) <= this_year:
                return self.error(
                    line,
                    where,
                    f"{spec.label}应为 {first} 到 {this_year} 之间的年份，这里是“{value}”",
                )
            return int(value)
        if kind == schema.DATE:
            return self._date(value, spec, where, line)
        if kind == schema.BOOL:
            lowered = value.lower()
            if lowered in ("true", "yes", "是"):
                return True
            if lowered in ("false", "no", "否"):
                return False
            return self.error(line, where, f"{spec.label}只能写 true 或 false，这里是“{value}”")
        raise AssertionError(kind)

    def _date(self, value: str, spec: schema.Field, where: str, line: int) -> Any:
        m = _DATE.fullmatch(value)
        if m and (len(m[2]) == 1 or len(m[3]) == 1):
            fixed = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
            return self.error(line, where, f"日期请写成 {fixed} 这样的格式（月、日都用两位数）")
        try:
            if not m:
                raise ValueError
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return self.error(
                line, where, f"{spec.label}“{value}”不是有效日期，请写成 2026-05-01 这样的格式"
            )


# What becomes a tuple, a model object or a PhotoRef; every other value is kept as validated.
_BUILT = frozenset((schema.LIST, schema.MAP, schema.PATH))


class _Builder:
    """Turns validated plain values into the model, following the schema tree.

    Every image path becomes a ``PhotoRef``; gallery entries (maps whose model is PhotoRef) are
    kept in ``gallery``, every other image (case photos, the logo) in ``others``, also when the
    rest of the document has errors.
    """

    def __init__(self, doc: Document, folder: Path, lines: dict[str, int]):
        self.doc = doc
        self.folder = folder
        self.lines = lines
        self.gallery: list[PhotoRef] = []
        self.others: list[PhotoRef] = []
        self._paths: dict[str, Path] = {}

    def convert(self, spec: schema.Field, value: Any, where: str) -> Any:
        if spec.kind == schema.LIST:
            assert spec.item is not None
            if spec.item.kind not in _BUILT:
                return tuple(value)
            indices = getattr(value, "indices", range(len(value)))
            return tuple(
                self.convert(spec.item, v, sys.intern(f"{where}[{i}]"))
                for i, v in zip(indices, value, strict=True)
            )
        if spec.kind == schema.PATH:
            ref = self._ref(value, where)
            self.others.append(ref)
            return ref
        if spec.kind != schema.MAP:
            return value
        # A gallery entry's own file is its PhotoRef, made in _construct.
        skip = "file" if spec.model is PhotoRef else None
        values = {}
        for c in spec.children:
            if c.key in value and c.key != skip:
                v = value[c.key]
                if c.kind in _BUILT:
                    v = self.convert(c, v, sys.intern(f"{where}.{c.key}") if where else c.key)
                values[c.key] = v
        return self._construct(spec, values, value, where)

    def _construct(self, spec: schema.Field, values: dict, raw: dict, where: str) -> Any:
        if spec.model is PhotoRef:
            if "file" not in raw:
                return None  # reported as a missing required field
            ref = self._ref(raw["file"], sys.intern(f"{where}.file"), **values)
            self.gallery.append(ref)
            return ref
        if spec.model is Branch:
            values["tags"] = tuple(dict.fromkeys(values.get("tags", ())))
            values.update(slug=self.doc.slug, source=self.doc.rel, lines=dict(self.lines))
        assert spec.model is not None, spec
        try:
            return spec.model(**values)
        except TypeError:
            if all(c.key in values for c in spec.children if c.required):
                raise  # the schema and the model disagree: a bug, never silently dropped
            return None  # a required field is missing: already reported

    def _ref(self, file: str, where: str, **values: Any) -> PhotoRef:
        path = self._paths.get(file)
        if path is None:  # one Path a file: case photos are in the gallery too
            path = self._paths[file] = self.folder / file
        return PhotoRef(
            file=file,
            path=path,
            line=self.lines.get(where, 1),
            field=where,
            **values,
        )


def _borrow_captions(branch: Branch) -> Branch:
    """Case photos take their caption from the gallery (else the case title); the logo is named
    after the brand. They are alt texts, so none may be empty."""
    captions = {p.file: p.caption for p in branch.photos}
    cases = tuple(
        dataclasses.replace(
            case,
            photos=tuple(
                dataclasses.replace(p, caption=captions.get(p.file, case.title))
                for p in case.photos
            ),
        )
        for case in branch.brand.cases
    )
    logo = branch.brand.logo
    if logo is not None:
        logo = dataclasses.replace(logo, caption=f"{branch.brand.name} 标识")
    brand = dataclasses.replace(branch.brand, cases=cases, logo=logo)
    return dataclasses.replace(branch, brand=brand)


def check_photo_path(ref: PhotoRef, folder: Path) -> str | None:
    """Why a photo path may not be used, or None. Paths must stay inside the branch folder."""
    file = ref.file
    if file.startswith(("/", "\\")) or _DRIVE.match(file) or os.path.isabs(file):
        return f"不能用绝对路径“{file}”：请写支部文件夹里的相对路径，如 photos/a.jpg"
    if ".." in file.replace("\\", "/").split("/"):
        return f"路径“{file}”不能包含 ..：照片必须放在本支部文件夹里"
    if _CONTROL.search(file):
        return f"路径“{file}”含有控制字符：请重新输入文件名"
    parts = _parts(file)
    if len(file) > 255 or any(len(part.encode()) > 200 for part in parts):
        return f"路径太长（{len(file)} 个字符）：请把照片改个短些的文件名"
    try:
        # The branch folder itself was checked on loading; only a symlink below it can lead
        # elsewhere, so the full resolution is needed only when the path holds one.
        mode = _mode_below(str(folder), parts)
        if mode is _SYMLINK:
            resolved = os.path.realpath(ref.path)
            base = os.path.realpath(folder)
            if not (resolved + os.sep).startswith(base + os.sep):
                return f"“{file}”指向本支部文件夹之外（符号链接？），不能发布"
            mode = ref.path.stat().st_mode if ref.path.exists() else None
        if mode is None:
            return f"找不到照片文件“{file}”（注意大小写和扩展名）"
        if not stat.S_ISREG(mode):
            return f"“{file}”不是文件"
    except (OSError, ValueError) as exc:
        return f"无法读取“{file}”：{getattr(exc, 'strerror', None) or '路径无效'}"
    if _suffix(parts[-1]) not in IMAGE_SUFFIXES:
        return f"不支持的图片格式“{ref.path.suffix}”：请用 JPEG、PNG、WebP 或 HEIC"
    return None


_DRIVE = re.compile(r"[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _parts(file: str) -> list[str]:
    """``Path(file).parts`` of a relative path, without making a Path (checked per photo)."""
    if os.altsep:
        file = file.replace(os.altsep, os.sep)
    return [part for part in file.split(os.sep) if part and part != "."]


_SYMLINK = -1  # _mode_below: a symlink on the way


def _mode_below(folder: str, parts: list[str]) -> int | None:
    """The mode of the entry at ``parts`` below ``folder`` (None when there is none), or
    _SYMLINK when it or a folder on the way is a symlink: one lstat a part, which also tells
    whether the photo exists and is a file."""
    current = folder
    mode = stat.S_IFDIR  # no parts: the folder itself
    for part in parts:
        current = os.path.join(current, part)
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(mode):
            return _SYMLINK
    return mode


def _check_photos(
    gallery: list[PhotoRef],
    others: list[PhotoRef],
    folder: Path,
    rel: str,
    lines: dict[str, int],
) -> list[Problem]:
    problems: list[Problem] = []
    refs = gallery + others
    verdicts: dict[str, str | None] = {}  # a case photo is usually in the gallery too
    for r in refs:
        if r.file not in verdicts:
            verdicts[r.file] = check_photo_path(r, folder)
        why = verdicts[r.file]
        if why:
            problems.append(Problem(rel, r.line, r.field, why))
    seen: dict[str, PhotoRef] = {}
    covers = 0
    for p in gallery:
        if p.file in seen:
            message = f"照片“{p.file}”重复列出（第 {seen[p.file].line} 行已列出）"
            problems.append(Problem(rel, p.line, p.field, message))
        seen.setdefault(p.file, p)
        if p.cover:
            covers += 1
            if covers == 2:
                where = p.field.replace(".file", ".cover")
                problems.append(Problem(rel, p.line, where, "只能有一张封面（cover: true）"))
    for p in others:
        if p.field.startswith("brand.cases[") and p.file not in seen:
            message = f"个案照片“{p.file}”没有说明：请同时在 photos 中列出并写 caption"
            problems.append(Problem(rel, p.line, p.field, message, Severity.WARNING))
    listed = {os.path.normpath(r.path) for r in refs}
    for f in _images_below(os.path.join(folder, "photos")):
        if os.path.normpath(f) not in listed and os.path.isfile(f):
            shown = Path(os.path.relpath(f, folder)).as_posix()
            message = f"照片“{shown}”没有在 branch.yml 中列出，不会发布"
            problems.append(
                Problem(rel, lines.get("photos", 1), "photos", message, Severity.WARNING)
            )
    return problems


def _suffix(name: str) -> str:
    """``Path(name).suffix.lower()`` without making a Path (``.jpg`` and ``a.`` have none)."""
    i = name.rfind(".")
    return name[i:].lower() if 0 < i < len(name) - 1 else ""


def _images_below(folder: str) -> list[str]:
    """Paths of the image files under ``folder``, in ``Path.rglob``'s sorted order, without a
    Path made per entry; like rglob, symlinked folders below it are not entered."""
    found = []
    folders = [folder]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except OSError:
            continue  # no photos folder (or an unreadable one): nothing unlisted to warn of
        with entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    folders.append(e.path)
                elif _suffix(e.name) in IMAGE_SUFFIXES:
                    found.append(e.path)
    return sorted(found, key=lambda p: p.split(os.sep))


def _not_a_choice(value: str, spec: schema.Field, choices: Sequence[str]) -> str:
    """``“石门” 不是可选的所属乡镇（街道）：是不是“石门镇”？（可选：…）``."""
    shown = "、".join(choices)
    guess = schema.nearest(value, choices) if spec.choices == schema.CONFIGURED_TOWNS else None
    if guess:
        return f"“{value}” 不是可选的{spec.label}：是不是“{guess}”？（可选：{shown}）"
    return f"“{value}” 不是可选的{spec.label}（{shown}）"


def _is_blank(node: yaml.Node) -> bool:
    """True for a null, an empty string, or a map whose every value is blank."""
    if isinstance(node, yaml.ScalarNode):
        return node.tag == NULL_TAG or not node.value.strip()
    if isinstance(node, yaml.SequenceNode):
        return all(_is_blank(n) for n in node.value)
    return all(_is_blank(v) for _, v in node.value)


def _unknown_key(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"，是不是“{close[0]}”？" if close else f"；可用的字段：{', '.join(known)}"
    return f"未知字段“{_show_key(key)}”{hint}"


_PLAIN_KEY = re.compile(r"[^\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _show_key(key: str) -> str:
    """A key as it can be shown in ``path:line: field: message``: odd ones quoted and escaped."""
    if _PLAIN_KEY.fullmatch(key):
        return key
    return '"' + _BREAKING.sub(lambda m: f"\\u{ord(m[0]):04x}", key) + '"'


def one_line(p: Problem) -> Problem:
    """Every problem prints as exactly one line, whatever characters the YAML held."""
    field = _BREAKING.sub(lambda m: f"\\u{ord(m[0]):04x}", p.field).strip() or "文件"
    message = _BREAKING.sub(lambda m: f"\\u{ord(m[0]):04x}", p.message)
    if field == p.field and message == p.message:
        return p
    return Problem(p.path, p.line, field, message, p.severity)


def _kind_word(spec: schema.Field) -> str:
    return {
        schema.LINE: "一行文字",
        schema.TEXT: "一段文字",
        schema.INT: "整数",
        schema.YEAR: "年份",
        schema.DATE: "日期",
        schema.BOOL: "true 或 false",
        schema.PATH: "文件路径",
    }.get(spec.kind, "文字")
