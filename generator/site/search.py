"""Search: each branch's whole text, indexed by Pagefind as overlapping pairs of characters.

Chinese is written without spaces, so an index of words needs a segmenter, and the index and the
query must be cut the same way. jieba at build time and ``Intl.Segmenter`` in a browser do not
agree (集体经济 is one word to one and two to the other, 网格 disappears inside 网格员), and a
dictionary kept in step on both sides would have to ship to every phone. Pairs need no
dictionary: 集体经济 is indexed as 集体 体经 经济 (each pair written in ASCII, see ``pairs``), and
a query is searched as the exact phrase of its own pairs. A branch is found exactly when its text
contains the query, whatever the words.

The same encoding is written in ``overrides/assets/showcase/search.js`` (``pairs``), which also
turns a record back into text for the snippet (``unpair``); a test holds the two sides together.

Pagefind writes the index in small chunks by word, so the first query downloads the chunks for
its own pairs and the fragments of the results it shows, not the whole index.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import parallel
from ..config import CONFIG_FILE, Settings, config_lines
from ..content.model import Branch
from ..problems import Problem, Severity
from .text import plain

# Letters and digits of any script (what Pagefind keeps of a word); everything else separates.
_RUN = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")
_LANGUAGE = "und"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
FIELD_END = "¶"

# What pagefind writes that the site does not use: its ready-made UI (we use the theme's search
# box) and its highlighter (search.js marks the opened page itself).
_UNUSED = re.compile(r"^pagefind-(component-ui|modular-ui|ui|highlight)\.(js|css)$")


@dataclass(frozen=True)
class Record:
    """One search result: a page's address (relative to the site root), what a result shows as
    its title, and the page's text."""

    url: str
    title: str
    subtitle: str
    text: str


def branch_text(branch: Branch) -> str:
    """Everything a visitor can read about the branch, one field a line, markup removed: the
    text search finds a branch by (and the ground truth of bench/search.py)."""
    b, brand = branch, branch.brand
    parts: list[str] = [brand.name, b.name, b.short_name, brand.slogan, *b.tags, brand.summary]
    parts += [b.town, b.field, b.org_type, b.secretary, b.address]
    parts += [f"{b.demonstration}示范点" if b.demonstration else ""]
    parts += [f"{h.title} {h.level}" for h in b.honors]
    parts += [brand.concept, brand.theory, *brand.methods]
    for carrier in brand.carriers:
        parts += [carrier.name, carrier.description]
    parts.append(brand.results)
    for case in brand.cases:
        parts += [case.title, case.text]
    parts += [p.caption for p in b.photos_shown()]
    return "\n".join(plain(p) for p in parts if p)


def pairs(text: str) -> str:
    r"""``text`` as Pagefind words: each run of letters and digits as its overlapping pairs and
    then its last character alone (so a one-character query finds it by prefix); punctuation
    stays as words of its own, and a line break (between fields) becomes ``FIELD_END``: Pagefind
    skips both but keeps them in place, for the snippet.

    Each character is written as four base-36 digits (``code``): Pagefind's browser side cuts a
    Chinese query into words with ``Intl.Segmenter`` (体经 would become 体 经) but leaves a run of
    ASCII letters and digits whole.

    >>> pairs("集体，5G\n茶")
    '0ts60fo3 0fo3 ， 001h002v 002v ¶ 0px2'
    """
    words: list[str] = []
    for n, line in enumerate(text.lower().split("\n")):
        if n:
            words.append(FIELD_END)
        words += _line_words(line)
    return " ".join(words)


def _line_words(line: str) -> list[str]:
    words: list[str] = []
    for chunk in _SPACE.split(line):
        at = 0
        for run in _RUN.finditer(chunk):
            if run.start() > at:
                words.append(chunk[at : run.start()])
            codes = run.group().translate(_CODES)
            words += [codes[i : i + 8] for i in range(0, len(codes) - 4, 4)]
            words.append(codes[-4:])
            at = run.end()
        if at < len(chunk):
            words.append(chunk[at:])
    return words


def code(char: str) -> str:
    """A character as four base-36 digits (36**4 > every code point)."""
    return _CODES[ord(char)]


class _Codes(dict):
    """Code point → its four digits, worked out once each (``str.translate`` reads it)."""

    def __missing__(self, point: int) -> str:
        n, digits = point, ""
        for _ in range(4):
            n, d = divmod(n, 36)
            digits = _DIGITS[d] + digits
        self[point] = digits
        return digits


_CODES = _Codes()


def records(pages: list[tuple[Branch, str]]) -> list[Record]:
    """One record for each ``(branch, its page's address from the site's root)``, in order."""
    return [
        Record(url, b.brand.name, f"{b.display_name} · {b.town}", branch_text(b))
        for b, url in pages
    ]


def start_index(
    pages: list[tuple[Branch, str]], cache_dir: Path, *, stale_ok: bool = False
) -> PendingIndex:
    """Start indexing the branches of ``pages`` (each with its page's address) in a worker.

    A build starts it as soon as the branches are known (before their photos are checked and
    MkDocs renders the pages) and publishes it after: the index needs the branches' text, not
    the pages, and a thousand branches take ~0.5 s of text and 3-4 s of Pagefind, which then
    run on the core this process and MkDocs (one process each in turn) leave free. The index is kept
    in ``cache_dir`` under a hash of the records and copied when nothing changed (a rebuild
    after editing a photo). ``stale_ok``: an earlier index will do (a live preview, where a
    save must not wait for the whole county to be indexed again).
    """
    folder = cache_dir / "search"
    if not pages:
        return PendingIndex(lambda: None)
    if stale_ok and (earlier := _indexes(folder)):
        return PendingIndex(lambda: earlier[0])
    # Below MkDocs and the pages' worker, which MkDocs waits for; the index is needed last.
    worker = parallel.Worker(_index_pages, pages, folder, idle=True)
    return PendingIndex(worker.result, worker.close)


def write_index(
    recs: list[Record], site_dir: Path, cache_dir: Path, *, stale_ok: bool = False
) -> Path | None:
    """The index of ``recs`` at ``site_dir/pagefind``, made here (or taken from the cache):
    that folder, or None when there is nothing to index."""
    folder = cache_dir / "search"
    if not recs:
        return None
    if stale_ok and (earlier := _indexes(folder)):
        return PendingIndex(lambda: earlier[0]).publish(site_dir)
    return PendingIndex(lambda: _index(recs, folder)).publish(site_dir)


@dataclass
class PendingIndex:
    """An index on its way to the cache: ``made()`` waits for it and returns its folder (None:
    nothing to index, no branches yet; Pagefind refuses an empty site); ``cancel()`` stops it
    (the build failed)."""

    made: Callable[[], Path | None]
    cancel: Callable[[], None] = lambda: None

    def publish(self, site_dir: Path) -> Path | None:
        """Wait for the index, then put it at ``site_dir/pagefind``; returns that folder.
        Raises ``SearchIndexError`` when Pagefind failed."""
        folder = self.made()
        if folder is None:
            return None
        out = site_dir / "pagefind"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(folder, out, copy_function=_link_or_copy)
        return out


def _index_pages(pages: list[tuple[Branch, str]], folder: Path) -> Path:
    return _index(records(pages), folder)


def _index(recs: list[Record], folder: Path) -> Path:
    """The folder in ``folder`` that holds the index of ``recs``: cached, or made now."""
    cached = folder / _key(recs)
    if not cached.is_dir():
        _make_index(recs, cached)
    return cached


def _indexes(folder: Path) -> list[Path]:
    """The indexes kept in ``folder`` (one, but for a moment while another is made)."""
    if not folder.is_dir():
        return []
    return sorted(d for d in folder.iterdir() if not d.name.startswith("."))


def _make_index(recs: list[Record], cached: Path) -> None:
    """Pagefind's index of ``recs`` at ``cached`` (in a worker: the pages, then Pagefind); the
    other finished indexes in that folder are removed.

    The pages and Pagefind's output go to a folder of this call's own: another build (a build
    beside a live preview) may be indexing the same records at this moment, and sharing a
    folder made each fail in the other's files. The first to finish is kept."""
    folder = cached.parent
    folder.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(folder)
    work = Path(tempfile.mkdtemp(prefix=_WORK, dir=folder))
    try:
        pages, fresh = work / "pages", work / "index"
        for r in recs:
            page = r.url.lstrip("/")  # the address from the site's root, also if written "/…"
            path = pages / (page + "index.html" if page.endswith("/") else page)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_page(r), encoding="utf-8")
        _pagefind(pages, fresh)
        for f in fresh.iterdir():
            if _UNUSED.match(f.name):
                f.unlink()
        try:
            fresh.rename(cached)
        except OSError:
            if not cached.is_dir():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for old in _indexes(folder):
        if old != cached:
            shutil.rmtree(old, ignore_errors=True)


_WORK = ".making-"  # an index being made (every hidden folder here is one, older names too)
_ABANDONED = 3600  # seconds after which such a folder is a killed worker's, not another build's


def _remove_abandoned(folder: Path) -> None:
    now = time.time()
    for work in folder.glob(".*"):
        with contextlib.suppress(OSError):
            if now - work.stat().st_mtime > _ABANDONED:
                shutil.rmtree(work, ignore_errors=True)


class SearchIndexError(Exception):
    """Pagefind did not write the index; the message is its own last lines."""


def _page(r: Record) -> str:
    """A record as the page Pagefind reads: the pairs as its text, title and subtitle as meta.

    The text ends with ``FIELD_END`` (punctuation): after a paragraph that does not, Pagefind
    adds a full stop, which would stick to the last pair."""
    return (
        '<!doctype html><html lang="und"><head><meta charset="utf-8"></head><body>'
        f"<main data-pagefind-body><p>{html.escape(pairs(r.text))} {FIELD_END}</p></main>"
        f'<span data-pagefind-meta="title">{html.escape(r.title)}</span>'
        f'<span data-pagefind-meta="subtitle">{html.escape(r.subtitle)}</span>'
        "</body></html>"
    )


def _pagefind(pages: Path, out: Path) -> None:
    # The command line, not pagefind's Python API: that one reads one answer from the binary
    # every 0.1 s, 100 ms a branch (8 minutes for 5,000). "und" (undetermined) is a language
    # Pagefind neither segments nor stems: the pairs stay as written.
    command = [sys.executable, "-m", "pagefind", "--site", str(pages), "--output-path", str(out)]
    command += ["--force-language", _LANGUAGE, "--silent"]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode != 0 or not (out / "pagefind-entry.json").is_file():
        said = (run.stderr or run.stdout).strip().splitlines()[-3:]
        raise SearchIndexError(" ".join(said) or f"退出码 {run.returncode}")


def _key(recs: list[Record]) -> str:
    # This file is in the key: it decides what the index holds (pairs, their coding).
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(f"pagefind {_pagefind_version()}\n".encode())
    for r in recs:
        h.update(json.dumps([r.url, r.title, r.subtitle, r.text], ensure_ascii=False).encode())
    return h.hexdigest()[:20]


def _pagefind_version() -> str:
    from importlib.metadata import version

    return version("pagefind")


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


RETIRED_OPTIONS = ("search_dictionary", "search_full_text")  # of the earlier search (jieba)


def retired_option_problems(settings: Settings) -> list[Problem]:
    """A warning for each option of the earlier search still in mkdocs.yml (they do nothing)."""
    message = "已不再需要，可以删除：搜索现在收录每个支部的全部文字，按字查找，不用词典"
    return [
        Problem(CONFIG_FILE, n, key, message, Severity.WARNING)
        for n, text in enumerate(config_lines(settings.root), 1)
        for key in RETIRED_OPTIONS
        if text.lstrip().startswith(f"{key}:")
    ]
