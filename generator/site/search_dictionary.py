"""What jieba knows when Material segments Chinese text for search: its stock dictionary, the
site's own dictionary file and the names of this build's branches — and nothing else.

jieba keeps one dictionary for the whole process, and ``jieba.add_word`` only ever adds (it also
raises the total frequency, which shifts how later text is cut). A live preview rebuilds in one
process, so teaching by adding alone would let every rebuild segment differently from a fresh
build, and keep names that were deleted. ``teach`` therefore starts from the stock dictionary
each time the words change, and does nothing when they did not.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from pathlib import Path


def teach(words: Iterable[str], user_dictionary: Path | None = None) -> bool:
    """Make jieba's dictionary the stock one + ``user_dictionary`` (jieba's format) + ``words``.

    Returns False when jieba is not installed (Material then indexes unsegmented text).
    """
    try:
        import jieba
    except ImportError:
        return False
    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict…" on every build
    tokenizer = jieba.dt
    wanted = (tuple(sorted(set(words))), _read(user_dictionary))
    state = _state(tokenizer)
    if state["taught"] == wanted:
        return True
    freq, total, tags = state["stock"]
    tokenizer.FREQ = dict(freq)
    tokenizer.total = total
    tokenizer.user_word_tag_tab = dict(tags)
    if user_dictionary is not None:
        tokenizer.load_userdict(str(user_dictionary))
    for word in wanted[0]:
        tokenizer.add_word(word)
    state["taught"] = wanted
    return True


@functools.cache
def _state(tokenizer) -> dict:
    """jieba's dictionary as loaded (copied once per process, ~20 ms) and what was taught since.

    Kept per tokenizer because the tokenizer itself is process-wide state of jieba's."""
    tokenizer.check_initialized()
    stock = (dict(tokenizer.FREQ), tokenizer.total, dict(tokenizer.user_word_tag_tab))
    return {"stock": stock, "taught": ((), b"")}


def _read(path: Path | None) -> bytes:
    return path.read_bytes() if path is not None else b""
