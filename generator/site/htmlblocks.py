"""Generated pages through Python-Markdown without parsing their HTML twice.

A generated page is raw HTML blocks between Markdown headings: the text in it was rendered and
cleaned already (``text.py``). Python-Markdown would still run each block through ``html.parser``
(md_in_html's), tag by tag, only to pass it through unchanged: ~2 ms of a branch page's ~3.4 ms.
So each run of blocks goes in as one placeholder paragraph and comes back after conversion.
The headings stay Markdown, so the table of contents and the anchors are Python-Markdown's own.

``unfold(convert(fold(md)))`` is byte for byte ``convert(md)`` for the pages the generator
writes (tests hold every generated page of the example and of branches full of markup to that);
hand-written pages are never folded.
"""

from __future__ import annotations

import re

# A chunk (between blank lines) that is one block-level element, as the templates write them.
_BLOCK = re.compile(r"<(div|p|table|h1|figure|section|ul|ol|nav)[\s>]")
_PLACEHOLDER = "showcase-html-{}"
_FOLDED = re.compile(r"<p>showcase-html-(\d+)</p>")


def fold(markdown: str) -> tuple[str, list[str]]:
    """``markdown`` with each run of raw HTML blocks replaced by a placeholder paragraph, and
    the runs, for ``unfold``."""
    out: list[str] = []
    blocks: list[str] = []
    after_block = False
    for chunk in markdown.split("\n\n"):
        if _is_block(chunk):
            if after_block:
                blocks[-1] += "\n\n" + chunk
            else:
                out.append(_PLACEHOLDER.format(len(blocks)))
                blocks.append(chunk)
            after_block = True
        else:
            out.append(chunk)
            after_block = False
    return "\n\n".join(out), blocks


def unfold(html: str, blocks: list[str]) -> str:
    """The converted page with each placeholder back as its HTML, as Python-Markdown writes a
    raw block (followed by a line end; the page's ends stripped)."""
    if not blocks:
        return html
    return _FOLDED.sub(lambda m: blocks[int(m.group(1))].rstrip("\n") + "\n", html).strip()


def _is_block(chunk: str) -> bool:
    # Python-Markdown processes a block's inside only with a markdown attribute; none is folded.
    return (
        _BLOCK.match(chunk) is not None and chunk.rstrip().endswith(">") and "markdown" not in chunk
    )
