"""Branches: find every branch folder, read and validate each, and check them against each other.

Reading and validating one folder is pure, so many new or changed folders are spread over the
cores, and an unchanged folder reuses its earlier result.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import parallel
from ..problems import Problem, Severity, rel_path, sort_problems
from .model import Branch
from .reading import BRANCH_FILE, find_branch_files, read_document
from .schema import Choices
from .slugs import slugify
from .validate import one_line, validate_document

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_branches(
    root: Path,
    branches_dir: Path,
    choices: Choices,
    memo: dict[str, tuple] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[list[Branch], list[Problem]]:
    """Load and validate every branch under ``branches_dir``; all problems at once.

    ``memo`` (folder name → earlier result) lets an unchanged branch skip parsing: an entry is
    reused only while the branch's files have the same names, sizes and modification times.
    ``meanwhile()`` runs here while workers parse the branches (see ``parallel.process_map``).
    """
    branches: list[Branch] = []
    problems: list[Problem] = []
    folders = find_branch_files(branches_dir)
    key_of = functools.partial(_folder_key, root=root, branches_dir=branches_dir, choices=choices)
    todo = folders
    if memo:
        # Keys decide what is unchanged. With nothing to reuse (a first build) the workers make
        # them instead, each just before reading its folder.
        keys = {f.name: key_of(f) for f in folders}
        todo = [
            f
            for f in folders
            if keys[f.name] is None or memo.get(f.name, (None,))[0] != keys[f.name]
        ]
    load = functools.partial(
        _load_keyed,
        key_of=key_of if memo is not None else None,
        root=root,
        branches_dir=branches_dir,
        choices=choices,
    )
    results = parallel.process_map(load, todo, min_items=parallel.MIN_ITEMS, meanwhile=meanwhile)
    fresh = dict(zip((f.name for f in todo), results, strict=True))
    for folder in folders:
        if folder.name in fresh:
            key, branch, found = fresh[folder.name]
            if memo is not None and key is not None:
                memo[folder.name] = (key, branch, found)
        else:
            _, branch, found = memo[folder.name]  # type: ignore[index]
        problems.extend(found)
        if branch is not None:
            branches.append(branch)
    if memo is not None:
        for name in set(memo) - {f.name for f in folders}:
            del memo[name]
    problems.extend(check_across(branches))
    return branches, sort_problems([one_line(p) for p in problems])


def _load_keyed(
    folder: Path, *, key_of: Callable[[Path], tuple | None] | None, **where: Any
) -> tuple[tuple | None, Branch | None, list[Problem]]:
    """``load_one`` with the folder's key (see ``_folder_key``), taken before the files are read."""
    key = key_of(folder) if key_of is not None else None
    return (key, *load_one(folder, **where))


def load_one(
    folder: Path, *, root: Path, branches_dir: Path, choices: Choices
) -> tuple[Branch | None, list[Problem]]:
    """One branch folder: its Branch (None when it has errors) and every problem found."""
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
    branch, found = validate_document(doc, folder, choices)
    problems.extend(found)
    # A bad folder name is an error, but the branch is kept so that names are still compared.
    return branch, problems


def _folder_key(folder: Path, *, root: Path, branches_dir: Path, choices: Choices) -> tuple | None:
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
        choices,
        top.st_mtime_ns,
        top.st_ino,
        tuple(entries),
        dt.date.today().year,  # the last valid founding year
    )


def _leaves(path: Path, base: Path) -> str | None:
    """Why ``path`` (a branch folder or its branch.yml) may not be read, if it leads out of base."""
    try:
        # An entry that is no symlink lies inside the folder holding it: no resolving needed.
        if path.parent == base and not path.is_symlink():
            return None
        if not path.resolve().is_relative_to(base.resolve()):
            what = "支部文件夹" if path.name != BRANCH_FILE else BRANCH_FILE
            return f"{what}是指向别处的符号链接，不能使用：请把真实文件放在这里"
    except (OSError, RuntimeError):  # a symlink loop
        return f"{path.name} 是循环的符号链接，无法读取"
    return None


def check_across(branches: list[Branch]) -> list[Problem]:
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


def _bad_slug(name: str) -> str:
    return (
        f"文件夹名“{name}”不能用作网址：只能用小写英文字母、数字和 -，"
        f"建议改为“{slugify(name) or 'branch'}”"
    )
