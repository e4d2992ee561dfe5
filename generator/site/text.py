"""Text fields: the safe Markdown subset staff may use, rendered to HTML that cannot run.

Python-Markdown renders with its raw-HTML handling removed (so ``<script>`` stays text), then
nh3 (the Ammonia sanitiser) keeps only the tags and URL schemes the subset allows. The result
goes into pages as a raw HTML block, so MkDocs never reads user text as Markdown a second time:
attribute lists (``{: onclick=…}``), front matter and headings in user text have no effect.
"""

from __future__ import annotations

import functools
import html
import re

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    # Raw HTML becomes escaped text instead of passing through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # Reference definitions and images are not part of the subset.
    md.inlinePatterns.deregister("image_link")
    md.inlinePatterns.deregister("image_reference")
    md.inlinePatterns.deregister("short_image_ref")
    return md


_MD = _markdown()


# Plain prose (most of what staff write) has none of these; such text skips the Markdown parser.
_MARKUP = re.compile(r"[\\`*_\[\]<>&#!|{}~=:]|^ *(?:[-+>]|\d+[.)])|^ {4}| $|[^\S \n]", re.M)


# Pure functions of the text, and the same summary is shown on up to five listing pages.
@functools.lru_cache(maxsize=8192)
def render_text(source: str) -> Markup:
    """Render one text field to sanitised HTML on a single line (safe inside a Markdown page)."""
    if not _MARKUP.search(source):
        return _render_prose(source)
    return _render_markdown(source)


def _render_prose(source: str) -> Markup:
    """What Markdown + nh3 would give for text without markup: paragraphs, lines joined."""
    paragraphs = (
        " ".join(line.strip() for line in block.strip().splitlines())
        for block in re.split(r"\n[ \t]*\n", source.strip())
    )
    return Markup(" ".join(f"<p>{p}</p>" for p in paragraphs if p))


def _render_markdown(source: str) -> Markup:
    _MD.reset()
    # Headings and rules would break the page's own outline: headings become paragraphs.
    rendered = re.sub(r"<(/?)h[1-6]>", r"<\1p>", _MD.convert(source))
    clean = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    # A blank line would end the raw HTML block in the page and let what follows be read as
    # Markdown; one line per block keeps it inert.
    return Markup(re.sub(r"\s*\n\s*", " ", clean).strip())


@functools.lru_cache(maxsize=8192)
def plain(source: str) -> str:
    """The text without markup, e.g. for a meta description or a card summary."""
    rendered = render_text(source)
    stripped = nh3.clean(str(rendered), tags=set())
    return " ".join(html.unescape(stripped).split())


# Python-Markdown's own escapable characters; escaping any other would leave a visible backslash.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")


def md_inline(value: object) -> Markup:
    """Escape a plain value for a Markdown context such as a heading: HTML first, then Markdown."""
    escaped = html.escape(str(value), quote=True)
    return Markup(_MD_SPECIAL.sub(r"\\\1", escaped))
