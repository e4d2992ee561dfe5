"""The MkDocs plugin ``showcase``: a thin adapter from MkDocs' events to ``pipeline.generate``.

Its options in ``mkdocs.yml`` are the generator's settings; there is no other config file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from .buildcache import BuildCache
from .config import DEFAULT_BOOKLET_TITLE, DEFAULT_FIELDS, BookletSettings, Settings
from .photos import PhotoSettings
from .pipeline import Result, generate
from .progress import Progress
from .site.search_terms import search_terms

log = logging.getLogger("mkdocs.plugins.showcase")
# News for someone watching a live preview (shown by ``showcase serve`` like MkDocs' own INFO).
preview_log = logging.getLogger("mkdocs.plugins.showcase.preview")


class _PhotoOptions(base.Config):
    widths = c.ListOfItems(c.Type(int), default=[480, 960, 1600])
    quality = c.Type(int, default=78)
    cover_width = c.Type(int, default=640)
    max_megapixels = c.Type(int, default=100)
    min_width = c.Type(int, default=800)


class _BookletOptions(base.Config):
    title = c.Type(str, default=DEFAULT_BOOKLET_TITLE)
    logo = c.Optional(c.Type(str))  # relative to mkdocs.yml; default: the theme's logo
    date = c.Type(str, default="")  # as printed on the cover; default: last commit's month


class ShowcaseConfig(base.Config):
    county = c.Type(str, default="示例县")
    branches_dir = c.Type(str, default="branches")
    cache_dir = c.Type(str, default=".cache/showcase")
    fields = c.ListOfItems(c.Type(str), default=list(DEFAULT_FIELDS))
    towns = c.ListOfItems(c.Type(str), default=[])
    featured = c.ListOfItems(c.Type(str), default=[])
    featured_count = c.Type(int, default=6)
    recent_count = c.Type(int, default=6)
    photos = c.SubConfig(_PhotoOptions)
    workers = c.Optional(c.Type(int))
    # Index every section of a branch page; by default only names, brand, slogan, summary,
    # carriers, tags and township, so a phone can load the index of thousands of branches.
    search_full_text = c.Type(bool, default=False)
    # Extra words for Chinese search segmentation, one a line (jieba's user dictionary format),
    # relative to mkdocs.yml. Brand names, short names, tags and places are added automatically.
    search_dictionary = c.Optional(c.Type(str))
    booklet = c.SubConfig(_BookletOptions)


def settings_from(options: ShowcaseConfig, config: MkDocsConfig) -> Settings:
    """The generator's settings from the plugin's options and MkDocs' own configuration."""
    root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
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
        search_full_text=options.search_full_text,
        booklet=BookletSettings(
            title=options.booklet.title,
            logo=_booklet_logo(options.booklet.logo, root, docs_dir, config),
            date=options.booklet.date,
        ),
    )


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
    def __init__(self) -> None:
        super().__init__()
        self.settings: Settings | None = None
        # Set by the ``showcase`` command when it has already generated (and reported) the pages.
        self.pregenerated: Result | None = None
        self.serving = False
        self.last: Result | None = None
        self.cache: BuildCache | None = None
        self.progress: Progress | None = None
        self.show_progress = False  # set by the ``showcase`` command on a terminal or in CI
        self.preview_broken = False  # the preview shows older pages because the content has errors
        self.previewed = False  # a live preview has been built once

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.settings = settings_from(self.config, config)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.pregenerated is not None:
            result, self.pregenerated = self.pregenerated, None  # a later rebuild generates again
        else:
            result = self._generate()
        self.last = result
        self._teach_search(result)

    def _generate(self) -> Result:
        assert self.settings is not None
        if self.cache is None:
            self.cache = BuildCache.open(self.settings.cache_dir / "build.pickle")
        # A live preview keeps the cache in memory between rebuilds, and on disk for next time.
        result = generate(self.settings, self.cache)
        self.cache.save()
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

    def _teach_search(self, result: Result) -> None:
        """Make jieba keep brand names and local terms whole, so searching 联村共富 finds it."""
        try:
            import jieba
        except ImportError:  # Material then indexes unsegmented text; nothing to teach
            return
        jieba.setLogLevel(logging.WARNING)  # its English start-up lines, also after an error
        if result.catalog is None:
            return
        assert self.settings is not None
        if self.config.search_dictionary:
            path = self.settings.root / self.config.search_dictionary
            if not path.is_file():
                raise PluginError(f"search_dictionary：找不到词典文件 {path}")
            jieba.load_userdict(str(path))
        for word in search_terms(result.catalog):
            jieba.add_word(word)

    def on_nav(self, nav, *, config: MkDocsConfig, files):
        pages = sum(1 for f in files.documentation_pages())
        self.progress = Progress("MkDocs 渲染", pages, self.show_progress)
        return nav

    def on_post_page(self, output: str, *, page, config: MkDocsConfig) -> str:
        if self.progress is not None:
            self.progress.advance()
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
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

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        assert self.settings is not None
        if self.settings.branches_dir.is_dir():
            server.watch(str(self.settings.branches_dir))
        return server
