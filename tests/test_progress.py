"""Progress of long steps: plain lines in CI logs (stderr is not a terminal there)."""

from __future__ import annotations

import pytest

from generator.progress import Progress


def test_plain_lines_every_tenth(capsys: pytest.CaptureFixture[str]) -> None:
    p = Progress("生成页面", 100)
    for _ in range(100):
        p.advance()
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"生成页面 {n}/100" for n in range(10, 101, 10)]


def test_short_steps_stay_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    p = Progress("生成页面", 20)
    for _ in range(20):
        p.advance()
    assert capsys.readouterr().err == ""
