"""Progress of long steps: a one-line bar on a terminal, a plain line every ~10 % in CI logs."""

from __future__ import annotations

import math
import sys


class Progress:
    def __init__(self, label: str, total: int, enabled: bool = True, minimum: int = 50) -> None:
        self.label = label
        self.total = total
        self.done = 0
        # Short steps finish before a bar would be read; only long ones report.
        self.enabled = enabled and total >= minimum
        self.tty = self.enabled and sys.stderr.isatty()
        self.step = max(1, math.ceil(total / 10))

    def advance(self, n: int = 1) -> None:
        if not self.enabled:
            return
        before, self.done = self.done, min(self.total, self.done + n)
        if self.tty:
            width = 30
            filled = width * self.done // self.total
            bar = "█" * filled + "·" * (width - filled)
            end = "\n" if self.done == self.total else ""
            sys.stderr.write(f"\r{self.label} {self.done}/{self.total} {bar}{end}")
            sys.stderr.flush()
        elif self.done // self.step != before // self.step or self.done == self.total:
            print(f"{self.label} {self.done}/{self.total}", file=sys.stderr, flush=True)
