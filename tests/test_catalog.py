"""The catalog's choices: which branches the home page features."""

from __future__ import annotations

from pathlib import Path

from helpers import draw_photo, settings_for, write_branch

from generator.config import DEFAULT_FIELDS
from generator.content.branches import load_branches
from generator.content.schema import Choices
from generator.site.catalog import build_catalog

PHOTO = """\
name: {name}
town: 石门镇
field: 农村
{extra}brand:
  name: {name}品牌
  summary: 简介。
photos:
  - file: photos/a.jpg
    caption: 外景
"""


def test_featured_prefers_branches_with_a_cover(tmp_path: Path) -> None:
    # The best-decorated branch has no photo yet: it comes after every branch that has one.
    write_branch(
        tmp_path,
        "star",
        "name: 明星村\ntown: 石门镇\nfield: 农村\n"
        "demonstration: 国家级\nbrand:\n  name: 明星\n  summary: 简介。\n",
    )
    for slug, extra in (("plain", ""), ("county", "demonstration: 县级\n")):
        write_branch(tmp_path, slug, PHOTO.format(name=f"{slug}村", extra=extra))
        draw_photo(tmp_path / f"branches/{slug}/photos/a.jpg")
    branches, problems = load_branches(tmp_path, tmp_path / "branches", Choices(DEFAULT_FIELDS))
    assert not [p for p in problems if p.is_error]

    def featured(count: int) -> list[str]:
        settings = settings_for(tmp_path, featured_count=count)
        return [b.slug for b in build_catalog(branches, settings, {}).featured]

    assert featured(2) == ["county", "plain"]
    assert featured(3) == ["county", "plain", "star"]  # still shown when there is room
    # Chosen by hand in mkdocs.yml: kept as given.
    chosen = settings_for(tmp_path, featured=("star", "plain"))
    assert [b.slug for b in build_catalog(branches, chosen, {}).featured] == ["star", "plain"]


def test_names_are_spelled_as_pypinyin_spells_them() -> None:
    """The sort key's pinyin (each syllable's style remembered, ``catalog._pinyin``) is exactly
    ``lazy_pinyin(…, style=TONE3)``: for every character pypinyin knows, thousands of its
    phrases, and names mixing digits, letters and punctuation."""
    import random

    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    from generator.site.catalog import pinyin_key

    rng = random.Random(7)
    texts = [chr(c) for c in sorted(PINYIN_DICT)]
    texts += rng.sample(sorted(PHRASES_DICT), 5000)
    texts += ["重庆路第2村党支部", "长安镇（街道）", "A区乐清·行知 3 号", "银行长", "", "Ünïcode"]
    texts += ["".join(rng.sample(texts[:20000], 4)) for _ in range(2000)]
    mine = [pinyin_key(t)[0] for t in texts]
    theirs = ["".join(lazy_pinyin(t, style=Style.TONE3)) for t in texts]
    assert mine == theirs
    assert pinyin_key("重庆")[0] == "chong2qing4"  # a phrase, not 重's commonest reading


def _example_branches() -> list:
    branches, problems = load_branches(Path("."), Path("branches"), Choices(DEFAULT_FIELDS))
    assert branches and not [p for p in problems if p.is_error]
    return branches


def test_the_catalog_spells_only_what_names_spelled_lists(tmp_path: Path) -> None:
    """``names_spelled`` lists every text ``build_catalog`` spells (what the speller is given):
    with ``spellings`` of them in the memo it spells nothing more, and they are the entries it
    would make itself."""
    from generator.site.catalog import names_spelled, spellings

    branches = _example_branches()
    assert any(b.tags for b in branches) and any(b.honors for b in branches)
    assert any(b.demonstration for b in branches)
    here: dict[str, str] = {}
    build_catalog(branches, settings_for(tmp_path), {}, here)
    given = spellings(*names_spelled(branches))
    assert given == here
    memo = dict(given)
    build_catalog(branches, settings_for(tmp_path), {}, memo)
    assert memo == given, "the catalog spelled a name the speller was not given"


_SPELLER = """
import threading
from pathlib import Path
from generator.config import DEFAULT_FIELDS
from generator.content.branches import load_branches
from generator.content.schema import Choices
from generator.site.catalog import names_spelled, spellings
from generator.site.speller import Speller

speller = Speller()  # first: a process with one thread, where forking is safe
branches, _ = load_branches(Path("."), Path("branches"), Choices(DEFAULT_FIELDS))
assert speller.spell(branches) == spellings(*names_spelled(branches))
assert speller.spell(branches) == {}  # it has answered and gone
died = Speller()
died._worker._proc.kill()
assert died.spell(branches) == {}
stop = threading.Event()
beside = threading.Thread(target=stop.wait)
beside.start()  # forking beside a thread is never done
assert Speller().spell(branches) == {}
stop.set()
beside.join()
print("ok")
"""


def test_a_speller_answers_or_leaves_the_spelling_here() -> None:
    """In a process of its own (a test run has threads, beside which nothing is forked): the
    speller's answer is what spelling here gives; one that died, has answered, or could not be
    started answers nothing, and the catalog then spells the names itself."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _SPELLER], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stdout + out.stderr


def test_a_speller_ends_with_the_command(tmp_path: Path) -> None:
    """A command that ends without closing its speller (killed) leaves no process behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import os, sys; from generator.site.speller import Speller; s = Speller(); "
        "open(sys.argv[1], 'w').write(str(s._worker._proc.pid)); os._exit(0)"
    )
    said = tmp_path / "pid"  # a file, not a pipe: the speller holds no end a reader waits on
    with (tmp_path / "stderr").open("w") as stderr:
        subprocess.run([sys.executable, "-c", code, str(said)], stderr=stderr, timeout=60)
    pid = int(said.read_text())
    deadline = time.monotonic() + 20
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    left = Path(f"/proc/{pid}").exists()
    if left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "the speller outlived the command that started it"
    assert (tmp_path / "stderr").read_text() == "", "no traceback when its command is gone"


def test_a_first_build_loads_pypinyin_only_in_its_speller(tmp_path: Path) -> None:
    """``showcase build`` with no build cache: the names are spelled by the speller, started
    with the command, and the build's own process never loads pypinyin."""
    import shutil
    import subprocess
    import sys

    for name in ("branches", "mkdocs.yml", "site_src", "overrides"):
        source = Path(name)
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        elif source.exists():
            shutil.copy(source, tmp_path / name)
    code = (
        "import sys; from generator import cli; "
        f"rc = cli.main(['build', '--root', {str(tmp_path)!r}]); "
        "print(rc, 'pypinyin' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.splitlines()[-1] == "0 False", out.stdout + out.stderr
    assert (tmp_path / "site/index.html").is_file()
    # The next build starts no speller (its cache knows the names) and needs no pypinyin.
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.splitlines()[-1] == "0 False", out.stdout + out.stderr
