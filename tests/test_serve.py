"""showcase serve: a real live preview on a free loopback port rebuilds when branch.yml changes,
shows content errors in the terminal and keeps serving the last good pages."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO, copy_project
from helpers import start_serve

TIMEOUT = 60.0
SLOGAN = "人人争当星，户户比五美"


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback only
            return r.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def wait_for(what: str, check: Callable[[], bool], proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if check():
            return
        if proc.poll() is not None:
            pytest.fail(
                f"serve exited ({proc.returncode}) while waiting for {what}:\n"
                + log.read_text("utf-8", "replace")
            )
        time.sleep(0.3)
    pytest.fail(
        f"timed out after {TIMEOUT:.0f} s waiting for {what}:\n" + log.read_text("utf-8", "replace")
    )


@contextlib.contextmanager
def serve(tmp_path: Path, args: list[str], broken: bool = False):
    """``showcase serve`` as a staff member starts it, on two example branches (the first with
    broken YAML when ``broken``): the project root, the preview's URL, the process, its log."""
    root = copy_project(tmp_path / "p", branches=False)
    for slug in ("xikou", "dawan"):
        shutil.copytree(REPO / "branches" / slug, root / "branches" / slug)
    if broken:
        yml = root / "branches/xikou/branch.yml"
        yml.write_text(yml.read_text("utf-8").replace("town: 双溪镇", "town: [双溪镇"), "utf-8")
    log = tmp_path / "serve.log"
    proc, port = start_serve(root, log, *args)
    try:
        yield root, f"http://127.0.0.1:{port}/", proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(params=[[], ["--full"]], ids=["dirty", "full"])
def served(tmp_path: Path, request) -> Iterator[tuple[Path, str, subprocess.Popen, Path]]:
    with serve(tmp_path, request.param) as running:
        yield running


def status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback only
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def epoch(html: str | None) -> int:
    """The site version MkDocs' live reload puts into every served page (newer build, larger)."""
    m = re.search(r"livereload\((\d+),", html or "")
    return int(m[1]) if m else -1


def test_serve_rebuilds_on_change_and_keeps_last_good_pages(served) -> None:
    root, base, proc, log = served
    page = base + "branches/xikou/"
    yml = root / "branches" / "xikou" / "branch.yml"

    wait_for("the branch page", lambda: SLOGAN in (fetch(page) or ""), proc, log)
    out = log.read_text("utf-8")
    assert "预览地址：" in out and out.count("预览已生成，可以在浏览器里打开了") == 1
    # A browser asking for a page that does not exist is not worth a warning in the terminal.
    assert status(base + "no-such-page/") == 404

    # A saved change appears without restarting anything.
    text = yml.read_text("utf-8")
    assert f"slogan: {SLOGAN}" in text
    yml.write_text(text.replace(f"slogan: {SLOGAN}", "slogan: 星级农户年年评"), "utf-8")
    wait_for("the new slogan", lambda: "星级农户年年评" in (fetch(page) or ""), proc, log)

    # Broken YAML: the terminal says where, and the preview keeps the last good page.
    good = yml.read_text("utf-8")
    before = epoch(fetch(page))
    yml.write_text(good.replace("town: 双溪镇", "town: [双溪镇"), "utf-8")
    line = next(
        i for i, ln in enumerate(yml.read_text("utf-8").splitlines(), 1) if ln.startswith("town:")
    )
    wait_for(
        "the error in the terminal",
        lambda: f"branches/xikou/branch.yml:{line}: " in log.read_text("utf-8"),
        proc,
        log,
    )
    # The rebuild the error started is finished once the served site's version moves on.
    wait_for("the rebuild after the error", lambda: epoch(fetch(page)) > before, proc, log)
    out = log.read_text("utf-8")
    assert "预览仍显示上一次成功生成的页面" in out
    assert "Traceback" not in out
    assert "内容已无错误" not in out
    html = fetch(page)
    assert html is not None and "星级农户年年评" in html
    assert proc.poll() is None

    # Fixed again: the preview picks it up, and the terminal no longer ends on the error.
    yml.write_text(good.replace("slogan: 星级农户年年评", "slogan: 改好了又能预览"), "utf-8")
    wait_for("the fixed page", lambda: "改好了又能预览" in (fetch(page) or ""), proc, log)
    wait_for(
        "the all-clear", lambda: "内容已无错误，预览已更新" in log.read_text("utf-8"), proc, log
    )
    out = log.read_text("utf-8")
    assert out.index("内容已无错误，预览已更新") > out.index("预览仍显示上一次成功生成的页面")
    assert out.count("内容已无错误") == 1
    assert "code 404" not in out and "404" not in out, out


def test_serve_starting_on_broken_content(tmp_path: Path) -> None:
    """A fresh project whose first build fails: the error in Chinese, no English warnings about
    the pages the generator could not write yet, and the all-clear once it is fixed."""
    with serve(tmp_path, [], broken=True) as (root, base, proc, log):
        wait_for(
            "the error",
            lambda: "预览仍显示上一次成功生成的页面" in log.read_text("utf-8"),
            proc,
            log,
        )
        wait_for("the server", lambda: status(base) is not None, proc, log)
        yml = root / "branches/xikou/branch.yml"
        yml.write_text(yml.read_text("utf-8").replace("town: [双溪镇", "town: 双溪镇"), "utf-8")
        wait_for("the page", lambda: SLOGAN in (fetch(base + "branches/xikou/") or ""), proc, log)
        wait_for(
            "the all-clear", lambda: "内容已无错误，预览已更新" in log.read_text("utf-8"), proc, log
        )
        out = log.read_text("utf-8")
        assert "A reference to" not in out and "警告" not in out and "Traceback" not in out, out
