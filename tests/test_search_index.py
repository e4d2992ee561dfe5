"""The search index on its own: what a record's words are, and when Pagefind runs again."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from generator import parallel
from generator.site.search import FIELD_END, Record, code, pairs, write_index


def contents(site: Path) -> dict[str, str]:
    out = {}
    for f in (site / "pagefind/fragment").iterdir():
        record = json.loads(gzip.decompress(f.read_bytes())[len(b"pagefind_dcd") :])
        out[record["url"]] = record["content"]
    return out


def test_pairs_keep_every_piece_of_text_findable() -> None:
    assert code("集") == "0ts6" and int(code("集"), 36) == ord("集")
    assert int(code("𠀋"), 36) == ord("𠀋")  # outside the BMP too
    words = pairs("集体经济，网格员\n5G").split()
    # runs as overlapping pairs, then the last character alone; punctuation and fields kept
    assert words == [
        code("集") + code("体"),
        code("体") + code("经"),
        code("经") + code("济"),
        code("济"),
        "，",
        code("网") + code("格"),
        code("格") + code("员"),
        code("员"),
        FIELD_END,
        code("5") + code("g"),
        code("g"),
    ]
    # the phrase of a word's pairs is inside the pairs of any text that holds the word
    assert " ".join(pairs("网格").split()[:1]) in pairs("楼栋网格员")


def test_the_index_is_made_again_only_when_the_records_change(tmp_path: Path) -> None:
    a = [
        Record("/branches/a/", "甲", "甲村 · 石门镇", "集体经济"),
        Record("/branches/b/", "乙", "", "网格"),
    ]
    b = [a[0], Record("/branches/b/", "乙", "", "网格员")]
    cache, one, two, three = tmp_path / "cache", tmp_path / "1", tmp_path / "2", tmp_path / "3"
    assert write_index([], one, cache) is None and not (one / "pagefind").exists()
    write_index(a, one, cache)
    made = sorted(p.name for p in (cache / "search").iterdir())
    write_index(a, two, cache)  # unchanged: copied from the cache, Pagefind not run
    assert sorted(p.name for p in (cache / "search").iterdir()) == made
    assert contents(two) == contents(one)
    write_index(b, three, cache, stale_ok=True)  # a preview's rebuild: the earlier index will do
    assert contents(three) == contents(one)
    write_index(b, three, cache)  # a build: indexed again, and the old one dropped
    assert contents(three)["/branches/b/"] == pairs("网格员") + " " + FIELD_END
    assert len(list((cache / "search").iterdir())) == 1


def test_two_builds_indexing_the_same_records_at_once_both_get_the_index(tmp_path: Path) -> None:
    """A build beside a live preview: both index the same records at the same moment (they
    shared a working folder once, and each failed in the other's files)."""
    recs = [
        Record(f"/branches/{i}/", f"品牌{i}", "甲村 · 石门镇", "集体经济" * 40) for i in range(40)
    ]
    for attempt in range(3):
        cache = tmp_path / f"cache{attempt}"
        sites = [tmp_path / f"site{attempt}-{n}" for n in range(2)]
        ctx = parallel.worker_context(write_index)
        assert ctx is not None
        builds = [ctx.Process(target=write_index, args=(recs, site, cache)) for site in sites]
        for b in builds:
            b.start()
        for b in builds:
            b.join(120)
        assert [b.exitcode for b in builds] == [0, 0]
        assert len(contents(sites[0])) == 40 and contents(sites[0]) == contents(sites[1])
        # One index kept; the working folders are gone.
        assert len(list((cache / "search").iterdir())) == 1


def test_a_build_starts_its_index_with_the_branches_and_stops_it_on_a_later_error(
    tmp_path: Path,
) -> None:
    """The index starts as soon as the branches are known (beside the photos and the pages);
    a problem found after that (a photo that cannot be decoded) stops it."""
    from helpers import settings_for, write_branch

    from generator.buildcache import BuildCache
    from generator.pipeline import generate
    from generator.site.search import PendingIndex

    write_branch(tmp_path, "yi", name="乙村党支部")
    write_branch(tmp_path, "jia", name="甲村党支部")
    started: list[list[str]] = []
    stopped: list[str] = []

    def index(search: list) -> PendingIndex:
        started.append([url for _, url in search])
        return PendingIndex(lambda: None, lambda: stopped.append("stopped"))

    result = generate(settings_for(tmp_path), BuildCache(None), index=index)
    assert result.ok and result.index is not None and not stopped
    assert started == [["branches/jia/", "branches/yi/"]]  # catalog order: 甲 before 乙

    (tmp_path / "branches/yi/photos/a.jpg").write_bytes(b"not a photo")
    path = tmp_path / "branches/yi/branch.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + "photos:\n  - file: photos/a.jpg\n    caption: 照片\n",
        encoding="utf-8",
    )
    result = generate(settings_for(tmp_path), BuildCache(None), index=index)
    assert not result.ok and len(started) == 2
    assert result.index is None and stopped == ["stopped"]
