"""The editor's files: the page around Decap CMS, and ``/admin/`` of a published site.

The page is the same for both ways of editing; ``window.SHOWCASE_EDITOR`` tells its script
whether it runs in ``showcase serve`` (local: the API, the live preview) or on the published
site (hosted: the git host, the public pages).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..config import Settings
from ..content import schema
from .cms_config import build_config, render

STATIC = Path(__file__).resolve().parent / "static"
ADMIN = "admin"
_TYPES = {".js": "application/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
SERVED = ("decap-cms.js", "editor.js", "editor.css", "preview.css")


def static_files() -> dict[str, tuple[bytes, str]]:
    """name → (bytes, content type) of the files the page loads."""
    return {name: ((STATIC / name).read_bytes(), _TYPES[Path(name).suffix]) for name in SERVED}


def index_html(page: dict[str, Any]) -> str:
    """The editor's page; file names carry a hash of their bytes so browsers never mix versions."""
    version = hashlib.sha256("".join(_hash(n) for n in SERVED).encode()).hexdigest()[:12]
    page = {**page, "parts": brand_parts(), "version": version}
    text = (STATIC / "index.html").read_text("utf-8")
    # ``<`` escaped: the settings hold text from mkdocs.yml, placed inside a <script>.
    settings = json.dumps(page, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    text = text.replace("{{settings}}", settings)
    for name in SERVED:
        text = text.replace("{{" + name + "}}", _hash(name))
    return text


def brand_parts() -> list[list[str]]:
    """The brand's parts after the summary (the six of 一支部一品牌), key and label, for the
    preview: every text or list field of ``brand`` in the schema's order."""
    return [
        [f.key, f.label]
        for f in schema.BRAND.children
        if f.kind in (schema.TEXT, schema.LIST) and f.key != "summary"
    ]


def _hash(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def publish(
    site_dir: Path, settings: Settings, backend: dict[str, Any], logo: str | None = None
) -> list[Path]:
    """Write ``/admin/`` into a built site, for editing through the git host ``backend``."""
    out = site_dir / ADMIN
    out.mkdir(parents=True, exist_ok=True)
    page = {
        "mode": "hosted",
        "site": settings.site_url,
        "branches": settings.branches_dir.relative_to(settings.root).as_posix(),
    }
    files = {
        "index.html": index_html(page).encode("utf-8"),
        "config.yml": render(build_config(settings, backend, settings.site_url, logo)).encode(),
    }
    for name, (data, _) in static_files().items():
        files[name] = data
    written = []
    for name, data in sorted(files.items()):
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written
