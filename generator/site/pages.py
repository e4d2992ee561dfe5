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
from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from pymdownx.slugs import slugify

from .catalog import Catalog
from ..config import Settings
from ..content.model import Branch, PhotoRef
from ..parallel import fork_map
from ..photos import PhotoResult, Rendition
from ..progress import Progress
from ..content.schema import LEVELS
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


def render_pages(
    catalog: Catalog,
    images: Images,
    settings: Settings,
    qr_codes: Mapping[str, bytes],
    memo: dict[str, tuple[str, bytes]] | None = None,
) -> dict[str, bytes]:
    """Every generated file of docs_dir (pages and QR codes) as ``{relative path: bytes}``.

    ``qr_codes`` holds each branch's QR code SVG by slug (none without a site_url); each is
    published beside its page. ``memo`` keeps branch pages by a key of everything they show, so
    an unchanged branch is not rendered again.
    """
    r = _Renderer(catalog, images, settings)
    out: dict[str, str | bytes] = {"index.md": r.page("home.md.j2", "index.md")}

    settings_repr = repr(settings)

    def key(b: Branch) -> str:
        return _branch_page_key(b, catalog, images, settings_repr) if memo is not None else ""

    def fresh(b: Branch) -> bool:
        cached = memo.get(f"branches/{b.slug}.md") if memo is not None else None
        return cached is None or cached[0] != key(b)

    todo = [b for b in catalog.branches if fresh(b)]

    def render(i: int) -> tuple[str, bytes]:
        b = todo[i]
        page = r.page("branch.md.j2", f"branches/{b.slug}.md", branch=b).encode("utf-8")
        return key(b), page

    # Rendering is pure per branch: many new or changed pages are spread over the cores.
    progress = Progress("生成页面", len(todo), settings.progress)
    rendered = fork_map(render, range(len(todo)), settings.workers)
    if rendered is None:
        rendered = []
        for i in range(len(todo)):
            rendered.append(render(i))
            progress.advance()
    else:
        progress.advance(len(todo))
    made = {b.slug: result for b, result in zip(todo, rendered, strict=True)}
    for b in catalog.branches:
        src = f"branches/{b.slug}.md"
        if b.slug in made:
            out[src] = made[b.slug][1]
            if memo is not None:
                memo[src] = made[b.slug]
        else:
            out[src] = memo[src][1]  # type: ignore[index]
        if b.slug in qr_codes:
            out[f"branches/{b.slug}/qr.svg"] = qr_codes[b.slug]

    for kind, groups, title in (
        ("towns", catalog.towns, "乡镇（街道）"),
        ("fields", catalog.fields, "领域"),
    ):
        out[f"{kind}/index.md"] = r.page(
            "groups.md.j2", f"{kind}/index.md", kind=kind, groups=groups, title=title
        )
        for g in groups:
            out[f"{kind}/{g.slug}.md"] = r.page(
                "group.md.j2", f"{kind}/{g.slug}.md", kind=kind, group=g, title=title
            )
    out["tags/index.md"] = r.page("tags.md.j2", "tags/index.md")
    out["demonstration/index.md"] = r.page("demonstration.md.j2", "demonstration/index.md")
    out["honours/index.md"] = r.page("honours.md.j2", "honours/index.md")
    return {k: v.encode("utf-8") if isinstance(v, str) else v for k, v in out.items()}


def _branch_page_key(b: Branch, catalog: Catalog, images: Images, settings_repr: str) -> str:
    """Everything a branch page shows, hashed: the branch, its photos, its neighbours, its date."""
    prev, nxt = catalog.neighbours(b)
    parts = (
        repr(b),
        [repr(images.get(ref.path)) for ref in b.photo_refs()],
        [(n.slug, n.brand.name, n.display_name) if n else None for n in (prev, nxt)],
        catalog.updated.get(b.slug),
        catalog.town_of(b).slug,
        catalog.field_of(b).slug,
        settings_repr,
    )
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def branch_url(settings: Settings, branch: Branch) -> str:
    """The page's full public URL, as the QR code encodes it."""
    base = settings.site_url.rstrip("/") + "/"
    return base + _page_url(f"branches/{branch.slug}.md", settings.use_directory_urls)


def _page_url(src: str, directory_urls: bool) -> str:
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
        )
        env.globals.update(levels=LEVELS)
        self.env = env

    def page(self, template: str, src: str, **context) -> str:
        here = _page_url(src, self.settings.use_directory_urls)

        base = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"

        def url(target: str) -> str:
            """Link from this page to a docs path (``towns/x.md``) or a static file."""
            directory = self.settings.use_directory_urls
            dest = _page_url(target, directory) if target.endswith(".md") else target
            return _relative(dest, base)

        def media(r: Rendition) -> str:
            return url(f"{MEDIA_DIR}/{r.name}")

        def photo(ref: PhotoRef | None) -> PhotoResult | None:
            return self.images.get(ref.path) if ref else None

        return self.env.get_template(template).render(
            c=self.catalog,
            s=self.settings,
            url=url,
            media=media,
            photo=photo,
            branch_link=lambda b: url(f"branches/{b.slug}.md"),
            full_url=lambda b: branch_url(self.settings, b),
            group_link=lambda kind, g: url(f"{kind}/{g.slug}.md"),
            town_group=self.catalog.town_of,
            field_group=self.catalog.field_of,
            **context,
        )


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


def _date(value: dt.date | None) -> str:
    return f"{value.year} 年 {value.month} 月 {value.day} 日" if value else ""
