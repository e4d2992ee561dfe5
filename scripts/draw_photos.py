#!/usr/bin/env python3
"""Draw the example photos of the bundled 桐溪县 branches.

Every photo under ``branches/<slug>/photos/`` is drawn here from simple shapes
(Pillow only, seeded random), so the repository carries no real photographs of
real people. Run from anywhere::

    python scripts/draw_photos.py

The output is byte-identical on every run with the same Pillow version: fixed
seeds, fixed JPEG quality search, no timestamps in any metadata.

A few files deliberately exercise the generator's photo step:

* two photos are stored SIDEWAYS with EXIF Orientation=6 (a viewer that applies
  the orientation shows them upright, portrait);
* two photos carry a made-up GPS block (EXIF GPSInfo IFD 0x8825) that the
  generator must strip before publishing.

Chinese text is drawn on banners when a CJK font is found; without one the
banners are drawn blank (the script never fails for a missing font).
"""

from __future__ import annotations

import io
import math
import random
import sys
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

ROOT = Path(__file__).resolve().parent.parent
BRANCHES = ROOT / "branches"

MAX_BYTES = 300 * 1024  # each photo at most 300 KB
TOTAL_MAX = 10 * 1024 * 1024  # all photos together at most 10 MB
TARGET_BYTES = 240 * 1024  # quality search aims below this
QUALITIES = (86, 82, 78, 74, 70, 66, 62, 58, 54, 50)

L = (1600, 1200)  # landscape 4:3
W = (1800, 1200)  # landscape 3:2
P = (1200, 1600)  # portrait 3:4

# slug -> list of (file, scene kind, size, options)
#   options: text = banner / sign text, sub = secondary text,
#            sideways = store rotated with EXIF Orientation 6,
#            gps = (lat, lon) written as a fake GPS block
PHOTOS: dict[str, list[tuple[str, str, tuple[int, int], dict]]] = {
    "hengchong-liancun": [
        (
            "center.jpg",
            "center",
            W,
            {"text": "横冲联村党员群众服务中心", "sub": "强村带弱村 三村一盘棋"},
        ),
        ("terraces.jpg", "terraces", L, {"text": "", "season": "summer"}),
        ("meeting.jpg", "meeting", L, {"text": "横冲联村党委季度联席会", "rows": 6}),
    ],
    "shimen-zhongxue": [
        (
            "campus.jpg",
            "center",
            W,
            {"text": "石门镇初级中学", "sub": "点亮山里娃的求学路", "wall": (236, 230, 218)},
        ),
        ("classroom.jpg", "classroom", L, {"text": "山里红烛 周末课堂"}),
    ],
    "jinguo-ningmeng": [
        ("orchard.jpg", "orchard", W, {"text": "金果柠檬示范基地"}),
        ("sorting.jpg", "workshop", L, {"text": "党员示范岗 柠檬分拣线", "goods": (238, 214, 52)}),
        ("field-school.jpg", "orchard", P, {"text": "柠檬田间课堂", "people": 6}),
    ],
    "liuhe-shequ": [
        ("banquet.jpg", "banquet", W, {"text": "柳河社区邻里节 百家宴"}),
        ("street.jpg", "street", L, {"text": "远亲不如近邻 党员就在身边"}),
        ("station.jpg", "center", P, {"text": "柳河社区党群服务站", "sub": "邻里一家亲"}),
    ],
    "dawan": [
        ("door.jpg", "door", P, {"text": "共产党员户", "sideways": True}),
        ("lane.jpg", "street", L, {"text": "一户一面旗 一户带十户", "village": True}),
    ],
    "chashan": [
        ("tea.jpg", "terraces", W, {"season": "tea", "gps": (27.3916, 118.6142)}),
        ("banquet.jpg", "banquet", L, {"text": "茶山村新春百家宴", "village": True}),
        ("workshop.jpg", "workshop", L, {"text": "茶山村集体制茶车间", "goods": (92, 128, 60)}),
    ],
    "yunling-jiguan": [
        ("center.jpg", "center", W, {"text": "云岭乡便民服务中心", "sub": "群众点单 干部进山"}),
        ("mountain.jpg", "terraces", L, {"season": "autumn", "people": 3}),
    ],
    "tonghua-shequ": [
        (
            "station.jpg",
            "center",
            L,
            {"text": "桐华社区党群服务中心", "sub": "小事不出楼 大事不出社区"},
        ),
        ("yard.jpg", "street", L, {"text": "红管家 进楼栋 办实事"}),
        ("meeting.jpg", "meeting", L, {"text": "桐华社区楼栋长议事会", "rows": 4}),
    ],
    "tongxi-shuiwu": [
        ("plant.jpg", "workshop", W, {"text": "清泉先锋 党员责任区", "water": True}),
        ("meeting.jpg", "meeting", L, {"text": "桐溪水务集团党委主题党日", "rows": 5}),
    ],
    "renmin-yiyuan": [
        (
            "building.jpg",
            "center",
            W,
            {"text": "桐溪县人民医院", "sub": "白衣红心 党员先锋岗", "cross": True},
        ),
        ("lecture.jpg", "meeting", L, {"text": "健康大讲堂 走进云岭乡", "rows": 5}),
        ("clinic.jpg", "classroom", P, {"text": "义诊咨询台", "sideways": True, "clinic": True}),
    ],
    "xikou": [
        ("hall.jpg", "hall", W, {"text": "溪口村文化礼堂"}),
        ("board.jpg", "board", P, {"text": "五美之星光荣榜"}),
        ("banquet.jpg", "banquet", L, {"text": "溪口村五美之星百家宴", "village": True}),
    ],
    "zhuyun-jiaju": [
        (
            "workshop.jpg",
            "workshop",
            W,
            {"text": "党员先锋岗 车间出精品", "goods": (196, 160, 104)},
        ),
        ("meeting.jpg", "meeting", L, {"text": "竹韵家居党支部技能比武", "rows": 4}),
    ],
    "shuangxi-xiaoxue": [
        ("classroom.jpg", "classroom", L, {"text": "红色故事我来讲"}),
        ("street.jpg", "street", L, {"text": "双溪镇中心小学 红领巾寻访路", "village": True}),
    ],
    "longtan": [
        ("hall.jpg", "hall", W, {"text": "龙潭村文化礼堂", "gps": (27.5208, 118.3377)}),
        ("lecture.jpg", "meeting", L, {"text": "龙潭村学“习”大讲堂", "rows": 6}),
        ("terraces.jpg", "terraces", L, {"season": "spring"}),
    ],
}

# slug -> (file, main colour, symbol) for the two drawn brand emblems
LOGOS = {
    "hengchong-liancun": ("logo.png", (196, 28, 36), "links"),
    "jinguo-ningmeng": ("logo.png", (200, 30, 40), "lemon"),
}

FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
]
_FONT_PATH: tuple[str, int] | None = None
for _path, _index in FONT_CANDIDATES:
    try:
        ImageFont.truetype(_path, 20, index=_index)
    except Exception:  # missing file, wrong index, no FreeType: try the next
        continue
    _FONT_PATH = (_path, _index)
    break


def font(size: int):
    if _FONT_PATH is None:
        return None
    return ImageFont.truetype(_FONT_PATH[0], size, index=_FONT_PATH[1])


def text_center(
    draw: ImageDraw.ImageDraw, xy, text: str, size: int, fill, max_width: int | None = None
):
    """Draw text centred on xy; shrink to max_width. No font: draw nothing."""
    if not text or _FONT_PATH is None:
        return
    f = font(size)
    if max_width:
        while size > 10 and draw.textlength(text, font=f) > max_width:
            size -= 2
            f = font(size)
    draw.text(xy, text, font=f, fill=fill, anchor="mm")


# ---------------------------------------------------------------- helpers


def vgrad(size, top, bottom) -> Image.Image:
    w, h = size
    g = Image.linear_gradient("L").resize((w, h))
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), g)


def paste_grad(img, box, top, bottom):
    x0, y0, x1, y1 = [int(v) for v in box]
    if x1 <= x0 or y1 <= y0:
        return
    img.paste(vgrad((x1 - x0, y1 - y0), top, bottom), (x0, y0))


def jitter(rng: random.Random, c, d=12):
    return tuple(max(0, min(255, v + rng.randint(-d, d))) for v in c)


def star(draw, cx, cy, r, fill):
    pts = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r if i % 2 == 0 else r * 0.38
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    draw.polygon(pts, fill=fill)


def emblem(draw, cx, cy, r):
    """Red disc with a gold ring and a gold five-pointed star."""
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(232, 188, 60))
    draw.ellipse((cx - r * 0.86, cy - r * 0.86, cx + r * 0.86, cy + r * 0.86), fill=(198, 26, 32))
    star(draw, cx, cy + r * 0.05, r * 0.62, (248, 210, 70))


def person(draw, rng, x, y, s, shirt=None, back=False):
    """A standing figure, feet at (x, y), height ~ s."""
    shirt = shirt or rng.choice(
        [
            (200, 40, 40),
            (40, 70, 140),
            (230, 230, 225),
            (60, 110, 70),
            (120, 90, 60),
            (210, 160, 60),
            (90, 90, 100),
        ]
    )
    pants = rng.choice([(40, 40, 50), (60, 60, 80), (30, 35, 60), (90, 80, 70)])
    hw = s * 0.13
    draw.rectangle((x - hw * 0.8, y - s * 0.45, x - hw * 0.1, y), fill=pants)
    draw.rectangle((x + hw * 0.1, y - s * 0.45, x + hw * 0.8, y), fill=pants)
    draw.rounded_rectangle(
        (x - hw, y - s * 0.82, x + hw, y - s * 0.42), radius=max(1, int(hw * 0.4)), fill=shirt
    )
    hr = s * 0.085
    draw.ellipse(
        (x - hr, y - s * 0.82 - hr * 2.1, x + hr, y - s * 0.82 + hr * 0.1),
        fill=(30, 26, 24) if back else (226, 186, 150),
    )
    if not back:
        draw.chord(
            (x - hr, y - s * 0.82 - hr * 2.15, x + hr, y - s * 0.82 - hr * 0.6),
            180,
            360,
            fill=(30, 26, 24),
        )


def seated_head(draw, rng, x, y, r):
    hair = rng.choice([(25, 22, 20), (40, 34, 30), (70, 66, 64), (150, 150, 150)])
    sh = rng.choice([(40, 60, 120), (230, 230, 228), (180, 40, 40), (60, 60, 66), (90, 120, 80)])
    draw.rounded_rectangle(
        (x - r * 1.5, y + r * 0.6, x + r * 1.5, y + r * 2.6), radius=int(r * 0.6), fill=sh
    )
    draw.ellipse((x - r, y - r, x + r, y + r), fill=hair)


def hills(img, rng, horizon, layers, colours):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    for i in range(layers):
        base = horizon - (layers - i) * h * 0.05
        amp = h * (0.09 - i * 0.015)
        ph1, ph2 = rng.uniform(0, 6.28), rng.uniform(0, 6.28)
        f1, f2 = rng.uniform(1.2, 2.4), rng.uniform(3, 6)
        pts = [(0, h)]
        for x in range(0, w + 20, 20):
            t = x / w
            y = (
                base
                - amp * (0.6 + 0.4 * math.sin(t * f1 * math.pi + ph1))
                - amp * 0.25 * math.sin(t * f2 * math.pi + ph2)
            )
            pts.append((x, y))
        pts.append((w, h))
        draw.polygon(pts, fill=colours[i])


def sky(img, horizon, top=(104, 160, 222), bottom=(206, 226, 242)):
    w, _ = img.size
    img.paste(vgrad((w, int(horizon)), top, bottom), (0, 0))


def clouds(img, rng, n, ymax):
    w, _ = img.size
    layer = Image.new("L", img.size, 0)
    d = ImageDraw.Draw(layer)
    for _ in range(n):
        cx, cy = rng.uniform(0, w), rng.uniform(ymax * 0.1, ymax * 0.7)
        for _ in range(7):
            rx, ry = rng.uniform(50, 140), rng.uniform(22, 50)
            ox, oy = rng.uniform(-120, 120), rng.uniform(-20, 20)
            d.ellipse((cx + ox - rx, cy + oy - ry, cx + ox + rx, cy + oy + ry), fill=170)
    layer = layer.filter(ImageFilter.GaussianBlur(18))
    img.paste(Image.new("RGB", img.size, (250, 250, 252)), (0, 0), layer)


def tree(draw, rng, x, y, s, fruit=None):
    draw.rectangle((x - s * 0.06, y - s * 0.45, x + s * 0.06, y), fill=(96, 70, 44))
    for _ in range(6):
        ox, oy = rng.uniform(-0.28, 0.28) * s, rng.uniform(-0.85, -0.45) * s
        r = rng.uniform(0.2, 0.3) * s
        draw.ellipse(
            (x + ox - r, y + oy - r, x + ox + r, y + oy + r), fill=jitter(rng, (58, 118, 52), 18)
        )
    if fruit:
        for _ in range(int(s / 40) + 2):
            fx, fy = x + rng.uniform(-0.36, 0.36) * s, y + rng.uniform(-0.95, -0.4) * s
            fr = s * 0.022
            draw.ellipse(
                (fx - fr, fy - fr * 1.25, fx + fr, fy + fr * 1.25), fill=jitter(rng, fruit, 10)
            )


def red_banner(draw, box, text, text_fill=(250, 226, 120), size=None):
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(200, 28, 34))
    draw.rectangle((x0, y0, x1, y0 + 4), fill=(150, 16, 20))
    draw.rectangle((x0, y1 - 4, x1, y1), fill=(150, 16, 20))
    size = size or int((y1 - y0) * 0.62)
    text_center(
        draw, ((x0 + x1) / 2, (y0 + y1) / 2), text, size, text_fill, max_width=int((x1 - x0) * 0.92)
    )


def lanterns(draw, y, xs, r):
    for x in xs:
        draw.line((x, y - r * 1.6, x, y - r), fill=(60, 40, 30), width=3)
        draw.ellipse((x - r, y - r, x + r, y + r * 1.1), fill=(214, 30, 34))
        draw.rectangle((x - r * 0.4, y - r * 1.05, x + r * 0.4, y - r * 0.85), fill=(230, 180, 60))
        draw.line((x, y + r * 1.1, x, y + r * 1.7), fill=(230, 180, 60), width=4)


# ---------------------------------------------------------------- scenes


def scene_center(img, rng, o):
    """Service-centre building: red sign banner and emblem above the door."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    horizon = h * 0.62
    sky(img, horizon)
    clouds(img, rng, 4, horizon * 0.5)
    hills(img, rng, horizon, 2, [(150, 176, 168), (118, 150, 120)])
    paste_grad(img, (0, horizon, w, h), (168, 166, 160), (120, 118, 114))
    # paving lines
    for i in range(12):
        y = horizon + (h - horizon) * (i / 12) ** 1.6
        d.line((0, y, w, y), fill=(140, 138, 132), width=2)
    bw = w * (0.8 if w > h else 0.86)
    bx0, bx1 = (w - bw) / 2, (w + bw) / 2
    floors = 3 if w > h else 4
    bt = h * (0.2 if w > h else 0.16)
    bb = horizon + h * 0.08
    wall = o.get("wall", (240, 236, 226))
    paste_grad(img, (bx0, bt, bx1, bb), wall, tuple(v - 26 for v in wall))
    d.rectangle((bx0 - 14, bt - 22, bx1 + 14, bt), fill=(126, 70, 52))
    d.rectangle((bx0 - 14, bt - 28, bx1 + 14, bt - 20), fill=(96, 52, 40))
    fh = (bb - bt) / floors
    cols = 10 if w > h else 6
    cw = bw / cols
    for f in range(floors - 1):
        for c in range(cols):
            if f == floors - 2 and cols // 2 - 1 <= c <= cols // 2:
                continue
            x0 = bx0 + c * cw + cw * 0.18
            y0 = bt + f * fh + fh * 0.2
            paste_grad(
                img, (x0, y0, x0 + cw * 0.64, y0 + fh * 0.58), (120, 150, 176), (70, 96, 120)
            )
            d.rectangle((x0, y0, x0 + cw * 0.64, y0 + fh * 0.58), outline=(220, 220, 214), width=4)
            d.line(
                (x0 + cw * 0.32, y0, x0 + cw * 0.32, y0 + fh * 0.58), fill=(220, 220, 214), width=3
            )
    # sign banner over ground floor, emblem above it
    sy0 = bt + (floors - 1) * fh + fh * 0.04
    red_banner(d, (bx0 + bw * 0.08, sy0, bx1 - bw * 0.08, sy0 + fh * 0.3), o.get("text", ""))
    ecy = bt + (floors - 2) * fh + fh * 0.5
    if o.get("cross"):
        cx = w / 2
        r = fh * 0.34
        d.rectangle((cx - r, ecy - r * 0.32, cx + r, ecy + r * 0.32), fill=(214, 36, 40))
        d.rectangle((cx - r * 0.32, ecy - r, cx + r * 0.32, ecy + r), fill=(214, 36, 40))
        emblem(d, bx0 + bw * 0.2, ecy, fh * 0.3)
    else:
        emblem(d, w / 2, ecy, fh * 0.36)
    # door
    dy0 = sy0 + fh * 0.36
    dw = bw * (0.16 if w > h else 0.3)
    paste_grad(img, (w / 2 - dw / 2, dy0, w / 2 + dw / 2, bb), (70, 90, 104), (40, 52, 60))
    d.line((w / 2, dy0, w / 2, bb), fill=(190, 190, 186), width=4)
    d.rectangle((w / 2 - dw / 2, dy0, w / 2 + dw / 2, bb), outline=(190, 190, 186), width=6)
    # secondary slogan board on the side
    if o.get("sub"):
        sx0 = bx0 + bw * 0.05
        sx1 = bx0 + bw * (0.3 if w > h else 0.36)
        d.rectangle(
            (sx0, dy0 + fh * 0.05, sx1, dy0 + fh * 0.35),
            fill=(250, 246, 236),
            outline=(196, 30, 34),
            width=5,
        )
        text_center(
            d,
            ((sx0 + sx1) / 2, dy0 + fh * 0.2),
            o["sub"],
            int(fh * 0.12),
            (196, 30, 34),
            max_width=int(sx1 - sx0 - 20),
        )
    # flag pole
    fx = bx1 + (w - bx1) * 0.45 if w > h else bx1 - bw * 0.1
    fy = horizon + h * 0.15
    d.rectangle((fx - 4, h * 0.12, fx + 4, fy), fill=(200, 200, 204))
    d.polygon(
        [
            (fx + 4, h * 0.13),
            (fx + 4 + h * 0.12, h * 0.15),
            (fx + 4 + h * 0.11, h * 0.2),
            (fx + 4, h * 0.2),
        ],
        fill=(212, 30, 36),
    )
    star(d, fx + 4 + h * 0.025, h * 0.155, h * 0.012, (250, 214, 70))
    # shrubs and trees
    for x in (w * 0.03, w * 0.97):
        tree(d, rng, x, bb + h * 0.06, h * 0.42)
    for i in range(16):
        x = bx0 + bw * i / 15
        r = rng.uniform(18, 34)
        d.ellipse((x - r, bb - r * 0.7, x + r, bb + r * 0.7), fill=jitter(rng, (70, 128, 64), 16))
    for _ in range(rng.randint(3, 6)):
        person(
            d,
            rng,
            rng.uniform(w * 0.1, w * 0.9),
            rng.uniform(bb + h * 0.06, h * 0.95),
            h * rng.uniform(0.16, 0.22),
        )


def scene_meeting(img, rng, o):
    """Meeting hall: red backdrop with title and emblem, rows of chairs."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    paste_grad(img, (0, 0, w, h * 0.55), (222, 214, 198), (204, 194, 176))
    paste_grad(img, (0, h * 0.55, w, h), (150, 110, 80), (110, 78, 56))
    d.rectangle((0, 0, w, h * 0.07), fill=(236, 232, 224))
    for x in range(0, w, w // 6):
        d.rectangle((x + w * 0.04, h * 0.02, x + w * 0.12, h * 0.045), fill=(255, 252, 236))
    # backdrop
    bx0, bx1, by0, by1 = w * 0.18, w * 0.82, h * 0.1, h * 0.44
    paste_grad(img, (bx0, by0, bx1, by1), (208, 34, 36), (168, 20, 26))
    emblem(d, w / 2, by0 + (by1 - by0) * 0.3, (by1 - by0) * 0.18)
    text_center(
        d,
        (w / 2, by0 + (by1 - by0) * 0.7),
        o.get("text", ""),
        int((by1 - by0) * 0.17),
        (252, 224, 110),
        max_width=int((bx1 - bx0) * 0.9),
    )
    for x in (w * 0.07, w * 0.93):
        d.rectangle((x - w * 0.05, h * 0.08, x + w * 0.05, h * 0.55), fill=(188, 40, 44))
        d.rectangle((x - w * 0.05, h * 0.08, x + w * 0.05, h * 0.1), fill=(150, 22, 28))
    # top table
    d.rectangle((w * 0.3, h * 0.46, w * 0.7, h * 0.53), fill=(246, 246, 242))
    d.rectangle((w * 0.3, h * 0.46, w * 0.7, h * 0.475), fill=(200, 34, 38))
    for i in range(4):
        x = w * (0.36 + i * 0.093)
        seated_head(d, rng, x, h * 0.415, h * 0.017)
        d.rectangle(
            (x - 18, h * 0.46 - 22, x + 18, h * 0.46 - 4),
            fill=(250, 250, 250),
            outline=(120, 30, 30),
        )
    # rows of chairs, back to front
    rows = o.get("rows", 5)
    for r in range(rows):
        t = r / max(1, rows - 1)
        y = h * (0.58 + 0.38 * t**1.1)
        s = h * (0.03 + 0.06 * t)
        n = int(14 - 6 * t)
        span = w * (0.62 + 0.42 * t)
        for c in range(n):
            x = w / 2 - span / 2 + span * (c + 0.5) / n
            d.rounded_rectangle(
                (x - s * 0.9, y - s * 1.6, x + s * 0.9, y), radius=int(s * 0.25), fill=(160, 30, 36)
            )
            if rng.random() < 0.8:
                seated_head(d, rng, x, y - s * 2.0, s * 0.38)
            d.rectangle((x - s * 0.9, y - s * 0.3, x + s * 0.9, y + s * 0.15), fill=(120, 20, 26))


def scene_terraces(img, rng, o):
    """Terraced fields / tea rows below hills and sky."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    season = o.get("season", "summer")
    horizon = h * 0.38
    sky(
        img,
        horizon + h * 0.05,
        (96, 150, 214) if season != "autumn" else (120, 160, 206),
        (214, 228, 238),
    )
    clouds(img, rng, 5, horizon * 0.8)
    hills(img, rng, horizon + h * 0.02, 3, [(150, 170, 182), (110, 140, 130), (84, 118, 86)])
    palette = {
        "summer": [(92, 150, 62), (112, 168, 70), (80, 136, 54)],
        "spring": [(150, 190, 84), (176, 204, 96), (120, 170, 70), (214, 200, 80)],
        "autumn": [(206, 170, 70), (190, 150, 60), (170, 160, 70)],
        "tea": [(54, 112, 58), (66, 126, 62), (46, 100, 52)],
    }[season]
    y = horizon
    band = h * 0.035
    i = 0
    ph = rng.uniform(0, 6.28)
    while y < h + band:
        amp = band * 0.9
        pts_top = [
            (x, y + amp * math.sin(x / w * 3.1 + ph + i * 0.35)) for x in range(0, w + 20, 20)
        ]
        pts_bot = [(x, yy + band) for x, yy in reversed(pts_top)]
        d.polygon(pts_top + pts_bot, fill=jitter(rng, palette[i % len(palette)], 10))
        d.line(
            pts_top,
            fill=(196, 184, 140) if season != "tea" else (96, 84, 60),
            width=max(2, int(band * 0.12)),
        )
        if season == "tea":
            for x in range(0, w + 30, 30):
                yy = y + amp * math.sin(x / w * 3.1 + ph + i * 0.35) + band * 0.45
                r = band * 0.42
                d.ellipse(
                    (x - r * 1.2, yy - r, x + r * 1.2, yy + r * 0.6),
                    fill=jitter(rng, (40, 96, 46), 14),
                )
        y += band
        band *= 1.12
        i += 1
    if season == "tea":
        for k in range(4):
            person(
                d,
                rng,
                w * (0.25 + k * 0.16),
                h * (0.74 + 0.04 * (k % 2)),
                h * 0.16,
                shirt=[(210, 50, 50), (240, 240, 236), (50, 80, 150), (210, 160, 60)][k],
            )
    for k in range(o.get("people", 0)):
        x = w * (0.3 + k * 0.12)
        person(d, rng, x, h * (0.82 + 0.03 * k), h * 0.17)
        d.rounded_rectangle(
            (
                x + h * 0.01,
                h * (0.82 + 0.03 * k) - h * 0.15,
                x + h * 0.05,
                h * (0.82 + 0.03 * k) - h * 0.08,
            ),
            radius=6,
            fill=(150, 110, 60),
        )
    if season == "autumn" or o.get("people"):
        # a red flag planted on a ridge
        fx, fy = w * 0.78, h * 0.6
        d.line((fx, fy, fx, fy - h * 0.16), fill=(90, 70, 50), width=5)
        d.polygon(
            [(fx, fy - h * 0.16), (fx + h * 0.09, fy - h * 0.14), (fx, fy - h * 0.11)],
            fill=(214, 30, 36),
        )


def scene_orchard(img, rng, o):
    """Lemon orchard: rows of trees with yellow fruit, a red sign."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    horizon = h * 0.4
    sky(img, horizon + 10)
    clouds(img, rng, 4, horizon * 0.8)
    hills(img, rng, horizon, 2, [(140, 166, 170), (104, 140, 110)])
    paste_grad(img, (0, horizon, w, h), (120, 160, 70), (86, 124, 50))
    rows = 7
    for r in range(rows):
        t = r / (rows - 1)
        y = horizon + (h - horizon) * (0.05 + 0.95 * t**1.5)
        s = h * (0.08 + 0.42 * t**1.5)
        n = int(16 - 11 * t)
        for c in range(n):
            x = w * (c + 0.5 + (0.5 if r % 2 else 0)) / n - w * 0.25 / n
            tree(d, rng, x, y, s, fruit=(238, 212, 40))
    if o.get("text"):
        sx, sy = w * 0.5, h * 0.5
        sw = w * 0.3 if w > h else w * 0.6
        d.rectangle((sx - sw * 0.45, sy, sx - sw * 0.42, sy + h * 0.12), fill=(90, 90, 92))
        d.rectangle((sx + sw * 0.42, sy, sx + sw * 0.45, sy + h * 0.12), fill=(90, 90, 92))
        red_banner(d, (sx - sw / 2, sy - h * 0.06, sx + sw / 2, sy + h * 0.01), o["text"])
    for k in range(o.get("people", 3)):
        person(
            d,
            rng,
            w * (0.2 + 0.6 * (k + 0.5) / max(1, o.get("people", 3))),
            h * (0.93 - 0.03 * (k % 2)),
            h * 0.22,
        )


def building_side(img, d, rng, pts, colour, village):
    d.polygon(pts, fill=colour)


def scene_street(img, rng, o):
    """Street or village lane in perspective, red banner strung across."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    vx, vy = w * 0.5, h * 0.46
    sky(img, vy + 20)
    clouds(img, rng, 3, vy * 0.8)
    village = o.get("village", False)
    paste_grad(
        img,
        (0, vy, w, h),
        (150, 148, 142) if not village else (176, 166, 146),
        (96, 94, 90) if not village else (134, 122, 100),
    )
    # road edges
    d.polygon(
        [(vx - 20, vy), (vx + 20, vy), (w * 0.85, h), (w * 0.15, h)],
        fill=(90, 90, 94) if not village else (160, 150, 132),
    )
    if not village:
        for i in range(9):
            t0, t1 = (i / 9) ** 2, ((i + 0.5) / 9) ** 2
            d.polygon(
                [
                    (vx - 2 - 8 * t0, vy + (h - vy) * t0),
                    (vx + 2 + 8 * t0, vy + (h - vy) * t0),
                    (vx + 2 + 8 * t1, vy + (h - vy) * t1),
                    (vx - 2 - 8 * t1, vy + (h - vy) * t1),
                ],
                fill=(236, 236, 230),
            )
    # buildings on each side, as receding blocks
    for side in (-1, 1):
        for k in range(6):
            t0 = 1 - k / 6
            t1 = 1 - (k + 1) / 6
            xa = vx + side * (w * 0.62 * t0 + 20)
            xb = vx + side * (w * 0.62 * t1 + 20)
            hgt_a = (h * 0.95 if not village else h * 0.62) * t0 + 30
            hgt_b = (h * 0.95 if not village else h * 0.62) * t1 + 30
            ya = vy + (h * 0.56) * t0
            yb = vy + (h * 0.56) * t1
            col = jitter(rng, (226, 220, 206) if village else (208, 200, 190), 18)
            d.polygon([(xa, ya), (xb, yb), (xb, yb - hgt_b), (xa, ya - hgt_a)], fill=col)
            if village:
                d.polygon(
                    [
                        (xa, ya - hgt_a),
                        (xb, yb - hgt_b),
                        (xb, yb - hgt_b - 14 * t1 - 6),
                        (xa, ya - hgt_a - 40 * t0 - 6),
                    ],
                    fill=(70, 70, 76),
                )
            # windows
            for j in range(4 if not village else 2):
                fy = 0.22 + j * (0.2 if not village else 0.34)
                wx0, wx1 = xa + (xb - xa) * 0.25, xa + (xb - xa) * 0.7
                wy0a, wy0b = ya - hgt_a * (fy + 0.15), yb - hgt_b * (fy + 0.15)
                wy1a, wy1b = ya - hgt_a * fy, yb - hgt_b * fy
                m = lambda a, b, x: a + (b - a) * (x - xa) / (xb - xa) if xb != xa else a
                d.polygon(
                    [
                        (wx0, m(wy0a, wy0b, wx0)),
                        (wx1, m(wy0a, wy0b, wx1)),
                        (wx1, m(wy1a, wy1b, wx1)),
                        (wx0, m(wy1a, wy1b, wx0)),
                    ],
                    fill=(96, 116, 132),
                )
    # banner across
    by = h * 0.2
    bx0, bx1 = w * 0.12, w * 0.88
    d.line((0, by - 20, bx0, by + 10), fill=(60, 60, 60), width=4)
    d.line((bx1, by + 10, w, by - 20), fill=(60, 60, 60), width=4)
    red_banner(d, (bx0, by, bx1, by + h * 0.075), o.get("text", ""))
    lanterns(d, by + h * 0.16, [w * 0.2, w * 0.34, w * 0.66, w * 0.8], h * 0.025)
    # passers-by
    for _ in range(rng.randint(6, 10)):
        t = rng.uniform(0.15, 1.0)
        x = vx + rng.uniform(-0.3, 0.3) * w * t
        y = vy + (h - vy) * t
        person(d, rng, x, y, h * 0.26 * t + 10, back=rng.random() < 0.4)


def scene_classroom(img, rng, o):
    """Classroom (or clinic desk): blackboard with chalk text, desks, pupils."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    clinic = o.get("clinic", False)
    paste_grad(
        img,
        (0, 0, w, h * 0.6),
        (238, 236, 226) if not clinic else (232, 240, 242),
        (220, 216, 204) if not clinic else (214, 226, 230),
    )
    paste_grad(
        img,
        (0, h * 0.6, w, h),
        (176, 156, 126) if not clinic else (186, 190, 188),
        (140, 120, 96) if not clinic else (150, 154, 152),
    )
    # windows on the left
    for i in range(2):
        x0 = w * 0.02 + i * w * 0.1
        paste_grad(img, (x0, h * 0.12, x0 + w * 0.08, h * 0.5), (200, 226, 246), (240, 248, 252))
        d.rectangle((x0, h * 0.12, x0 + w * 0.08, h * 0.5), outline=(240, 240, 236), width=8)
    if clinic:
        red_banner(d, (w * 0.12, h * 0.1, w * 0.88, h * 0.18), "桐溪县人民医院党员义诊")
        d.rectangle((w * 0.1, h * 0.55, w * 0.9, h * 0.7), fill=(246, 246, 244))
        d.rectangle((w * 0.1, h * 0.55, w * 0.9, h * 0.58), fill=(200, 34, 38))
        text_center(
            d,
            (w / 2, h * 0.64),
            o.get("text", ""),
            int(h * 0.04),
            (200, 34, 38),
            max_width=int(w * 0.7),
        )
        for k in range(2):
            x = w * (0.3 + 0.4 * k)
            seated_head(d, rng, x, h * 0.47, h * 0.03)
            d.rectangle((x - h * 0.045, h * 0.5, x + h * 0.045, h * 0.55), fill=(250, 250, 250))
        for k in range(3):
            person(d, rng, w * (0.2 + 0.3 * k), h * 0.99, h * 0.27, back=True)
        return
    bx0, bx1, by0, by1 = w * 0.3, w * 0.9, h * 0.14, h * 0.45
    d.rectangle((bx0 - 12, by0 - 12, bx1 + 12, by1 + 12), fill=(140, 110, 70))
    paste_grad(img, (bx0, by0, bx1, by1), (44, 84, 64), (34, 70, 54))
    text_center(
        d,
        ((bx0 + bx1) / 2, by0 + (by1 - by0) * 0.35),
        o.get("text", ""),
        int((by1 - by0) * 0.2),
        (238, 238, 230),
        max_width=int((bx1 - bx0) * 0.9),
    )
    for k in range(5):
        d.line(
            (
                bx0 + (bx1 - bx0) * 0.15,
                by0 + (by1 - by0) * (0.6 + k * 0.07),
                bx0 + (bx1 - bx0) * rng.uniform(0.5, 0.85),
                by0 + (by1 - by0) * (0.6 + k * 0.07),
            ),
            fill=(210, 214, 204),
            width=3,
        )
    emblem(d, (bx0 + bx1) / 2, by0 - h * 0.05, h * 0.035)
    # teacher
    person(d, rng, bx0 + (bx1 - bx0) * 0.12, h * 0.6, h * 0.34, shirt=(200, 40, 40))
    # desks
    for r in range(4):
        t = r / 3
        y = h * (0.62 + 0.34 * t)
        s = h * (0.05 + 0.06 * t)
        n = 6 - (r // 2)
        for c in range(n):
            x = w * (0.1 + 0.85 * (c + 0.5) / n)
            seated_head(d, rng, x, y - s * 1.7, s * 0.5)
            d.rectangle((x - s * 1.6, y - s * 0.6, x + s * 1.6, y), fill=(196, 150, 96))
            d.rectangle((x - s * 1.6, y - s * 0.6, x + s * 1.6, y - s * 0.5), fill=(224, 186, 130))
            d.rectangle((x - s * 0.5, y - s * 0.62, x + s * 0.4, y - s * 0.5), fill=(248, 248, 244))


def scene_workshop(img, rng, o):
    """Factory / workshop floor: beams, lights, machines, a conveyor with goods."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    paste_grad(img, (0, 0, w, h * 0.55), (196, 200, 204), (170, 176, 180))
    paste_grad(img, (0, h * 0.55, w, h), (150, 170, 160), (100, 118, 110))
    for i in range(8):
        x = w * i / 7
        d.line((x, 0, w / 2 + (x - w / 2) * 0.5, h * 0.3), fill=(140, 146, 150), width=6)
    for k in range(5):
        x = w * (0.15 + 0.175 * k)
        d.rectangle((x - w * 0.04, h * 0.06, x + w * 0.04, h * 0.075), fill=(252, 252, 240))
    red_banner(d, (w * 0.15, h * 0.12, w * 0.85, h * 0.2), o.get("text", ""))
    # wall of machines
    for k in range(6):
        x0 = w * (0.02 + k * 0.165)
        col = jitter(rng, (70, 112, 160), 20)
        d.rectangle((x0, h * 0.3, x0 + w * 0.14, h * 0.55), fill=col)
        d.rectangle((x0 + w * 0.02, h * 0.33, x0 + w * 0.07, h * 0.4), fill=(200, 220, 220))
        d.ellipse((x0 + w * 0.09, h * 0.34, x0 + w * 0.12, h * 0.38), fill=(220, 60, 50))
    if o.get("water"):
        # clear-water pool with railings and a blue pipe run (water plant)
        d.polygon(
            [(w * 0.3, h * 0.58), (w * 0.7, h * 0.58), (w * 0.98, h * 0.92), (w * 0.02, h * 0.92)],
            fill=(200, 204, 200),
        )
        pool = vgrad((int(w * 0.8), int(h * 0.3)), (96, 150, 170), (60, 116, 140))
        mask = Image.new("L", pool.size, 0)
        pw, phh = pool.size
        ImageDraw.Draw(mask).polygon(
            [(pw * 0.16, 0), (pw * 0.84, 0), (pw, phh), (0, phh)], fill=255
        )
        img.paste(pool, (int(w * 0.1), int(h * 0.6)), mask)
        for k in range(14):
            y = h * 0.62 + k * h * 0.02
            d.line((w * 0.35 - k * 8, y, w * 0.65 + k * 8, y), fill=(130, 180, 196), width=2)
        d.line((w * 0.02, h * 0.9, w * 0.3, h * 0.57), fill=(230, 196, 40), width=8)
        d.line((w * 0.98, h * 0.9, w * 0.7, h * 0.57), fill=(230, 196, 40), width=8)
        d.rectangle((0, h * 0.47, w, h * 0.5), fill=(60, 110, 170))
        d.rectangle((0, h * 0.52, w, h * 0.54), fill=(60, 110, 170))
        for k, x in enumerate((w * 0.2, w * 0.8, w * 0.45)):
            person(
                d,
                rng,
                x,
                h * (0.97 if k < 2 else 0.6),
                h * (0.36 if k < 2 else 0.16),
                shirt=(60, 90, 150) if k else (200, 40, 40),
            )
        return
    # conveyor in perspective
    d.polygon(
        [(w * 0.42, h * 0.56), (w * 0.58, h * 0.56), (w * 0.85, h), (w * 0.15, h)],
        fill=(60, 64, 70),
    )
    d.polygon(
        [(w * 0.44, h * 0.56), (w * 0.56, h * 0.56), (w * 0.78, h), (w * 0.22, h)],
        fill=(36, 38, 42),
    )
    goods = o.get("goods", (200, 180, 80))
    for i in range(60):
        t = rng.uniform(0.02, 1.0)
        y = h * 0.56 + (h * 0.44) * t
        half = w * (0.06 + 0.28 * t)
        x = w / 2 + rng.uniform(-half, half)
        r = 4 + 26 * t
        d.ellipse((x - r, y - r * 0.8, x + r, y + r * 0.8), fill=jitter(rng, goods, 14))
    for k, side in enumerate((-1, 1, -1, 1)):
        t = 0.4 + 0.2 * (k // 2)
        x = w / 2 + side * w * (0.1 + 0.33 * t)
        person(
            d,
            rng,
            x,
            h * 0.56 + h * 0.44 * t,
            h * 0.5 * t,
            shirt=(60, 90, 150) if k % 2 else (200, 40, 40),
        )


def scene_banquet(img, rng, o):
    """百家宴: round tables with red cloths in a square, lanterns, banner."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    horizon = h * 0.36
    sky(img, horizon + 10, (120, 168, 220), (220, 230, 236))
    village = o.get("village", False)
    # houses behind
    for k in range(7):
        x0 = w * (k / 7) - 20
        hh = h * rng.uniform(0.12, 0.2)
        col = (236, 232, 222) if village else jitter(rng, (214, 206, 192), 10)
        d.rectangle((x0, horizon - hh, x0 + w / 7 + 10, horizon + 20), fill=col)
        if village:
            d.polygon(
                [
                    (x0 - 16, horizon - hh),
                    (x0 + w / 14, horizon - hh - h * 0.06),
                    (x0 + w / 7 + 26, horizon - hh),
                ],
                fill=(66, 68, 74),
            )
        for j in range(2):
            d.rectangle(
                (
                    x0 + w * 0.03 + j * w * 0.06,
                    horizon - hh * 0.6,
                    x0 + w * 0.055 + j * w * 0.06,
                    horizon - hh * 0.25,
                ),
                fill=(90, 104, 116),
            )
    paste_grad(img, (0, horizon + 20, w, h), (186, 176, 160), (150, 140, 126))
    red_banner(d, (w * 0.22, h * 0.05, w * 0.78, h * 0.12), o.get("text", ""))
    d.line((0, h * 0.2, w, h * 0.17), fill=(70, 50, 40), width=3)
    lanterns(
        d, h * 0.22, [w * x for x in (0.06, 0.18, 0.3, 0.42, 0.58, 0.7, 0.82, 0.94)], h * 0.022
    )
    # tables, back rows first
    for r in range(4):
        t = r / 3
        y = horizon + (h - horizon) * (0.15 + 0.72 * t)
        rx = w * (0.05 + 0.07 * t)
        ry = rx * (0.28 + 0.08 * t)
        n = 6 - r
        for c in range(n):
            x = w * (c + 0.5) / n + rng.uniform(-20, 20)
            # people behind table
            for k in range(5):
                a = math.pi + math.pi * (k + 0.5) / 5
                px, py = x + rx * 1.05 * math.cos(a), y + ry * 1.05 * math.sin(a)
                seated_head(d, rng, px, py - rx * 0.35, rx * 0.12)
            d.ellipse((x - rx, y - ry, x + rx, y + ry), fill=(196, 30, 36))
            d.rectangle((x - rx, y, x + rx, y + ry * 0.9), fill=(176, 24, 30))
            d.ellipse((x - rx, y - ry, x + rx, y + ry), fill=(208, 36, 40))
            for k in range(9):
                a = 2 * math.pi * k / 9 + r
                px, py = x + rx * 0.55 * math.cos(a), y + ry * 0.55 * math.sin(a)
                pr = rx * 0.09
                d.ellipse((px - pr, py - pr * 0.6, px + pr, py + pr * 0.6), fill=(246, 246, 240))
                d.ellipse(
                    (px - pr * 0.6, py - pr * 0.36, px + pr * 0.6, py + pr * 0.36),
                    fill=rng.choice([(190, 110, 50), (80, 140, 60), (220, 180, 80), (150, 60, 40)]),
                )
    for _ in range(3):
        person(
            d, rng, rng.uniform(w * 0.05, w * 0.95), h * rng.uniform(0.9, 0.99), h * 0.3, back=True
        )


def scene_hall(img, rng, o):
    """文化礼堂: white-walled hall, dark tiled roof with upturned eaves, plaque, lanterns."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    horizon = h * 0.62
    sky(img, horizon)
    clouds(img, rng, 3, h * 0.3)
    hills(img, rng, horizon - h * 0.1, 2, [(140, 166, 170), (100, 136, 112)])
    paste_grad(img, (0, horizon, w, h), (190, 184, 172), (150, 144, 132))
    for i in range(10):
        y = horizon + (h - horizon) * (i / 10) ** 1.5
        d.line((0, y, w, y), fill=(170, 164, 152), width=2)
    bx0, bx1 = w * 0.14, w * 0.86
    wall_top, wall_bot = h * 0.33, horizon + h * 0.04
    paste_grad(img, (bx0, wall_top, bx1, wall_bot), (246, 244, 238), (220, 216, 206))
    d.rectangle((bx0, wall_bot - h * 0.04, bx1, wall_bot), fill=(120, 118, 114))
    # roof with upturned eaves
    ry = wall_top
    roof = [
        (bx0 - w * 0.08, ry - h * 0.03),
        (bx0 - w * 0.03, ry + h * 0.01),
        (bx1 + w * 0.03, ry + h * 0.01),
        (bx1 + w * 0.08, ry - h * 0.03),
        (bx1 - w * 0.05, ry - h * 0.13),
        (bx0 + w * 0.05, ry - h * 0.13),
    ]
    d.polygon(roof, fill=(62, 64, 70))
    for k in range(40):
        x = bx0 - w * 0.02 + (bx1 - bx0 + w * 0.04) * k / 39
        d.line(
            (x, ry + h * 0.005, x + (x - w / 2) * 0.05, ry - h * 0.12), fill=(48, 50, 56), width=3
        )
    d.rectangle((bx0 + w * 0.04, ry - h * 0.15, bx1 - w * 0.04, ry - h * 0.125), fill=(40, 42, 48))
    # wooden columns and door
    for x in (bx0 + w * 0.05, w * 0.38, w * 0.62, bx1 - w * 0.05):
        d.rectangle((x - 14, wall_top + h * 0.02, x + 14, wall_bot - h * 0.04), fill=(128, 44, 36))
    dx0, dx1 = w * 0.42, w * 0.58
    d.rectangle((dx0, h * 0.44, dx1, wall_bot - h * 0.04), fill=(110, 44, 34))
    d.line((w / 2, h * 0.44, w / 2, wall_bot - h * 0.04), fill=(70, 26, 20), width=5)
    for cx in (w / 2 - (dx1 - dx0) * 0.12, w / 2 + (dx1 - dx0) * 0.12):
        d.ellipse((cx - 8, h * 0.55 - 8, cx + 8, h * 0.55 + 8), fill=(220, 180, 70))
    # plaque
    px0, px1, py0, py1 = w * 0.4, w * 0.6, h * 0.355, h * 0.425
    d.rectangle((px0 - 8, py0 - 8, px1 + 8, py1 + 8), fill=(200, 160, 60))
    d.rectangle((px0, py0, px1, py1), fill=(36, 30, 28))
    text_center(
        d,
        (w / 2, (py0 + py1) / 2),
        o.get("text", ""),
        int((py1 - py0) * 0.55),
        (236, 196, 90),
        max_width=int((px1 - px0) * 0.92),
    )
    # couplets
    for x in (dx0 - w * 0.04, dx1 + w * 0.02):
        d.rectangle((x, h * 0.44, x + w * 0.02, h * 0.6), fill=(204, 30, 36))
    lanterns(d, h * 0.43, [w * 0.3, w * 0.7], h * 0.03)
    # windows with lattice
    for x in (w * 0.2, w * 0.72):
        d.rectangle((x, h * 0.42, x + w * 0.08, h * 0.54), fill=(120, 80, 50))
        for k in range(1, 4):
            d.line(
                (x + w * 0.02 * k, h * 0.42, x + w * 0.02 * k, h * 0.54),
                fill=(200, 170, 120),
                width=3,
            )
            d.line(
                (x, h * 0.42 + h * 0.03 * k, x + w * 0.08, h * 0.42 + h * 0.03 * k),
                fill=(200, 170, 120),
                width=3,
            )
    tree(d, rng, w * 0.05, horizon + h * 0.1, h * 0.5)
    tree(d, rng, w * 0.95, horizon + h * 0.08, h * 0.45)
    for _ in range(rng.randint(4, 7)):
        person(
            d, rng, rng.uniform(w * 0.1, w * 0.9), rng.uniform(horizon + h * 0.1, h * 0.97), h * 0.2
        )


def scene_door(img, rng, o):
    """Portrait: a village house door with a red 共产党员户 plaque and couplets."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    paste_grad(img, (0, 0, w, h * 0.85), (236, 232, 222), (214, 208, 196))
    paste_grad(img, (0, h * 0.85, w, h), (150, 146, 138), (120, 116, 108))
    # eave at the top
    d.polygon([(0, 0), (w, 0), (w, h * 0.08), (0, h * 0.1)], fill=(60, 62, 68))
    for k in range(24):
        x = w * k / 23
        d.line((x, 0, x, h * 0.09), fill=(46, 48, 54), width=4)
    # door
    dx0, dx1, dy0, dy1 = w * 0.3, w * 0.7, h * 0.3, h * 0.86
    d.rectangle((dx0 - 30, dy0 - 30, dx1 + 30, dy1), fill=(150, 140, 126))
    paste_grad(img, (dx0, dy0, dx1, dy1), (140, 54, 40), (104, 36, 28))
    d.line((w / 2, dy0, w / 2, dy1), fill=(70, 24, 18), width=6)
    for cx in (w / 2 - 40, w / 2 + 40):
        d.ellipse((cx - 14, h * 0.6 - 14, cx + 14, h * 0.6 + 14), fill=(222, 184, 72))
    # couplets and lintel
    red_banner(
        d, (dx0 - 10, dy0 - 28 - h * 0.06, dx1 + 10, dy0 - 28), "党恩浩荡", size=int(h * 0.04)
    )
    for x, txt in ((dx0 - w * 0.13, "一户带十户"), (dx1 + w * 0.05, "党员作表率")):
        d.rectangle((x, dy0, x + w * 0.08, dy0 + h * 0.42), fill=(204, 30, 36))
        if _FONT_PATH:
            for i, ch in enumerate(txt):
                text_center(
                    d,
                    (x + w * 0.04, dy0 + h * 0.05 + i * h * 0.08),
                    ch,
                    int(w * 0.05),
                    (30, 24, 20),
                )
    # plaque
    px0, px1, py0, py1 = w * 0.3, w * 0.7, h * 0.13, h * 0.22
    d.rounded_rectangle(
        (px0, py0, px1, py1), radius=16, fill=(200, 26, 32), outline=(236, 196, 80), width=8
    )
    emblem(d, px0 + (py1 - py0) * 0.55, (py0 + py1) / 2, (py1 - py0) * 0.32)
    text_center(
        d,
        ((px0 + px1) / 2 + (py1 - py0) * 0.3, (py0 + py1) / 2),
        o.get("text", ""),
        int((py1 - py0) * 0.42),
        (252, 226, 120),
        max_width=int((px1 - px0) * 0.7),
    )
    # a potted plant and a bench
    d.rectangle((w * 0.04, h * 0.78, w * 0.16, h * 0.87), fill=(150, 90, 60))
    for _ in range(8):
        x, y, r = (
            w * 0.1 + rng.uniform(-50, 50),
            h * 0.72 + rng.uniform(-60, 40),
            rng.uniform(30, 50),
        )
        d.ellipse((x - r, y - r, x + r, y + r), fill=jitter(rng, (60, 120, 56), 16))


def scene_board(img, rng, o):
    """Portrait: an outdoor honour board (光荣榜) with photo frames."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    horizon = h * 0.7
    sky(img, horizon)
    clouds(img, rng, 3, h * 0.25)
    hills(img, rng, horizon, 2, [(146, 170, 172), (104, 140, 112)])
    paste_grad(img, (0, horizon, w, h), (176, 170, 158), (140, 134, 122))
    bx0, bx1, by0, by1 = w * 0.1, w * 0.9, h * 0.16, h * 0.72
    for x in (bx0 + 30, bx1 - 30):
        d.rectangle((x - 14, by1, x + 14, h * 0.86), fill=(90, 90, 94))
    d.rectangle((bx0 - 16, by0 - 16, bx1 + 16, by1 + 16), fill=(150, 20, 26))
    paste_grad(img, (bx0, by0, bx1, by1), (246, 240, 226), (232, 224, 206))
    red_banner(d, (bx0, by0, bx1, by0 + h * 0.07), o.get("text", ""))
    emblem(d, w / 2, by0 - h * 0.06, h * 0.045)
    labels = ["美德之星", "美家之星", "美业之星", "美邻之星", "美景之星"]
    cols, rows = 3, 3
    for r in range(rows):
        for c in range(cols):
            x0 = bx0 + (bx1 - bx0) * (0.06 + c * 0.32)
            y0 = by0 + h * 0.1 + r * (by1 - by0 - h * 0.1) / rows
            fw, fh = (bx1 - bx0) * 0.24, (by1 - by0 - h * 0.1) / rows * 0.62
            paste_grad(img, (x0, y0, x0 + fw, y0 + fh), (150, 180, 210), (110, 140, 170))
            seated_head(d, rng, x0 + fw / 2, y0 + fh * 0.45, fw * 0.13)
            d.rectangle((x0, y0, x0 + fw, y0 + fh), outline=(200, 160, 60), width=5)
            text_center(
                d,
                (x0 + fw / 2, y0 + fh + h * 0.025),
                labels[(r * cols + c) % 5],
                int(w * 0.035),
                (180, 30, 34),
            )
    for k in range(3):
        person(d, rng, w * (0.2 + 0.3 * k), h * (0.95 - 0.02 * k), h * 0.22, back=True)


SCENES = {
    "center": scene_center,
    "meeting": scene_meeting,
    "terraces": scene_terraces,
    "orchard": scene_orchard,
    "street": scene_street,
    "classroom": scene_classroom,
    "workshop": scene_workshop,
    "banquet": scene_banquet,
    "hall": scene_hall,
    "door": scene_door,
    "board": scene_board,
}


# ---------------------------------------------------------------- finishing


def photo_finish(img: Image.Image, rng: random.Random) -> Image.Image:
    """Soften the drawing and add light, low-frequency grain and a vignette."""
    w, h = img.size
    img = img.filter(ImageFilter.GaussianBlur(1.1))
    # soft grain: small seeded noise upscaled (deterministic; no effect_noise)
    sw, sh = w // 6, h // 6
    noise = Image.frombytes("L", (sw, sh), rng.randbytes(sw * sh)).resize(
        (w, h), Image.Resampling.BICUBIC
    )
    noise = noise.filter(ImageFilter.GaussianBlur(2))
    grey = Image.merge("RGB", (noise, noise, noise))
    img = Image.blend(img, grey, 0.06)
    # vignette
    mask = Image.radial_gradient("L").resize((w, h))
    dark = Image.new("RGB", (w, h), (20, 18, 16))
    mask = mask.point(lambda v: max(0, v - 120) * 150 // 135)
    img = Image.composite(dark, img, mask)
    return img


def seed_for(slug: str, name: str) -> int:
    return zlib.crc32(f"{slug}/{name}".encode())


def gps_ifd(lat: float, lon: float) -> dict:
    def dms(v: float):
        v = abs(v)
        deg = int(v)
        minutes = int((v - deg) * 60)
        sec = round(((v - deg) * 60 - minutes) * 60, 2)
        return (float(deg), float(minutes), float(sec))

    return {
        0: b"\x02\x02\x00\x00",  # GPSVersionID
        1: "N" if lat >= 0 else "S",  # GPSLatitudeRef
        2: dms(lat),  # GPSLatitude
        3: "E" if lon >= 0 else "W",  # GPSLongitudeRef
        4: dms(lon),  # GPSLongitude
        5: 0,  # GPSAltitudeRef: above sea level
        6: 412.0,  # GPSAltitude
    }


def encode(img: Image.Image, exif: Image.Exif | None) -> tuple[bytes, int]:
    data = b""
    for q in QUALITIES:
        buf = io.BytesIO()
        kwargs = {"quality": q, "optimize": True, "progressive": False, "subsampling": 2}
        if exif is not None:
            kwargs["exif"] = exif
        img.save(buf, "JPEG", **kwargs)
        data = buf.getvalue()
        if len(data) <= TARGET_BYTES:
            return data, q
    return data, QUALITIES[-1]


def draw_photo(slug: str, name: str, kind: str, size, opts: dict) -> bytes:
    rng = random.Random(seed_for(slug, name))
    img = Image.new("RGB", size, (200, 200, 200))
    SCENES[kind](img, rng, opts)
    img = photo_finish(img, rng)
    exif = None
    if opts.get("sideways") or opts.get("gps"):
        exif = Image.Exif()
        exif[0x010F] = "TongxiCam"  # Make
        exif[0x0110] = "Example Phone 1"  # Model
    if opts.get("sideways"):
        # Stored pixels rotated 90° counter-clockwise; Orientation 6 tells a
        # viewer to rotate them 90° clockwise back to upright.
        img = img.transpose(Image.Transpose.ROTATE_90)
        exif[0x0112] = 6
    if opts.get("gps"):
        lat, lon = opts["gps"]
        exif.get_ifd(0x8825).update(gps_ifd(lat, lon))
    data, q = encode(img, exif)
    assert len(data) <= MAX_BYTES, f"{slug}/{name}: {len(data)} bytes > {MAX_BYTES}"
    # self-checks on the special files
    back = Image.open(io.BytesIO(data))
    if opts.get("sideways"):
        assert back.getexif().get(0x0112) == 6
        upright = ImageOps.exif_transpose(back)
        assert upright.size == size, (upright.size, size)
    if opts.get("gps"):
        assert back.getexif().get_ifd(0x8825).get(1) in ("N", "S")
    return data


def draw_logo(symbol: str, colour) -> bytes:
    s = 256
    k = 4  # draw large, downsample for smooth edges
    img = Image.new("RGBA", (s * k, s * k), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    c = s * k / 2
    d.ellipse((8 * k, 8 * k, (s - 8) * k, (s - 8) * k), fill=(236, 190, 64, 255))
    d.ellipse((20 * k, 20 * k, (s - 20) * k, (s - 20) * k), fill=colour + (255,))
    if symbol == "links":
        # three linked rings (three villages) under a star
        for i, (dx, dy) in enumerate(((-34, 18), (34, 18), (0, -22))):
            x, y, r = c + dx * k, c + (dy + 22) * k, 40 * k
            d.ellipse((x - r, y - r, x + r, y + r), outline=(250, 214, 90, 255), width=9 * k)
        star(d, c, c - 62 * k, 30 * k, (250, 214, 90, 255))
    else:
        # a lemon with a leaf, a star on the leaf
        d.ellipse((c - 70 * k, c - 40 * k, c + 70 * k, c + 58 * k), fill=(246, 216, 54, 255))
        d.polygon(
            [(c + 62 * k, c - 6 * k), (c + 86 * k, c + 6 * k), (c + 64 * k, c + 16 * k)],
            fill=(246, 216, 54, 255),
        )
        d.polygon(
            [(c - 62 * k, c - 6 * k), (c - 86 * k, c + 6 * k), (c - 64 * k, c + 16 * k)],
            fill=(246, 216, 54, 255),
        )
        d.ellipse((c - 20 * k, c - 92 * k, c + 60 * k, c - 42 * k), fill=(70, 150, 60, 255))
        star(d, c + 20 * k, c - 67 * k, 18 * k, (250, 214, 90, 255))
        d.arc(
            (c - 50 * k, c - 24 * k, c + 50 * k, c + 44 * k),
            200,
            340,
            fill=(255, 240, 150, 255),
            width=5 * k,
        )
    img = img.resize((s, s), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def write_if_changed(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return
    path.write_bytes(data)


def main() -> int:
    if _FONT_PATH is None:
        print("warning: no CJK font found; banners are drawn without text", file=sys.stderr)
    total = 0
    count = 0
    for slug, items in PHOTOS.items():
        for name, kind, size, opts in items:
            data = draw_photo(slug, name, kind, size, opts)
            write_if_changed(BRANCHES / slug / "photos" / name, data)
            total += len(data)
            count += 1
            print(f"{slug}/photos/{name}: {kind} {size[0]}x{size[1]} {len(data) // 1024} KB")
    for slug, (name, colour, symbol) in LOGOS.items():
        data = draw_logo(symbol, colour)
        write_if_changed(BRANCHES / slug / "photos" / name, data)
        total += len(data)
        count += 1
        print(f"{slug}/photos/{name}: logo {len(data) // 1024} KB")
    assert total <= TOTAL_MAX, f"photos total {total} bytes > {TOTAL_MAX}"
    print(f"{count} files, {total} bytes ({total / 1024 / 1024:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
