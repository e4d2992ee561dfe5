"""Validate: check every loaded node tree against the schema and build the model.

Every problem of every branch is collected; nothing stops at the first one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..parallel import fork_map
from ..problems import Problem, Severity, rel_path, sort_problems
from . import schema
from .model import Branch, Brand, Carrier, Case, Honor, PhotoRef
from .reading import BRANCH_FILE, Document, find_branch_files, read_document

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"}
_NULL = "tag:yaml.org,2002:null"
_MISSING = object()


def load_branches(
    root: Path,
    branches_dir: Path,
    fields: Sequence[str],
    memo: dict[str, tuple] | None = None,
) -> tuple[list[Branch], list[Problem]]:
    """Load and validate every branch under ``branches_dir``; all problems at once.

    ``memo`` (folder name → earlier result) lets an unchanged branch skip parsing: an entry is
    reused only while the branch's files have the same names, sizes and modification times.
    """
    branches: list[Branch] = []
    problems: list[Problem] = []
    folders = find_branch_files(branches_dir)
    keys: dict[str, tuple | None] = {}
    if memo is not None:
        keys = {f.name: _folder_key(f, root, branches_dir, fields) for f in folders}

    def unchanged(folder: Path) -> bool:
        key = keys.get(folder.name)
        return memo is not None and key is not None and memo.get(folder.name, (None,))[0] == key

    todo = [f for f in folders if not unchanged(f)]
    # Parsing is pure per folder: many new or changed branches are spread over the cores.
    load = functools.partial(_load_one, root=root, branches_dir=branches_dir, fields=fields)
    results = fork_map(load, todo)
    fresh = dict(zip((f.name for f in todo), results or map(load, todo), strict=True))
    for folder in folders:
        if folder.name in fresh:
            branch, found = fresh[folder.name]
            if memo is not None and keys.get(folder.name) is not None:
                memo[folder.name] = (keys[folder.name], branch, found)
        else:
            _, branch, found = memo[folder.name]  # type: ignore[index]
        problems.extend(found)
        if branch is not None:
            branches.append(branch)
    if memo is not None:
        for name in set(memo) - {f.name for f in folders}:
            del memo[name]
    problems.extend(_check_across(branches))
    return branches, sort_problems([_one_line(p) for p in problems])


def _load_one(
    folder: Path, *, root: Path, branches_dir: Path, fields: Sequence[str]
) -> tuple[Branch | None, list[Problem]]:
    path = folder / BRANCH_FILE
    rel = rel_path(path, root)
    problems: list[Problem] = []
    if not SLUG_RE.match(folder.name):
        problems.append(Problem(rel, 1, "slug", _bad_slug(folder.name)))
    outside = _leaves(folder, branches_dir) or _leaves(path, folder)
    if outside:
        # Never read (and so never echo or publish) a file from elsewhere on the machine.
        problems.append(Problem(rel, 1, "文件", outside))
        return None, problems
    if not path.is_file():
        problems.append(Problem(rel, 1, "文件", "缺少 branch.yml：每个支部文件夹里都要有一个"))
        return None, problems
    doc, found = read_document(path, rel, folder.name)
    problems.extend(found)
    if doc.node is None:
        return None, problems
    branch, found = validate_document(doc, folder, fields)
    problems.extend(found)
    return branch, problems


def _folder_key(
    folder: Path, root: Path, branches_dir: Path, fields: Sequence[str]
) -> tuple | None:
    """What a branch's validation depends on: its files' names, sizes, times and links."""
    entries = []
    try:
        stack = [folder]
        while stack:
            current = stack.pop()
            with os.scandir(current) as it:
                for e in sorted(it, key=lambda e: e.name):
                    st = e.stat(follow_symlinks=False)
                    link = os.readlink(e.path) if e.is_symlink() else ""
                    entries.append((e.path, st.st_size, st.st_mtime_ns, st.st_ino, link))
                    if e.is_dir(follow_symlinks=False):
                        stack.append(Path(e.path))
        top = folder.lstat()
    except OSError:
        return None  # unreadable: validate afresh, which reports why
    return (
        str(root),
        str(branches_dir),
        tuple(fields),
        top.st_mtime_ns,
        top.st_ino,
        tuple(entries),
        dt.date.today().year,
    )


def validate_document(
    doc: Document, folder: Path, fields: Sequence[str]
) -> tuple[Branch | None, list[Problem]]:
    walker = _Walker(doc.rel, folder, fields)
    data = walker.walk(doc.node, schema.BRANCH, "", line=1)
    if data is _MISSING or not isinstance(data, dict):
        if not any(p.is_error for p in walker.problems):  # ``~``, ``null``, ``&a``: no content
            walker.error(1, "", "文件是空的：至少要写 name、town、field 和 brand")
        return None, walker.problems
    try:
        branch = _build(doc, data, walker)
    except KeyError:  # a required field is missing: already reported
        return None, walker.problems
    # Photo paths are checked even when other fields have errors, so staff see everything at once.
    walker.problems.extend(_check_photos(branch, folder, doc.rel))
    if any(p.is_error for p in walker.problems):
        return None, walker.problems
    return branch, walker.problems


class _Walker:
    """Turns a node tree into plain values, recording each field's line and every problem."""

    def __init__(self, rel: str, folder: Path, fields: Sequence[str]):
        self.rel = rel
        self.folder = folder
        self.fields = tuple(fields)
        self.lines: dict[str, int] = {}
        self.problems: list[Problem] = []

    def error(self, line: int, where: str, message: str) -> object:
        self.problems.append(Problem(self.rel, line, where or "文件", message))
        return _MISSING

    def walk(self, node: yaml.Node, spec: schema.Field, where: str, line: int) -> Any:
        line = node.start_mark.line + 1
        self.lines[where] = line
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
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
        return self._leaf(node.value, spec, where, line)

    def _map(self, node: yaml.Node, spec: schema.Field, where: str, line: int) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return self.error(line, where, f"{spec.label}应为“字段: 值”的形式，请检查缩进")
        known = {f.key: f for f in spec.children}
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            kline = key_node.start_mark.line + 1
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            shown = _show_key(key) if isinstance(key, str) else key
            child_where = f"{where}.{shown}" if where else str(shown)
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
        items = []
        for i, item_node in enumerate(node.value):
            if _is_blank(item_node):  # an unfilled row of the scaffold
                continue
            value = self.walk(item_node, spec.item, f"{where}[{i}]", line)
            if value is not _MISSING:
                items.append(value)
        return items

    def _leaf(self, raw: str, spec: schema.Field, where: str, line: int) -> Any:
        kind = spec.kind
        if kind in (schema.LINE, schema.PATH):
            value = " ".join(raw.split())
        elif kind == schema.TEXT:
            value = raw.strip()
        else:
            value = raw.strip()
        if not value:
            if spec.required:
                return self.error(line, where, f"{spec.label}是必填项，不能为空")
            return _MISSING
        if kind in (schema.LINE, schema.TEXT, schema.PATH):
            if spec.max_len and len(value) > spec.max_len:
                return self.error(
                    line, where, f"{spec.label}太长：{len(value)} 字，上限 {spec.max_len} 字"
                )
            choices = self.fields if spec.choices == "fields" else spec.choices
            if choices and value not in choices:
                return self.error(
                    line, where, f"“{value}” 不是可选的{spec.label}（{'、'.join(choices)}）"
                )
            return value
        if kind == schema.INT:
            if not re.fullmatch(r"[+-]?\d+", value):
                return self.error(line, where, f"{spec.label}应为整数，如 48，这里是“{value}”")
            number = int(value)
            if spec.minimum is not None and number < spec.minimum:
                return self.error(line, where, f"{spec.label}不能小于 {spec.minimum}")
            return number
        if kind == schema.YEAR:
            this_year = dt.date.today().year
            if not re.fullmatch(r"\d{4}", value) or not 1921 <= int(value) <= this_year:
                return self.error(
                    line, where, f"{spec.label}应为 1921 到 {this_year} 之间的年份，这里是“{value}”"
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
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
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


def _build(doc: Document, data: dict[str, Any], w: _Walker) -> Branch:
    def ref(file: str, where: str, **kw: Any) -> PhotoRef:
        return PhotoRef(
            file=file, path=(w.folder / file), line=w.lines.get(where, 1), field=where, **kw
        )

    photos = tuple(
        ref(
            p["file"],
            f"photos[{i}].file",
            caption=p["caption"],
            cover=p.get("cover", False),
            date=p.get("date"),
            credit=p.get("credit"),
        )
        for i, p in enumerate(data.get("photos", []))
    )
    captions = {p.file: p.caption for p in photos}
    b = data["brand"]
    cases = tuple(
        Case(
            title=c["title"],
            text=c["text"],
            date=c.get("date"),
            photos=tuple(
                ref(f, f"brand.cases[{i}].photos[{j}]", caption=captions.get(f, c["title"]))
                for j, f in enumerate(c.get("photos", []))
            ),
        )
        for i, c in enumerate(b.get("cases", []))
    )
    brand = Brand(
        name=b["name"],
        summary=b["summary"],
        slogan=b.get("slogan", ""),
        logo=ref(b["logo"], "brand.logo", caption=f"{b['name']} 标识") if "logo" in b else None,
        concept=b.get("concept", ""),
        theory=b.get("theory", ""),
        methods=tuple(b.get("methods", [])),
        carriers=tuple(Carrier(c["name"], c.get("description", "")) for c in b.get("carriers", [])),
        results=b.get("results", ""),
        cases=cases,
    )
    return Branch(
        slug=doc.slug,
        source=doc.rel,
        name=data["name"],
        town=data["town"],
        field=data["field"],
        brand=brand,
        short_name=data.get("short_name", ""),
        org_type=data.get("org_type", ""),
        secretary=data.get("secretary", ""),
        members=data.get("members"),
        founded=data.get("founded"),
        address=data.get("address", ""),
        demonstration=data.get("demonstration", ""),
        updated=data.get("updated"),
        honors=tuple(Honor(h["title"], h["level"], h["year"]) for h in data.get("honors", [])),
        tags=tuple(dict.fromkeys(data.get("tags", []))),
        photos=photos,
        lines=dict(w.lines),
    )


def check_photo_path(ref: PhotoRef, folder: Path, base: str | None = None) -> str | None:
    """Why a photo path may not be used, or None. Paths must stay inside the branch folder.

    ``base`` is the folder's real path, when the caller has already resolved it.
    """
    raw = Path(ref.file)
    if raw.is_absolute() or ref.file.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", ref.file):
        return f"不能用绝对路径“{ref.file}”：请写支部文件夹里的相对路径，如 photos/a.jpg"
    if ".." in raw.parts or ".." in ref.file.replace("\\", "/").split("/"):
        return f"路径“{ref.file}”不能包含 ..：照片必须放在本支部文件夹里"
    if re.search(r"[\x00-\x1f\x7f]", ref.file):
        return f"路径“{ref.file}”含有控制字符：请重新输入文件名"
    if len(ref.file) > 255 or any(len(part.encode()) > 200 for part in raw.parts):
        return f"路径太长（{len(ref.file)} 个字符）：请把照片改个短些的文件名"
    try:
        # The branch folder itself was checked on loading; only a symlink below it can lead
        # elsewhere, so the full resolution is needed only when the path holds one.
        if _has_symlink_below(folder, raw):
            resolved = os.path.realpath(ref.path)
            base = base or os.path.realpath(folder)
            if not (resolved + os.sep).startswith(base + os.sep):
                return f"“{ref.file}”指向本支部文件夹之外（符号链接？），不能发布"
        if not ref.path.exists():
            return f"找不到照片文件“{ref.file}”（注意大小写和扩展名）"
        if not ref.path.is_file():
            return f"“{ref.file}”不是文件"
    except (OSError, ValueError) as exc:
        return f"无法读取“{ref.file}”：{getattr(exc, 'strerror', None) or '路径无效'}"
    if ref.path.suffix.lower() not in IMAGE_SUFFIXES:
        return f"不支持的图片格式“{ref.path.suffix}”：请用 JPEG、PNG、WebP 或 HEIC"
    return None


def _has_symlink_below(folder: Path, relative: Path) -> bool:
    current = folder
    for part in relative.parts:
        current = current / part
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                return True
        except FileNotFoundError:
            return False
    return False


def _leaves(path: Path, base: Path) -> str | None:
    """Why ``path`` (a branch folder or its branch.yml) may not be read, if it leads out of base."""
    try:
        if not path.resolve().is_relative_to(base.resolve()):
            what = "支部文件夹" if path.name != BRANCH_FILE else BRANCH_FILE
            return f"{what}是指向别处的符号链接，不能使用：请把真实文件放在这里"
    except (OSError, RuntimeError):  # a symlink loop
        return f"{path.name} 是循环的符号链接，无法读取"
    return None


def _check_photos(branch: Branch, folder: Path, rel: str) -> list[Problem]:
    problems: list[Problem] = []
    refs = branch.photo_refs()
    base = os.path.realpath(folder)
    for r in refs:
        why = check_photo_path(r, folder, base)
        if why:
            problems.append(Problem(rel, r.line, r.field, why))
    seen: dict[str, PhotoRef] = {}
    covers = 0
    for p in branch.photos:
        if p.file in seen:
            problems.append(
                Problem(
                    rel,
                    p.line,
                    p.field,
                    f"照片“{p.file}”重复列出（第 {seen[p.file].line} 行已列出）",
                )
            )
        seen.setdefault(p.file, p)
        if p.cover:
            covers += 1
            if covers == 2:
                problems.append(
                    Problem(
                        rel,
                        p.line,
                        p.field.replace(".file", ".cover"),
                        "只能有一张封面（cover: true）",
                    )
                )
    for case in branch.brand.cases:
        for p in case.photos:
            if p.file not in seen:
                problems.append(
                    Problem(
                        rel,
                        p.line,
                        p.field,
                        f"个案照片“{p.file}”没有说明：请同时在 photos 中列出并写 caption",
                        Severity.WARNING,
                    )
                )
    listed = {os.path.normpath(r.path) for r in refs}
    photo_dir = folder / "photos"
    if photo_dir.is_dir():
        for f in sorted(photo_dir.rglob("*")):
            if (
                f.suffix.lower() in IMAGE_SUFFIXES
                and os.path.normpath(f) not in listed
                and f.is_file()
            ):
                problems.append(
                    Problem(
                        rel,
                        branch.lines.get("photos", 1),
                        "photos",
                        f"照片“{f.relative_to(folder).as_posix()}”"
                        "没有在 branch.yml 中列出，不会发布",
                        Severity.WARNING,
                    )
                )
    return problems


def _check_across(branches: list[Branch]) -> list[Problem]:
    """Names must be unique across branches; a repeated brand name is only a warning."""
    checks = (
        ("name", lambda b: b.name, "与 {first} 的支部同名“{value}”：名称必须唯一", Severity.ERROR),
        ("brand.name", lambda b: b.brand.name, "与 {first} 的品牌同名“{value}”", Severity.WARNING),
    )
    problems = []
    for field_name, value_of, message, severity in checks:
        seen: dict[str, Branch] = {}
        for b in branches:
            first = seen.setdefault(value_of(b), b)
            if first is not b:
                text = message.format(first=first.source, value=value_of(b))
                line = b.lines.get(field_name, 1)
                problems.append(Problem(b.source, line, field_name, text, severity))
    return problems

def _is_blank(node: yaml.Node) -> bool:
    """True for a null, an empty string, or a map whose every value is blank."""
    if isinstance(node, yaml.ScalarNode):
        return node.tag == _NULL or not node.value.strip()
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


def _one_line(p: Problem) -> Problem:
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


def _bad_slug(name: str) -> str:
    from .slugs import slugify

    return (
        f"文件夹名“{name}”不能用作网址：只能用小写英文字母、数字和 -，"
        f"建议改为“{slugify(name) or 'branch'}”"
    )
