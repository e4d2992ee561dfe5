"""The editor's local backend in a real ``showcase serve``: what it writes, and what it refuses.

Every request goes over HTTP to the serve subprocess, as Decap CMS sends it. After each refusal
the project's files are compared with a snapshot taken before: not a byte may change.
"""

from __future__ import annotations

import base64
import difflib
import io
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_project
from editor_helpers import asset, jpeg, persist, request, serve, snapshot, wait_until
from PIL import Image

SLOGAN = "人人争当星，户户比五美"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("editor-api")
    root = copy_project(tmp / "p", branches=False)
    for slug in ("xikou", "dawan"):
        shutil.copytree(REPO / "branches" / slug, root / "branches" / slug)
    (tmp / "outside").mkdir()
    (tmp / "outside" / "secret.txt").write_text("不能被读到", "utf-8")
    with serve(root, tmp / "serve.log") as s:
        yield s


def data_of(served, slug: str) -> dict:
    return yaml.safe_load((served.root / "branches" / slug / "branch.yml").read_text("utf-8"))


def raw(data: dict) -> str:
    """YAML as Decap's formatter writes it: plain data, no comments."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def minimal(name: str, brand: str, photos: list | None = None) -> dict:
    out = {
        "name": name,
        "town": "石门镇",
        "field": "农村",
        "brand": {"name": brand, "summary": "一段简介。"},
    }
    if photos:
        out["photos"] = photos
    return out


def check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", "check", "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


# ------------------------------------------------------------------ the three locks on the door


def test_only_a_local_host_is_answered(served) -> None:
    before = snapshot(served.root)
    for path in ("/admin/", "/admin/config.yml", "/admin/decap-cms.js"):
        status, _, body = request(
            served, "GET", path, headers={"Host": f"evil.example:{served.port}"}
        )
        assert status == 403 and "只能从本机打开" in body, path
        assert "token" not in body
    # DNS rebinding: a foreign name resolving to 127.0.0.1 cannot write either.
    token = served.token()
    status, answer = served.api(
        "persistEntry",
        persist("xikou", raw(data_of(served, "xikou"))),
        token=token,
        headers={"Host": "rebind.example"},
    )
    assert status == 403
    assert snapshot(served.root) == before
    # localhost is this machine too.
    assert (
        request(served, "GET", "/admin/config.yml", headers={"Host": f"localhost:{served.port}"})[0]
        == 200
    )


def test_a_foreign_origin_is_refused(served) -> None:
    before = snapshot(served.root)
    data = data_of(served, "xikou")
    data["brand"]["slogan"] = "被别的网站改掉"
    for origin in ("http://evil.example", "null", f"http://127.0.0.1:{served.port + 1}"):
        status, answer = served.api(
            "persistEntry", persist("xikou", raw(data)), headers={"Origin": origin}
        )
        assert status == 403, origin
        assert answer["error"] == "拒绝来自其他网站的请求"
    assert snapshot(served.root) == before


def test_writes_need_the_token_from_the_page(served) -> None:
    before = snapshot(served.root)
    data = data_of(served, "xikou")
    data["brand"]["slogan"] = "没有令牌"
    for token in ("", "guessed", served.token()[:-1] + "x"):
        status, answer = served.api("persistEntry", persist("xikou", raw(data)), token=token)
        assert status == 403 and "令牌无效" in answer["error"], token
        status, answer = served.api("getEntry", {"path": "branches/xikou/branch.yml"}, token=token)
        assert status == 403
    # A form post (no JSON) is refused even with the token.
    status, _, _ = request(
        served,
        "POST",
        f"/admin/api/v1?token={served.token()}",
        b"a=1",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 415
    assert snapshot(served.root) == before


# ------------------------------------------------------------------ saving


def test_changing_one_slogan_changes_one_line(served) -> None:
    path = served.root / "branches" / "xikou" / "branch.yml"
    original = path.read_text("utf-8")
    data = data_of(served, "xikou")
    assert data["brand"]["slogan"] == SLOGAN
    data["brand"]["slogan"] = "星级农户年年评"
    status, answer = served.api("persistEntry", persist("xikou", raw(data)))
    assert status == 200, answer
    diff = [
        d
        for d in difflib.unified_diff(
            original.splitlines(), path.read_text("utf-8").splitlines(), lineterm="", n=0
        )
        if d[:1] in "+-" and d[:3] not in ("---", "+++")
    ]
    assert diff == [f"-  slogan: {SLOGAN}", "+  slogan: 星级农户年年评"]
    # The live preview rebuilds on its own.
    wait_until(
        "the new slogan in the preview",
        lambda: "星级农户年年评" in request(served, "GET", "/branches/xikou/")[2],
    )
    data["brand"]["slogan"] = SLOGAN
    assert served.api("persistEntry", persist("xikou", raw(data)))[0] == 200
    assert path.read_text("utf-8") == original


def test_a_new_branch_with_a_chinese_named_photo(served) -> None:
    name = "村部 广场 照片.jpg"  # spaces and Chinese characters: a safe name, kept as it is
    data = minimal(
        "石门镇新建村党支部", "新建品牌", [{"file": f"photos/{name}", "caption": "村部广场"}]
    )
    status, answer = served.api(
        "persistEntry",
        persist("xinjian", raw(data), [asset("xinjian", name, jpeg(orientation=6))], new=True),
    )
    assert status == 200, answer
    folder = served.root / "branches" / "xinjian"
    assert (folder / "photos" / name).read_bytes() == jpeg(orientation=6)
    text = (folder / "branch.yml").read_text("utf-8")
    assert text.startswith("# yaml-language-server")  # the commented scaffold of showcase new
    assert f"file: photos/{name}" in text
    result = check(served.root)
    assert result.returncode == 0, result.stdout + result.stderr
    # Creating it again is refused: the folder name is taken.
    status, answer = served.api("persistEntry", persist("xinjian", raw(data), new=True))
    assert status == 409 and "已被另一个支部使用" in answer["error"]


def test_photos_in_every_supported_format(served) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    files = {}
    for name, fmt in (("a.jpg", "JPEG"), ("b.png", "PNG"), ("c.webp", "WEBP"), ("d.heic", "HEIF")):
        out = io.BytesIO()
        Image.new("RGB", (1200, 900), "#a4161a").save(out, fmt)
        files[name] = out.getvalue()
    data = minimal(
        "石门镇格式村党支部",
        "格式品牌",
        [{"file": f"photos/{n}", "caption": f"照片 {n}"} for n in files],
    )
    status, answer = served.api(
        "persistEntry",
        persist("geshi", raw(data), [asset("geshi", n, d) for n, d in files.items()], new=True),
    )
    assert status == 200, answer
    assert sorted(p.name for p in (served.root / "branches/geshi/photos").iterdir()) == sorted(
        files
    )
    status, media = served.api("getMedia", {"mediaFolder": "branches/geshi/photos"})
    heic = next(m for m in media if m["name"] == "d.heic")
    assert Image.open(io.BytesIO(base64.b64decode(heic["content"]))).format == "JPEG"  # viewable
    status, problems = served.api("problems", {"slug": "geshi"})
    assert [p for p in problems["problems"] if p["error"]] == []


def test_a_save_that_would_break_the_build_writes_nothing(served) -> None:
    before = snapshot(served.root)
    data = data_of(served, "dawan")
    data["name"] = data_of(served, "xikou")["name"]  # two branches with one name
    data["photos"][0]["cover"] = True
    data["photos"].append({"file": "photos/new.jpg", "caption": "新照片", "cover": True})
    status, answer = served.api(
        "persistEntry", persist("dawan", raw(data), [asset("dawan", "new.jpg", jpeg())])
    )
    assert status == 422
    texts = [p["text"] for p in answer["problems"]]
    assert any("的支部同名" in t for t in texts), texts
    assert any(t.startswith("branches/dawan/branch.yml:") and "只能有一张封面" in t for t in texts)
    assert answer["error"].startswith("没有保存：")
    assert snapshot(served.root) == before  # not even the photo that came with it


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("notes.jpg", b"%PDF-1.4 not a photo at all", "不支持的图片格式"),
        ("notes.txt", b"plain text", "只能上传 JPEG、PNG、WebP 或 HEIC 照片"),
        ("half.jpg", jpeg()[:2000], "文件已损坏或不完整"),
        ("empty.png", b"", "文件是空的"),
    ],
)
def test_uploads_that_are_not_photos_are_refused(served, name, data, expected) -> None:
    before = snapshot(served.root)
    doc = data_of(served, "dawan")
    doc["photos"].append({"file": f"photos/{name}", "caption": "坏照片"})
    status, answer = served.api(
        "persistEntry", persist("dawan", raw(doc), [asset("dawan", name, data)])
    )
    assert status == 422, answer
    assert expected in answer["error"]
    assert snapshot(served.root) == before


def test_a_decompression_bomb_is_refused_before_decoding(served) -> None:
    before = snapshot(served.root)
    out = io.BytesIO()
    Image.new("1", (11_000, 10_000)).save(out, "PNG")  # 110 million pixels in a small file
    assert len(out.getvalue()) < 1_000_000
    doc = data_of(served, "dawan")
    doc["photos"].append({"file": "photos/bomb.png", "caption": "炸弹"})
    status, answer = served.api(
        "persistEntry", persist("dawan", raw(doc), [asset("dawan", "bomb.png", out.getvalue())])
    )
    assert status == 422
    assert "可能是解压炸弹" in answer["error"] and "11000 万像素" in answer["error"]
    assert snapshot(served.root) == before


def test_a_60_mb_file_is_refused_with_its_size(served) -> None:
    before = snapshot(served.root)
    big = jpeg() + b"\0" * (60 * 1024 * 1024)
    doc = data_of(served, "dawan")
    doc["photos"].append({"file": "photos/big.jpg", "caption": "太大"})
    status, answer = served.api(
        "persistEntry", persist("dawan", raw(doc), [asset("dawan", "big.jpg", big)])
    )
    assert status == 422
    assert "有 60.0 MB，超过上限 30 MB" in answer["error"]
    assert snapshot(served.root) == before


@pytest.fixture
def evil_link(served):
    """branches/evil: a symbolic link to a folder outside the project."""
    evil = served.root / "branches" / "evil"
    evil.symlink_to(served.root.parent / "outside", target_is_directory=True)
    yield evil
    evil.unlink()


@pytest.mark.parametrize(
    "path",
    [
        "../mkdocs.yml",
        "branches/../mkdocs.yml",
        "branches/xikou/../../mkdocs.yml",
        "/etc/passwd",
        "branches/xikou/photos/..\\..\\..\\mkdocs.yml",
        "mkdocs.yml",
        "site_src/about.md",
        "branches/Xikou/branch.yml",
        "branches/evil/secret.txt",  # a symbolic link to a folder outside
    ],
)
def test_paths_that_leave_the_branches_are_refused(served, evil_link, path) -> None:
    before = snapshot(served.root)
    status, answer = served.api("getEntry", {"path": path})
    assert status in (400, 403), (path, answer)
    assert "error" in answer
    status, answer = served.api(
        "persistEntry",
        {
            "dataFiles": [{"slug": "x", "path": path, "raw": "name: x\n"}],
            "assets": [],
            "options": {},
        },
    )
    assert status in (400, 403), (path, answer)
    status, answer = served.api(
        "persistMedia", {"asset": {**asset("xikou", "a.jpg", jpeg()), "path": path}}
    )
    assert status in (400, 403, 422), (path, answer)
    status, answer = served.api("deleteFiles", {"paths": [path]})
    assert status in (400, 403), (path, answer)
    assert snapshot(served.root) == before
    assert (served.root.parent / "outside" / "secret.txt").read_text("utf-8") == "不能被读到"


def test_a_photo_cannot_be_written_into_another_branch(served) -> None:
    before = snapshot(served.root)
    doc = data_of(served, "xikou")
    sneaky = {**asset("dawan", "x.jpg", jpeg())}
    status, answer = served.api("persistEntry", persist("xikou", raw(doc), [sneaky]))
    assert status == 403 and "只能放在本支部" in answer["error"]
    assert snapshot(served.root) == before


def test_renaming_a_branch_and_deleting_a_used_photo_are_refused(served) -> None:
    before = snapshot(served.root)
    params = persist("xikou", raw(data_of(served, "xikou")))
    params["dataFiles"][0]["newPath"] = "branches/xikou2/branch.yml"
    status, answer = served.api("persistEntry", params)
    assert status == 409 and "网址名" in answer["error"]
    status, answer = served.api("deleteFiles", {"paths": ["branches/xikou/photos/hall.jpg"]})
    assert status == 409 and "还在“照片”列表中使用" in answer["error"]
    assert snapshot(served.root) == before


def test_two_saves_of_one_branch_at_once(served) -> None:
    path = served.root / "branches" / "dawan" / "branch.yml"
    original = path.read_text("utf-8")
    slogans = [f"同时保存{i}" for i in range(6)]
    results: list[int] = []

    def save(slogan: str) -> None:
        doc = yaml.safe_load(original)
        doc["brand"]["slogan"] = slogan
        results.append(served.api("persistEntry", persist("dawan", raw(doc)))[0])

    threads = [threading.Thread(target=save, args=(s,)) for s in slogans]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * len(slogans)
    final = path.read_text("utf-8")
    # One whole save won; nothing is interleaved or half written, no temporary file is left.
    assert [
        final == original.replace(yaml.safe_load(original)["brand"]["slogan"], s, 1)
        for s in slogans
    ].count(True) == 1
    assert not [p.name for p in path.parent.rglob("*") if p.name.startswith(".")]


def test_reads_list_branches_and_small_photo_previews(served, evil_link) -> None:
    status, entries = served.api(
        "entriesByFolder", {"folder": "branches", "extension": "yml", "depth": 2}
    )
    assert status == 200
    paths = [e["file"]["path"] for e in entries]
    assert "branches/xikou/branch.yml" in paths and "branches/dawan/branch.yml" in paths
    assert not any("evil" in p for p in paths)
    status, files = served.api("getMedia", {"mediaFolder": "branches/xikou/photos"})
    assert status == 200
    names = sorted(f["name"] for f in files)
    assert names == ["banquet.jpg", "board.jpg", "hall.jpg"]
    thumb = Image.open(io.BytesIO(base64.b64decode(files[0]["content"])))
    assert max(thumb.size) <= 640  # a preview, not the original
    status, problems = served.api("problems", {"slug": "xikou"})
    assert status == 200 and isinstance(problems["problems"], list)


def test_the_editor_stays_off_beyond_loopback(tmp_path, capsys) -> None:
    """``serve -a 0.0.0.0:8000`` shows the preview to the network, never the editor."""
    from helpers import settings_for
    from mkdocs.livereload import LiveReloadServer

    from generator.editor.server import EditorApp, mount

    for host, on in (("0.0.0.0", False), ("192.168.1.20", False), ("127.0.0.1", True)):
        server = LiveReloadServer(builder=lambda: None, host=host, port=8000, root=str(tmp_path))
        preview = server.get_app()
        app = mount(server, settings_for(tmp_path))
        assert (app is not None) is on, host
        assert isinstance(server.get_app(), EditorApp) is on
        if not on:
            assert server.get_app() == preview
            assert "为安全起见不启用编辑器" in capsys.readouterr().err
        server.server_close()
