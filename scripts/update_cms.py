"""Update the pinned Decap CMS files that the editor ships (generator/editor/static/).

    python scripts/update_cms.py            # fetch the pinned version again (checks the bytes)
    python scripts/update_cms.py 3.17.0     # pin another version

Only a developer needs npm, for ``npm pack`` (it downloads the package tarball without
installing anything); staff PCs and CI get the files from the repository, never from a CDN.
Only ``dist/decap-cms.js`` and its licence file are kept: the other files of the package are
lazily loaded CodeMirror modes (the ``code`` widget) and a WebP encoder (image transformations),
neither of which the editor's configuration uses, source maps, and a copy named ``cms.js``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "generator" / "editor" / "static"
MANIFEST = STATIC / "decap-cms.json"
PACKAGE = "decap-cms"
KEEP = {
    "package/dist/decap-cms.js": "decap-cms.js",
    "package/dist/decap-cms.js.LICENSE.txt": "decap-cms.js.LICENSE.txt",
}


def main(argv: list[str]) -> int:
    pinned = json.loads(MANIFEST.read_text("utf-8")) if MANIFEST.exists() else {}
    version = argv[0] if argv else pinned.get("version")
    if not version:
        print("用法：python scripts/update_cms.py 版本号（如 3.16.3）", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{version}", "--json", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        info = json.loads(out)[0]
        tarball = Path(tmp) / info["filename"]
        files = {}
        with tarfile.open(tarball) as tar:
            for member, name in KEEP.items():
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                files[name] = data
    if argv == [] and pinned.get("files"):
        # Re-fetching the pinned version must give the same bytes.
        for name, data in files.items():
            if hashlib.sha256(data).hexdigest() != pinned["files"].get(name):
                print(f"{name}：与记录的 sha256 不同，npm 上的 {version} 被改过？", file=sys.stderr)
                return 1
    for name, data in files.items():
        (STATIC / name).write_bytes(data)
    manifest = {
        "package": PACKAGE,
        "version": info["version"],
        "integrity": info["integrity"],
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    size = sum(len(d) for d in files.values())
    print(f"{PACKAGE} {info['version']}：{len(files)} 个文件，{size / 1e6:.2f} MB → {STATIC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
