"""Shared fixtures: a real build of the bundled example county, served on loopback."""

from __future__ import annotations

import contextlib
import functools
import http.server
import multiprocessing
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main as showcase
from generator.site.output import MANIFEST
from generator.site.pages import GENERATED

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# Screenshots of the browser tests (git-ignored).
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# The two screens every page is looked at on.
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# Skipped where Debian's chromium is missing, except in CI (SHOWCASE_REQUIRE_BROWSER), where a
# missing browser fails instead.
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("SHOWCASE_REQUIRE_BROWSER"),
    reason="needs Debian chromium at /usr/bin/chromium "
    "(apt-get install chromium); Playwright's own browsers are not used",
)
BROWSER_TEST = [pytest.mark.browser, NEEDS_CHROMIUM]  # a module's pytestmark
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def copy_project(dest: Path, branches: bool = True) -> Path:
    """A clean copy of the project's content (what a fresh clone has), without generated files."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", dest / "overrides")
    skip = set(GENERATED) | {MANIFEST}
    shutil.copytree(
        REPO / "site_src",
        dest / "site_src",
        ignore=lambda d, names: [n for n in names if Path(d) == REPO / "site_src" and n in skip],
    )
    if branches:
        shutil.copytree(REPO / "branches", dest / "branches")
    else:
        (dest / "branches").mkdir()
    return dest


@pytest.fixture(autouse=True)
def _no_worker_outlives_its_test() -> Iterator[None]:
    """Python used to wait for a build's worker processes before it exited, so one that a test
    left running could hang the suite after its last test: each test's builds stop theirs."""
    yield
    left = multiprocessing.active_children()
    for p in left:
        p.join(10)  # one that is ending now
    left = [p for p in left if p.is_alive()]
    for p in left:
        p.terminate()
    assert not left, f"still running after the test: {left}"


@pytest.fixture(scope="session")
def example_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example county built once with ``showcase build`` (real MkDocs, real photos)."""
    root = copy_project(tmp_path_factory.mktemp("example"))
    code = showcase(["build", "--root", str(root)])
    assert code == 0, "the bundled example site must build"
    return root


@pytest.fixture(scope="session")
def example_site(example_root: Path) -> Path:
    return example_root / "site"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A browser cancelling an image it no longer needs is not an error worth a traceback.
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A built site over HTTP on 127.0.0.1 (a free port), as a visitor reaches it."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(example_site: Path) -> Iterator[str]:
    """The built example site over HTTP on 127.0.0.1 (a free port), as a visitor reaches it."""
    with serve_folder(example_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's chromium through Playwright, one for the whole session: the sync API cannot run
    two at once, and the site's and the editor's browser tests both need one."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()
