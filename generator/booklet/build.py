"""``showcase booklet``: the 观摩手册 as an A4 PDF, from what the site build already makes.

Branches come from the same loading and validation as ``showcase check`` (same problems, same
lines), their order from the catalog (township, then pinyin) or from the tour the user gives;
photos from the content-addressed photo cache (only cache misses are decoded), QR codes from the
QR cache. Nothing here knows MkDocs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import errno
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..buildcache import CACHE_FILE, BuildCache
from ..config import CONFIG_FILE, Settings
from ..content.branches import load_branches
from ..content.gitdates import git_dates
from ..content.model import Branch, PhotoRef
from ..content.reading import find_branch_files
from ..photos import PhotoResult
from ..pipeline import branch_qr_codes, run_photos
from ..problems import Problem, Severity, has_errors, rel_path, sort_problems
from ..site.catalog import build_catalog
from ..site.pages import branch_url
from . import images, render
from .fonts import INSTALL_HINT, find_fonts

DEFAULT_OUTPUT = "观摩手册.pdf"
_CN_DIGITS = "〇一二三四五六七八九"
_CN_MONTHS = ("", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")


class BookletError(Exception):
    """One line for the user, in Chinese; the command exits with 1."""


@dataclass
class BookletResult:
    problems: list[Problem] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)
    pages: int = 0
    size: int = 0  # bytes of the PDF written
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


def make_booklet(
    settings: Settings, slugs: Sequence[str], output: Path, when: dt.datetime
) -> BookletResult:
    """Write the booklet of every branch (or of ``slugs``, a tour, in that order) to ``output``.

    ``when`` is the booklet's date (from the last commit, never the clock), so the same content
    gives the same file. Raises BookletError for what stops it before any content is read (no
    Chinese font, an unknown slug, a missing cover logo, an output that cannot be written);
    content problems are returned, and then no file is written.
    """
    started = time.perf_counter()
    result = BookletResult()
    fonts = find_fonts()
    if fonts is None:
        raise BookletError(INSTALL_HINT)
    _check_slugs(slugs, [f.name for f in find_branch_files(settings.branches_dir)], settings)
    logo = _cover_logo(settings)
    output = Path(output)
    with _output_file(output) as tmp:
        branches, chosen, photos, result.problems = _load(settings, slugs)
        result.timings["load"] = time.perf_counter() - started
        if not result.ok:
            return result

        start = time.perf_counter()
        # The site build's caches: names' pinyin, and the QR codes (branch_qr_codes).
        cache = BuildCache.open(settings.cache_dir / CACHE_FILE)
        dates = git_dates(settings.root, settings.branches_dir)
        catalog = build_catalog(branches, settings, dates, cache.spellings)
        if not slugs:
            chosen = catalog.branches  # browse order: township, then pinyin
        result.branches = chosen
        printer = _Printer(photos, settings.cache_dir)
        items = render.entries(
            chosen,
            tour=bool(slugs),
            urls=_urls(settings, chosen),
            qr_svgs=branch_qr_codes(chosen, settings),
            printer=printer,
            updated=catalog.updated,
        )
        book = _book(settings, len(chosen), bool(slugs), when, logo)
        html = render.booklet_html(book, items, _by_town(items))
        images.make(printer.jobs.values(), settings.workers)
        cache.save()
        result.timings["prepare"] = time.perf_counter() - start

        start = time.perf_counter()
        if settings.progress:  # layout is the long step: say so before it starts
            print(f"正在排版 PDF：{len(chosen)} 个支部……", file=sys.stderr, flush=True)
        try:
            result.pages = render.write_pdf(html, fonts, tmp, settings.root)
        except OSError as exc:
            raise BookletError(_cannot_write(output, exc)) from None
        result.timings["pdf"] = time.perf_counter() - start
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would keep the booklet from colleagues
        os.replace(tmp, output)
        result.size = output.stat().st_size
    return result


def _load(
    settings: Settings, slugs: Sequence[str]
) -> tuple[list[Branch], list[Branch], dict[Path, PhotoResult], list[Problem]]:
    """Every valid branch, the booklet's, their photos (from the cache, or processed into it)
    and the problems that concern the booklet: those ``showcase check`` prints, limited to the
    tour's branches on a tour."""
    branches, problems = load_branches(settings.root, settings.branches_dir, settings.choices)
    if slugs:
        mine = tuple(rel_path(settings.branches_dir / s, settings.root) + "/" for s in slugs)
        problems = [p for p in problems if p.path.startswith(mine)]
    by_slug = {b.slug: b for b in branches}
    chosen = [by_slug[s] for s in slugs if s in by_slug] if slugs else branches
    photos, photo_problems = run_photos(chosen, settings, publish=False)
    problems = sort_problems(problems + photo_problems)
    if not settings.site_url:
        message = "没有设置 site_url，手册里不印二维码"
        problems.append(Problem(CONFIG_FILE, 1, "site_url", message, Severity.WARNING))
    return branches, chosen, photos, problems


def _urls(settings: Settings, chosen: list[Branch]) -> dict[str, str]:
    return {b.slug: branch_url(settings, b) for b in chosen} if settings.site_url else {}


def _by_town(items: list[render.Entry]) -> list[tuple[str, list[render.Entry]]]:
    towns: dict[str, list[render.Entry]] = {}
    for e in items:
        towns.setdefault(e.b.town, []).append(e)
    return list(towns.items())


def booklet_date(epoch: str | None) -> dt.datetime:
    """The booklet's date from SOURCE_DATE_EPOCH (set from the last commit), UTC."""
    seconds = int(epoch) if epoch and epoch.isdigit() else 0
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def chinese_month(day: dt.date) -> str:
    """二〇二六年十一月: how a printed cover gives its date."""
    year = "".join(_CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_CN_MONTHS[day.month]}月"


def _cover_logo(settings: Settings) -> str:
    logo = settings.booklet.logo
    if logo is None:
        return ""
    if not logo.is_file():
        shown = rel_path(logo, settings.root)
        raise BookletError(f"找不到手册封面的标志文件 {shown}（mkdocs.yml 的 booklet.logo）")
    return logo.resolve().as_uri()


def _book(settings: Settings, count: int, tour: bool, when: dt.datetime, logo: str) -> render.Book:
    return render.Book(
        county=settings.county,
        title=settings.booklet.title,
        date=settings.booklet.date or chinese_month(when.date()),
        created=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        scope=f"观摩路线 · 共 {count} 站" if tour else f"收录 {count} 个支部品牌",
        tour=tour,
        logo=logo,
    )


class _Printer:
    """Print files of cached renditions, planned while the HTML is made, written afterwards."""

    def __init__(self, results: dict[Path, PhotoResult], cache_dir: Path) -> None:
        self.results = results
        self.photo_cache = cache_dir / "photos"
        self.out_dir = cache_dir / "booklet"
        self.jobs: dict[Path, images.PrintJob] = {}

    def aspect(self, ref: PhotoRef) -> float | None:
        result = self.results.get(ref.path)
        return result.width / result.height if result and result.renditions else None

    def file(self, ref: PhotoRef, box_mm: tuple[float, float], logo: bool = False) -> str:
        job = images.plan(self.results[ref.path], box_mm, self.photo_cache, self.out_dir, logo)
        self.jobs.setdefault(job.target, job)
        return job.target.as_uri()


def _check_slugs(slugs: Sequence[str], folders: list[str], settings: Settings) -> None:
    seen: set[str] = set()
    for slug in slugs:
        if slug in seen:
            raise BookletError(f"--branch {slug} 给了两次：观摩路线里每个支部只能出现一次")
        seen.add(slug)
    unknown = [s for s in slugs if s not in folders]
    if not unknown:
        return
    where = rel_path(settings.branches_dir, settings.root)
    if len(unknown) > 1:
        raise BookletError(f"找不到这些支部：{'、'.join(unknown)}（{where}/ 下没有这些文件夹）")
    close = difflib.get_close_matches(unknown[0], folders, n=1, cutoff=0.6)
    hint = f"，是不是“{close[0]}”？" if close else "；网址名就是支部文件夹的名字"
    raise BookletError(f"找不到支部“{unknown[0]}”（{where}/{unknown[0]}/ 不存在）{hint}")


_WRITE_ERRORS = {
    errno.EACCES: "没有写入这个文件夹的权限",
    errno.EPERM: "没有写入这个文件夹的权限",
    errno.EROFS: "这个位置是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENOENT: "文件夹不存在",
}


def _cannot_write(output: Path, exc: OSError) -> str:
    reason = _WRITE_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
    return f"无法写入 {output}：{reason}；请用 -o 换一个位置，如 -o {DEFAULT_OUTPUT}"


@contextlib.contextmanager
def _output_file(output: Path):
    """A temporary file beside ``output``, made first so a folder we cannot write to is
    reported before minutes of layout; it replaces ``output`` only when the PDF is whole."""
    if output.is_dir():
        raise BookletError(f"{output} 是一个文件夹，请给出文件名，如 -o {output / DEFAULT_OUTPUT}")
    if output.exists() and not output.is_file():
        # A device or pipe: replacing it with a file would be worse than refusing.
        raise BookletError(f"无法写入 {output}：它不是普通文件；请用 -o 给出一个 .pdf 文件名")
    folder = output.parent
    if not folder.is_dir():
        what = "不是文件夹" if folder.exists() else "不存在"
        raise BookletError(f"无法写入 {output}：{folder} {what}")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise BookletError(_cannot_write(output, exc)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
