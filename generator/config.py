"""Settings: everything the generator needs, as one plain value passed down the pipeline.

They come from the ``showcase`` plugin's options in ``mkdocs.yml`` (see ``plugin.py``); the
generator itself never reads MkDocs' configuration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .content.schema import Choices
from .photos import PhotoSettings

CONFIG_FILE = "mkdocs.yml"  # the project's configuration, at its root; problems name it so
DEFAULT_FIELDS = ("农村", "社区", "机关", "事业单位", "两新组织", "国有企业", "学校")
DEFAULT_BRANCHES_DIR = "branches"  # relative to mkdocs.yml
DEFAULT_CACHE_DIR = ".cache/showcase"


@dataclass(frozen=True)
class BookletSettings:
    """The PDF 观摩手册 (``showcase booklet``): what its cover says."""

    title: str = "支部品牌观摩手册"
    logo: Path | None = None  # the cover's logo; by default the site's logo (theme.logo)
    date: str = ""  # printed as given; by default the month of the last commit


@dataclass(frozen=True)
class SiteInfo:
    """What a Chinese public site shows in its footer (plugin option ``site_info``); each item
    only when given."""

    sponsor: str = ""  # 主办单位
    contact: str = ""  # 联系方式
    icp: str = ""  # ICP 备案号, linked to the MIIT filing system
    police: str = ""  # 公安备案号, linked to the MPS filing system by its digits
    site_code: str = ""  # 网站标识码
    conac_id: str = ""  # 党政机关网站标识: the mark's id at bszs.conac.cn ...
    conac_image: str = ""  # ... and the mark's image, a file in docs_dir


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
    workers: int | None = None
    editor_backend: dict[str, Any] | None = None  # editor.backend: publish /admin/ for a git host
    site_info: SiteInfo = field(default_factory=SiteInfo)
    share_image: str = "assets/share.png"  # og:image of pages without a cover, in docs_dir
    wechat_signature_endpoint: str = ""  # WeChat JS-SDK share cards; empty: nothing loaded
    booklet: BookletSettings = field(default_factory=BookletSettings)
    # How this run reports, not what it makes: kept out of repr and ==, so cached pages made by
    # a quiet live preview and by a reporting build are the same.
    progress: bool = field(default=False, repr=False, compare=False)

    @property
    def choices(self) -> Choices:
        """What ``branch.yml`` values may be, as mkdocs.yml configures it."""
        return Choices(fields=self.fields, towns=self.towns)


def config_lines(root: Path) -> list[str]:
    """The lines of the project's mkdocs.yml, for problems that point at one (none when it
    cannot be read: MkDocs has said why by then)."""
    try:
        return (root / CONFIG_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def option_line(lines: list[str], path: tuple[str, ...]) -> int:
    """The line of option ``a.b.c`` in mkdocs.yml's ``lines``: each key searched below the
    previous one, else the deepest found (1 when none)."""
    line, indent = 0, -1
    for key in path:
        pattern = re.compile(rf"^(\s*)(- )?{re.escape(key)}\s*:")
        for i in range(line, len(lines)):
            m = pattern.match(lines[i])
            if m and len(m.group(1)) > indent:
                line, indent = i, len(m.group(1))
                break
        else:
            break
    return line + 1
