"""Output: write generated files into docs_dir, touching only what changed and only what is ours.

A manifest lists every file the generator wrote. A file at a generated path that the manifest does
not list was put there by a person, so it is never overwritten; stale files are removed only when
the manifest says they are ours. Unchanged files keep their bytes and mtime, so MkDocs' live reload
and incremental tools see only real changes.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..files import atomic_link, atomic_write
from ..problems import Problem, rel_path

MANIFEST = ".showcase-manifest.json"


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def check_ownership(docs_dir: Path, root: Path, paths: list[str]) -> list[Problem]:
    """Generated paths that already hold a hand-written file (which we must not overwrite)."""
    ours = _read_manifest(docs_dir)
    problems = []
    for rel in paths:
        if rel not in ours and os.path.exists(os.path.join(docs_dir, rel)):
            where = rel_path(docs_dir / rel, root)
            problems.append(
                Problem(
                    where,
                    1,
                    "文件",
                    "这是生成器要写的位置，但这里已有手写文件；为免覆盖，请改名或移走",
                )
            )
    return problems


def claim(docs_dir: Path, paths: list[str], keep: set[str] = frozenset()) -> list[str]:
    """Make docs_dir ready for this build's ``paths``: remove the files we wrote before and no
    longer produce, and list ``paths`` in the manifest. Returns the paths removed.

    The manifest lists the paths before their files are written (by ``write_file``, maybe in a
    worker while MkDocs starts): a build stopped half-way leaves files that are still ours.
    ``keep`` lists further paths owned by another step (the photo step's media files).
    """
    # Only paths inside the folders (and top-level files) this run writes can be stale: a hand-
    # edited or committed manifest must never make the generator delete anything else.
    tops = {rel.split("/", 1)[0] for rel in paths}
    old = {rel for rel in _read_manifest(docs_dir) if rel.split("/", 1)[0] in tops}
    removed = []
    for rel in sorted(old - set(paths) - keep):
        target = docs_dir / rel
        if target.is_file():
            target.unlink()
            removed.append(rel)
            _prune_empty(target.parent, docs_dir)
    new_manifest = sorted(set(paths))
    if new_manifest != sorted(old):
        atomic_write(
            docs_dir / MANIFEST,
            json.dumps(new_manifest, ensure_ascii=False, indent=0).encode("utf-8"),
        )
    return removed


def write_file(docs_dir: Path, rel: str, data: bytes) -> bool:
    """Write one generated file unless it already holds ``data``; whether it was written (an
    unchanged file keeps its mtime, so live reload and MkDocs' dirty builds skip it)."""
    target = docs_dir / rel
    try:
        if target.is_file() and target.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(target, data)
    return True


def _read_manifest(docs_dir: Path) -> set[str]:
    """The paths we wrote last time; anything that is not a plain relative path is ignored."""
    try:
        listed = json.loads((docs_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(listed, list):
        return set()
    return {rel for rel in listed if isinstance(rel, str) and _is_plain_relative(rel)}


def _is_plain_relative(rel: str) -> bool:
    parts = rel.split("/")
    return (
        "\\" not in rel
        and "\0" not in rel
        and ":" not in parts[0]
        and all(part not in ("", ".", "..") for part in parts)
    )


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def publish_file(site_dir: Path, rel: str, kept: Path) -> None:
    """Put a file kept in the cache (a QR code) into the site being built, as a hard link
    (a copy across disks), unless it is there already (a live preview's rebuild).

    Right after MkDocs has written the site, linking 1,000 codes through a temporary name (to
    replace one in a single step) took 0.2-0.8 s here, plain links 0.03 s; linking first and
    asking only when that fails, 0.01 s (the page's folder is there: MkDocs wrote it)."""
    target = os.path.join(site_dir, rel)
    try:
        os.link(kept, target)  # a new site: nothing to replace
        return
    except FileExistsError:
        if os.path.samefile(target, kept):
            return
    except FileNotFoundError:  # no folder for it yet
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with contextlib.suppress(OSError):
            os.link(kept, target)
            return
    except OSError:
        pass  # another disk, or links not allowed
    atomic_link(kept, Path(target))  # replaces a changed code, or copies
