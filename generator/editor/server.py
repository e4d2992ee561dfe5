"""``/admin/`` in the live preview: the editor's page, its configuration and its write API.

The API writes into the project, and every web page the staff member has open can send
requests to 127.0.0.1. So, for everything under ``/admin/``:
- only a ``Host`` of 127.0.0.1 or localhost (with the preview's port) is answered, which defeats
  DNS rebinding (a foreign name that resolves to 127.0.0.1);
- a request with a foreign ``Origin`` is refused (a cross-site ``fetch`` or form);
- the API takes requests only with the token that this process made at start and put into
  ``config.yml``, which only a page from the preview itself can read.
"""

from __future__ import annotations

import hmac
import json
import secrets
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from ..config import Settings
from .cms_config import build_config, render
from .local import LocalBackend, Refused, problem_json
from .site import index_html, static_files

API = "api/v1"
MAX_BODY = 160 * 1024 * 1024  # a save with a few full-size photos, base64-encoded
_DRAIN_LIMIT = 1024 * 1024 * 1024  # read (and drop) at most this much of a refused body

Wsgi = Callable[[dict, Callable], Iterable[bytes]]


class EditorApp:
    """A WSGI middleware: ``/admin/...`` is the editor, everything else goes to ``app``."""

    def __init__(self, app: Wsgi, settings: Settings, port: int, mount: str = "/") -> None:
        self.app = app
        self.backend = LocalBackend(settings)
        self.token = secrets.token_urlsafe(32)
        self.prefix = mount.rstrip("/") + "/admin/"
        self.mount = mount.rstrip("/") + "/"
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.files = static_files()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == self.prefix.rstrip("/"):
            start_response("302 Found", [("Location", self.prefix)])
            return []
        if not path.startswith(self.prefix):
            return self.app(environ, start_response)
        host = environ.get("HTTP_HOST", "").lower()
        name = path[len(self.prefix) :]
        if host not in self.hosts:
            where = f"http://{sorted(self.hosts)[0]}{self.prefix}"
            message = f"编辑器只能从本机打开：请用 {where} 访问"
            if name == API:
                _drain(environ)
                return _json(start_response, 403, {"error": message})
            return _text(start_response, "403 Forbidden", message)
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and origin not in self.origins:
            _drain(environ)
            return _json(start_response, 403, {"error": "拒绝来自其他网站的请求"})
        if name == API:
            return self._api(environ, start_response)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _text(start_response, "405 Method Not Allowed", "只能读取")
        if name in ("", "index.html"):
            body = index_html(self._page_settings(host)).encode("utf-8")
            return _bytes(start_response, body, "text/html; charset=utf-8", "no-store")
        if name == "config.yml":
            body = render(self._config(host)).encode("utf-8")
            return _bytes(start_response, body, "text/yaml; charset=utf-8", "no-store")
        if name in self.files:
            data, kind = self.files[name]
            return _bytes(start_response, data, kind, "no-cache")
        return _text(start_response, "404 Not Found", "编辑器里没有这个文件")

    def _page_settings(self, host: str) -> dict[str, Any]:
        return {
            "mode": "local",
            "api": f"{self.prefix}{API}?token={self.token}",
            "site": f"http://{host}{self.mount}",
            "livereload": "/livereload/",  # MkDocs answers it at the root, whatever the mount
            "branches": self.backend.folder,
        }

    def _config(self, host: str) -> dict[str, Any]:
        backend = {"name": "proxy", "proxy_url": f"{self.prefix}{API}?token={self.token}"}
        return build_config(self.backend.settings, backend, f"http://{host}{self.mount}")

    def _api(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _json(start_response, 405, {"error": "只接受 POST"})
        token = parse_qs(environ.get("QUERY_STRING", "")).get("token", [""])[0]
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            _drain(environ)
            return _json(
                start_response, 403, {"error": "令牌无效：请刷新编辑器页面（预览重启后令牌会变）"}
            )
        kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if kind != "application/json":
            _drain(environ)
            return _json(start_response, 415, {"error": "请求格式不对：应为 JSON"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            _drain(environ)
            mb = max(length, 0) / 1024 / 1024
            return _json(
                start_response,
                413,
                {
                    "error": f"这次保存的内容有 {mb:.0f} MB，超过 "
                    f"{MAX_BODY // 1024 // 1024} MB：照片请分几次上传、保存"
                },
            )
        try:
            request = json.loads(environ["wsgi.input"].read(length))
        except (ValueError, UnicodeDecodeError):
            return _json(start_response, 400, {"error": "请求格式不对：不是有效的 JSON"})
        try:
            answer = self.backend.handle(request)
        except Refused as exc:
            body = {"error": exc.message}
            if exc.problems:
                body["problems"] = [problem_json(p) for p in exc.problems]
            return _json(start_response, exc.status, body)
        except Exception as exc:  # never a traceback in the browser; the terminal gets one line
            print(f"错误：编辑器处理请求失败：{type(exc).__name__}: {exc}", file=sys.stderr)
            return _json(start_response, 500, {"error": f"保存失败：{type(exc).__name__}: {exc}"})
        return _json(start_response, 200, answer)


def _drain(environ: dict) -> None:
    """Read a refused body to the end, so the browser sees our answer and not a reset."""
    try:
        left = min(int(environ.get("CONTENT_LENGTH") or 0), _DRAIN_LIMIT)
    except ValueError:
        return
    stream = environ["wsgi.input"]
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        left -= len(chunk)


def _json(start_response: Callable, status: int, body: Any) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    reason = {
        200: "OK",
        400: "Bad Request",
        403: "Forbidden",
        404: "Not Found",
        405: "Method Not Allowed",
        409: "Conflict",
        413: "Payload Too Large",
        415: "Unsupported Media Type",
        422: "Unprocessable Entity",
        500: "Internal Server Error",
    }[status]
    return _bytes(
        start_response, data, "application/json; charset=utf-8", "no-store", f"{status} {reason}"
    )


def _text(start_response: Callable, status: str, message: str) -> list[bytes]:
    return _bytes(
        start_response, message.encode("utf-8"), "text/plain; charset=utf-8", "no-store", status
    )


def _bytes(
    start_response: Callable, data: bytes, kind: str, cache: str, status: str = "200 OK"
) -> list[bytes]:
    start_response(
        status,
        [
            ("Content-Type", kind),
            ("Content-Length", str(len(data))),
            ("Cache-Control", cache),
            ("X-Content-Type-Options", "nosniff"),
            # The editor's page may not be framed by another site (clickjacking).
            ("Content-Security-Policy", "frame-ancestors 'self'"),
        ],
    )
    return [data]


def mount(server: Any, settings: Settings) -> EditorApp | None:
    """Put the editor in front of MkDocs' live-reload server (a wsgiref WSGIServer).

    Only when the preview listens on a loopback address: on 0.0.0.0 or a LAN address anyone on
    the network could open the editor, so it stays off and a line says why.
    """
    host, port = server.server_address[:2]
    if host not in ("127.0.0.1", "localhost"):
        print(
            f"提示：预览地址 {host} 不是本机 127.0.0.1，为安全起见不启用编辑器 /admin/",
            file=sys.stderr,
        )
        return None
    mount_path = getattr(server, "mount_path", "/")
    app = EditorApp(server.get_app(), settings, port, mount_path)
    server.set_app(app)
    return app
