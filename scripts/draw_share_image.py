#!/usr/bin/env python3
"""Draw ``site_src/assets/share.png``: the share-card image of pages without a cover photo.

The site's emblem (white disc, gold ring, red star, as in ``assets/logo.svg``) on the brand red,
600 × 600 px: WeChat and QQ show a square thumbnail and want at least 300 px, and do not show SVG.
No text, so it suits any county; replace the file (or set the plugin option ``share_image``) to
use the county's own. Byte-identical on every run with the same Pillow::

    python scripts/draw_share_image.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "site_src" / "assets" / "share.png"
SIZE = 600
SCALE = 4  # drawn 4× larger, then reduced: smooth edges without an anti-aliasing library
RED, GOLD, WHITE = (164, 22, 26), (184, 134, 11), (255, 255, 255)


def star(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        angle = -math.pi / 2 + i * math.pi / 5
        radius = outer if i % 2 == 0 else inner
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def main() -> None:
    s = SIZE * SCALE
    im = Image.new("RGB", (s, s), RED)
    d = ImageDraw.Draw(im)
    c = s / 2
    # the logo's 48-unit drawing, scaled so that its disc fills 70 % of the square
    unit = s * 0.7 / 44
    d.ellipse([c - 22 * unit, c - 22 * unit, c + 22 * unit, c + 22 * unit], fill=WHITE)
    ring = 19 * unit
    d.ellipse([c - ring, c - ring, c + ring, c + ring], outline=GOLD, width=round(2 * unit))
    d.polygon(star(c, c + 0.6 * unit, 14.4 * unit, 5.6 * unit), fill=RED)
    im = im.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    im.save(OUT, "PNG", optimize=True)
    print(f"{OUT.relative_to(OUT.parents[2])}: {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
