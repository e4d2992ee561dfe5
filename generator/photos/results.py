"""What the photo step gives back: renditions of a published photo, or why it failed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SUPPORTED_TEXT = "JPEG、PNG、WebP、HEIC/HEIF"


@dataclass(frozen=True)
class Rendition:
    name: str  # file name inside out_dir, e.g. "3fa9c2d1e4b5a6f7-960.webp"
    width: int
    height: int


@dataclass(frozen=True)
class PhotoResult:
    source: Path
    width: int  # oriented source size
    height: int
    renditions: tuple[Rendition, ...]  # ascending width
    cover: Rendition  # the centre crop at cover_ratio
    warnings: tuple[str, ...] = ()  # Chinese messages


@dataclass(frozen=True)
class PhotoFailure:
    """A photo that cannot be published; ``describe`` says why, naming the file as given."""

    source: Path
    kind: str  # a key of FAILURES
    detail: str = ""

    def describe(self, shown: str) -> str:
        """The Chinese message, naming the file as ``shown`` (e.g. relative to the project)."""
        template = FAILURES.get(self.kind, "处理照片失败：{p}（{detail}）")
        what = f"（{self.detail}）" if self.detail else ""
        return template.format(p=shown, detail=self.detail, what=what, supported=SUPPORTED_TEXT)

    @property
    def message(self) -> str:
        return self.describe(str(self.source))


FAILURES = {
    "missing": "找不到照片文件：{p}",
    "notfile": "不是普通文件（可能是文件夹）：{p}",
    "unreadable": "无法读取照片文件：{p}（{detail}）",
    "empty": "文件是空的（0 字节）：{p}",
    "unsupported": "不支持的图片格式{what}：{p}；支持 {supported}",
    "corrupt": "文件已损坏或不完整：{p}",
    "bomb": "图片像素过多（{detail}），可能是解压炸弹：{p}",
    "changed": "照片在处理过程中被修改，请重新构建：{p}",
    "crashed": "处理照片时进程意外退出（可能内存不足）：{p}",
}


def bomb_detail(pixels: int, limit: int) -> str:
    return f"{pixels / 10_000:.0f} 万像素，上限 {limit / 10_000:.0f} 万"
