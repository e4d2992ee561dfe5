"""Which Chinese fonts the PDF can use, asked of fontconfig (the font library WeasyPrint uses).

Without a CJK font WeasyPrint would still write a PDF, with every Chinese character an empty box;
the booklet stops before that with a message saying what to install.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

# Preferred first. Noto CJK is what the project's install step provides (Debian fonts-noto-cjk);
# Source Han is the same design under Adobe's name; the rest are common on Linux desktops.
SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "AR PL UMing CN")
SANS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)

INSTALL_HINT = (
    "没有找到中文字体，手册里的汉字会显示成方框。请先安装思源（Noto CJK）字体："
    "Debian/Ubuntu 运行 sudo apt-get install fonts-noto-cjk，"
    "Fedora 运行 sudo dnf install google-noto-sans-cjk-fonts google-noto-serif-cjk-fonts，"
    "然后重新运行 showcase booklet"
)


@dataclass(frozen=True)
class Fonts:
    serif: str  # body text (宋体 style)
    sans: str  # headings, labels (黑体 style)

    def css(self) -> str:
        """Custom properties the stylesheet uses for its two font stacks."""
        return (
            f':root {{ --serif: "{self.serif}", "{self.sans}", serif; '
            f'--sans: "{self.sans}", "{self.serif}", sans-serif; }}'
        )


def find_fonts(installed: set[str] | None = None) -> Fonts | None:
    """The serif and sans CJK families to use, or None when no CJK font is installed."""
    names = installed_families() if installed is None else installed
    if names is None:  # fontconfig could not be asked: trust the preferred fonts to be there
        return Fonts(SERIF[0], SANS[0])
    lowered = {n.lower(): n for n in names}
    serif = next((lowered[f.lower()] for f in SERIF if f.lower() in lowered), None)
    sans = next((lowered[f.lower()] for f in SANS if f.lower() in lowered), None)
    if serif is None and sans is None:
        return None
    return Fonts(serif or sans or "", sans or serif or "")


def installed_families() -> set[str] | None:
    """Every font family fontconfig knows, through the bindings WeasyPrint already loaded.

    None when those bindings are not what this code expects (they are WeasyPrint internals).
    """
    try:
        with warnings.catch_warnings():
            # With no font at all WeasyPrint warns in English on import; our message says more.
            warnings.simplefilter("ignore", UserWarning)
            from weasyprint.text.ffi import ffi, fontconfig
    except (ImportError, OSError, AttributeError):
        return None
    try:
        config = fontconfig.FcInitLoadConfigAndFonts()
        try:
            fonts = fontconfig.FcConfigGetFonts(config, 0)  # FcSetSystem
            names: set[str] = set()
            value = ffi.new("FcChar8 **")
            for i in range(fonts.nfont if fonts != ffi.NULL else 0):
                n = 0
                # FcResultMatch is 0; a font has one family name per language it is named in.
                while fontconfig.FcPatternGetString(fonts.fonts[i], b"family", n, value) == 0:
                    names.add(ffi.string(value[0]).decode("utf-8", "replace"))
                    n += 1
            return names
        finally:
            fontconfig.FcConfigDestroy(config)
    except (AttributeError, TypeError):
        return None
