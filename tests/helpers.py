"""Small builders for test projects: a minimal valid branch, photos drawn with Pillow."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw

from generator.config import Settings

MINIMAL = """\
name: {name}
town: 石门镇
field: 农村
brand:
  name: {brand}
  summary: 一段简介。
"""


def write_branch(
    root: Path,
    slug: str,
    text: str | None = None,
    *,
    name: str | None = None,
    brand: str | None = None,
) -> Path:
    """Write ``branches/<slug>/branch.yml`` (dedented) and return its path."""
    folder = root / "branches" / slug
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    if text is None:
        text = MINIMAL.format(name=name or f"{slug}村党支部", brand=brand or f"{slug}品牌")
    path = folder / "branch.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def draw_photo(path: Path, size: tuple[int, int] = (1200, 900), color: str = "#a4161a") -> Path:
    """A small real JPEG/PNG with some structure (a sky, a building, a banner)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGB", size, "#9cc3e6")
    d = ImageDraw.Draw(im)
    w, h = size
    d.rectangle([0, h * 2 // 3, w, h], fill="#6b8e23")
    d.rectangle([w // 4, h // 3, w * 3 // 4, h * 2 // 3], fill="#eeeeee")
    d.rectangle([w // 4, h // 3, w * 3 // 4, h // 3 + h // 12], fill=color)
    im.save(path)
    return path


def settings_for(root: Path, **kw) -> Settings:
    return Settings(
        root=root,
        docs_dir=root / "site_src",
        branches_dir=root / "branches",
        cache_dir=root / ".cache",
        site_url="https://example.org/",
        workers=1,
        **kw,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(root: Path, log: Path, *args: str) -> tuple[subprocess.Popen, int]:
    """``showcase serve`` of ``root`` on a free loopback port, its output going to ``log``,
    started from elsewhere (as a staff member would) with this checkout's generator."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(Path(__file__).parents[1])}
    command = [sys.executable, "-m", "generator.cli", "serve", "--root", str(root)]
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [*command, "-a", f"127.0.0.1:{port}", *args],
            cwd=tempfile.gettempdir(),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    return proc, port


def fold_mismatches(root: Path) -> tuple[int, list[str]]:
    """How many generated pages of the built project ``root`` were compared, and those whose
    HTML or table of contents differ when their HTML blocks are folded
    (``generator.site.htmlblocks``) from what Python-Markdown, configured by the project's
    mkdocs.yml, makes of the page as written."""
    import json

    import markdown
    from mkdocs.config import load_config
    from mkdocs.utils.meta import get_data

    from generator.site.htmlblocks import fold, unfold
    from generator.site.output import MANIFEST

    config = load_config(str(root / "mkdocs.yml"))
    md = markdown.Markdown(
        extensions=config.markdown_extensions, extension_configs=config.mdx_configs
    )
    docs = Path(config.docs_dir)
    pages = [p for p in json.loads((docs / MANIFEST).read_text("utf-8")) if p.endswith(".md")]
    wrong = []
    for rel in pages:
        text, _ = get_data((docs / rel).read_text("utf-8"))
        whole = md.reset().convert(text), md.toc_tokens
        folded, blocks = fold(text)
        assert blocks, f"{rel}: nothing folded"
        if (unfold(md.reset().convert(folded), blocks), md.toc_tokens) != whole:
            wrong.append(rel)
    return len(pages), wrong
