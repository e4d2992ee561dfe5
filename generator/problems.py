"""Problems found in the content: one line each, ``path:line: field: message``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the project root, with forward slashes
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        prefix = "" if self.is_error else "（警告）"
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"


def _order(p: Problem) -> tuple[str, int, str]:
    return (p.path, p.line, p.field)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=_order)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)


def rel_path(path: Path, root: Path) -> str:
    """A path as staff see it in messages: relative to the project, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def not_written(exc: OSError, root: Path) -> str:
    """Why generated files could not be written (a full disk, a folder in the way)."""
    path = exc.filename2 or exc.filename  # a rename's target, not its temporary file
    where = rel_path(Path(path), root) if path else ""
    return f"生成的文件没能写入 {where}（{exc.strerror or exc}）"
