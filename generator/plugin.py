"""The MkDocs plugin ``showcase``: a thin adapter from MkDocs' events to ``pipeline.generate``.

Its options in ``mkdocs.yml`` are the generator's settings; there is no other config file.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from .config import DEFAULT_FIELDS, Settings
from .photos import PhotoSettings
from .pipeline import Result, generate

log = logging.getLogger("mkdocs.plugins.showcase")


class _PhotoOptions(base.Config):
    widths = c.ListOfItems(c.Type(int), default=[480, 960, 1600])
    quality = c.Type(int, default=78)
    cover_width = c.Type(int, default=640)
    max_megapixels = c.Type(int, default=100)
    min_width = c.Type(int, default=800)


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


def settings_from(options: ShowcaseConfig, config: MkDocsConfig) -> Settings:
    """The generator's settings from the plugin's options and MkDocs' own configuration."""
    root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
    p = options.photos
    widths = tuple(sorted(set(p.widths)))
    return Settings(
        root=root,
        docs_dir=Path(config.docs_dir).resolve(),
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
    )


class ShowcasePlugin(BasePlugin[ShowcaseConfig]):
    def __init__(self) -> None:
        super().__init__()
        self.settings: Settings | None = None
        # Set by the ``showcase`` command when it has already generated (and reported) the pages.
        self.pregenerated = False
        self.serving = False
        self.last: Result | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.settings = settings_from(self.config, config)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.pregenerated:
            self.pregenerated = False  # a later rebuild (serve) generates again
            return
        assert self.settings is not None
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        result = generate(self.settings)
        self.last = result
        for p in result.problems:
            (log.error if p.is_error else log.warning)(str(p))
        if not result.ok:
            if self.serving:
                # Keep serving the last good pages: the errors above say what to fix.
                log.error("内容有错误，预览仍显示上一次成功生成的页面；改正后保存即可自动刷新")
                return
            raise PluginError(
                f"showcase：发现 {sum(p.is_error for p in result.problems)} 个错误，站点未生成"
            )

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        assert self.settings is not None
        if self.settings.branches_dir.is_dir():
            server.watch(str(self.settings.branches_dir))
        return server
