"""How wide text is on a screen: a CJK character takes two columns of a terminal or editor."""

from __future__ import annotations

import unicodedata


def is_wide(char: str) -> bool:
    """East Asian wide or full-width: a CJK character, a full-width punctuation mark."""
    return unicodedata.east_asian_width(char) in "WF"


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font (wide characters count 2)."""
    return sum(2 if is_wide(ch) else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns (never cut)."""
    return text + " " * max(0, width - display_width(text))
