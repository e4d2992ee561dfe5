"""argparse in Chinese: help, usage and error messages of the ``showcase`` command.

argparse's own words ("usage:", "options", "show this help message and exit", its error
messages) are English and fetched through ``gettext``; changing the process-wide translation
domain would reach into every other program using argparse in the same process, so the few
strings are replaced here instead, by a parser class and a help formatter of our own.
Help columns are counted in display width: a Chinese metavar (``-o 文件``) takes two columns a
character.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from typing import NoReturn

from .display import display_width

# argparse's error messages (Python 3.11–3.13) and what a user reads instead.
_ERRORS: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"缺少必须给出的参数：\1"),
    (r"unrecognized arguments: (.*)", r"不认识的参数：\1"),
    (r"argument (.*?): expected one argument", r"\1 后面要跟一个值"),
    (r"argument (.*?): expected at most one argument", r"\1 后面最多跟一个值"),
    (r"argument (.*?): expected at least one argument", r"\1 后面至少跟一个值"),
    (r"argument (.*?): invalid (\w+) value: (.*)", r"\1 的值 \3 不对"),
    (r"argument (.*?): not allowed with argument (.*)", r"\1 不能和 \2 一起用"),
    (r"argument (.*?): ignored explicit argument (.*)", r"\1 不接受值 \2"),
    (r"ambiguous option: (.*?) could match (.*)", r"\1 不明确，可能是：\2"),
    (r"one of the arguments (.*) is required", r"\1 中要给出一个"),
    (r"argument (.*?): (.*)", r"\1：\2"),
)


_CHOICE = re.compile(r"argument (.*?): invalid choice: '(.*?)' \(choose from (.*)\)")


def chinese_error(message: str) -> str:
    """An argparse error message in Chinese (unknown ones pass through unchanged)."""
    choice = _CHOICE.fullmatch(message)
    if choice:
        name, value, listed = choice.groups()
        choices = [c.strip().strip("'") for c in listed.split(",")]
        near = difflib.get_close_matches(value, choices, n=1)
        guess = f"是不是“{near[0]}”？" if near else ""
        return f"{name} 不能是“{value}”，{guess}可选：{'、'.join(choices)}"
    for pattern, replacement in _ERRORS:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Chinese usage prefix; help text aligned by display width, not by character count."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            shown = display_width(self._format_action_invocation(action)) + self._current_indent
            self._action_max_length = max(self._action_max_length, shown)

    def _format_action_invocation(self, action: argparse.Action) -> str:
        # "-o, --output 文件" (as Python 3.13 writes it), not "-o 文件, --output 文件".
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        metavar = self._format_args(action, self._get_default_metavar_for_optional(action))
        return f"{', '.join(action.option_strings)} {metavar}"

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):
            # Under the heading 命令, list the commands themselves, not a line "命令" first.
            return self._join_parts([self._format_action(a) for a in action._get_subactions()])
        # argparse pads the invocation to the help column by its length; a wide character
        # takes two columns, so pad again by display width.
        text = super()._format_action(action)
        header = self._format_action_invocation(action)
        extra = display_width(header) - len(header)
        indent = " " * self._current_indent
        first, newline, rest = text.partition("\n")
        if not extra or not first.startswith(indent + header) or first == indent + header:
            return text
        after = first[len(indent + header) :]
        column = len(indent + header) + len(after) - len(after.lstrip(" "))
        room = column - len(indent) - display_width(header)
        if room >= 2:
            first = indent + header + " " * room + after.lstrip(" ")
        else:  # too wide now: the help starts on the next line, as argparse does for long ones
            first = indent + header + "\n" + " " * column + after.lstrip(" ")
        return first + newline + rest


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose every word is Chinese (its sub-parsers too)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{chinese_error(message)}\n")
