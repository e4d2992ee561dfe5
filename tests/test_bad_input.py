"""The bad-input corpus: every way staff (or anyone with a pull request) can get it wrong.

Each case is a folder under ``tests/bad_inputs/`` (``branch.yml`` placed as ``branches/x/``, or a
whole ``branches/`` tree) with ``expected.txt`` holding the expected first error line, or — for
binary, large or symlink cases — a generator function below. For every case ``showcase check``
exits 1 with that first line and no traceback, and ``showcase build`` exits 1 leaving a previously
built ``site/`` and the generated pages in ``site_src/`` byte for byte as they were.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import copy_project
from helpers import draw_photo, write_branch
from PIL import Image

from generator.cli import main as showcase

CORPUS = Path(__file__).parent / "bad_inputs"
FOLDER_CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.txt").is_file())

GOOD = """\
name: 桐花社区党委
town: 城关街道
field: 社区
brand:
  name: 桐花暖心
  summary: 社区里的暖心事。
photos:
  - file: photos/a.jpg
    caption: 社区服务中心
"""

# Photo cases: a valid branch whose one listed photo (line 8) is the bad file.
PHOTO_BRANCH = """\
name: 横冲村党支部
town: 石门镇
field: 农村
brand:
  name: 联村共富
  summary: 强村带弱村。
photos:
  - file: {file}
    caption: 村部外景
"""
PHOTO_LINE = "branches/x/branch.yml:8: photos[0].file: "


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one good branch, built: the site every failed build must leave alone."""
    root = copy_project(tmp_path_factory.mktemp("good"), branches=False)
    write_branch(root, "tonghua", GOOD)
    draw_photo(root / "branches/tonghua/photos/a.jpg")
    assert showcase(["build", "--root", str(root)]) == 0
    assert (root / "site/branches/tonghua/index.html").is_file()
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def fresh(built: Path, tmp_path: Path) -> Path:
    """A copy of the built project (site/, site_src/, cache) with an empty ``branches/``."""
    root = tmp_path / "p"
    shutil.copytree(built, root, symlinks=True)
    shutil.rmtree(root / "branches")
    (root / "branches").mkdir()
    return root


def run_case(root: Path, expected: str, capsys: pytest.CaptureFixture[str]) -> str:
    """check → exit 1 with ``expected`` first; build → exit 1, site/ and site_src/ untouched."""
    site, pages = snapshot(root / "site"), snapshot(root / "site_src")
    capsys.readouterr()
    code = showcase(["check", "--root", str(root)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == 1, out + err
    first = out.splitlines()[0] if out else ""
    assert first.startswith(expected), f"first line: {first!r}\nexpected:   {expected!r}"
    code = showcase(["build", "--root", str(root)])
    bout, berr = capsys.readouterr()
    assert "Traceback" not in bout + berr
    assert code == 1
    assert bout.splitlines()[0] == first  # the build reports the same problems
    assert "site/ 保持原样" in berr
    assert snapshot(root / "site") == site
    assert snapshot(root / "site_src") == pages
    return first


# --------------------------------------------------------------------------- folder cases


@pytest.mark.parametrize("case", FOLDER_CASES)
def test_folder_case(case: str, built: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a tag that ran a command would leave its marker here
    src = CORPUS / case
    root = fresh(built, tmp_path)
    if (src / "branches").is_dir():
        shutil.rmtree(root / "branches")
        shutil.copytree(src / "branches", root / "branches")
    else:
        shutil.copytree(src, root / "branches/x", ignore=shutil.ignore_patterns("expected.txt"))
    expected = (src / "expected.txt").read_text("utf-8").strip()
    run_case(root, expected, capsys)
    assert not list(tmp_path.glob("*pwned*")) and not list(root.rglob("*pwned*"))


def test_corpus_folders_all_have_expectations() -> None:
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    assert folders == FOLDER_CASES
    assert len(FOLDER_CASES) >= 20


# --------------------------------------------------------------------------- generated cases
# Each takes the project root and returns the expected first line (a prefix of it).


def case_over_one_mebibyte(root: Path) -> str:
    path = write_branch(root, "x", PHOTO_BRANCH.split("photos:")[0])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("  concept: " + "很长的文字。" * 200_000 + "\n")
    return "branches/x/branch.yml:1: 文件: 文件太大（3.4 MiB），上限 1 MiB"


def case_just_over_one_mebibyte_of_comments(root: Path) -> str:
    path = write_branch(root, "x")
    path.write_bytes(path.read_bytes() + b"#" * (1024 * 1024))
    return "branches/x/branch.yml:1: 文件: 文件太大（1.0 MiB），上限 1 MiB"


def case_gbk_file(root: Path) -> str:
    path = write_branch(root, "x")
    path.write_bytes(PHOTO_BRANCH.split("photos:")[0].encode("gbk"))
    return "branches/x/branch.yml:1: 文件: 文件不是 UTF-8 编码"


def case_gbk_after_utf8_lines(root: Path) -> str:
    path = write_branch(root, "x")
    path.write_bytes("town: 石门镇\nfield: 农村\n".encode() + "name: 横冲村党支部\n".encode("gbk"))
    return "branches/x/branch.yml:3: 文件: 文件不是 UTF-8 编码"


def case_python_object_apply(root: Path) -> str:
    marker = root / "pwned-by-yaml"
    write_branch(
        root,
        "x",
        f"name: !!python/object/apply:os.system ['touch {marker}']\n"
        "town: 石门镇\nfield: 农村\nbrand: {name: 联村共富, summary: 简介}\n",
    )
    return "branches/x/branch.yml:1: 文件: 不允许使用 YAML 标签 tag:yaml.org,2002:python/object/apply:os.system"


def case_nested_too_deep(root: Path) -> str:
    # 200 KB of brackets: libyaml's recursive composer would crash the interpreter (SIGSEGV).
    write_branch(root, "x", "name: 横冲村党支部\ntags: " + "[" * 100_000 + "]" * 100_000 + "\n")
    return "branches/x/branch.yml:2: 文件: 嵌套层数太多"


def case_nested_deep_in_a_list_item(root: Path) -> str:
    # Shallow enough to compose, deep enough to overflow a recursive validator.
    write_branch(
        root, "x", "name: 横冲村党支部\nbrand:\n  methods:\n    - " + "[" * 3000 + "]" * 3000 + "\n"
    )
    return "branches/x/branch.yml:4: 文件: 嵌套层数太多"


def case_branch_yml_is_a_folder(root: Path) -> str:
    (root / "branches/x/branch.yml").mkdir(parents=True)
    return "branches/x/branch.yml:1: 文件: 缺少 branch.yml"


def case_branch_yml_symlink_outside(root: Path) -> str:
    # Content read from outside the project: not published, and its text not echoed at length.
    secret = root.parent / "secret.yml"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    (root / "branches/x").mkdir()
    os.symlink(secret, root / "branches/x/branch.yml")
    return "branches/x/branch.yml:1: 文件: branch.yml是指向别处的符号链接，不能使用"


def case_branch_folder_symlink_outside(root: Path) -> str:
    outside = root.parent / "elsewhere"
    write_branch(outside.parent, outside.name, GOOD)  # a valid branch, out of the project
    os.symlink(outside.parent / "branches" / outside.name, root / "branches/x")
    return "branches/x/branch.yml:1: 文件: 支部文件夹是指向别处的符号链接，不能使用"


def case_branch_yml_symlink_loop(root: Path) -> str:
    (root / "branches/x").mkdir()
    os.symlink("branch.yml", root / "branches/x/branch.yml")
    return "branches/x/branch.yml:1: 文件: branch.yml 是循环的符号链接，无法读取"


def _photo(root: Path, file: str) -> Path:
    write_branch(root, "x", PHOTO_BRANCH.format(file=file))
    return root / "branches/x" / file


def _jpeg_bytes(size: tuple[int, int] = (1200, 900)) -> bytes:
    buf = io.BytesIO()
    im = Image.new("RGB", size, "#9cc3e6")
    im.paste((164, 22, 26), (size[0] // 4, size[1] // 3, size[0] * 3 // 4, size[1] * 2 // 3))
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def case_photo_missing(root: Path) -> str:
    _photo(root, "photos/none.jpg")
    return PHOTO_LINE + "找不到照片文件“photos/none.jpg”"


def case_photo_wrong_case(root: Path) -> str:
    draw_photo(_photo(root, "photos/A.JPG").with_name("a.jpg"))
    return PHOTO_LINE + "找不到照片文件“photos/A.JPG”（注意大小写和扩展名）"


def case_photo_random_bytes(root: Path) -> str:
    _photo(root, "photos/a.jpg").write_bytes(random.Random(4).randbytes(50_000))
    return PHOTO_LINE + "不支持的图片格式："


def case_photo_corrupt_jpeg(root: Path) -> str:
    # JPEG magic, then garbage: a damaged JPEG rather than some other format.
    data = b"\xff\xd8\xff\xe0" + random.Random(5).randbytes(50_000)
    _photo(root, "photos/a.jpg").write_bytes(data)
    return PHOTO_LINE + "文件已损坏或不完整："


def case_photo_truncated_jpeg(root: Path) -> str:
    data = _jpeg_bytes()
    _photo(root, "photos/a.jpg").write_bytes(data[: len(data) // 2])
    return PHOTO_LINE + "文件已损坏或不完整："


def case_photo_truncated_png(root: Path) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), "#6b8e23").save(buf, "PNG")
    _photo(root, "photos/a.png").write_bytes(buf.getvalue()[:200])
    return PHOTO_LINE + "文件已损坏或不完整："


def case_photo_gif_named_gif(root: Path) -> str:
    path = _photo(root, "photos/a.gif")
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1200, 900), "#a4161a").save(path, "GIF")
    return PHOTO_LINE + "不支持的图片格式“.gif”"


def case_photo_gif_named_jpg(root: Path) -> str:
    Image.new("RGB", (1200, 900), "#a4161a").save(_photo(root, "photos/a.jpg"), "GIF")
    return PHOTO_LINE + "不支持的图片格式（GIF）："


def case_photo_bmp_named_png(root: Path) -> str:
    Image.new("RGB", (1200, 900), "#a4161a").save(_photo(root, "photos/a.png"), "BMP")
    return PHOTO_LINE + "不支持的图片格式（BMP）："


def case_photo_text_file(root: Path) -> str:
    _photo(root, "photos/readme.txt").write_text("不是照片", encoding="utf-8")
    return PHOTO_LINE + "不支持的图片格式“.txt”"


def _png_claiming(w: int, h: int) -> bytes:
    """A real small PNG by Pillow whose IHDR is patched to claim ``w``×``h`` (CRC fixed)."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "#9cc3e6").save(buf, "PNG")
    data = bytearray(buf.getvalue())
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", w, h)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def case_photo_decompression_bomb_png(root: Path) -> str:
    _photo(root, "photos/a.png").write_bytes(_png_claiming(20_000, 20_000))
    return PHOTO_LINE + "图片像素过多（40000 万像素，上限 10000 万），可能是解压炸弹："


def case_photo_over_configured_megapixels(root: Path) -> str:
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert "        quality: 78\n" in text
    config.write_text(
        text.replace("        quality: 78\n", "        quality: 78\n        max_megapixels: 1\n"),
        "utf-8",
    )
    _photo(root, "photos/a.jpg").write_bytes(_jpeg_bytes((1500, 1000)))
    return PHOTO_LINE + "图片像素过多（150 万像素，上限 100 万），可能是解压炸弹："


def case_photo_zero_bytes(root: Path) -> str:
    _photo(root, "photos/a.jpg").write_bytes(b"")
    return PHOTO_LINE + "文件是空的（0 字节）："


def case_photo_dotdot(root: Path) -> str:
    (root / "secret.jpg").write_bytes(_jpeg_bytes())
    _photo(root, "../../secret.jpg")
    return PHOTO_LINE + "路径“../../secret.jpg”不能包含 ..：照片必须放在本支部文件夹里"


def case_photo_dotdot_inside(root: Path) -> str:
    draw_photo(_photo(root, "photos/../photos/a.jpg").parent / "a.jpg")
    return PHOTO_LINE + "路径“photos/../photos/a.jpg”不能包含 .."


def case_photo_absolute(root: Path) -> str:
    outside = root / "secret.jpg"
    outside.write_bytes(_jpeg_bytes())
    _photo(root, str(outside))
    return PHOTO_LINE + f"不能用绝对路径“{outside}”"


def case_photo_path_with_nul(root: Path) -> str:
    _photo(root, '"photos/a\\0.jpg"')
    return PHOTO_LINE + "路径“photos/a\\u0000.jpg”含有控制字符"


def case_photo_path_too_long(root: Path) -> str:
    _photo(root, "photos/" + "很长" * 150 + ".jpg")
    return PHOTO_LINE + "路径太长（311 个字符）"


def case_photo_windows_absolute(root: Path) -> str:
    _photo(root, "'C:\\Users\\x\\a.jpg'")
    return PHOTO_LINE + "不能用绝对路径“C:\\Users\\x\\a.jpg”"


def case_photo_symlink_outside(root: Path) -> str:
    outside = root.parent / "secret.jpg"
    outside.write_bytes(_jpeg_bytes())
    link = _photo(root, "photos/a.jpg")
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, link)
    return PHOTO_LINE + "“photos/a.jpg”指向本支部文件夹之外（符号链接？），不能发布"


def case_photo_folder_symlink_outside(root: Path) -> str:
    outside = root.parent / "elsewhere"
    outside.mkdir()
    (outside / "a.jpg").write_bytes(_jpeg_bytes())
    _photo(root, "photos/a.jpg")
    shutil.rmtree(root / "branches/x/photos")
    os.symlink(outside, root / "branches/x/photos")
    return PHOTO_LINE + "“photos/a.jpg”指向本支部文件夹之外"


def case_photo_symlink_to_other_branch(root: Path) -> str:
    write_branch(root, "other", GOOD)
    draw_photo(root / "branches/other/photos/a.jpg")
    link = _photo(root, "photos/a.jpg")
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(root / "branches/other/photos/a.jpg", link)
    return PHOTO_LINE + "“photos/a.jpg”指向本支部文件夹之外"


def case_photo_is_a_folder(root: Path) -> str:
    _photo(root, "photos/a.jpg").mkdir(parents=True)
    return PHOTO_LINE + "“photos/a.jpg”不是文件"


def case_photo_listed_twice(root: Path) -> str:
    write_branch(
        root,
        "x",
        PHOTO_BRANCH.format(file="photos/a.jpg") + "  - file: photos/a.jpg\n    caption: 又一张\n",
    )
    draw_photo(root / "branches/x/photos/a.jpg")
    return "branches/x/branch.yml:10: photos[1].file: 照片“photos/a.jpg”重复列出（第 8 行已列出）"


def case_logo_missing(root: Path) -> str:
    write_branch(root, "x", PHOTO_BRANCH.split("photos:")[0] + "  logo: photos/logo.png\n")
    return "branches/x/branch.yml:7: brand.logo: 找不到照片文件“photos/logo.png”"


def case_case_photo_corrupt(root: Path) -> str:
    write_branch(
        root,
        "x",
        PHOTO_BRANCH.split("photos:")[0] + "  cases:\n    - title: 修路\n      text: 修了一条路\n"
        "      photos: [photos/road.jpg]\n"
        + "photos:\n  - file: photos/road.jpg\n    caption: 新修的路\n",
    )
    (root / "branches/x/photos/road.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage")
    return "branches/x/branch.yml:10: brand.cases[0].photos[0]: 文件已损坏或不完整："


GENERATED_CASES: dict[str, Callable[[Path], str]] = {
    name.removeprefix("case_"): fn for name, fn in globals().items() if name.startswith("case_")
}
# The photo's own file is named in the message, so staff know which one to fix.
NAMES_FILE = {
    "photo_random_bytes": "photos/a.jpg",
    "photo_corrupt_jpeg": "photos/a.jpg",
    "photo_truncated_jpeg": "photos/a.jpg",
    "photo_truncated_png": "photos/a.png",
    "photo_gif_named_jpg": "photos/a.jpg",
    "photo_bmp_named_png": "photos/a.png",
    "photo_decompression_bomb_png": "photos/a.png",
    "photo_over_configured_megapixels": "photos/a.jpg",
    "photo_zero_bytes": "photos/a.jpg",
    "case_photo_corrupt": "photos/road.jpg",
}


@pytest.mark.parametrize("case", sorted(GENERATED_CASES))
def test_generated_case(case: str, built: Path, tmp_path: Path, capsys) -> None:
    root = fresh(built, tmp_path)
    expected = GENERATED_CASES[case](root)
    first = run_case(root, expected, capsys)
    if case in NAMES_FILE:
        assert NAMES_FILE[case] in first, first
    assert "hunter2" not in first
    assert not (root / "pwned-by-yaml").exists()


# --------------------------------------------------------------------------- warnings and passes


def test_small_and_unlisted_photos_are_warnings(built: Path, tmp_path: Path, capsys) -> None:
    root = fresh(built, tmp_path)
    write_branch(root, "x", PHOTO_BRANCH.format(file="photos/small.jpg"))
    draw_photo(root / "branches/x/photos/small.jpg", (600, 400))
    draw_photo(root / "branches/x/photos/extra.jpg")
    capsys.readouterr()
    assert showcase(["check", "--root", str(root)]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    warnings = [line for line in err.splitlines() if "（警告）" in line]
    assert (
        "branches/x/branch.yml:8: photos: （警告）照片“photos/extra.jpg”没有在 branch.yml 中列出，不会发布"
        in warnings
    ), err
    assert any(
        line.startswith(PHOTO_LINE + "（警告）照片宽度只有 600 像素，建议至少 800 像素")
        for line in warnings
    ), err
    assert showcase(["build", "--root", str(root)]) == 0
    assert (root / "site/branches/x/index.html").is_file()
    # The unlisted photo is not published.
    media = list((root / "site/media").iterdir())
    # (WebP renditions, and the cover's share image as JPEG, next to its WebP crop)
    assert media and all(
        p.suffix in {".webp", ".svg"} or p.name.endswith("-cover.jpg") for p in media
    )
    assert len([p for p in media if p.suffix == ".jpg"]) == 1


def test_yaml_11_words_stay_text(built: Path, tmp_path: Path, capsys) -> None:
    """``no``, ``yes``, ``off``, ``null``-ish words and numbers-looking text keep what was typed."""
    root = fresh(built, tmp_path)
    config = root / "mkdocs.yml"  # any township allowed, so that ``town: yes`` is valid
    config.write_text(re.sub(r"(?m)^\s*towns:.*\n", "", config.read_text("utf-8")), "utf-8")
    write_branch(
        root,
        "x",
        """\
        name: no
        short_name: NO
        town: yes
        field: 农村
        secretary: off
        address: 0x1F
        brand:
          name: on
          slogan: 1e3
          summary: 'y'
          methods: [no, 1_000]
        tags: [no, True, 2026-01-01]
        photos:
          - file: photos/a.jpg
            caption: 1958-1-1
            cover: yes
    """,
    )
    draw_photo(root / "branches/x/photos/a.jpg")
    assert showcase(["build", "--root", str(root)]) == 0, capsys.readouterr()
    html = (root / "site/branches/x/index.html").read_text("utf-8")
    assert 'class="sc-summary__org">no' in html
    assert re.search(r"<h1[^>]*>\s*on\s*</h1>", html)
    assert '<p class="sc-slogan">1e3</p>' in html
    assert "<td>yes</td>" in html and "<td>off</td>" in html and "<td>0x1F</td>" in html
    assert "<li><p>1_000</p></li>" in html or "1_000" in html
    assert "<figcaption>1958-1-1" in html
    for tag in ("no", "True", "2026-01-01"):
        assert f">{tag}</" in html, tag


def test_options_of_the_earlier_search_still_build_and_say_they_can_go(tmp_path: Path, capsys):
    """An older mkdocs.yml with jieba's options: it builds, and each option gets one line."""
    root = copy_project(tmp_path / "p")
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8").replace(
        "      county:",
        "      search_full_text: true\n      search_dictionary: dict.txt\n      county:",
    )
    config.write_text(text, "utf-8")
    lines = text.splitlines()
    assert showcase(["build", "--root", str(root)]) == 0
    err = capsys.readouterr().err
    for key in ("search_full_text", "search_dictionary"):
        n = next(i for i, line in enumerate(lines, 1) if line.strip().startswith(key + ":"))
        assert f"mkdocs.yml:{n}: {key}: （警告）已不再需要" in err, err
    assert (root / "site/pagefind/pagefind-entry.json").is_file()


def _fails_during_mkdocs(root: Path, said: str, **env: str) -> None:
    """A build of ``root`` (built once before) that fails while MkDocs renders: it says ``said``
    in Chinese, with no traceback, exits 1, and the previous site stays."""
    before = (root / "site/index.html").read_bytes()
    run = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert said in run.stderr, run.stderr
    assert "错误：MkDocs 构建失败（原因见上一行）；site/ 保持原样" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and "Aborted" not in run.stderr, run.stderr
    assert (root / "site/index.html").read_bytes() == before
    assert not list(root.glob(".site.building-*")), "the half-built site is removed"


def test_a_search_index_that_cannot_be_made_stops_the_build(tmp_path: Path) -> None:
    """Pagefind fails (here: its binary replaced by one that fails) while MkDocs renders."""
    root = copy_project(tmp_path / "p")
    assert showcase(["build", "--root", str(root)]) == 0
    shutil.rmtree(root / ".cache/showcase/search")  # so that the index must be made again
    said = "错误：搜索索引没有生成（Pagefind 出错：退出码 1）"
    _fails_during_mkdocs(root, said, PAGEFIND_BINARY_PATH="/bin/false")


def test_pages_that_cannot_be_written_stop_the_build(tmp_path: Path) -> None:
    """The pages are written by a worker while MkDocs reads them; here a folder stands where the
    township index goes."""
    root = copy_project(tmp_path / "p")
    assert showcase(["build", "--root", str(root)]) == 0
    (root / "site_src/towns/index.md").unlink()
    (root / "site_src/towns/index.md").mkdir()
    _fails_during_mkdocs(root, "错误：生成的文件没能写入 site_src/towns/index.md（")
