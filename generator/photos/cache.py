"""The photo cache: one folder per photo, named by its content and the output settings.

An entry holds every output of one photo plus ``meta.json``; it appears whole or not at all.
A stat fingerprint file remembers each source's content hash, so a warm build with thousands
of unchanged photos reads none of their bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import NamedTuple

from ..files import atomic_write
from .pixels import Rendered
from .results import Rendition
from .settings import PIPELINE_VERSION

META = "meta.json"
STAT_CACHE = ".fingerprints.json"


def digest(content: str, key: str) -> str:
    """The cache name of a photo: its bytes' hash combined with the output settings."""
    return hashlib.sha256(f"{content}\0{key}".encode()).hexdigest()


def entry_name(full_digest: str) -> str:
    return full_digest[:16]


class Fingerprint(NamedTuple):
    failure: str  # "" when the source is readable, else a key of results.FAILURES
    detail: str
    digest: str
    size: int


def fingerprint(
    source: Path, key: str, known: dict[str, list], *, read: bool = True
) -> Fingerprint | None:
    """What one source is, by content; a file whose size, times and inode are those recorded
    last time is not read again: with thousands of photos, hashing every byte would dominate a
    build where nothing changed. ``known`` (path → [size, mtime_ns, ctime_ns, inode, content
    hash]) is updated in place. ``read=False``: None instead of reading a file not known.
    """
    try:
        st = source.stat()
        if not stat.S_ISREG(st.st_mode):
            return Fingerprint("notfile", "", "", 0)
        if st.st_size == 0:
            return Fingerprint("empty", "", "", 0)
        sig = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        record = known.get(str(source))
        if record is not None and record[:4] == sig:
            content = record[4]
        elif not read:
            return None
        else:
            data = source.read_bytes()
            if not data:
                return Fingerprint("empty", "", "", 0)
            content = hashlib.sha256(data).hexdigest()
            known[str(source)] = [*sig, content]
    except FileNotFoundError:
        return Fingerprint("missing", "", "", 0)
    except OSError as exc:
        return Fingerprint("unreadable", exc.strerror or str(exc), "", 0)
    return Fingerprint("", "", digest(content, key), st.st_size)


def load_fingerprints(cache_dir: Path) -> dict[str, list]:
    try:
        data = json.loads((cache_dir / STAT_CACHE).read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save_fingerprints(cache_dir: Path, known: dict[str, list]) -> None:
    atomic_write(cache_dir / STAT_CACHE, json.dumps(known, separators=(",", ":")))


def write_entry(cache_dir: Path, name: str, rendered: Rendered) -> dict:
    """Store every output of one photo as a cache entry (temp folder + rename); its meta."""
    meta = {
        "version": PIPELINE_VERSION,
        "width": rendered.width,
        "height": rendered.height,
        "renditions": [[o.name, o.width, o.height, len(o.data)] for o in rendered.renditions],
        "cover": [*rendered.cover[:3], len(rendered.cover.data)],
        "notes": rendered.notes,
    }
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / name
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=cache_dir))
    try:
        for output in [*rendered.renditions, rendered.cover]:
            (tmp / output.name).write_bytes(output.data)
        (tmp / META).write_text(json.dumps(meta, ensure_ascii=False, sort_keys=True))
        os.chmod(tmp, 0o755)
        try:
            os.rename(tmp, final)
        except OSError:
            # Another worker or build got there first, or a damaged entry is in the way.
            if read_meta(cache_dir, name) is None:
                shutil.rmtree(final, ignore_errors=True)
                os.rename(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return meta


def read_meta(cache_dir: Path, name: str) -> dict | None:
    """A cache entry's meta, or None unless the entry is complete and intact.

    Only the meta file is read and the outputs stat'ed: a hit never decodes anything.
    """
    entry = cache_dir / name
    try:
        meta = json.loads((entry / META).read_text())
        if meta.get("version") != PIPELINE_VERSION:
            return None
        for fname, _w, _h, size in [*meta["renditions"], meta["cover"]]:
            if (entry / fname).stat().st_size != size:
                return None
        return meta
    except (OSError, ValueError, KeyError, TypeError):
        return None


def rendition_file(cache_dir: Path, rendition: Rendition) -> Path:
    """Where a rendition lies in the cache, published or not: the outputs of one photo are
    named after its entry (``<entry>-<width>.webp``)."""
    return Path(cache_dir) / rendition.name.split("-", 1)[0] / rendition.name


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
