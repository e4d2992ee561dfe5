"""Display width: how many columns a terminal or a monospaced editor gives a piece of text.

Chinese characters (East Asian Wide and Fullwidth) take two columns, everything else one. Every
alignment the project makes — the report's table, the help of the command line, the comments of
a new ``branch.yml`` — goes through here.
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns ``text`` takes: two for each wide (CJK) character, one for any other."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns (as ``str.ljust`` does for ASCII)."""
    return text + " " * (width - display_width(text))
