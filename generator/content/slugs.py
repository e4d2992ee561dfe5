"""Slugs: URL-safe ASCII names for branches, townships and fields, from pinyin."""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u9fff]")


def slugify(text: str) -> str:
    """``横冲村`` → ``hengchongcun``; ``桐溪县第2中学`` → ``tongxixiandi-2-zhongxue``.

    Han syllables run together, the usual way place names are romanised; runs of other
    letters and digits become their own ``-``-separated words; everything else is dropped.
    """
    from pypinyin import Style, lazy_pinyin  # its dictionaries take ~0.4 s to load: on demand

    pieces: list[str] = []
    for chunk in re.split(r"([\u3400-\u9fff]+)", text):
        if not chunk:
            continue
        if _HAN.match(chunk):
            pieces.append("".join(lazy_pinyin(chunk, style=Style.NORMAL)))
        else:
            pieces.append(f"-{chunk.lower()}-")
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(pieces).lower()).strip("-")
    return slug
