"""Load: read each ``branch.yml`` into a YAML node tree, safely.

Nothing is constructed here: the node tree keeps every value as the text the staff typed,
with its line, so validation decides what a value means from the schema (``no`` stays the
word "no" in a name, ``1958-1-1`` is reported instead of silently becoming a date).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from ..problems import Problem

MAX_BYTES = 1024 * 1024
BRANCH_FILE = "branch.yml"

# Tags a plain YAML file may carry; anything else (``!!python/object/apply``, ``!foo``) is refused.
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "omap", "set")
}


NULL_TAG = "tag:yaml.org,2002:null"  # nothing written: validation's "missing"
_MERGE = "tag:yaml.org,2002:merge"


_TOO_DEEP = "嵌套层数太多：列表和“字段: 值”最多套 32 层，请检查括号 [ ] { } 和缩进"


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))  # YAML 1.1's implicit nulls


class _Tags(BaseResolver):
    """The tag of each node. Values are never constructed (validation reads each as the text
    typed), so of the implicit tags only two matter: null (nothing written) and merge (``<<``,
    refused). Everything else is a str, a seq or a map. The full resolver runs its regular
    expressions on every value: composing a branch took 0.25 ms with it, 0.18 ms with this."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0] and value in _NULLS:
                return NULL_TAG
            if implicit[0] and value == "<<":
                return _MERGE
            return self.DEFAULT_SCALAR_TAG
        if kind is yaml.SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG


class _NodeLoader(Reader, Scanner, Parser, Composer, _Tags):
    """PyYAML's pure-Python parts composing nodes only; used when libyaml is missing."""

    def __init__(self, stream: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Tags.__init__(self)


if yaml.__with_libyaml__:
    # libyaml composes ten times faster, which matters with thousands of branches.

    class _CNodeLoader(yaml.cyaml.CParser, _Tags):
        def __init__(self, stream: str):
            yaml.cyaml.CParser.__init__(self, stream)
            _Tags.__init__(self)

    _Loader: type | None = _CNodeLoader
else:
    _Loader = None


# Real files nest five or six levels deep. Deeper nesting is refused before composing: both
# composers recurse once per level (libyaml crashes the interpreter at ~30,000 levels, the pure-
# Python one raises RecursionError at a few hundred), and so does validation.
MAX_DEPTH = 32
# libyaml cannot reach a dangerous depth in a file this short, so the event pre-scan is skipped.
_SCAN_ABOVE = 4096


class _TooDeep(Exception):
    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


def _compose(text: str) -> yaml.Node | None:
    if _Loader is None or len(text) > _SCAN_ABOVE:
        _check_depth(text)
    loader = _Loader(text) if _Loader is not None else _NodeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _check_depth(text: str) -> None:
    """Raise _TooDeep at the first collection nested deeper than MAX_DEPTH (iterative, no nodes)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader or yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark.line + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


@dataclass
class Document:
    """One loaded ``branch.yml``: where it is, and its top node (None when it could not be read)."""

    path: Path  # absolute
    rel: str  # relative to the project root, for messages
    slug: str
    node: yaml.Node | None
    text: str = ""  # the file as read, for messages that quote or measure its lines


def read_document(path: Path, rel: str, slug: str) -> tuple[Document, list[Problem]]:
    """Read one YAML file into a node tree; problems instead of exceptions."""
    doc = Document(path=path, rel=rel, slug=slug, node=None)

    def problem(line: int, message: str) -> tuple[Document, list[Problem]]:
        return doc, [Problem(rel, line, "文件", message)]

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return problem(1, f"文件太大（{size / 1024 / 1024:.1f} MiB），上限 1 MiB；长文请精简")
        raw = path.read_bytes()
    except OSError as exc:
        return problem(1, f"无法读取文件：{exc.strerror or exc}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return problem(line, "文件不是 UTF-8 编码；请在编辑器中以 UTF-8 另存（不要用 GBK/ANSI）")
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return problem(1, "文件是空的：至少要写 name、town、field 和 brand")

    try:
        node = _compose(text)
    except _TooDeep as exc:
        return problem(exc.line, _TOO_DEEP)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An unclosed quote or bracket is found at the end of the file; point at where it opened.
        if exc.context_mark is not None and (
            "quoted scalar" in (exc.context or "") or "flow" in (exc.context or "")
        ):
            mark = exc.context_mark
        line = mark.line + 1 if mark else 1
        return problem(line, _explain(exc, text))
    except yaml.YAMLError as exc:
        return problem(1, f"YAML 格式错误：{exc}")

    if node is None:  # e.g. only a byte-order mark or a bare ``---``
        return problem(1, "文件是空的：至少要写 name、town、field 和 brand")
    # Aliases need an anchor (&), foreign tags a "!", merges "<<": a text with none of them can
    # only be too deep, which is found walking the collections alone (0.06 → 0.01 ms a branch).
    hides = "&" in text or "!" in text or "<<" in text
    found = _first_forbidden(node) if hides else _too_deep(node)
    if found is not None:
        bad, line = found
        if bad is _TOO_DEEP:
            return problem(line, _TOO_DEEP)
        if bad is None:
            return problem(line, "不支持 YAML 锚点和别名（& 与 *），请把内容直接写出来")
        return problem(line, f"不允许使用 YAML 标签 {bad.tag}，请只写普通文字")
    doc.node = node
    doc.text = text
    return doc, []


def _first_forbidden(node: yaml.Node | None) -> tuple[yaml.Node | str | None, int] | None:
    """The first foreign tag ``(node, line)``, or an alias ``(None, line)``, or None.

    An alias makes the composer hand out the same node object twice; refusing any node reached
    twice is what defuses "billion laughs" before anything is expanded.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int, int]] = [(node, 1, 0)] if node is not None else []
    while stack:
        n, parent_line, depth = stack.pop()
        if id(n) in seen:
            return None, parent_line
        seen.add(id(n))
        line = n.start_mark.line + 1
        if n.tag == _MERGE:  # ``<<: *base`` is an alias in disguise
            return None, line
        if n.tag not in _STANDARD_TAGS:
            return n, line
        if isinstance(n, yaml.CollectionNode):
            depth += 1
            if depth > MAX_DEPTH:
                return _TOO_DEEP, line
        if isinstance(n, yaml.MappingNode):
            for k, v in reversed(n.value):
                stack.extend(((v, k.start_mark.line + 1, depth), (k, line, depth)))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((item, line, depth) for item in reversed(n.value))
    return None


def _too_deep(node: yaml.Node) -> tuple[str, int] | None:
    """``(_TOO_DEEP, line)`` for the first collection nested deeper than MAX_DEPTH, found in the
    order ``_first_forbidden`` finds it, visiting only the collections."""
    stack: list[tuple[yaml.Node, int]] = [] if isinstance(node, yaml.ScalarNode) else [(node, 1)]
    while stack:
        n, depth = stack.pop()
        if depth > MAX_DEPTH:
            return _TOO_DEEP, n.start_mark.line + 1
        depth += 1
        if isinstance(n, yaml.MappingNode):
            for key, value in reversed(n.value):
                if not isinstance(value, yaml.ScalarNode):
                    stack.append((value, depth))
                if not isinstance(key, yaml.ScalarNode):
                    stack.append((key, depth))
        else:
            stack.extend(
                (c, depth) for c in reversed(n.value) if not isinstance(c, yaml.ScalarNode)
            )
    return None


def _explain(exc: yaml.MarkedYAMLError, text: str) -> str:
    """PyYAML's English problems, said in words staff can act on."""
    what = f"{exc.problem or ''} {exc.context or ''}"
    mark = exc.problem_mark
    lines = text.splitlines()
    here = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "nesting depth" in what:  # PyYAML 6.0.4+ caps nesting itself
        return _TOO_DEEP
    if (
        "\\t" in what
        or "tab character" in what
        or ("cannot start any token" in what and "\t" in here)
    ):
        return _tab_advice(lines, mark.line if mark is not None else 0)
    if "mapping values are not allowed" in what:
        return (
            "冒号用得不对：一行只能有一个“字段: 值”；文字里含英文冒号时请给整段加引号，或检查缩进"
        )
    if "expected a single document" in what:
        return "文件里有多个 YAML 文档（多个 ---）；每个支部只写一个"
    if "could not find expected ':'" in what or "did not find expected key" in what:
        return "缩进不齐或缺少冒号：请检查这一行及上一行的空格数和“字段: 值”写法"
    if "quoted scalar" in what:
        return "引号没有配对：以引号开头的值必须以同样的引号结束"
    if "',' or ']'" in what or "',' or '}'" in what:
        return "方括号或花括号没有配对：[ ] 和 { } 要成对出现，文字里含逗号时请加引号"
    if "did not find expected '-'" in what or "expected <block end>" in what:
        return "列表或缩进不齐：同一层的“- ”要上下对齐"
    return f"YAML 格式错误：{(exc.problem or exc.context or '').strip()}"


def _tab_advice(lines: list[str], index: int) -> str:
    """Say how many spaces this line needs: that depends on the line above, never a fixed two.

    Replacing a Tab by "two spaces" puts a nested list item at the wrong depth, and YAML then
    joins it to the item above without a word; the right depth is the one the line above sets.
    """
    here = lines[index].lstrip(" \t") if index < len(lines) else ""
    above = next(
        (ln for ln in reversed(lines[:index]) if ln.strip() and not ln.lstrip().startswith("#")),
        "",
    )
    indent = len(above) - len(above.lstrip(" "))
    opened = above.split(" #")[0].rstrip().endswith((":", "|", ">", "|-", ">-"))
    item_body = above.lstrip().startswith("- ") and not here.startswith("- ")
    deeper = opened or item_body
    spaces = indent + 2 if deeper else indent
    relation = "比上一行多缩进 2 格" if deeper else "与上一行对齐"
    return (
        f"这一行用了制表符（Tab）；YAML 只能用空格缩进：请删掉 Tab，"
        f"在行首写 {spaces} 个空格（{relation}）"
    )


def find_branch_files(branches_dir: Path) -> list[Path]:
    """Every branch folder, sorted by name so output order never depends on the file system."""
    if not branches_dir.is_dir():
        return []
    return sorted(p for p in branches_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
