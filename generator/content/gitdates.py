"""The date each ``branch.yml`` last changed in git: the 更新于 date of a branch without one."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path


def git_dates(root: Path, branches_dir: Path) -> dict[str, dt.date]:
    """Last commit date of each ``branch.yml``, in one ``git log`` pass (empty outside git)."""
    try:
        out = subprocess.run(
            ["git", "log", "--format=@%cs", "--name-only", "--", str(branches_dir)],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[str, dt.date] = {}
    current: dt.date | None = None
    for line in out.splitlines():
        if line.startswith("@"):
            current = dt.date.fromisoformat(line[1:])
        elif line.endswith("/branch.yml") and current is not None:
            dates.setdefault(line, current)  # newest first: keep the first seen
    return dates
