"""What every page of a Chinese public site carries besides its content.

The filing footer (plugin option ``site_info``), the default share image, and the optional WeChat
share cards. The theme templates in ``overrides/`` render it; the MkDocs plugin hands it to them
as the template global ``showcase``. Nothing here knows MkDocs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..config import CONFIG_FILE, Settings, SiteInfo, config_lines, option_line
from ..problems import Problem, Severity

MIIT_URL = "https://beian.miit.gov.cn/"
MPS_URL = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"
CONAC_URL = "https://bszs.conac.cn/sitename?method=show&id={id}"
# The 公安备案 emblem, drawn for this project (a theme file: overrides/assets/showcase/).
POLICE_EMBLEM = "assets/showcase/gongan.svg"
SHARE_FORMATS = (".jpg", ".jpeg", ".png")  # what WeChat, QQ and Weibo cards all display


@dataclass(frozen=True)
class FooterItem:
    kind: str  # sponsor, contact, icp, police, site_code, conac
    text: str
    href: str = ""  # an outside address, opened in a new tab
    image: str = ""  # a site path, for the theme's ``url`` filter


def police_code(text: str) -> str:
    """The digits of a 公安备案号 (浙公网安备33000000000000号 → 33000000000000)."""
    return re.sub(r"\D", "", text)


def footer_items(info: SiteInfo) -> list[FooterItem]:
    """The footer's items in the usual order; an item not given is left out."""
    items = []
    if info.sponsor:
        items.append(FooterItem("sponsor", f"主办单位：{info.sponsor}"))
    if info.contact:
        items.append(FooterItem("contact", f"联系方式：{info.contact}"))
    if info.icp:
        items.append(FooterItem("icp", info.icp, MIIT_URL))
    if info.police and police_code(info.police):
        href = MPS_URL.format(code=police_code(info.police))
        items.append(FooterItem("police", info.police, href, POLICE_EMBLEM))
    if info.site_code:
        items.append(FooterItem("site_code", f"网站标识码：{info.site_code}"))
    if info.conac_id and info.conac_image:
        href = CONAC_URL.format(id=info.conac_id)
        items.append(FooterItem("conac", "党政机关网站标识", href, info.conac_image))
    return items


def theme_context(settings: Settings) -> dict:
    """The template global ``showcase``: everything the theme's chrome needs."""
    return {
        "footer": footer_items(settings.site_info),
        # A missing image is reported by site_problems; no og:image is better than a broken one.
        "share_image": settings.share_image
        if _in_docs(settings.docs_dir, settings.share_image)
        else "",
        "wechat_endpoint": settings.wechat_signature_endpoint,
    }


def site_problems(settings: Settings) -> list[Problem]:
    """Problems with the site-wide options, at their line in mkdocs.yml."""
    lines = config_lines(settings.root)

    def problem(path: tuple[str, ...], message: str, warning: bool = False) -> Problem:
        severity = Severity.WARNING if warning else Severity.ERROR
        return Problem(CONFIG_FILE, option_line(lines, path), ".".join(path), message, severity)

    out = []
    info = settings.site_info
    if info.police:
        digits = police_code(info.police)
        if not digits:
            out.append(problem(("site_info", "police"), "公安备案号里没有数字，无法链接到备案查询"))
        elif len(digits) != 14:
            out.append(
                problem(
                    ("site_info", "police"),
                    f"公安备案号一般是 14 位数字，这里是 {len(digits)} 位，请核对",
                    warning=True,
                )
            )
    if bool(info.conac_id) != bool(info.conac_image):
        missing = "image（标识图片）" if info.conac_id else "id（标识编号）"
        out.append(problem(("site_info", "conac"), f"党政机关网站标识还缺 {missing}"))
    elif info.conac_image and not _in_docs(settings.docs_dir, info.conac_image):
        out.append(
            problem(
                ("site_info", "conac", "image"),
                f"找不到标识图片“{info.conac_image}”（路径相对于 {settings.docs_dir.name}/）",
            )
        )
    share = settings.share_image
    if not _in_docs(settings.docs_dir, share):
        out.append(
            problem(
                ("share_image",),
                f"找不到分享图片“{share}”（路径相对于 {settings.docs_dir.name}/），"
                "没有封面照片的页面分享时将没有配图",
                warning=True,
            )
        )
    elif Path(share).suffix.lower() not in SHARE_FORMATS:
        out.append(
            problem(("share_image",), "分享图片请用 JPEG 或 PNG：微信不显示 WebP 和 SVG", True)
        )
    endpoint = settings.wechat_signature_endpoint
    if endpoint and not (endpoint.startswith("https://") or endpoint.startswith("/")):
        out.append(
            problem(
                ("wechat", "signature_endpoint"),
                f"“{endpoint}”应为 https:// 开头的网址，或以 / 开头的本站路径",
            )
        )
    return out


# Names reserved for examples (RFC 2606, RFC 6761): no real site lives there.
_EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")
_EXAMPLE_TLDS = ("example", "test", "invalid")


def site_url_problems(settings: Settings) -> list[Problem]:
    """A warning when the QR codes would not lead to the published site."""
    if not settings.site_url:
        message = "没有设置 site_url，二维码无法生成"
        return [Problem(CONFIG_FILE, 1, "site_url", message, Severity.WARNING)]
    host = (urlsplit(settings.site_url).hostname or "").rstrip(".")
    example = host.rsplit(".", 1)[-1] in _EXAMPLE_TLDS or any(
        host == d or host.endswith("." + d) for d in _EXAMPLE_DOMAINS
    )
    if not example:
        return []
    line = option_line(config_lines(settings.root), ("site_url",))
    message = (
        f"还是示例地址 {settings.site_url}，二维码会指向这个不存在的网站；"
        "发布前请改成站点的真实网址"
    )
    return [Problem(CONFIG_FILE, line, "site_url", message, Severity.WARNING)]


def source_folders(settings: Settings, theme_dir: Path | None) -> list[Path]:
    """Folders inside docs_dir whose files are sources, never site files."""
    docs = settings.docs_dir.resolve()
    folders = [theme_dir, settings.branches_dir, settings.cache_dir]
    return [d.resolve() for d in folders if d is not None and d.resolve().is_relative_to(docs)]


def _in_docs(docs_dir: Path, rel: str) -> bool:
    target = (docs_dir / rel).resolve()
    return target.is_relative_to(docs_dir.resolve()) and target.is_file()


_LIGHTBOX_JS = re.compile(r'<script src="([^"<>]*glightbox\.min\.js)"></script>')
_LIGHTBOX_INIT = re.compile(r'(<script id="init-glightbox">)(.*?)(</script>)', re.S)


def defer_lightbox(html: str) -> str:
    """mkdocs-glightbox's script, loaded in <head> without ``defer``, holds back the first screen
    of a branch page by a round trip on a slow phone; the lightbox is needed only once the page
    is there. Its script is deferred and its start-up runs once the page is parsed. A page in
    another shape (another plugin version) is left as it is."""
    if not (_LIGHTBOX_JS.search(html) and _LIGHTBOX_INIT.search(html)):
        return html
    html = _LIGHTBOX_JS.sub(r'<script src="\1" defer></script>', html, count=1)
    return _LIGHTBOX_INIT.sub(
        lambda m: (
            f'{m.group(1)}document.addEventListener("DOMContentLoaded", () => {{'
            f"\n{m.group(2)}}});\n{m.group(3)}"
        ),
        html,
        count=1,
    )
