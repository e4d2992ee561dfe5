"""The Decap CMS configuration (``/admin/config.yml``), generated from the schema.

Every field of ``branch.yml`` comes from ``schema.BRANCH`` with its Chinese label, hint, required
mark, length limit and choices; the choices configured in ``mkdocs.yml`` (fields, towns) come
from the settings. Nothing here lists a field by hand, so a field added to the schema appears in
the editor, and ``tests/test_editor_config.py`` fails if one does not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..config import Settings
from ..content import schema
from ..content.reading import BRANCH_FILE

COLLECTION = "branches"
PHOTOS_DIR = "photos"
# Larger than any phone photo; the server refuses bigger uploads with the same figure.
MAX_UPLOAD_BYTES = 30 * 1024 * 1024
SLUG_PATTERN = "^[a-z0-9][a-z0-9-]*$"
BACKENDS = ("gitlab", "gitea", "github")
# Free text in the schema whose usual values the form offers as a drop-down.
_SUGGESTED: dict[str, tuple[str, ...]] = {"org_type": schema.ORG_TYPES}


def build_config(
    settings: Settings, backend: Mapping[str, Any], site_url: str, logo: str | None = None
) -> dict[str, Any]:
    """The whole configuration as plain data.

    ``backend`` is Decap's ``backend`` section: the local proxy of ``showcase serve``, or the git
    host of ``editor.backend``. ``site_url`` is where the branch pages are seen (the preview
    server, or the published site), for the editor's "view the page" links.
    """
    folder = settings.branches_dir.relative_to(settings.root).as_posix()
    config: dict[str, Any] = {
        "locale": "zh_Hans",
        "backend": dict(backend),
        # Required by Decap; uploads go to each branch's own photos/ (collection media_folder).
        "media_folder": folder,
        "public_folder": "",
        # Photo names keep Chinese characters (staff name their files so); spaces become "-".
        "slug": {"encoding": "unicode", "clean_accents": False, "sanitize_replacement": "-"},
        "show_preview_links": bool(site_url),
        "collections": [_collection(settings, folder)],
    }
    if site_url:
        config["site_url"] = site_url
        config["display_url"] = site_url
    if logo:
        config["logo"] = {"src": "../" + logo.lstrip("/"), "show_in_header": False}
    return config


def _collection(settings: Settings, folder: str) -> dict[str, Any]:
    stem = BRANCH_FILE.rsplit(".", 1)[0]
    return {
        "name": COLLECTION,
        "label": "支部",
        "label_singular": "支部",
        "description": "每个支部一页。新建：点右边的“＋ 支部”；照片在表单最下面的“照片”一栏"
        "添加、写说明，拖动排序，打开“封面”选一张作封面。保存后预览自动更新。",
        "folder": folder,
        # One folder per branch: branches/<网址名>/branch.yml, its photos beside it.
        "path": "{{slug}}/" + stem,
        "extension": "yml",
        "format": "yml",
        "create": True,
        "delete": False,  # removing a branch (and its photos) is not a thing to do by one click
        "media_folder": PHOTOS_DIR,
        "public_folder": PHOTOS_DIR,
        "identifier_field": "name",
        "summary": "{{name}}（{{town}}）",
        "sortable_fields": ["name", "town", "field"],
        "view_groups": [
            {"label": "乡镇", "field": "town"},
            {"label": "领域", "field": "field"},
        ],
        "preview_path": f"{folder}/{{{{dirname}}}}/",
        # The folder name is the page's address; it is not a field of branch.yml.
        "meta": {
            "path": {
                "widget": "string",
                "label": "网址名",
                "required": True,
                "index_file": stem,
                "hint": "必填。支部页的网址，也是文件夹名：只用小写英文字母、数字和 -，"
                "一般写简称的拼音，如 hengchong。保存后不能再改（二维码会印出来）。",
                "pattern": [SLUG_PATTERN, "只能用小写英文字母、数字和 -，且不能以 - 开头"],
            }
        },
        "fields": [_field(f, settings, f.key) for f in schema.BRANCH.children],
    }


def _field(f: schema.Field, settings: Settings, path: str) -> dict[str, Any]:
    """One Decap field for one schema field (``path`` is its dotted place in branch.yml)."""
    out: dict[str, Any] = {
        "name": f.key or "item",
        "label": f.label,
        "required": f.required,  # Decap's default is required; the schema decides
    }
    # Decap marks optional fields “(可选)”; required ones say 必填 first, as the scaffold does.
    hint = _form_hint(f, _choices(f, settings, path))
    if f.required and f.kind not in (schema.MAP, schema.LIST):
        hint = f"必填。{hint}" if hint else "必填"
    if hint:
        out["hint"] = hint
    out.update(_widget(f, settings, path))
    return out


# The schema's hints are written for branch.yml; a few phrases are about YAML and read
# differently next to a form control.
_YAML_PHRASES = (
    (re.compile(r"^写成 \d{4}-\d{2}-\d{2}[；，]?"), ""),  # a date picker writes the date
    (re.compile(r"^写 true "), ""),  # a switch, not the word true
    (re.compile(r"\[([^\]]*)\]"), lambda m: "、".join(p.strip() for p in m[1].split(","))),
)


def _form_hint(f: schema.Field, choices: tuple[str, ...]) -> str:
    """A field's hint as the form shows it (beside its label, control and Decap's own marks)."""
    if f.kind == schema.PATH:
        # The schema's hint tells how to write a path; here a button picks the photo.
        return f"点“选择图片”上传：JPEG、PNG、WebP 或 HEIC，不超过 {MAX_UPLOAD_BYTES >> 20} MB"
    hint = f.hint
    for pattern, replacement in _YAML_PHRASES:
        hint = pattern.sub(replacement, hint)
    if choices:
        # A drop-down shows its values; keep only what the hint says beyond them.
        listed = "、".join(choices)
        return hint[len(listed) :].lstrip("…；;，, ") if hint.startswith(listed) else hint
    if f.example and f.kind in (schema.LINE, schema.TEXT, schema.INT, schema.YEAR):
        if f.example not in hint:
            hint = f"{hint}，如：{f.example}" if hint else f"如：{f.example}"
    if f.max_len and f.kind in (schema.LINE, schema.TEXT) and f"不超过 {f.max_len} 字" not in hint:
        hint = f"{hint}（不超过 {f.max_len} 字）" if hint else f"不超过 {f.max_len} 字"
    return hint


def _widget(f: schema.Field, settings: Settings, path: str) -> dict[str, Any]:
    choices = _choices(f, settings, path)
    if choices:
        return {"widget": "select", "options": list(choices)}
    if f.kind == schema.MAP:
        return {
            "widget": "object",
            "collapsed": False,
            "fields": [_field(c, settings, f"{path}.{c.key}") for c in f.children],
        }
    if f.kind == schema.LIST:
        return _list(f, settings, path)
    if f.kind == schema.PATH:
        return {
            "widget": "image",
            "choose_url": False,
            "media_library": {"config": {"max_file_size": MAX_UPLOAD_BYTES}},
        }
    if f.kind in (schema.INT, schema.YEAR):
        out: dict[str, Any] = {"widget": "number", "value_type": "int", "step": 1}
        minimum = schema.FIRST_YEAR if f.kind == schema.YEAR else f.minimum
        if minimum is not None:
            out["min"] = minimum
        return out
    if f.kind == schema.DATE:
        return {
            "widget": "datetime",
            "format": "YYYY-MM-DD",
            "date_format": "YYYY-MM-DD",
            "time_format": False,
            "picker_utc": True,
        }
    if f.kind == schema.BOOL:
        return {"widget": "boolean"}
    widget = "text" if f.kind == schema.TEXT else "string"
    out = {"widget": widget}
    if f.max_len:
        out["pattern"] = [f"^[\\s\\S]{{0,{f.max_len}}}$", f"不能超过 {f.max_len} 字"]
    return out


def _list(f: schema.Field, settings: Settings, path: str) -> dict[str, Any]:
    assert f.item is not None
    item = f.item
    out: dict[str, Any] = {
        "widget": "list",
        "label_singular": item.label,
        "collapsed": item.kind == schema.MAP and bool(item.children) and path == "photos",
        "add_to_top": False,
    }
    if item.kind == schema.MAP:
        out["fields"] = [_field(c, settings, f"{path}[].{c.key}") for c in item.children]
        first = item.children[0]
        out["summary"] = f"{{{{fields.{first.key}}}}}"
        if path == "photos":
            out["summary"] = "{{fields.caption}}（{{fields.file}}）"
    else:
        out["field"] = _field(item, settings, f"{path}[]")
    return out


def _choices(f: schema.Field, settings: Settings, path: str) -> tuple[str, ...]:
    """The configured fields and towns (none: any town), the schema's fixed lists."""
    return settings.choices.of(f) or _SUGGESTED.get(path, ())


def render(config: Mapping[str, Any]) -> str:
    """YAML text of the configuration, the same bytes for the same input."""
    head = "# 由 showcase 根据 generator/content/schema.py 生成，请勿手改\n"
    return head + yaml.safe_dump(
        dict(config), allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


# --- editor.backend in mkdocs.yml -------------------------------------------------------------


class BackendError(ValueError):
    """``editor.backend`` in mkdocs.yml is not usable; the message says why, in Chinese."""


_KEYS = {"name", "repo", "base_url", "branch", "api_root", "app_id", "auth_type", "auth_endpoint"}


def hosted_backend(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Decap's ``backend`` section for ``editor.backend`` (gitlab, gitea or github)."""
    if not isinstance(raw, Mapping):
        raise BackendError("editor.backend 应写成 {name: gitlab, repo: 组/项目, base_url: 网址}")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        known = "、".join(sorted(_KEYS))
        raise BackendError(f"editor.backend 不认识 {'、'.join(map(str, unknown))}（可用：{known}）")
    name = raw.get("name")
    if name not in BACKENDS:
        raise BackendError(f"editor.backend.name 只能是 {'、'.join(BACKENDS)}，这里是“{name}”")
    repo = raw.get("repo")
    if not isinstance(repo, str) or repo.count("/") < 1 or not all(repo.split("/")):
        raise BackendError("editor.backend.repo 应写成“组/项目”，如 xuanchuan/showcase")
    out: dict[str, Any] = {"name": name, "repo": repo}
    base = raw.get("base_url")
    if base is not None:
        parts = urlsplit(str(base))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BackendError(f"editor.backend.base_url 应是 https:// 开头的网址，这里是“{base}”")
        base = str(base).rstrip("/")
        out["base_url"] = base
        # Self-hosted GitLab and Gitea answer their API under the same address.
        if name == "gitlab":
            out["api_root"] = f"{base}/api/v4"
        elif name == "gitea":
            out["api_root"] = f"{base}/api/v1"
    # Decap commits to "master" unless told; GitLab, Gitea and GitHub now start with "main".
    out["branch"] = str(raw.get("branch") or "main")
    for key in ("api_root", "app_id", "auth_type", "auth_endpoint"):
        if raw.get(key) is not None:
            out[key] = str(raw[key])
    if name == "gitlab" and "auth_type" not in out:
        out["auth_type"] = "pkce"  # sign in with a GitLab OAuth application, no secret needed
    return out


def backend_warning(backend: Mapping[str, Any]) -> str | None:
    """What the hosted editor still needs to let anyone sign in, if anything."""
    name = backend.get("name")
    if name in ("gitlab", "gitea") and not backend.get("app_id"):
        host = "GitLab" if name == "gitlab" else "Gitea"
        return (
            f"editor.backend 没有 app_id：在 {host} 里新建一个 OAuth 应用"
            "（回调地址填站点的 /admin/），把它的 Application ID 写进 editor.backend.app_id，"
            "否则 /admin/ 无法登录"
        )
    if name == "github" and not backend.get("base_url"):
        return (
            "editor.backend 没有 base_url：GitHub 登录需要一个 OAuth 中转服务，"
            "把它的地址写进 base_url"
        )
    return None
