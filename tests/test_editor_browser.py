"""The editor at /admin/ in a real browser, served by a real ``showcase serve``.

chromium (Debian's, through Playwright) drives Decap CMS as a staff member would: create a
branch with a photo, change one slogan, upload something that is not a photo. Screenshots of
each step, on a desktop and a phone, go to tests/artifacts/ (git-ignored); the time from saving
to the updated preview is printed.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS, BROWSER_TEST, DESKTOP, PHONE, REPO, copy_project, serve_folder
from editor_helpers import jpeg, request, serve, wait_until

pytestmark = BROWSER_TEST
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=20_000)  # the preview server also rebuilds after every save


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("editor-browser")
    root = copy_project(tmp / "p", branches=False)
    for slug in ("xikou", "dawan", "chashan"):
        shutil.copytree(REPO / "branches" / slug, root / "branches" / slug)
    with serve(root, tmp / "serve.log") as s:
        yield s


def open_page(browser, served, size: dict = DESKTOP):
    """A fresh browser profile (no stored drafts) that records anything loaded from elsewhere."""
    context = browser.new_context(**size)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.outside, page.errors, page.dialogs = [], [], []
    local = (served.base, "data:", "blob:", "about:")
    page.on("request", lambda r: None if r.url.startswith(local) else page.outside.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))

    def dialog(d) -> None:
        page.dialogs.append(d.message)
        d.accept()

    page.on("dialog", dialog)
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editor-{name}.png"))


def save(page) -> None:
    """Decap's 保存 button opens a menu; 立即保存 saves."""
    page.get_by_role("button", name="保存").first.click()
    page.get_by_text("立即保存").click()


def pause(page):
    return lambda seconds: page.wait_for_timeout(seconds * 1000)


def preview_frame(page, slug: str):
    for frame in page.frames:
        if f"/branches/{slug}/" in frame.url:
            return frame
    return None


def preview_shows(page, slug: str, text: str) -> bool:
    frame = preview_frame(page, slug)
    try:
        return frame is not None and text in frame.content()
    except sync_api.Error:  # the frame is reloading
        return False


def choose_photo(page, path: Path) -> None:
    page.get_by_role("button", name="选择图片").last.click()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="选用已选中项目").click()


def run_check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", "check", "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def test_a_new_user_creates_a_branch_with_a_photo(browser, served, tmp_path) -> None:
    photo = tmp_path / "IMG 0001 村部.jpg"
    photo.write_bytes(jpeg((1200, 900), orientation=6))
    page = open_page(browser, served)
    page.goto(served.base + "admin/")
    expect(page.get_by_text("双溪镇溪口村党支部")).to_be_visible()  # straight in, no sign-in
    shot(page, "list-desktop")
    page.goto(served.base + "admin/#/collections/branches/new")
    page.get_by_label("网址名").fill("hengchong")
    page.get_by_label("全称").fill("石门镇横冲村党支部")
    page.get_by_label("所属乡镇（街道）").fill("石门镇")
    page.keyboard.press("Enter")
    page.get_by_label("领域").fill("农村")
    page.keyboard.press("Enter")
    page.get_by_label("品牌名称").fill("联村共富")
    page.get_by_label("品牌口号").fill("强村带弱村，共走富裕路")
    page.get_by_label("品牌简介").fill(
        "横冲村党支部牵头成立联村党委，带动周边三个村共同发展茶产业。"
    )
    page.get_by_role("button", name="新增照片", exact=True).click()
    page.get_by_role("button", name="选择图片").last.click()
    page.locator("input[type=file]").set_input_files(str(photo))
    shot(page, "upload-desktop")
    page.get_by_role("button", name="选用已选中项目").click()
    # The media library fades out: a screenshot taken meanwhile shows it over the form.
    expect(page.get_by_role("button", name="选用已选中项目")).to_be_hidden()
    page.get_by_label("照片说明").fill("横冲村党群服务中心")
    shot(page, "form-desktop")
    start = time.monotonic()
    save(page)
    page.wait_for_url("**/entries/hengchong/**")
    seconds = wait_until(
        "the brand in the preview",
        lambda: preview_shows(page, "hengchong", "联村共富"),
        pause=pause(page),
    )
    print(
        f"\nsave → preview of a new branch: {time.monotonic() - start:.1f} s "
        f"(after the save returned: {seconds:.1f} s)"
    )
    expect(page.locator(".sc-problems")).to_contain_text("检查通过")
    shot(page, "saved-desktop")

    folder = served.root / "branches" / "hengchong"
    name = "img-0001-村部.jpg"  # Decap's file name: lower case, spaces to "-", Chinese kept
    assert (folder / "photos" / name).read_bytes() == photo.read_bytes()
    text = (folder / "branch.yml").read_text("utf-8")
    assert f"file: photos/{name}" in text and "caption: 横冲村党群服务中心" in text
    result = run_check(served.root)
    assert result.returncode == 0, result.stdout + result.stderr
    # The published photo stands upright: EXIF orientation 6 turns 1200×900 into 900×1200.
    html = request(served, "GET", "/branches/hengchong/")[2]
    width, height = re.search(
        r'<img[^>]*src="[^"]*media/[^"]*"[^>]*width="(\d+)" height="(\d+)"', html
    ).groups()
    assert int(width) < int(height), (width, height)
    assert page.outside == [] and page.errors == []


def test_changing_one_slogan_changes_one_line(browser, served) -> None:
    path = served.root / "branches" / "xikou" / "branch.yml"
    original = path.read_text("utf-8")
    page = open_page(browser, served)
    page.goto(served.base + "admin/#/collections/branches/entries/xikou/branch")
    slogan = page.get_by_label("品牌口号")
    expect(slogan).to_have_value("人人争当星，户户比五美")
    expect(page.locator(".sc-problems")).to_contain_text("检查通过")
    slogan.fill("星级农户年年评")
    start = time.monotonic()
    save(page)
    wait_until(
        "the new slogan in the preview",
        lambda: preview_shows(page, "xikou", "星级农户年年评"),
        pause=pause(page),
    )
    print(f"\nsave → updated preview of an edited branch: {time.monotonic() - start:.1f} s")
    diff = [
        d
        for d in difflib.unified_diff(
            original.splitlines(), path.read_text("utf-8").splitlines(), lineterm="", n=0
        )
        if d[:1] in "+-" and d[:3] not in ("---", "+++")
    ]
    assert diff == ["-  slogan: 人人争当星，户户比五美", "+  slogan: 星级农户年年评"]
    assert page.outside == [] and page.errors == []


def test_a_bad_upload_shows_its_message_and_writes_nothing(browser, served, tmp_path) -> None:
    fake = tmp_path / "notes.jpg"
    fake.write_bytes(b"%PDF-1.4\nnot a photo\n")
    before = {
        p: p.read_bytes() for p in (served.root / "branches" / "dawan").rglob("*") if p.is_file()
    }
    page = open_page(browser, served)
    page.goto(served.base + "admin/#/collections/branches/entries/dawan/branch")
    expect(page.get_by_label("全称")).to_have_value("柳河镇大湾村党支部")
    page.get_by_role("button", name="新增照片", exact=True).click()
    choose_photo(page, fake)
    page.get_by_label("照片说明").last.fill("会议记录")
    save(page)
    panel = page.locator(".sc-problems")
    expect(panel).to_contain_text("没有保存")
    expect(panel).to_contain_text("不支持的图片格式")
    expect(page.get_by_text("没有保存，原因见页面最下方")).to_be_visible()
    shot(page, "error-desktop")
    after = {
        p: p.read_bytes() for p in (served.root / "branches" / "dawan").rglob("*") if p.is_file()
    }
    assert after == before


def test_a_file_over_30_mb_is_stopped_in_the_browser(browser, served, tmp_path) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(jpeg() + b"\0" * (31 * 1024 * 1024))
    page = open_page(browser, served)
    page.goto(served.base + "admin/#/collections/branches/entries/chashan/branch")
    expect(page.get_by_label("全称")).not_to_have_value("")
    page.get_by_role("button", name="新增照片", exact=True).click()
    page.get_by_role("button", name="选择图片").last.click()
    page.locator("input[type=file]").set_input_files(str(big))
    wait_until("the size message", lambda: page.dialogs, timeout=20, pause=pause(page))
    assert "文件体积过大" in page.dialogs[0] and "31457 kB" in page.dialogs[0]


def test_on_a_phone(browser, served) -> None:
    page = open_page(browser, served, PHONE)
    page.goto(served.base + "admin/")
    expect(page.get_by_text("双溪镇溪口村党支部")).to_be_visible()
    shot(page, "list-phone")
    page.goto(served.base + "admin/#/collections/branches/entries/chashan/branch")
    expect(page.get_by_label("全称")).not_to_have_value("")
    expect(page.locator(".sc-problems")).to_contain_text("检查")
    shot(page, "form-phone")
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert page.outside == [] and page.errors == []


def test_the_published_admin_signs_in_through_the_git_host(browser, tmp_path) -> None:
    """With editor.backend, the built site's /admin/ is Decap with that host's sign-in."""
    root = copy_project(tmp_path / "p", branches=False)
    shutil.copytree(REPO / "branches" / "xikou", root / "branches" / "xikou")
    config = (
        (root / "mkdocs.yml")
        .read_text("utf-8")
        .replace(
            "      featured_count: 6\n",
            "      featured_count: 6\n      editor:\n        backend: {name: gitlab, repo: xc/showcase, "
            "base_url: https://git.example.gov.cn, app_id: abc123}\n",
        )
    )
    (root / "mkdocs.yml").write_text(config, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with serve_folder(root / "site") as base:
        context = browser.new_context(**DESKTOP)
        page = context.new_page()
        outside = []
        page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
        page.goto(base + "admin/")
        expect(page.get_by_role("button", name="使用 GitLab 登录")).to_be_visible()
        expect(page.locator("img[src*='assets/logo.svg']")).to_be_visible()  # the site's logo
        shot(page, "hosted-signin-desktop")
        assert outside == []  # nothing is fetched before signing in
        context.close()
