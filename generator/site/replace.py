"""Replace the published folder (``site/``) by a finished build, and get rid of the old one.

The old site is moved into the cache folder's ``trash/`` and deleted during the *next* build, in
a worker process that the build waits for. Nothing is ever deleted after ``showcase build`` has
returned, so a backup or copy of the project started right after a build never meets a vanishing
folder.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .. import parallel

TRASH = "trash"


def replace_site(staging: Path, site_dir: Path, trash_dir: Path) -> None:
    """Swap ``staging`` in as ``site_dir`` in two renames, so a reader never sees half a site."""
    if site_dir.exists():
        trash_dir.mkdir(parents=True, exist_ok=True)
        old = _fresh_name(trash_dir, f"{site_dir.name}-")
        try:
            site_dir.rename(old)
        except OSError:
            # The cache folder is on another disk (a rename cannot cross disks): set the old
            # site aside next to the new one and delete it before returning.
            old = _fresh_name(site_dir.parent, f".{site_dir.name}.old-")
            site_dir.rename(old)
            staging.rename(site_dir)
            shutil.rmtree(old, ignore_errors=True)
            return
    staging.rename(site_dir)


def _fresh_name(folder: Path, prefix: str) -> Path:
    """A name in ``folder`` that nothing else uses (reserved by mkdtemp, then freed)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=folder))
    path.rmdir()
    return path


def empty_trash(trash_dir: Path, site_dir: Path) -> Callable[[], None]:
    """Start deleting the sites earlier builds replaced; call what it returns before returning.

    Removing thousands of files can take as long as a build on some disks, so it runs while the
    build works, in a worker process: a thread here would make forking the build's own workers
    unsafe. Leftovers of older versions (``.site.old-*`` beside ``site/``) go too.
    """
    old = [p for p in trash_dir.glob("*") if p.is_dir()] if trash_dir.is_dir() else []
    old += [p for p in site_dir.parent.glob(f".{site_dir.name}.old-*") if p.is_dir()]
    if not old:
        return lambda: None
    return parallel.Worker(_remove, old, idle=True).result


def _remove(folders: list[Path]) -> None:
    for path in folders:
        shutil.rmtree(path, ignore_errors=True)
