"""Load: read each ``branch.yml`` into a YAML node tree, safely.

Nothing is constructed here: the node tree keeps every value as the text the staff typed,
with its line, so validation decides what a value means from the schema (``no`` stays the
word "no" in a name, ``1958-1-1`` is reported instead of silently becoming a date).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from .problems import Problem

MAX_BYTES = 1024 * 1024
BRANCH_FILE = "branch.yml"

# Tags a plain YAML file may carry; anything else (``!!python/object/apply``, ``!foo``) is refused.
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "omap", "set")
}


class _AliasUsed(yaml.MarkedYAMLError):
    pass


class _NodeLoader(Reader, Scanner, Parser, Composer, Resolver):
    """PyYAML's SafeLoader parts, composing nodes only and refusing aliases.

    Refusing aliases outright is what defuses "billion laughs": a node can never be reached twice.
    """

    def __init__(self, stream: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        Resolver.__init__(self)

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _AliasUsed(None, None, "alias", event.start_mark)
        return super().compose_node(parent, index)


@dataclass
class Document:
    """One loaded ``branch.yml``: where it is, and its top node (None when it could not be read)."""

    path: Path  # absolute
    rel: str  # relative to the project root, for messages
    slug: str
    node: yaml.Node | None


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

    loader = _NodeLoader(text)
    try:
        node = loader.get_single_node()
    except _AliasUsed as exc:
        return problem(
            exc.problem_mark.line + 1, "不支持 YAML 锚点和别名（& 与 *），请把内容直接写出来"
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return problem(line, _explain(exc))
    except yaml.YAMLError as exc:
        return problem(1, f"YAML 格式错误：{exc}")
    finally:
        loader.dispose()

    bad_tag = _first_foreign_tag(node)
    if bad_tag is not None:
        return problem(
            bad_tag.start_mark.line + 1, f"不允许使用 YAML 标签 {bad_tag.tag}，请只写普通文字"
        )
    doc.node = node
    return doc, []


def _first_foreign_tag(node: yaml.Node | None) -> yaml.Node | None:
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        if n.tag not in _STANDARD_TAGS:
            return n
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return None


def _explain(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's English problems, said in words staff can act on."""
    what = f"{exc.problem or ''} {exc.context or ''}"
    if "'\\t'" in what or "\t" in what:
        return "这一行用了制表符（Tab）；YAML 只能用空格缩进，请把 Tab 换成两个空格"
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
    if "did not find expected '-'" in what or "expected <block end>" in what:
        return "列表或缩进不齐：同一层的“- ”要上下对齐"
    return f"YAML 格式错误：{(exc.problem or exc.context or '').strip()}"


def find_branch_files(branches_dir: Path) -> list[Path]:
    """Every branch folder, sorted by name so output order never depends on the file system."""
    if not branches_dir.is_dir():
        return []
    return sorted(p for p in branches_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
