"""Copy the editor's screenshots from the browser tests into the staff guide, as small WebP.

    python -m pytest tests/test_editor_browser.py   # writes tests/artifacts/editor-*.png
    python scripts/guide_screenshots.py             # → site_src/assets/guide/editor-*.webp

The guide (site_src/guide.md) shows what the tests saw, so its pictures never drift from the
editor that ships.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
GUIDE = REPO / "site_src" / "assets" / "guide"
SHOTS = (
    "list-desktop",
    "form-desktop",
    "upload-desktop",
    "saved-desktop",
    "error-desktop",
    "form-phone",
    "hosted-signin-desktop",
)


def main() -> int:
    missing = [n for n in SHOTS if not (ARTIFACTS / f"editor-{n}.png").exists()]
    if missing:
        hint = "python -m pytest tests/test_editor_browser.py"
        print(f"缺少截图 {', '.join(missing)}：请先运行 {hint}", file=sys.stderr)
        return 1
    GUIDE.mkdir(parents=True, exist_ok=True)
    for name in SHOTS:
        with Image.open(ARTIFACTS / f"editor-{name}.png") as im:
            im = im.convert("RGB")
            if im.width > 1280:  # phone shots are taken at twice the pixels
                im = im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS)
            out = GUIDE / f"editor-{name}.webp"
            im.save(out, "WEBP", quality=80, method=6)
            print(f"{out.relative_to(REPO)}  {out.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
