"""The CMS's local backend, spoken by ``showcase serve``: Decap's proxy protocol over the project.

Decap CMS (``backend: proxy``) posts ``{"action": ..., "params": ...}`` for every read and write;
``decap-server`` answers it for any folder, this answers it for branches only. Every path must
name a file inside one branch folder, every upload must be a photo ``showcase check`` accepts,
and a save is refused (nothing written) when the branch would not pass ``showcase check``.
A save writes ``branch.yml`` through the ruamel.yaml round trip, so comments, key order and the
text of unchanged values stay as they were; each file is replaced atomically.
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from ..config import Settings
from ..content.branches import (
    SLUG_RE,
    check_across,  # the build's rule and words
    load_branches,
)
from ..content.reading import BRANCH_FILE, read_document
from ..content.roundtrip import dump, merge, yaml_rt
from ..content.validate import IMAGE_SUFFIXES, validate_document
from ..files import atomic_write
from ..pipeline import run_photos
from ..problems import Problem, has_errors, rel_path, sort_problems
from ..tools.scaffold import render_scaffold
from .cms_config import MAX_UPLOAD_BYTES, PHOTOS_DIR
from .media import Thumbnails, Upload, check_upload, decode_upload, name_problem


class Refused(Exception):
    """A request the backend will not carry out; ``message`` is for the person in the editor."""

    def __init__(self, status: int, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []


@dataclass
class LocalBackend:
    settings: Settings
    max_upload: int = MAX_UPLOAD_BYTES
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock)
    _memo: dict[str, tuple] = field(default_factory=dict)  # load_branches' memo between checks
    _memo_lock: threading.Lock = field(default_factory=threading.Lock)
    thumbnails: Thumbnails | None = None

    def __post_init__(self) -> None:
        if self.thumbnails is None:
            self.thumbnails = Thumbnails(self.settings.photos.max_pixels)

    @property
    def folder(self) -> str:
        """The branches folder as Decap names it (relative to the project)."""
        return self.settings.branches_dir.relative_to(self.settings.root).as_posix()

    def handle(self, request: Any) -> Any:
        """Answer one request of the protocol; raises Refused."""
        if not isinstance(request, dict) or not isinstance(request.get("action"), str):
            raise Refused(400, "请求格式不对：缺少 action")
        params = request.get("params") or {}
        if not isinstance(params, dict):
            raise Refused(400, "请求格式不对：params 应是对象")
        action = request["action"]
        method = getattr(self, "_" + action, None) if action.isidentifier() else None
        if method is None or action not in _ACTIONS:
            raise Refused(422, f"编辑器不支持的操作：{action}")
        return method(params)

    # --- reading ------------------------------------------------------------------------------

    def _info(self, params: dict) -> dict:
        return {"repo": self.settings.root.name, "publish_modes": ["simple"], "type": "local_fs"}

    def _entriesByFolder(self, params: dict) -> list[dict]:  # noqa: N802 - the protocol's name
        if params.get("folder") != self.folder:
            raise Refused(403, f"只能列出 {self.folder}/ 里的支部")
        out = []
        base = self.settings.branches_dir
        for folder in sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []:
            path = folder / BRANCH_FILE
            if folder.name.startswith(".") or folder.is_symlink() or not path.is_file():
                continue
            out.append(self._entry(f"{self.folder}/{folder.name}/{BRANCH_FILE}"))
        return out

    def _entriesByFiles(self, params: dict) -> list[dict]:  # noqa: N802
        files = params.get("files")
        if not isinstance(files, list):
            raise Refused(400, "请求格式不对：files 应是列表")
        return [self._entry(f.get("path") if isinstance(f, dict) else None) for f in files]

    def _getEntry(self, params: dict) -> dict:  # noqa: N802
        return self._entry(params.get("path"))

    def _entry(self, raw: Any) -> dict:
        rel, slug = self._branch_path(raw)
        path = self.settings.root / rel
        try:
            data = path.read_bytes()
        except OSError:
            return {"data": None, "file": {"path": rel, "id": None}}
        ident = _sha(data)
        return {"data": data.decode("utf-8-sig", "replace"), "file": {"path": rel, "id": ident}}

    def _getMedia(self, params: dict) -> list[dict]:  # noqa: N802
        if params.get("mediaFolder") == self.folder:
            return []  # Decap's global media library: photos live in each branch's own folder
        rel, slug = self._branch_path(params.get("mediaFolder"), folder=True)
        photos = self.settings.root / rel
        if rel != f"{self.folder}/{slug}/{PHOTOS_DIR}" or not photos.is_dir():
            return []
        out = []
        for p in sorted(photos.iterdir()):
            if p.is_file() and not p.is_symlink() and p.suffix.lower() in IMAGE_SUFFIXES:
                out.append(self._media_file(f"{rel}/{p.name}"))
        return out

    def _getMediaFile(self, params: dict) -> dict:  # noqa: N802
        rel, _ = self._branch_path(params.get("path"))
        return self._media_file(rel)

    def _media_file(self, rel: str) -> dict:
        path = self.settings.root / rel
        if not path.is_file() or path.suffix.lower() not in IMAGE_SUFFIXES:
            raise Refused(404, f"找不到照片 {rel}")
        assert self.thumbnails is not None
        ident, data = self.thumbnails.get(path)
        return {
            "id": ident,
            "content": base64.b64encode(data).decode("ascii"),
            "encoding": "base64",
            "path": rel,
            "name": path.name,
        }

    def _getDeployPreview(self, params: dict) -> None:  # noqa: N802
        return None

    def _problems(self, params: dict) -> dict:
        """What ``showcase check`` says about one branch (our own action, for the editor page)."""
        slug = params.get("slug")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            raise Refused(400, "网址名不合规")
        return {"problems": [problem_json(p) for p in self.check_branch(slug)]}

    # --- writing ------------------------------------------------------------------------------

    def _persistEntry(self, params: dict) -> dict:  # noqa: N802
        files = params.get("dataFiles") or ([params["entry"]] if params.get("entry") else [])
        if len(files) != 1 or not isinstance(files[0], dict):
            raise Refused(400, "一次只能保存一个支部")
        data_file = files[0]
        rel, slug = self._branch_path(data_file.get("path"))
        if rel != f"{self.folder}/{slug}/{BRANCH_FILE}":
            raise Refused(403, f"只能保存 {self.folder}/网址名/{BRANCH_FILE}，不能写 {rel}")
        new_path = data_file.get("newPath")
        if new_path and new_path != rel:
            raise Refused(
                409,
                "网址名是支部页的网址（已印在二维码上），编辑器里不能修改；请把网址名改回"
                f"“{slug}”再保存",
            )
        raw = data_file.get("raw")
        if not isinstance(raw, str):
            raise Refused(400, "请求格式不对：缺少 branch.yml 的内容")
        assets = params.get("assets") or []
        if not isinstance(assets, list):
            raise Refused(400, "请求格式不对：assets 应是列表")
        options = params.get("options") if isinstance(params.get("options"), dict) else {}
        with self._lock(slug):
            text = self._merged_text(slug, raw, bool(options.get("newEntry")))
            uploads = self._uploads(slug, assets)
            with _staged(self.settings.branches_dir / slug / PHOTOS_DIR, uploads):
                problems = self._check_candidate(slug, text)
                if has_errors(problems):
                    errors = [p for p in problems if p.is_error]
                    raise Refused(422, _refusal(errors), problems)
                atomic_write(self.settings.branches_dir / slug / BRANCH_FILE, text)
        return {"message": "entry persisted", "problems": [problem_json(p) for p in problems]}

    def _persistMedia(self, params: dict) -> dict:  # noqa: N802
        asset = params.get("asset")
        if not isinstance(asset, dict):
            raise Refused(400, "请求格式不对：缺少 asset")
        rel, slug = self._branch_path(asset.get("path"))
        with self._lock(slug):
            (upload,) = self._uploads(slug, [asset])
            atomic_write(self.settings.branches_dir / slug / PHOTOS_DIR / upload.name, upload.data)
        return self._media_file(rel)

    def _deleteFile(self, params: dict) -> dict:  # noqa: N802
        return self._deleteFiles({"paths": [params.get("path")]})

    def _deleteFiles(self, params: dict) -> dict:  # noqa: N802
        paths = params.get("paths")
        if not isinstance(paths, list) or not paths:
            raise Refused(400, "请求格式不对：paths 应是列表")
        targets = []
        for raw in paths:
            rel, slug = self._branch_path(raw)
            name = PurePosixPath(rel).name
            if rel != f"{self.folder}/{slug}/{PHOTOS_DIR}/{name}":
                raise Refused(403, f"编辑器只能删除照片，不能删除 {rel}")
            targets.append((rel, slug, name))
        for rel, slug, name in targets:
            with self._lock(slug):
                used = self._photo_used(slug, f"{PHOTOS_DIR}/{name}")
                if used:
                    raise Refused(
                        409, f"照片“{name}”还在{used}中使用：请先从那里删掉它并保存，再删除照片"
                    )
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.settings.root / rel)
        return {"message": f"deleted files {', '.join(t[0] for t in targets)}"}

    # --- the pieces of a save -----------------------------------------------------------------

    def _merged_text(self, slug: str, raw: str, new_entry: bool) -> str:
        """The new branch.yml: the editor's data folded into the file as it is on disk."""
        try:
            data = YAML(typ="safe", pure=True).load(raw)
        except YAMLError:
            raise Refused(400, "编辑器送来的内容无法读取，请刷新页面后重试") from None
        if not isinstance(data, dict):
            raise Refused(400, "编辑器送来的内容不是一个支部")
        path = self.settings.branches_dir / slug / BRANCH_FILE
        shown = rel_path(path, self.settings.root)
        if path.exists():
            if new_entry:
                raise Refused(409, f"网址名“{slug}”已被另一个支部使用（{shown}），请换一个")
            try:
                doc = yaml_rt().load(path.read_text("utf-8-sig"))
            except (OSError, UnicodeDecodeError, YAMLError):
                raise Refused(
                    409, f"{shown} 有格式错误，编辑器不能修改它：请先运行 showcase check 改正"
                ) from None
            if not isinstance(doc, CommentedMap):
                raise Refused(409, f"{shown} 不是“字段: 值”的形式，请先改正")
        else:
            # A new branch starts from the scaffold of ``showcase new``: comments and all.
            name = data.get("name") if isinstance(data.get("name"), str) else ""
            doc = yaml_rt().load(render_scaffold(self.settings, name or slug))
        merge(doc, data)
        return dump(doc)

    def _uploads(self, slug: str, assets: list) -> list[Upload]:
        """Every uploaded photo, checked; all their problems at once."""
        uploads: list[Upload] = []
        messages: list[str] = []
        total = 0
        for asset in assets:
            if not isinstance(asset, dict):
                raise Refused(400, "请求格式不对：asset 应是对象")
            raw_path = asset.get("path")
            name = PurePosixPath(str(raw_path)).name
            why = name_problem(name)
            if why:
                messages.append(why)
                continue
            rel, asset_slug = self._branch_path(raw_path)
            if asset_slug != slug or rel != f"{self.folder}/{slug}/{PHOTOS_DIR}/{name}":
                raise Refused(403, f"照片只能放在本支部的 {PHOTOS_DIR}/ 里，不能写 {rel}")
            data = decode_upload(asset.get("content"), asset.get("encoding"))
            if data is None:
                messages.append(f"照片“{name}”的内容无法读取，请重新选择文件")
                continue
            total += len(data)
            shown = f"{PHOTOS_DIR}/{name}"
            why = check_upload(name, data, shown, self.max_upload, self.settings.photos.max_pixels)
            if why:
                messages.append(why)
                continue
            uploads.append(Upload(name, data))
        if messages:
            raise Refused(422, "没有保存：" + "；".join(messages))
        return uploads

    def _check_candidate(self, slug: str, text: str) -> list[Problem]:
        """What ``showcase check`` would say about the branch if ``text`` were its branch.yml."""
        folder = self.settings.branches_dir / slug
        rel = rel_path(folder / BRANCH_FILE, self.settings.root)
        with tempfile.TemporaryDirectory(prefix="showcase-editor-") as tmp:
            candidate = Path(tmp) / BRANCH_FILE
            candidate.write_text(text, encoding="utf-8")
            doc, problems = read_document(candidate, rel, slug)
            if doc.node is not None:
                _, more = validate_document(doc, folder, self.settings.choices)
                problems = problems + more
        names = _names(doc.node, slug, rel)
        if names is not None:
            # Names must stay unique across branches, checked even when other fields are wrong.
            others = [b for b in self._branches() if b.slug != slug]
            everyone = sorted([*others, names], key=lambda b: b.slug)
            problems += [p for p in check_across(everyone) if p.path == rel or rel in p.message]
        return sort_problems(problems)

    def check_branch(self, slug: str) -> list[Problem]:
        """Every problem ``showcase check`` reports for one branch, photos included."""
        s = self.settings
        with self._memo_lock:
            branches, problems = load_branches(s.root, s.branches_dir, s.choices, memo=self._memo)
        mine = [b for b in branches if b.slug == slug]
        _, photo_problems = run_photos(mine, s, publish=False)
        rel = rel_path(s.branches_dir / slug / BRANCH_FILE, s.root)
        return sort_problems(
            [p for p in problems + photo_problems if p.path == rel or rel in p.message]
        )

    def _branches(self):
        s = self.settings
        with self._memo_lock:
            return load_branches(s.root, s.branches_dir, s.choices, memo=self._memo)[0]

    def _photo_used(self, slug: str, file: str) -> str:
        """Where branch.yml uses a photo file (for messages), or ''."""
        path = self.settings.branches_dir / slug / BRANCH_FILE
        try:
            data = YAML(typ="safe", pure=True).load(path.read_text("utf-8-sig"))
        except (OSError, UnicodeDecodeError, YAMLError):
            return ""
        if not isinstance(data, dict):
            return ""
        brand = data.get("brand") if isinstance(data.get("brand"), dict) else {}
        if brand.get("logo") == file:
            return "“品牌标识”"
        for p in data.get("photos") or []:
            if isinstance(p, dict) and p.get("file") == file:
                return "“照片”列表"
        for c in brand.get("cases") or []:
            if isinstance(c, dict) and file in (c.get("photos") or []):
                return "“典型个案”"
        return ""

    # --- paths and locks ----------------------------------------------------------------------

    def _branch_path(self, raw: Any, *, folder: bool = False) -> tuple[str, str]:
        """A request's path as ``branches/<slug>/...`` and its slug; Refused if it is not one.

        Nothing outside one branch folder can be named: no absolute paths, no ``..``, no
        backslashes or control characters, no symbolic link that leads elsewhere.
        """
        if not isinstance(raw, str) or not raw or len(raw) > 400:
            raise Refused(400, "请求格式不对：缺少路径")
        bad = (
            raw.startswith("/")
            or "\\" in raw
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in raw)
            or ":" in raw
        )
        parts = PurePosixPath(raw).parts
        if bad or any(p in ("..", ".", "") for p in raw.split("/")):
            raise Refused(403, f"路径“{raw}”不在支部文件夹里，拒绝访问")
        base = tuple(PurePosixPath(self.folder).parts)
        if parts[: len(base)] != base or len(parts) < len(base) + (1 if folder else 2):
            raise Refused(403, f"路径“{raw}”不在 {self.folder}/ 里，拒绝访问")
        slug = parts[len(base)]
        if not SLUG_RE.match(slug):
            raise Refused(400, f"网址名“{slug}”不合规：只能用小写英文字母、数字和 -，如 hengchong")
        target = (self.settings.root / raw).resolve()
        home = (self.settings.branches_dir / slug).resolve()
        if not (target == home or target.is_relative_to(home)):
            raise Refused(403, f"路径“{raw}”指向支部文件夹之外（符号链接？），拒绝访问")
        if not home.is_relative_to(self.settings.branches_dir.resolve()):
            raise Refused(403, f"支部文件夹“{slug}”是指向别处的符号链接，拒绝访问")
        return "/".join(parts), slug

    @contextlib.contextmanager
    def _lock(self, slug: str) -> Iterator[None]:
        """One write at a time per branch: two saves of one branch run one after the other."""
        with self._locks_guard:
            lock = self._locks.setdefault(slug, threading.Lock())
        with lock:
            yield


_ACTIONS = {
    "info",
    "entriesByFolder",
    "entriesByFiles",
    "getEntry",
    "getMedia",
    "getMediaFile",
    "getDeployPreview",
    "persistEntry",
    "persistMedia",
    "deleteFile",
    "deleteFiles",
    "problems",
}


@contextlib.contextmanager
def _staged(photos: Path, uploads: list[Upload]) -> Iterator[None]:
    """Put the uploads in place; take them back out (restoring replaced files) on failure."""
    backups: list[tuple[Path, Path | None]] = []
    try:
        for up in uploads:
            target = photos / up.name
            backup = None
            if target.exists():
                fd, tmp = tempfile.mkstemp(prefix=f".{up.name[:40]}-", suffix=".old", dir=photos)
                os.close(fd)
                backup = Path(tmp)
                os.replace(target, backup)
            backups.append((target, backup))
            atomic_write(target, up.data)
        yield
    except BaseException:
        for target, backup in reversed(backups):
            if backup is not None:
                os.replace(backup, target)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
        raise
    for _, backup in backups:
        if backup is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(backup)


def _refusal(errors: list[Problem]) -> str:
    first = errors[0]
    more = f"（共 {len(errors)} 个问题，见页面下方）" if len(errors) > 1 else ""
    return f"没有保存：{first.field}: {first.message}{more}"


def problem_json(p: Problem) -> dict:
    return {
        "path": p.path,
        "line": p.line,
        "field": p.field,
        "message": p.message,
        "error": p.is_error,
        "text": str(p),
    }


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _names(node: Any, slug: str, rel: str) -> SimpleNamespace | None:
    """What the check across branches reads of a branch (its name and brand name, with their
    lines), taken from the YAML nodes, so it works even when other fields are wrong."""

    def find(mapping: Any, key: str) -> Any:
        if isinstance(mapping, yaml.MappingNode):
            for k, v in mapping.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    return v
        return None

    name, brand = find(node, "name"), find(node, "brand")
    brand_name = find(brand, "name")
    if not isinstance(name, yaml.ScalarNode) or not isinstance(brand_name, yaml.ScalarNode):
        return None
    return SimpleNamespace(
        slug=slug,
        source=rel,
        name=" ".join(name.value.split()),
        brand=SimpleNamespace(name=" ".join(brand_name.value.split())),
        lines={"name": name.start_mark.line + 1, "brand.name": brand_name.start_mark.line + 1},
    )
