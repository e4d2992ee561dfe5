"""The editor's configuration comes from the schema: every field, label, hint and choice.

Also: the shipped Decap CMS files are the pinned ones, editor.backend is checked with Chinese
messages, and a built site has /admin/ only when editor.backend is set.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_project
from helpers import settings_for, write_branch

from generator.content import schema
from generator.editor.cms_config import BackendError, build_config, hosted_backend, render
from generator.editor.site import STATIC, publish

LOCAL = {"name": "proxy", "proxy_url": "/admin/api/v1?token=t"}


def config_for(tmp_path: Path, **kw) -> dict:
    return build_config(settings_for(tmp_path, **kw), LOCAL, "http://127.0.0.1:8000/")


def editor_fields(fields: list[dict], prefix: str = "") -> dict[str, dict]:
    """Every field of the Decap configuration by its dotted path (``photos[].caption``)."""
    out = {}
    for f in fields:
        path = f"{prefix}.{f['name']}" if prefix else f["name"]
        out[path] = f
        if f.get("widget") == "object":
            out.update(editor_fields(f["fields"], path))
        elif f.get("widget") == "list" and "fields" in f:
            out.update(editor_fields(f["fields"], path + "[]"))
        elif f.get("widget") == "list" and "field" in f:
            out[path + "[]"] = f["field"]
    return out


def schema_fields(spec: schema.Field, prefix: str = "") -> dict[str, schema.Field]:
    out = {}
    for f in spec.children:
        path = f"{prefix}.{f.key}" if prefix else f.key
        out[path] = f
        if f.kind == schema.MAP:
            out.update(schema_fields(f, path))
        elif f.kind == schema.LIST and f.item is not None:
            if f.item.kind == schema.MAP:
                out.update(schema_fields(f.item, path + "[]"))
            else:
                out[path + "[]"] = f.item
    return out


def test_every_schema_field_is_in_the_editor_with_its_words(tmp_path) -> None:
    collection = config_for(tmp_path)["collections"][0]
    got = editor_fields(collection["fields"])
    want = schema_fields(schema.BRANCH)
    assert set(got) == set(want)  # nothing missing, nothing invented
    for path, f in want.items():
        e = got[path]
        assert e["label"] == f.label, path
        assert e["required"] is f.required, path  # Decap's default (required) never applies
        hint = e.get("hint", "")
        listed = "、".join(e.get("options", []))
        if f.kind == schema.PATH:  # a button picks the file: the hint says how, not the path
            assert hint.endswith("点“选择图片”上传：JPEG、PNG、WebP 或 HEIC，不超过 30 MB"), path
        elif listed and f.hint.startswith(listed):  # a drop-down shows its values itself
            assert f.hint[len(listed) :].lstrip("…；") in hint, path
        elif f.kind in (schema.LINE, schema.TEXT, schema.INT, schema.YEAR):
            assert f.hint.replace("[", "").split("，")[0] in hint, path
            if f.example and not listed:
                assert f.example in hint, path
        if f.required and f.kind not in (schema.MAP, schema.LIST):
            assert e["hint"].startswith("必填"), path
        if f.max_len and f.kind in (schema.LINE, schema.TEXT) and "options" not in e:
            assert e["pattern"][0] == f"^[\\s\\S]{{0,{f.max_len}}}$", path
    widgets = {path: e["widget"] for path, e in got.items()}
    for path in (
        "brand.methods",
        "brand.carriers",
        "brand.cases",
        "honors",
        "tags",
        "photos",
        "brand.cases[].photos",
    ):
        assert widgets[path] == "list", path
    for path in ("photos[].file", "brand.logo", "brand.cases[].photos[]"):
        assert widgets[path] == "image", path
    assert widgets["brand"] == "object"
    assert widgets["photos[].cover"] == "boolean"
    assert widgets["members"] == widgets["founded"] == "number"
    assert widgets["brand.summary"] == "text"


def test_choices_come_from_the_settings_and_the_schema(tmp_path) -> None:
    fields = ("农村", "社区", "学校")
    got = editor_fields(
        config_for(tmp_path, fields=fields, towns=("城关街道", "石门镇"))["collections"][0][
            "fields"
        ]
    )
    assert got["field"]["options"] == list(fields)
    assert got["town"]["options"] == ["城关街道", "石门镇"]
    assert got["demonstration"]["options"] == list(schema.LEVELS)
    assert got["honors[].level"]["options"] == list(schema.LEVELS)
    assert got["org_type"]["options"] == list(schema.ORG_TYPES)
    # Without configured towns any township may be typed.
    assert config_for(tmp_path)["collections"][0]["fields"][2]["widget"] == "string"


def test_a_field_added_to_the_schema_appears_in_the_editor(tmp_path, monkeypatch) -> None:
    extra = schema.Field("motto", schema.LINE, "支部格言", "一句话", max_len=30)
    brand = dataclasses.replace(schema.BRAND, children=(*schema.BRAND.children, extra))
    branch = dataclasses.replace(
        schema.BRANCH,
        children=tuple(brand if f.key == "brand" else f for f in schema.BRANCH.children),
    )
    monkeypatch.setattr(schema, "BRANCH", branch)
    got = editor_fields(config_for(tmp_path)["collections"][0]["fields"])
    assert got["brand.motto"]["label"] == "支部格言"
    assert got["brand.motto"]["hint"] == "一句话（不超过 30 字）"


def test_branches_live_in_their_own_folders_with_their_photos(tmp_path) -> None:
    config = config_for(tmp_path)
    c = config["collections"][0]
    assert config["locale"] == "zh_Hans"
    assert (c["folder"], c["path"], c["extension"], c["format"]) == (
        "branches",
        "{{slug}}/branch",
        "yml",
        "yml",
    )
    assert (c["media_folder"], c["public_folder"]) == ("photos", "photos")
    assert c["meta"]["path"]["index_file"] == "branch"
    assert c["meta"]["path"]["pattern"][0] == "^[a-z0-9][a-z0-9-]*$"
    assert c["delete"] is False
    text = render(config)
    assert text == render(config_for(tmp_path))  # the same bytes every time
    assert yaml.safe_load(text) == config


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "gogs", "repo": "a/b"}, "只能是 gitlab、gitea、github"),
        ({"name": "gitlab", "repo": "ab"}, "应写成“组/项目”"),
        ({"name": "gitlab", "repo": "a/b", "base_url": "git.example.gov.cn"}, "https:// 开头"),
        ({"name": "gitlab", "repo": "a/b", "token": "x"}, "不认识 token"),
    ],
)
def test_a_wrong_backend_is_explained(raw, message) -> None:
    with pytest.raises(BackendError, match=message):
        hosted_backend(raw)


def test_self_hosted_gitlab_and_gitea_get_their_api_roots() -> None:
    gitlab = hosted_backend(
        {
            "name": "gitlab",
            "repo": "xc/showcase",
            "base_url": "https://git.example.gov.cn/",
            "app_id": "abc",
        }
    )
    assert gitlab == {
        "name": "gitlab",
        "repo": "xc/showcase",
        "base_url": "https://git.example.gov.cn",
        "api_root": "https://git.example.gov.cn/api/v4",
        "branch": "main",
        "app_id": "abc",
        "auth_type": "pkce",
    }
    gitea = hosted_backend(
        {"name": "gitea", "repo": "xc/showcase", "base_url": "https://gitea.example"}
    )
    assert gitea["api_root"] == "https://gitea.example/api/v1"


def test_the_shipped_decap_cms_is_the_pinned_one() -> None:
    pinned = json.loads((STATIC / "decap-cms.json").read_text("utf-8"))
    assert pinned["package"] == "decap-cms"
    for name, digest in pinned["files"].items():
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name
    # No file of the editor loads anything from elsewhere.
    for name in ("index.html", "editor.js", "editor.css", "preview.css"):
        text = (STATIC / name).read_text("utf-8")
        assert "http://" not in text and "https://" not in text, name


def test_publish_writes_a_complete_admin(tmp_path) -> None:
    settings = settings_for(tmp_path)
    backend = hosted_backend(
        {"name": "gitea", "repo": "xc/showcase", "base_url": "https://gitea.example"}
    )
    written = {p.name for p in publish(tmp_path / "site", settings, backend)}
    assert written == {
        "index.html",
        "config.yml",
        "decap-cms.js",
        "editor.js",
        "editor.css",
        "preview.css",
    }
    config = yaml.safe_load((tmp_path / "site" / "admin" / "config.yml").read_text("utf-8"))
    assert config["backend"]["name"] == "gitea"
    assert "local_backend" not in config and "token" not in json.dumps(config)
    page = (tmp_path / "site" / "admin" / "index.html").read_text("utf-8")
    assert '"mode": "hosted"' in page and "api/v1" not in page


# ------------------------------------------------------------------ built sites


def test_a_site_without_editor_backend_has_no_admin(example_site: Path) -> None:
    assert not (example_site / "admin").exists()
    assert "admin/" not in (example_site / "sitemap.xml").read_text("utf-8")


def test_a_site_with_editor_backend_publishes_admin(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", branches=False)
    write_branch(root, "hengchong")
    config = (root / "mkdocs.yml").read_text("utf-8")
    option = (
        "      editor:\n        backend: {name: gitlab, repo: xuanchuan/showcase, "
        "base_url: https://git.example.gov.cn}\n"
    )
    config = config.replace("      featured_count: 6\n", "      featured_count: 6\n" + option)
    (root / "mkdocs.yml").write_text(config, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    admin = root / "site" / "admin"
    config_yml = yaml.safe_load((admin / "config.yml").read_text("utf-8"))
    assert config_yml["backend"] == {
        "name": "gitlab",
        "repo": "xuanchuan/showcase",
        "base_url": "https://git.example.gov.cn",
        "api_root": "https://git.example.gov.cn/api/v4",
        "branch": "main",
        "auth_type": "pkce",
    }
    assert "editor.backend 没有 app_id" in result.stderr  # what sign-in still needs
    assert (admin / "decap-cms.js").stat().st_size > 1_000_000
    assert (admin / "index.html").is_file()


def test_a_wrong_editor_backend_stops_the_build_with_a_chinese_line(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p", branches=False)
    write_branch(root, "hengchong")
    config = (
        (root / "mkdocs.yml")
        .read_text("utf-8")
        .replace(
            "      featured_count: 6\n",
            "      featured_count: 6\n      editor: {backend: {name: svn, repo: a/b}}\n",
        )
    )
    (root / "mkdocs.yml").write_text(config, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "check", "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 1
    assert "editor.backend.name 只能是 gitlab、gitea、github" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_guide_and_the_ci_templates_explain_both_ways() -> None:
    guide = (REPO / "site_src" / "guide.md").read_text("utf-8")
    assert "### 本机编辑" in guide and "### 托管编辑" in guide
    assert "http://127.0.0.1:8000/admin/" in guide and "editor:" in guide
    pictures = re.findall(r"\]\((assets/guide/editor-[a-z-]+\.webp)\)", guide)
    assert len(pictures) >= 6
    for picture in pictures:
        assert (REPO / "site_src" / picture).is_file(), picture
    for name in ("gitlab-ci.yml", "github-pages.yml"):
        text = (REPO / "ci-templates" / name).read_text("utf-8")
        assert "/admin/" in text and "editor: {backend: {name:" in text, name
