"""Photo settings: every choice that changes the bytes of a published photo, in one value."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from PIL import features

# Bump when the pipeline changes in a way that changes output bytes for the same settings:
# it is part of every output name, so old cache entries and published files are never reused.
PIPELINE_VERSION = 2


@dataclass(frozen=True)
class PhotoSettings:
    # method 2 rather than libwebp's default 4: measured on 1600 px photos it encodes 2.3x faster
    # for +1 % bytes and -0.03 dB PSNR at the same quality (see bench/README.md).
    widths: tuple[int, ...] = (480, 960, 1600)  # published widths, never upscaled
    quality: int = 78  # WebP quality
    method: int = 2  # WebP method (speed/size trade-off)
    cover_width: int = 640  # card cover crop, 4:3 (640x480)
    cover_ratio: tuple[int, int] = (4, 3)
    max_pixels: int = 100_000_000  # decompression-bomb limit
    min_width: int = 800  # below: warning (not an error)

    def __post_init__(self) -> None:
        # Callers pass values straight from mkdocs.yml (lists, unsorted): normalise once here so
        # key() and the renditions never depend on how the widths were written.
        widths = tuple(sorted({int(w) for w in self.widths}))
        if not widths or widths[0] < 1:
            raise ValueError(f"照片宽度设置无效：{list(self.widths)}，应为正整数列表")
        if not 0 <= int(self.quality) <= 100:
            raise ValueError(f"照片质量 quality 应在 0 到 100 之间，现为 {self.quality}")
        if not 0 <= int(self.method) <= 6:
            raise ValueError(f"WebP 编码 method 应在 0 到 6 之间，现为 {self.method}")
        ratio = tuple(int(v) for v in self.cover_ratio)
        if len(ratio) != 2 or min(ratio) < 1 or int(self.cover_width) < 1:
            raise ValueError(f"封面设置无效：宽 {self.cover_width}，比例 {self.cover_ratio}")
        object.__setattr__(self, "widths", widths)
        object.__setattr__(self, "cover_ratio", ratio)

    def key(self) -> str:
        """Stable hash of everything that changes output bytes.

        max_pixels and min_width only decide failures and warnings, which are re-derived from
        the cached source size on every run, so they are deliberately left out. The libwebp
        version is in: a different encoder gives different bytes, and a cache entry must always
        hold what this machine would produce (byte-identical builds).
        """
        payload = {
            "v": PIPELINE_VERSION,
            "widths": list(self.widths),
            "quality": int(self.quality),
            "method": int(self.method),
            "cover": [int(self.cover_width), *self.cover_ratio],
            "webp": features.version("webp"),
        }
        raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(raw).hexdigest()[:16]
