"""Settings: everything the generator needs, as one plain value passed down the pipeline.

They come from the ``showcase`` plugin's options in ``mkdocs.yml`` (see ``plugin.py``); the
generator itself never reads MkDocs' configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .content.schema import Choices
from .photos import PhotoSettings

DEFAULT_FIELDS = ("农村", "社区", "机关", "事业单位", "两新组织", "国有企业", "学校")
DEFAULT_BOOKLET_TITLE = "支部品牌观摩手册"


@dataclass(frozen=True)
class BookletSettings:
    """The PDF 观摩手册 (``showcase booklet``): what its cover says."""

    title: str = DEFAULT_BOOKLET_TITLE
    logo: Path | None = None  # the cover's logo; by default the site's logo (theme.logo)
    date: str = ""  # printed as given; by default the month of the last commit


@dataclass(frozen=True)
class Settings:
    root: Path  # the folder holding mkdocs.yml
    docs_dir: Path  # MkDocs' docs_dir (site_src/): generated pages go into folders inside it
    branches_dir: Path
    cache_dir: Path
    county: str = "示例县"
    site_url: str = ""
    fields: tuple[str, ...] = DEFAULT_FIELDS
    towns: tuple[str, ...] = ()  # preferred order; towns not listed follow, by pinyin
    featured: tuple[str, ...] = ()  # slugs for the home page; default: by 示范点 level and honours
    featured_count: int = 6
    recent_count: int = 6
    use_directory_urls: bool = True
    photos: PhotoSettings = field(default_factory=PhotoSettings)
    search_full_text: bool = False  # index every section, not only what visitors search for
    workers: int | None = None
    progress: bool = False
    booklet: BookletSettings = field(default_factory=BookletSettings)

    @property
    def choices(self) -> Choices:
        """What ``branch.yml`` values may be, as mkdocs.yml configures it."""
        return Choices(fields=self.fields, towns=self.towns)
