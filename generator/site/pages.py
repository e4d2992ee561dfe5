"""Pages: render the catalog into Markdown pages from the Jinja2 templates in ``templates/``.

Every value from ``branch.yml`` reaches a page escaped: HTML-escaped in HTML, additionally
Markdown-escaped in headings, and text fields only through ``text.render_text``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import json
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup, escape
from pymdownx.slugs import slugify

from ..config import Settings
from ..content.model import Branch
from ..content.schema import LEVELS
from ..display import is_wide
from ..photos import PhotoResult, Rendition
from .catalog import Catalog
from .share import share_name
from .text import md_inline, plain, render_text

MEDIA_DIR = "media"
# Folders (and files) of docs_dir that belong to the generator; see output.py.
GENERATED = (
    "index.md",
    "branches",
    "towns",
    "fields",
    "tags",
    "honours",
    "demonstration",
    MEDIA_DIR,
)

Images = Mapping[Path, PhotoResult]


@dataclass
class PagePlan:
    """Every generated page of docs_dir, in the order MkDocs reads them (``docs_order``).

    ``known`` holds the bytes the memo had for unchanged branch pages; ``render(src)`` makes any
    other page, and ``key(src)`` is what the memo keeps it under. Both are pure per page, so
    they can happen anywhere, at any time (in a worker while MkDocs reads the pages made before).
    """

    order: list[str]
    known: dict[str, bytes]
    _make: dict[str, Callable[[], str]]
    # The branch pages to make that the memo is to keep, by their context; its hash is the key.
    _remembered: dict[str, BranchPage]

    def __contains__(self, src: str) -> bool:
        return src in self.known or src in self._make

    def render(self, src: str) -> bytes:
        return self._make[src]().encode("utf-8")

    def key(self, src: str) -> str | None:
        """The memo key of the page at ``src`` made now, None when the memo does not keep it.
        Hashing a context costs about as much as a tenth of rendering the page: it is done
        where the page is rendered, not before MkDocs can start."""
        page = self._remembered.get(src)
        return page.key() if page is not None else None


def plan_pages(
    catalog: Catalog,
    images: Images,
    settings: Settings,
    memo: dict[str, tuple[str, bytes]] | None = None,
) -> PagePlan:
    """What each generated page is made from.

    ``memo`` keeps branch pages by the hash of their context (``BranchPage``: everything the
    template can read), so an unchanged page is not rendered again.
    """
    r = _Renderer(catalog, images, settings)
    known: dict[str, bytes] = {}
    make: dict[str, Callable[[], str]] = {}
    remembered: dict[str, BranchPage] = {}
    for b in catalog.branches:
        src = branch_src(b.slug)
        page = branch_page(b, catalog, images, settings)
        if memo is not None:
            cached = memo.get(src)
            if cached is not None and cached[0] == page.key():  # hashed now only to compare
                known[src] = cached[1]
                continue
            remembered[src] = page
        make[src] = functools.partial(r.branch, page)
    for src, template, context in _listing_pages(catalog):
        make[src] = functools.partial(r.page, template, src, **context)
    order = sorted([*known, *make], key=docs_order)
    return PagePlan(order, known, make, remembered)


def docs_order(src: str) -> tuple:
    """Where MkDocs puts ``src`` (a docs path) among the files it finds: top-down through
    folders in name order, a folder's own files before its subfolders, ``index`` first."""
    *folders, name = src.split("/")
    stem = name.rsplit(".", 1)[0]
    return (*((1, f) for f in folders), (0, stem not in ("index", "README"), name))


def _listing_pages(catalog: Catalog) -> list[tuple[str, str, dict]]:
    """Every page that lists branches, as (docs path, template, context)."""
    pages: list[tuple[str, str, dict]] = [("index.md", "home.md.j2", {})]
    for kind, groups, title in (
        ("towns", catalog.towns, "乡镇（街道）"),
        ("fields", catalog.fields, "领域"),
    ):
        context = {"kind": kind, "title": title}
        pages.append((f"{kind}/index.md", "groups.md.j2", {**context, "groups": groups}))
        pages += [(f"{kind}/{g.slug}.md", "group.md.j2", {**context, "group": g}) for g in groups]
    pages += [
        ("tags/index.md", "tags.md.j2", {}),
        ("demonstration/index.md", "demonstration.md.j2", {}),
        ("honours/index.md", "honours.md.j2", {}),
    ]
    return pages


# --- the branch page's context: exactly what branch.md.j2 can read ------------------------------


@dataclass(frozen=True)
class GroupRef:
    """A township or field as a branch page links to it."""

    name: str
    slug: str


@dataclass(frozen=True)
class BrandName:
    name: str


@dataclass(frozen=True)
class Neighbour:
    """The previous or next branch of the township, as the pager shows it."""

    slug: str
    display_name: str
    brand: BrandName


@dataclass(frozen=True)
class PageSettings:
    """The options a branch page depends on."""

    site_url: str
    use_directory_urls: bool


@dataclass(frozen=True)
class BranchPage:
    """Everything ``branch.md.j2`` reads; nothing else reaches it (StrictUndefined), so the hash
    of this value is a cache key that changes whenever the page could."""

    branch: Branch
    photos: tuple[tuple[Path, PhotoResult | None], ...]  # every image the branch names
    town: GroupRef
    field: GroupRef
    prev: Neighbour | None
    next: Neighbour | None
    updated: dt.date | None
    settings: PageSettings

    def key(self) -> str:
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()


def branch_page(b: Branch, catalog: Catalog, images: Images, settings: Settings) -> BranchPage:
    def neighbour(n: Branch | None) -> Neighbour | None:
        return Neighbour(n.slug, n.display_name, BrandName(n.brand.name)) if n else None

    town, field = catalog.town_of(b), catalog.field_of(b)
    prev, nxt = catalog.neighbours(b)
    return BranchPage(
        branch=b,
        photos=tuple((ref.path, images.get(ref.path)) for ref in b.photo_refs()),
        town=GroupRef(town.name, town.slug),
        field=GroupRef(field.name, field.slug),
        prev=neighbour(prev),
        next=neighbour(nxt),
        updated=catalog.updated.get(b.slug),
        settings=PageSettings(settings.site_url, settings.use_directory_urls),
    )


class _BranchCatalogView:
    """What a branch page may know of the catalog: its own date and its neighbours."""

    def __init__(self, page: BranchPage):
        self.updated = {page.branch.slug: page.updated} if page.updated else {}
        self._pair = (page.prev, page.next)

    def neighbours(self, _branch: Branch) -> tuple[Neighbour | None, Neighbour | None]:
        return self._pair


def branch_url(settings: Settings | PageSettings, branch: Branch) -> str:
    """The page's full public URL, as the QR code encodes it."""
    base = settings.site_url.rstrip("/") + "/"
    return base + page_url(branch_src(branch.slug), settings.use_directory_urls)


def page_url(src: str, directory_urls: bool) -> str:
    """MkDocs' URL for a Markdown source path (relative, no leading slash)."""
    stem = src[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return f"{stem}/" if directory_urls else f"{stem}.html"


class _Renderer:
    def __init__(self, catalog: Catalog, images: Images, settings: Settings):
        self.catalog = catalog
        self.images = images
        self.settings = settings
        env = Environment(
            loader=PackageLoader("generator.site", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=[OnelineAtCompile],
        )
        env.filters.update(
            md=md_inline,
            text=render_text,
            plain=plain,
            attr_html=lambda v: escape(str(escape(v))),  # for attributes shown via innerHTML
            date=_date,
            json=lambda v: Markup(json.dumps(v, ensure_ascii=False)),
            # Material prints page titles, descriptions and tag names without escaping them, so
            # front matter carries them already HTML-escaped.
            fm=lambda v: Markup(json.dumps(_fm_escape(v), ensure_ascii=False)),
            tag_anchor=_tag_anchor,
            keep=_keep,
            oneline=_oneline,
            fallback_rendition=_fallback_rendition,
            keep_all=_keep_all,
            group_count=lambda g: f"{g.name} {len(g.branches)} 个",
        )
        env.globals.update(
            levels=LEVELS,
            share_image=lambda p: f"{MEDIA_DIR}/{share_name(p)}",  # og:image, a site path
            # the cover's renditions as [site path, width], for a <link rel="preload"> in <head>
            preload=lambda p: [[f"{MEDIA_DIR}/{r.name}", r.width] for r in p.renditions],
        )
        self.env = env

    def page(self, template: str, src: str, **context) -> str:
        """A listing page: it may read the whole catalog and the settings."""
        return self.env.get_template(template).render(
            c=self.catalog,
            s=self.settings,
            photo=lambda ref: self.images.get(ref.path) if ref else None,
            town_group=self.catalog.town_of,
            field_group=self.catalog.field_of,
            **_links(src, self.settings),
            **context,
        )

    def branch(self, page: BranchPage) -> str:
        """A branch page, from its narrow context only."""
        images = dict(page.photos)
        return self.env.get_template("branch.md.j2").render(
            branch=page.branch,
            c=_BranchCatalogView(page),
            s=page.settings,
            photo=lambda ref: images.get(ref.path) if ref else None,
            town_group=lambda _b: page.town,
            field_group=lambda _b: page.field,
            **_links(branch_src(page.branch.slug), page.settings),
        )


def _links(src: str, settings: Settings | PageSettings) -> dict[str, Callable]:
    """The link helpers of the page at ``src``: every link is relative, so the site works
    under any path (a county portal's sub-folder) and from the file system."""
    directory = settings.use_directory_urls
    here = page_url(src, directory)
    base = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"

    def url(target: str) -> str:
        """Link from this page to a docs path (``towns/x.md``) or a static file."""
        dest = page_url(target, directory) if target.endswith(".md") else target
        return _relative(dest, base)

    return {
        "url": url,
        "media": lambda r: url(f"{MEDIA_DIR}/{r.name}"),
        "branch_link": lambda b: url(branch_src(b.slug)),
        "group_link": lambda kind, g: url(f"{kind}/{g.slug}.md"),
        "full_url": lambda b: branch_url(settings, b),
        "qr_link": lambda b: url(qr_path(b.slug)),
    }


def branch_src(slug: str) -> str:
    """A branch's page in docs_dir."""
    return f"branches/{slug}.md"


def qr_path(slug: str) -> str:
    """Where a branch's QR code is published, beside its page (in the site, not in docs_dir:
    it is linked there from the cache after MkDocs)."""
    return f"branches/{slug}/qr.svg"


@functools.lru_cache(maxsize=65536)
def _relative(dest: str, base: str) -> str:
    """``dest`` (a site path) as seen from the folder ``base``; pages share few bases."""
    rel = posixpath.relpath("/" + dest, "/" + base)
    if dest.endswith("/") or not dest:
        return "./" if rel == "." else rel + "/"
    return rel


def _fm_escape(value):
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, list | tuple):
        return [_fm_escape(v) for v in value]
    return value


def _tag_anchor(tag: str) -> str:
    """The id Material's tags plugin gives a tag's listing (its default ``tag:{slug}``); the
    plugin sees the escaped name that the front matter carries."""
    return "tag:" + _SLUGIFY(html.escape(tag, quote=True), "-")


_SLUGIFY = slugify(case="lower")


_LINE_BREAK = re.compile(r"[ \t]*\n\s*")


def _joint(before: str, after: str) -> str:
    """What a line break between ``before`` and ``after`` becomes inside ``oneline``: nothing
    next to a tag or a Chinese character (Chinese has no spaces between words), else a space
    (between attributes, between Latin words)."""
    if before == ">" or after == "<" or is_wide(before) or is_wide(after):
        return ""
    return " "


def _oneline(markup: str) -> Markup:
    """Markup written over several lines, as one line: the page's Markdown must meet a raw HTML
    block without line breaks (see ``_joint``). A final line end is kept."""
    text = str(markup)
    end = "\n" if text.endswith("\n") else ""
    text = text.strip()

    def join(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ">"
        after = text[m.end()] if m.end() < len(text) else "<"
        return _joint(before, after)

    return Markup(_LINE_BREAK.sub(join, text) + end)


class OnelineAtCompile(Extension):
    """Joins, once when a template is compiled, the line breaks of ``{% filter oneline %}``
    blocks that lie between two characters of the template's own text: ``_oneline`` then has
    only the breaks next to a value left to join on every render (most of a page's ~100 breaks
    are the template's indentation between attributes and tags). The output is the same: such
    a break is joined as ``_joint`` decides from the same two characters."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        filters: list[bool] = []  # the filter blocks the text is inside (oneline?), innermost last
        tag: list[str] | None = None  # the block tag being read, token by token
        for token in stream:
            if token.type == "block_begin":
                tag = []
            elif token.type == "block_end" and tag is not None:
                if tag[:1] == ["filter"]:
                    filters.append(tag == ["filter", "oneline"])
                elif tag == ["endfilter"] and filters:
                    filters.pop()
                tag = None
            elif tag is not None:
                tag.append(token.value)
            elif token.type == "data" and filters and filters[-1]:
                token = Token(token.lineno, "data", _join_inner_breaks(token.value))
            yield token


def _join_inner_breaks(text: str) -> str:
    """``text`` with each line break that has a non-space character on both sides joined."""

    def join(m: re.Match[str]) -> str:
        if m.start() == 0 or m.end() == len(text):
            return m.group()  # beside a value: joined when rendered
        return _joint(text[m.start() - 1], text[m.end()])

    return _LINE_BREAK.sub(join, text)


FALLBACK_WIDTH = 960  # the src of a browser without srcset support: sharp on most screens


def _fallback_rendition(result: PhotoResult) -> Rendition:
    """The rendition nearest FALLBACK_WIDTH (the widest when all are narrower)."""
    return min(result.renditions, key=lambda r: (abs(r.width - FALLBACK_WIDTH), -r.width))


def _keep(text: object) -> Markup:
    """A unit a phone should not split across lines: 3 个, （镇级）, a brand or branch name.
    A line may still break before an opening bracket: 乡镇（街道） as 乡镇 / （街道） at worst."""
    pieces = [p for p in re.split(r"(?=（)", str(text)) if p]
    return Markup("").join(Markup('<span class="sc-keep">{}</span>').format(p) for p in pieces)


def _keep_all(items: object, sep: str = "、") -> Markup:
    """Units joined by ``sep``, each kept whole with the separator after it, so that no line
    starts with a 、 or a ·."""
    texts = [str(i) for i in items]  # type: ignore[attr-defined]
    glue = sep.rstrip()
    kept = [_keep(t + glue) for t in texts[:-1]] + [_keep(t) for t in texts[-1:]]
    return Markup(sep[len(glue) :]).join(kept)


def _date(value: dt.date | None) -> str:
    return f"{value.year} 年 {value.month} 月 {value.day} 日" if value else ""
