"""Settings: everything the generator needs, as one plain value passed down the pipeline.

They come from the ``showcase`` plugin's options in ``mkdocs.yml`` (see ``plugin.py``); the
generator itself never reads MkDocs' configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .content.schema import Choices
from .photos import PhotoSettings

DEFAULT_FIELDS = ("农村", "社区", "机关", "事业单位", "两新组织", "国有企业", "学校")


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
    editor_backend: dict[str, Any] | None = None  # editor.backend: publish /admin/ for a git host
    # How this run reports, not what it makes: kept out of repr and ==, so cached pages made by
    # a quiet live preview and by a reporting build are the same.
    progress: bool = field(default=False, repr=False, compare=False)

    @property
    def choices(self) -> Choices:
        """What ``branch.yml`` values may be, as mkdocs.yml configures it."""
        return Choices(fields=self.fields, towns=self.towns)
