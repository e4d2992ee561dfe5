"""Problems found in the content: one line each, ``path:line: field: message``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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


class ContentError(Exception):
    """Raised when the content has errors; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=_order)
        errors = [p for p in self.problems if p.is_error]
        super().__init__(f"发现 {len(errors)} 个错误")


def _order(p: Problem) -> tuple[str, int, str]:
    return (p.path, p.line, p.field)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=_order)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)
