"""Helpers for the editor tests: a real ``showcase serve`` in a subprocess, and requests to its
local backend the way Decap CMS sends them (``POST {"action", "params"}``)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import io
import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from helpers import start_serve
from PIL import Image

TIMEOUT = 90.0


@dataclass
class Served:
    root: Path
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def token(self) -> str:
        status, _, body = request(self, "GET", "/admin/config.yml")
        assert status == 200, body
        url = yaml.safe_load(body)["backend"]["proxy_url"]
        return urlsplit(url).query.removeprefix("token=")

    def api(
        self, action: str, params: dict, *, token: str | None = None, headers: dict | None = None
    ) -> tuple[int, dict]:
        """One request of the protocol; (status, JSON answer)."""
        token = self.token() if token is None else token
        body = json.dumps({"action": action, "params": params, "branch": "master"}).encode()
        head = {
            "Content-Type": "application/json; charset=utf-8",
            "Origin": f"http://{self.host}",
            **(headers or {}),
        }
        status, _, text = request(self, "POST", f"/admin/api/v1?token={token}", body, head)
        return status, json.loads(text)


def request(
    served: Served, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict, str]:
    """A raw HTTP request, so tests choose every header (Host and Origin included)."""
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
    try:
        head = {"Host": served.host, **(headers or {})}
        conn.request(method, path, body=body, headers=head)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
    finally:
        conn.close()


@contextlib.contextmanager
def serve(root: Path, log: Path) -> Iterator[Served]:
    """``showcase serve`` on a free loopback port; ready when its editor answers."""
    proc, port = start_serve(root, log)
    served = Served(root, port, proc, log)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            with contextlib.suppress(OSError):
                if request(served, "GET", "/admin/config.yml")[0] == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("serve did not start:\n" + log.read_text("utf-8", "replace"))
            time.sleep(0.3)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def wait_until(what: str, check, timeout: float = TIMEOUT, pause=time.sleep) -> float:
    """Seconds until ``check()`` is true; fails after ``timeout``. A browser test passes its
    page's wait, so that Playwright sees the page's events (frames loading) while waiting."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        pause(0.2)
    return time.monotonic() - start


def jpeg(
    size: tuple[int, int] = (1200, 900), orientation: int | None = None, color: str = "#a4161a"
) -> bytes:
    """A real JPEG drawn with Pillow: a red band at the top, so a rotation shows."""
    im = Image.new("RGB", size, "#9cc3e6")
    im.paste(color, (0, 0, size[0], size[1] // 5))
    out = io.BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        im.save(out, "JPEG", quality=85, exif=exif)
    else:
        im.save(out, "JPEG", quality=85)
    return out.getvalue()


def asset(slug: str, name: str, data: bytes) -> dict:
    return {
        "path": f"branches/{slug}/photos/{name}",
        "content": base64.b64encode(data).decode("ascii"),
        "encoding": "base64",
    }


def persist(
    slug: str, raw: str, assets: list | None = None, *, new: bool = False, path: str | None = None
) -> dict:
    """persistEntry's params as Decap's proxy backend sends them."""
    path = path or f"branches/{slug}/branch.yml"
    return {
        "branch": "master",
        "dataFiles": [{"slug": f"{slug}/branch", "path": path, "raw": raw}],
        "assets": assets or [],
        "options": {
            "newEntry": new,
            "commitMessage": f"Update branches “{slug}”",
            "collectionName": "branches",
            "useWorkflow": False,
            "status": "",
            "hasSubfolders": True,
        },
    }


def snapshot(root: Path) -> dict[str, str]:
    """Every file under root (except caches and build output) → hash of its bytes."""
    out = {}
    # Not walked at all: a preview's build may be writing into them meanwhile.
    skipped = {".cache", "site", "site_src"}
    for top in sorted(root.iterdir()):
        if top.name in skipped:
            continue
        for p in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if p.is_file():
                out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
