"""``showcase new``: a commented ``branch.yml`` scaffold in a new branch folder."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..config import Settings
from ..content.reading import BRANCH_FILE
from ..content.schema import LEVELS
from ..content.slugs import slugify
from ..content.validate import SLUG_RE


class ScaffoldError(Exception):
    pass


def render_scaffold(settings: Settings, name: str, *, town: str = "", field: str = "") -> str:
    env = Environment(
        loader=PackageLoader("generator.tools", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    # Values are quoted as JSON strings (valid YAML) so any name reads back exactly as typed.
    env.filters["yaml"] = lambda v: json.dumps(v, ensure_ascii=False) if v else ""
    short = name.removesuffix("党支部").removesuffix("党委").removesuffix("党总支")
    return env.get_template("branch.yml.j2").render(
        name=name,
        short_name=short if short != name else "",
        town=town,
        field=field,
        fields=settings.fields,
        levels=LEVELS,
    )


def create_branch(
    settings: Settings, name: str, *, slug: str | None = None, town: str = "", field: str = ""
) -> Path:
    name = " ".join(name.split())
    if not name:
        raise ScaffoldError("请给出支部全称，如：showcase new 横冲村党支部")
    slug = slug or slugify(name.removesuffix("党支部"))
    if not SLUG_RE.match(slug):
        raise ScaffoldError(f"网址名“{slug}”不合规：只能用小写英文字母、数字和 -，请用 --slug 指定")
    if field and field not in settings.fields:
        raise ScaffoldError(f"“{field}”不是可选的领域（{'、'.join(settings.fields)}）")
    folder = settings.branches_dir / slug
    if folder.exists():
        raise ScaffoldError(
            f"{folder.relative_to(settings.root).as_posix()} 已存在；"
            "换一个 --slug，或直接编辑已有的 branch.yml"
        )
    (folder / "photos").mkdir(parents=True)
    path = folder / BRANCH_FILE
    path.write_text(render_scaffold(settings, name, town=town, field=field), encoding="utf-8")
    return path
