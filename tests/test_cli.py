"""The command line speaks Chinese: help, usage and argument errors, aligned by display width."""

from __future__ import annotations

import re

import pytest

from generator.cli import main as showcase
from generator.display import display_width, pad

COMMANDS = ("check", "build", "serve", "photos", "new", "import", "report", "schema", "booklet")
# Words argparse writes by itself; none of them may reach a user.
ENGLISH = re.compile(
    r"\b(usage|options|positional|arguments?|show|help message|exit|version number"
    r"|required|unrecognized|invalid|choose from|expected)\b",
    re.IGNORECASE,
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        showcase(list(argv))
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def test_display_width() -> None:
    assert display_width("") == 0
    assert display_width("-o 文件") == 7
    assert display_width("２０２６年，ab") == 14  # fullwidth digits and punctuation are wide too
    assert pad("乡镇", 6) == "乡镇  " and pad("ab", 2) == "ab"


@pytest.mark.parametrize("argv", [[], *([c] for c in COMMANDS)], ids=["showcase", *COMMANDS])
def test_help_is_chinese_and_aligned(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv, "-h")
    assert code == 0 and not err
    # Option names, metavars and file names may be ASCII; argparse's own words may not.
    assert not ENGLISH.search(out), out
    assert out.startswith("用法：showcase")
    assert "选项:" in out and "显示本帮助并退出" in out
    # Every help text that shares a line with its option starts in the same column.
    columns = set()
    for line in out.splitlines():
        m = re.match(r"(  \S.*?)  +(\S.*)$", line)
        if m and line.startswith("  ") and not line.startswith("   "):
            columns.add(display_width(line[: line.index(m[2], len(m[1]))]))
    assert len(columns) == 1, out


def test_commands_listed_once(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "-h")
    listing = out.split("命令:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listing] == list(COMMANDS)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["biuld"], "showcase：错误：命令 不能是“biuld”，是不是“build”？可选：check、build、"),
        (["new"], "showcase new：错误：缺少必须给出的参数：支部全称"),
        (
            ["report", "--format", "xls"],
            "showcase report：错误：--format 不能是“xls”，可选：text、csv",
        ),
        (["build", "--timming"], "showcase：错误：不认识的参数：--timming"),
        (["photos", "--shard"], "showcase photos：错误：--shard 后面要跟一个值"),
    ],
)
def test_argument_errors_are_chinese(capsys, argv: list[str], expected: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and not out
    assert err.startswith("用法：") and expected in err, err
    assert not ENGLISH.search(err), err


def test_a_broken_mkdocs_yml_is_named_in_chinese(tmp_path, capsys) -> None:
    from conftest import copy_project

    root = copy_project(tmp_path, branches=False)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace("featured_count: 6", "featured_count: 六"), "utf-8"
    )
    assert showcase(["check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "featured_count" in err  # MkDocs' own line says which option
    assert "错误：mkdocs.yml 有错误（见上一行），改正后再运行" in err and "Aborted" not in err, err
