"""The booklet's HTML (Jinja2, ``templates/``) and its PDF (WeasyPrint).

Input is plain data (branches in booklet order, print files for their photos, QR codes); this
module reads no branch files, no photo originals and nothing of MkDocs.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..content import schema
from ..content.model import Branch, PhotoRef
from ..site.text import render_text
from .fonts import Fonts

# The six brand parts in reading order; their titles, like every label, come from the schema.
PARTS = ("concept", "theory", "methods", "carriers", "results", "cases")
_NUMERALS = "一二三四五六"

# Photo boxes in mm (width, height) by how many photos a branch prints; the text block is
# 170 mm wide (A4 less two 20 mm margins). The template sizes the boxes from these numbers and
# the print files are made for them, so pixels and paper always agree.
PHOTO_BOXES: dict[int, tuple[tuple[float, float], ...]] = {
    1: ((170, 95),),
    2: ((82, 62), (82, 62)),
    3: ((112, 84), (52, 37), (52, 37)),
}
PORTRAIT_BOX = (66, 88)  # a single upright photo (3:4) stands beside the text, uncropped
LOGO_BOX = (18, 18)


@dataclass(frozen=True)
class Book:
    county: str
    title: str
    date: str  # as printed on the cover
    created: str  # ISO 8601, the PDF's creation and modification date
    scope: str  # e.g. 收录 14 个支部品牌
    tour: bool
    logo: str = ""  # file URI


@dataclass(frozen=True)
class PrintPhoto:
    src: str  # file URI of the print file
    caption: str
    box: tuple[float, float]  # printed size in mm
    credit: str = ""


@dataclass(frozen=True)
class Entry:
    b: Branch
    anchor: str
    bookmark: str
    stop: int | None  # 第 N 站 on a tour
    url: str  # the branch page's address, as the QR code encodes it
    qr: str  # data URI of the QR code's SVG, or "" without site_url
    facts: tuple[tuple[str, str], ...]
    parts: tuple[tuple[str, str], ...]  # (model attribute, numbered title), present parts only
    photos: tuple[PrintPhoto, ...]  # one to three; the first is the large one
    logo: str = ""


class Printer(Protocol):
    """Print files for photos (see build.py): the template only ever sees their URIs."""

    def aspect(self, ref: PhotoRef) -> float | None:
        """Width / height of the photo, or None when it has no usable rendition."""

    def file(self, ref: PhotoRef, box_mm: tuple[float, float], logo: bool = False) -> str:
        """File URI of the photo made for a box of this size."""


def entries(
    branches: Sequence[Branch],
    *,
    tour: bool,
    urls: Mapping[str, str],
    qr_svgs: Mapping[str, bytes],
    printer: Printer,
    updated: Mapping[str, dt.date],
) -> list[Entry]:
    """What the template shows of each branch, in booklet order."""
    out = []
    for i, b in enumerate(branches, start=1):
        stop = i if tour else None
        svg = qr_svgs.get(b.slug)
        label = f"{b.brand.name} · {b.display_name}"
        out.append(
            Entry(
                b=b,
                anchor=f"branch-{b.slug}",
                bookmark=f"第 {stop} 站 {label}" if stop else label,
                stop=stop,
                url=urls.get(b.slug, ""),
                qr=f"data:image/svg+xml;base64,{base64.b64encode(svg).decode()}" if svg else "",
                facts=facts(b, updated.get(b.slug)),
                parts=_parts(b),
                photos=_photos(b, printer),
                logo=_logo(b, printer),
            )
        )
    return out


def facts(b: Branch, updated: dt.date | None) -> tuple[tuple[str, str], ...]:
    """The 基本情况 table: the rows the site's branch page shows, those that are filled in."""
    label = schema.BRANCH.child
    rows = [
        (label("org_type").label, b.org_type),
        (label("secretary").label, b.secretary),
        (label("members").label, f"{b.members} 名" if b.members is not None else ""),
        (label("founded").label, f"{b.founded} 年" if b.founded else ""),
        (label("address").label, b.address),
        (label("honors").label, "；".join(f"{h.year} 年 {h.title}（{h.level}）" for h in b.honors)),
        ("更新于", _date(updated)),
    ]
    return tuple((name, value) for name, value in rows if value)


def _parts(b: Branch) -> tuple[tuple[str, str], ...]:
    brand = schema.BRANCH.child("brand")
    present = [key for key in PARTS if getattr(b.brand, key)]
    return tuple(
        (key, f"{_NUMERALS[i]}、{brand.child(key).label}") for i, key in enumerate(present)
    )


def _photos(b: Branch, printer: Printer) -> tuple[PrintPhoto, ...]:
    """One to three photos: gallery photos first (the cover leads), case photos fill in.

    The large box is landscape, so the first landscape photo takes it if the cover is upright.
    """
    seen: set[Path] = set()
    refs: list[PhotoRef] = []
    gallery = [*([b.cover] if b.cover else []), *b.photos]
    for ref in [*gallery, *(p for case in b.brand.cases for p in case.photos)]:
        if ref.path not in seen and ref.caption and printer.aspect(ref) is not None:
            seen.add(ref.path)
            refs.append(ref)
    chosen = refs[:3]
    wide = next((r for r in chosen if (printer.aspect(r) or 0) >= 1), None)
    if wide is not None:
        chosen.remove(wide)
        chosen.insert(0, wide)
    boxes = PHOTO_BOXES.get(len(chosen), ())
    if len(chosen) == 1 and wide is None:
        boxes = (PORTRAIT_BOX,)
    return tuple(
        PrintPhoto(printer.file(ref, box), ref.caption, box, ref.credit or "")
        for ref, box in zip(chosen, boxes, strict=True)
    )


def _logo(b: Branch, printer: Printer) -> str:
    logo = b.brand.logo
    if logo is None or printer.aspect(logo) is None:
        return ""
    return printer.file(logo, LOGO_BOX, logo=True)


def _date(value: dt.date | None) -> str:
    return f"{value.year} 年 {value.month} 月 {value.day} 日" if value else ""


def _breakable_url(url: str) -> Markup:
    """The address with line-break chances after its slashes (not inside ``://``), so a long
    one wraps at its path segments under the QR code instead of mid-word."""
    scheme, sep, rest = url.partition("://")
    parts = [escape(p) for p in rest.split("/")] if sep else [escape(url)]
    head = escape(scheme + sep) if sep else Markup("")
    return head + Markup("/<wbr>").join(parts)


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("generator.booklet", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(text=render_text, date=_date, breakable=_breakable_url)
    return env


def booklet_html(
    book: Book, items: Sequence[Entry], towns: Sequence[tuple[str, list[Entry]]]
) -> str:
    return _env().get_template("booklet.html.j2").render(book=book, entries=items, towns=towns)


def stylesheet() -> str:
    return resources.files(__package__).joinpath("templates/booklet.css").read_text("utf-8")


def write_pdf(html: str, fonts: Fonts, target: Path, base: Path) -> int:
    """Lay out and write the PDF; returns its page count.

    Only local files and data URIs are fetched: nothing in a booklet comes from the network.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    font_config = FontConfiguration()
    sheets = [
        CSS(string=stylesheet(), url_fetcher=fetcher, font_config=font_config),
        CSS(string=fonts.css(), url_fetcher=fetcher, font_config=font_config),
    ]
    document = HTML(string=html, base_url=str(base), url_fetcher=fetcher).render(
        stylesheets=sheets, font_config=font_config
    )
    document.write_pdf(target)
    return len(document.pages)
