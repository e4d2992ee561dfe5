"""What the pure steps computed last time, so an unchanged branch is neither re-parsed nor
re-rendered. One pickle in the cache folder; anything unreadable or from other code is ignored.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import cache
from pathlib import Path

from .files import atomic_write

CACHE_FILE = "build.pickle"  # in the cache folder
_FORMAT = 1


@cache
def code_fingerprint() -> str:
    """Changes whenever the generator's code or templates change, invalidating the cache."""
    package = Path(__file__).parent
    h = hashlib.sha256(str(_FORMAT).encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".j2") and path.is_file():
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class _Memo(dict):
    """A dict that remembers whether it was changed, so an unchanged cache is not rewritten."""

    changed = False

    def __setitem__(self, key, value) -> None:
        self.changed = True
        super().__setitem__(key, value)

    def __delitem__(self, key) -> None:
        self.changed = True
        super().__delitem__(key)


class BuildCache:
    def __init__(self, path: Path | None):
        self.path = path
        self.branches: dict[str, tuple] = _Memo()  # folder name -> (key, branch, problems)
        self.pages: dict[str, tuple[str, bytes]] = _Memo()  # page path -> (key, bytes)
        self.spellings: dict[str, str] = _Memo()  # pinyin of names (catalog order and slugs)

    @classmethod
    def open(cls, path: Path) -> BuildCache:
        cache = cls(path)
        try:
            with path.open("rb") as fh:
                data = pickle.load(fh)
            if data.get("code") == code_fingerprint():
                cache.branches = _Memo(data["branches"])
                cache.pages = _Memo(data["pages"])
                cache.spellings = _Memo(data["spellings"])
        except Exception:  # missing, truncated or foreign: start afresh
            pass
        return cache

    def save(self) -> None:
        memos = (self.branches, self.pages, self.spellings)
        if self.path is None or not any(m.changed for m in memos):
            return
        data = {
            "code": code_fingerprint(),
            "branches": dict(self.branches),
            "pages": dict(self.pages),
            "spellings": dict(self.spellings),
        }
        atomic_write(self.path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        for m in memos:
            m.changed = False
