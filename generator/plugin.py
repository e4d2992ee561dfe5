"""The MkDocs plugin ``showcase``: a thin adapter from MkDocs' events to ``pipeline.generate``.

Its options in ``mkdocs.yml`` are the generator's settings; there is no other config file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TypeVar

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from .buildcache import CACHE_FILE, BuildCache
from .config import (
    CONFIG_FILE,
    DEFAULT_BRANCHES_DIR,
    DEFAULT_CACHE_DIR,
    BookletSettings,
    Settings,
    SiteInfo,
)
from .content.model import Branch
from .photos import PhotoSettings
from .pipeline import Result, generate
from .problems import not_written
from .progress import Progress
from .site.htmlblocks import fold, unfold
from .site.output import publish_file
from .site.pages import docs_order
from .site.pending import PendingPages
from .site.public import defer_lightbox, source_folders, theme_context
from .site.search import PendingIndex, SearchIndexError, start_index

T = TypeVar("T")
log = logging.getLogger("mkdocs.plugins.showcase")
# News for someone watching a live preview (shown by ``showcase serve`` like MkDocs' own INFO).
preview_log = logging.getLogger("mkdocs.plugins.showcase.preview")


def _default(cls: type, name: str):
    """An option's default is the generator's own (config.py, photos/settings.py): one place."""
    value = cls.__dataclass_fields__[name].default
    return list(value) if isinstance(value, tuple) else value


_PHOTO = PhotoSettings()


class _PhotoOptions(base.Config):
    widths = c.ListOfItems(c.Type(int), default=list(_PHOTO.widths))
    quality = c.Type(int, default=_PHOTO.quality)
    cover_width = c.Type(int, default=_PHOTO.cover_width)
    max_megapixels = c.Type(int, default=_PHOTO.max_pixels // 1_000_000)
    min_width = c.Type(int, default=_PHOTO.min_width)


class _EditorOption(c.BaseConfigOption[dict]):
    """``editor: {backend: {...}}``, checked on loading so a mistake reads like any other."""

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> dict:
        from .editor.cms_config import BackendError, hosted_backend

        if value is None:
            return {}
        if not isinstance(value, dict) or set(value) - {"backend"}:
            raise ValidationError("editor 下只能写 backend，如 {backend: {name: gitlab, ...}}")
        if value.get("backend") is None:
            return {}
        try:
            return {"backend": hosted_backend(value["backend"])}
        except BackendError as exc:
            raise ValidationError(str(exc)) from None


class _Text(c.BaseConfigOption[str]):
    """Text that may also be written as a number (``site_code: 3300000000``); absent: empty."""

    def __init__(self) -> None:
        super().__init__()
        self.default = ""

    def run_validation(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise c.ValidationError(f"应为文字，现为 {value!r}")
        return str(value).strip()


class _Conac(base.Config):
    id = _Text()  # the mark's id in its link to bszs.conac.cn
    image = _Text()  # the mark's image (as issued), a file in docs_dir


class _SiteInfo(base.Config):
    sponsor = _Text()
    contact = _Text()
    icp = _Text()
    police = _Text()
    site_code = _Text()
    conac = c.SubConfig(_Conac)


class _WeChat(base.Config):
    signature_endpoint = _Text()


class _BookletOptions(base.Config):
    title = c.Type(str, default=_default(BookletSettings, "title"))
    logo = c.Optional(c.Type(str))  # relative to mkdocs.yml; default: the theme's logo
    date = c.Type(str, default="")  # as printed on the cover; default: last commit's month


class ShowcaseConfig(base.Config):
    county = c.Type(str, default=_default(Settings, "county"))
    branches_dir = c.Type(str, default=DEFAULT_BRANCHES_DIR)
    cache_dir = c.Type(str, default=DEFAULT_CACHE_DIR)
    fields = c.ListOfItems(c.Type(str), default=_default(Settings, "fields"))
    towns = c.ListOfItems(c.Type(str), default=_default(Settings, "towns"))
    featured = c.ListOfItems(c.Type(str), default=_default(Settings, "featured"))
    featured_count = c.Type(int, default=_default(Settings, "featured_count"))
    recent_count = c.Type(int, default=_default(Settings, "recent_count"))
    photos = c.SubConfig(_PhotoOptions)
    workers = c.Optional(c.Type(int))
    # Options of the earlier search (Material's, segmented by jieba), accepted so an older
    # mkdocs.yml still builds, and otherwise ignored: search.retired_option_problems says so.
    search_full_text = c.Optional(c.Type(bool))
    search_dictionary = c.Optional(c.Type(str))
    # Publish /admin/ for editing through a git host (gitlab, gitea, github); see editor/.
    editor = _EditorOption()
    # Footer of every page: 主办单位, 联系方式, ICP and 公安 filing numbers, 网站标识码 ...
    site_info = c.SubConfig(_SiteInfo)
    # og:image of pages without a cover photo (a JPEG or PNG of at least 300 px, in docs_dir)
    share_image = c.Type(str, default=_default(Settings, "share_image"))
    # WeChat share cards through the county's official-account backend; absent: nothing loaded
    wechat = c.SubConfig(_WeChat)
    # The PDF 观摩手册 (showcase booklet): its cover
    booklet = c.SubConfig(_BookletOptions)


def settings_from(
    options: ShowcaseConfig, config: MkDocsConfig, *, progress: bool = False
) -> Settings:
    """The generator's settings from the plugin's options and MkDocs' own configuration;
    ``progress``: report long steps on stderr (how this run reports, not what it makes)."""
    root = Path(config.config_file_path or CONFIG_FILE).resolve().parent
    p = options.photos
    docs_dir = Path(config.docs_dir).resolve()
    widths = tuple(sorted(set(p.widths)))
    return Settings(
        root=root,
        docs_dir=docs_dir,
        branches_dir=(root / options.branches_dir).resolve(),
        cache_dir=(root / options.cache_dir).resolve(),
        county=options.county,
        site_url=config.site_url or "",
        fields=tuple(options.fields),
        towns=tuple(options.towns),
        featured=tuple(options.featured),
        featured_count=options.featured_count,
        recent_count=options.recent_count,
        use_directory_urls=config.use_directory_urls,
        photos=PhotoSettings(
            widths=widths,
            quality=p.quality,
            cover_width=p.cover_width,
            max_pixels=p.max_megapixels * 1_000_000,
            min_width=p.min_width,
        ),
        workers=options.workers,
        editor_backend=options.editor.get("backend"),
        site_info=SiteInfo(
            sponsor=options.site_info.sponsor,
            contact=options.site_info.contact,
            icp=options.site_info.icp,
            police=options.site_info.police,
            site_code=options.site_info.site_code,
            conac_id=options.site_info.conac.id,
            conac_image=options.site_info.conac.image,
        ),
        share_image=options.share_image,
        wechat_signature_endpoint=options.wechat.signature_endpoint,
        booklet=BookletSettings(
            title=options.booklet.title,
            logo=_booklet_logo(options.booklet.logo, root, docs_dir, config),
            date=options.booklet.date,
        ),
        progress=progress,
    )


def index_starter(
    settings: Settings, *, stale_ok: bool = False
) -> Callable[[list[tuple[Branch, str]]], PendingIndex]:
    """What starts the search index of a build's branches (with their pages' addresses).

    Pagefind needs the branches' text, not the pages: it indexes while the photos are checked
    and MkDocs renders. ``stale_ok``: an earlier index will do (a live preview's rebuilds)."""

    def start(search: list[tuple[Branch, str]]) -> PendingIndex:
        try:
            return start_index(search, settings.cache_dir, stale_ok=stale_ok)
        except OSError as exc:
            raise PluginError(f"搜索索引没有生成（Pagefind 出错：{exc}）") from None

    return start


def _booklet_logo(
    option: str | None, root: Path, docs_dir: Path, config: MkDocsConfig
) -> Path | None:
    """The booklet's cover logo: the option, else the site's own logo when it is a local file."""
    if option:
        return root / option
    theme_logo = config.theme.get("logo") if config.theme else None
    if theme_logo and (docs_dir / theme_logo).is_file():
        return docs_dir / theme_logo
    return None


class ShowcasePlugin(BasePlugin[ShowcaseConfig]):
    """Generates the pages before each build, and indexes the branches for search after it.

    State lives from ``on_startup`` (one MkDocs command) on: the last result and, for a live
    preview, the build cache kept in memory between rebuilds. The one way in from outside is
    ``use_result``: the ``showcase build`` command generates and reports problems before MkDocs
    starts (so a broken branch never reaches MkDocs), then hands its result over.
    """

    def __init__(self) -> None:
        super().__init__()
        self.settings: Settings | None = None
        self.command = "build"
        self.last: Result | None = None
        self.cache: BuildCache | None = None
        self.progress: Progress | None = None
        self._handed: Result | None = None
        self._search: list[tuple[Branch, str]] = []  # the last good branches, with their pages
        self._index: PendingIndex | None = None  # their index, started before MkDocs' pages
        self._pages: PendingPages | None = None  # the last good content's pages and QR codes
        self._folded: dict[str, list[str]] = {}  # a page's HTML blocks while Markdown converts it
        self.preview_broken = False  # the preview shows older pages because the content has errors
        self.previewed = False  # a live preview has been built once

    def use_result(self, result: Result) -> None:
        """Build from ``result`` (generated with this plugin's settings) instead of generating;
        for the next build only."""
        self._handed = result

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # MkDocs keeps one plugin instance per process (its plugin cache): start each command clean.
        self._stop_workers()
        self.command = command
        self._handed = None
        self.last = None
        self._search = []
        self._index = None
        self._pages = None
        self._folded = {}
        self.cache = None
        self.preview_broken = self.previewed = False

    @property
    def serving(self) -> bool:
        return self.command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Builds report progress (on a terminal or in CI logs); a live preview stays quiet.
        self.settings = settings_from(self.config, config, progress=not self.serving)
        if self.settings.wechat_signature_endpoint and "navigation.instant" in (
            config.theme.get("features") or []
        ):
            # Instant loading changes the address without loading the page, and the signature
            # WeChat checks on iOS is for the first address: shared cards would break.
            raise PluginError("wechat.signature_endpoint 不能与主题的 navigation.instant 同时使用")
        return config

    def on_env(self, env, *, config: MkDocsConfig, files):
        assert self.settings is not None
        env.globals["showcase"] = theme_context(self.settings)
        return env

    def on_files(self, files, *, config: MkDocsConfig):
        """Keep sources out of the site when they sit inside docs_dir (theme templates of a
        custom_dir kept there, branch folders, the cache): only site files are published. Nor
        Material's own search (lunr and its worker, 1.2 MB): the site searches with Pagefind."""
        assert self.settings is not None
        theme_dir = config.theme.custom_dir
        hidden = source_folders(self.settings, Path(theme_dir).resolve() if theme_dir else None)
        docs = str(self.settings.docs_dir)
        for f in list(files):
            inside = f.src_dir is not None and str(Path(f.src_dir).resolve()) == docs
            source = Path(f.src_uri).name == "branch.yml" or _under(f.abs_src_path, hidden)
            if (inside and source) or (not inside and f.src_uri.startswith(_THEME_SEARCH)):
                files.remove(f)
        # Generated pages reach MkDocs from memory, each as soon as the worker has made it (see
        # site/pending.py).
        pages = self._pages
        if pages is not None:
            for src in pages.plan.order:
                if (earlier := files.get_file_from_path(src)) is not None:
                    files.remove(earlier)
                files.append(_GeneratedPage(src, config, pages, self.settings.root))
        # In the order MkDocs finds files on disk, which is the order the worker makes pages in
        # and the order of the sitemap: the same whether or not the pages existed beforehand.
        return Files(sorted(files, key=lambda f: docs_order(f.src_uri)))

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self._stop_workers()
        result, self._handed = self._handed, None
        if result is None:
            result = self._generate()
        self.last = result
        if result.pending is not None:  # content errors: the last good pages, index, codes stay
            self._search = result.search
            self._pages = result.pending
        # The index generate started for these branches, else one of the last good branches.
        self._index = result.index or self._index_starter()(self._search)
        result.index = None  # the plugin's now: published, or stopped with the build

    def _index_starter(self) -> Callable[[list[tuple[Branch, str]]], PendingIndex]:
        # A preview's first build indexes; its rebuilds keep that index (see start_index).
        assert self.settings is not None
        return index_starter(self.settings, stale_ok=self.serving and self.previewed)

    def _generate(self) -> Result:
        assert self.settings is not None
        path = self.settings.cache_dir / CACHE_FILE
        if self.cache is None or self.cache.path != path:
            self.cache = BuildCache.open(path)
        # A live preview keeps the cache in memory between rebuilds, and on disk for next time.
        try:
            result = generate(self.settings, self.cache, later=True, index=self._index_starter())
        except OSError as exc:
            raise PluginError(not_written(exc, self.settings.root)) from None
        if result.pending is None:
            self.cache.save()  # content errors: nothing more is coming
        for p in result.problems:
            (log.error if p.is_error else log.warning)(str(p))
        if not result.ok:
            errors = sum(p.is_error for p in result.problems)
            if self.serving:
                # Keep serving the last good pages: the errors above say what to fix.
                log.error(
                    f"内容有 {errors} 个错误，预览仍显示上一次成功生成的页面；改正后保存即可刷新"
                )
                return result
            raise PluginError(f"showcase：发现 {errors} 个错误，站点未生成")
        return result

    @event_priority(-100)  # last: other plugins see the page's Markdown as written
    def on_page_markdown(self, markdown: str, *, page, config: MkDocsConfig, files) -> str:
        # The lightbox's script and styles (render-blocking, in <head>) only where a page has a
        # lightbox: every other page shows its first screen one round trip sooner on a phone.
        if 'class="glightbox"' not in markdown:
            page.meta.setdefault("glightbox", False)
        if self._pages is None or page.file.src_uri not in self._pages.plan:
            return markdown
        markdown, self._folded[page.file.src_uri] = fold(markdown)
        return markdown

    @event_priority(100)  # first: other plugins see the page's HTML whole
    def on_page_content(self, html: str, *, page, config: MkDocsConfig, files) -> str:
        blocks = self._folded.pop(page.file.src_uri, None)
        return html if blocks is None else unfold(html, blocks)

    def on_nav(self, nav, *, config: MkDocsConfig, files):
        pages = sum(1 for f in files.documentation_pages())
        assert self.settings is not None
        self.progress = Progress("MkDocs 渲染", pages, self.settings.progress)
        return nav

    @event_priority(-100)  # after mkdocs-glightbox has added its script
    def on_post_page(self, output: str, *, page, config: MkDocsConfig) -> str:
        if self.progress is not None:
            self.progress.advance()
        return defer_lightbox(output)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.settings is not None
        try:
            if self.last is not None and self.last.pending is not None:
                self.last.finish()  # what MkDocs has not asked for: the worker's report
                if self.cache is not None and self.last.saves is None:
                    self.cache.save()
            # The worker draws the QR codes after the pages, while MkDocs renders; they go
            # into the site last, linked from the cache (never kept in docs_dir).
            if self._pages is not None:
                with self.last.timed("qr") if self.last is not None else nullcontext():
                    site = Path(config.site_dir)
                    for path, kept in self._pages.site_files().items():
                        publish_file(site, path, kept)
        except OSError as exc:
            raise PluginError(not_written(exc, self.settings.root)) from None
        timer = self.last.timed("search") if self.last is not None else nullcontext()
        try:
            with timer:
                index, self._index = self._index, None
                if index is not None:
                    index.publish(Path(config.site_dir))
        except (SearchIndexError, OSError) as exc:
            raise PluginError(f"搜索索引没有生成（Pagefind 出错：{exc}）") from None
        if self.settings.editor_backend and not self.serving:
            from .editor.cms_config import backend_warning
            from .editor.site import publish

            logo = config.theme.get("logo")
            publish(Path(config.site_dir), self.settings, self.settings.editor_backend, logo)
            warning = backend_warning(self.settings.editor_backend)
            if warning:
                log.warning(warning)
        # After an error the terminal ends on it; say so when the preview is current again.
        if not self.serving or self.last is None:
            return
        if not self.last.ok:
            self.preview_broken = True
        elif self.preview_broken:
            self.preview_broken = False
            preview_log.info("内容已无错误，预览已更新")
        elif not self.previewed:
            preview_log.info("预览已生成，可以在浏览器里打开了")
        self.previewed = True

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_workers()

    def on_shutdown(self) -> None:
        self._stop_workers()

    def _stop_workers(self) -> None:
        """Stop the workers of a build that will not wait for them (it failed, or a rebuild
        or another command starts); nothing for those that have finished."""
        if self.last is not None and self.last.pending is not None:
            self.last.pending.cancel()
        if self._index is not None:
            self._index.cancel()
            self._index = None

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        assert self.settings is not None
        if self.settings.branches_dir.is_dir():
            server.watch(str(self.settings.branches_dir))
        from .editor.server import mount

        mount(server, self.settings)  # the browser editor at /admin/, saving into branches/
        return server


class _GeneratedPage(File):
    """A generated page, which MkDocs reads from memory as soon as the worker has made it
    (``abs_src_path`` points into docs_dir, as for any page; the worker writes it there)."""

    def __init__(self, src: str, config: MkDocsConfig, pages: PendingPages, root: Path) -> None:
        super().__init__(src, config.docs_dir, config.site_dir, config.use_directory_urls)
        self._pending = pages
        self._root = root

    @property
    def content_bytes(self) -> bytes:
        return self._waiting(lambda: self._pending.page(self.src_uri))

    @property
    def content_string(self) -> str:
        return self.content_bytes.decode("utf-8")

    def is_modified(self) -> bool:
        # A live preview's rebuild (--dirty) compares the file's time with the site's: only
        # once the pages are written.
        self._waiting(self._pending.finish)
        return super().is_modified()

    def _waiting(self, wait: Callable[[], T]) -> T:
        try:
            return wait()
        except OSError as exc:
            raise PluginError(not_written(exc, self._root)) from None


_THEME_SEARCH = ("assets/javascripts/lunr/", "assets/javascripts/workers/search")


def _under(path: str | None, folders: list[Path]) -> bool:
    return path is not None and any(Path(path).resolve().is_relative_to(d) for d in folders)
