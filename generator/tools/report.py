"""``showcase report``: how complete each branch's content is, worst first.

An office uses it to chase what is missing, so it reads everything it can and never fails:
a branch whose ``branch.yml`` has errors is still listed, with its first error.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as _field  # Row has its own ``field`` (领域)
from pathlib import Path

from ..config import Settings
from ..content import schema
from ..content.branches import load_branches
from ..content.model import Branch
from ..content.reading import BRANCH_FILE, find_branch_files
from ..display import display_width, pad
from ..problems import rel_path
from ..site.catalog import pinyin_key

MIN_PHOTOS = 2


def _captioned(b: Branch) -> bool:
    """Every photo shown has a real caption: case photos listed in ``photos`` with one, and no
    caption that is just the file name (a caption is the photo's alt text)."""
    if not b.photos:
        return False  # nothing to caption is not a done job
    listed = {p.file for p in b.photos}
    if not all(p.file in listed for c in b.brand.cases for p in c.photos):
        return False
    return all(p.caption.strip() not in (p.file, Path(p.file).stem) for p in b.photos)


def _present(path: str) -> Callable[[Branch], bool]:
    """Whether a branch has filled in the field at ``path`` (``brand.concept``)."""

    def check(b: Branch) -> bool:
        value: object = b
        for key in path.split("."):
            value = getattr(value, key)
        return value is not None and value != "" and value != ()

    return check


def _field_checks() -> tuple[tuple[str, str, Callable[[Branch], bool]], ...]:
    """Every field the schema counts towards completeness; the brand's first, as on the page."""
    counted = [(path, f.label) for path, f in schema.walk() if f.counts]
    counted.sort(key=lambda item: not item[0].startswith("brand."))
    return tuple((path, label, _present(path)) for path, label in counted)


# (key, label shown when missing, check). Photos are judged as a whole, not field by field.
CHECKS: tuple[tuple[str, str, Callable[[Branch], bool]], ...] = (
    *_field_checks(),
    ("photos", f"照片（至少 {MIN_PHOTOS} 张）", lambda b: len(b.photos) >= MIN_PHOTOS),
    ("captions", "照片说明", _captioned),
    ("cover", "指定封面", lambda b: any(p.cover for p in b.photos)),
    ("case_photos", "个案照片", lambda b: any(c.photos for c in b.brand.cases)),
)


@dataclass
class Row:
    slug: str
    name: str
    town: str = ""
    field: str = ""
    done: dict[str, bool] = _field(default_factory=dict)  # check key -> present
    error: str = ""  # the first error when branch.yml could not be read
    photos: int = 0

    @property
    def score(self) -> int:
        return sum(self.done.values())

    @property
    def total(self) -> int:
        return len(CHECKS)

    @property
    def percent(self) -> int:
        return 0 if self.error else round(100 * self.score / self.total)

    @property
    def missing(self) -> list[str]:
        if self.error:
            return [f"无法读取：{self.error}"]
        out = []
        for key, label, _ in CHECKS:
            if not self.done.get(key):
                out.append(
                    f"照片（现有 {self.photos} 张，至少 {MIN_PHOTOS} 张）"
                    if key == "photos"
                    else label
                )
        return out


def build_report(settings: Settings) -> list[Row]:
    """One row per branch folder, worst first (unreadable ones at the very top)."""
    branches, problems = load_branches(settings.root, settings.branches_dir, settings.choices)
    by_slug = {b.slug: b for b in branches}
    rows: list[Row] = []
    for folder in find_branch_files(settings.branches_dir):
        b = by_slug.get(folder.name)
        if b is None:
            rel = rel_path(folder / BRANCH_FILE, settings.root)
            first = next((p for p in problems if p.path == rel and p.is_error), None)
            why = f"第 {first.line} 行 {first.field}: {first.message}" if first else "未知错误"
            rows.append(Row(slug=folder.name, name=folder.name, error=why))
            continue
        rows.append(
            Row(
                slug=b.slug,
                name=b.display_name,
                town=b.town,
                field=b.field,
                done={key: check(b) for key, _, check in CHECKS},
                photos=len(b.photos),
            )
        )
    rows.sort(key=lambda r: (not r.error, r.score, pinyin_key(r.name)))
    return rows


# --- output ---------------------------------------------------------------------------------


HEADERS = ("支部", "网址名", "乡镇", "完整度", "缺少")


def _cells(r: Row) -> list[str]:
    score = "—" if r.error else f"{r.percent}%（{r.score}/{r.total}）"
    return [r.name, r.slug, r.town, score, "、".join(r.missing) or "无"]


def render_text(rows: list[Row]) -> str:
    """An aligned plain-text table; the last column (what is missing) runs free."""
    table = [list(HEADERS)] + [_cells(r) for r in rows]
    widths = [max(display_width(row[i]) for row in table) for i in range(len(HEADERS) - 1)]
    lines = []
    for i, row in enumerate(table):
        cells = [pad(c, w) for c, w in zip(row, widths, strict=False)] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            rule = [*("-" * w for w in widths), "-" * display_width(HEADERS[-1])]
            lines.append("  ".join(rule))
    complete = sum(1 for r in rows if not r.error and r.score == r.total)
    broken = sum(1 for r in rows if r.error)
    lines.append("")
    lines.append(f"共 {len(rows)} 个支部：{complete} 个资料齐全，{broken} 个无法读取。")
    return "\n".join(lines) + "\n"


def render_csv(rows: list[Row]) -> str:
    """CSV with one column per item (有/缺), for sorting and filtering in Excel."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(
        ["支部", "网址名", "乡镇", "领域", "完整度(%)", "得分", "满分"]
        + [label for _, label, _ in CHECKS]
        + ["缺少"]
    )
    for r in rows:
        marks = ["" if r.error else ("有" if r.done.get(k) else "缺") for k, _, _ in CHECKS]
        w.writerow(
            [r.name, r.slug, r.town, r.field, r.percent, r.score, r.total]
            + marks
            + ["、".join(r.missing)]
        )
    return buf.getvalue()


def render_html(rows: list[Row], title: str) -> str:
    """A standalone page (no external files) with the same table, to mail or print."""
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in HEADERS)
    body = []
    for r in rows:
        cls = "error" if r.error else ("full" if r.score == r.total else "")
        cells = "".join(f"<td>{e(c)}</td>" for c in _cells(r))
        body.append(f'<tr class="{cls}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
    rows_html = "\n".join(body)
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: .4em .6em; text-align: left; vertical-align: top; }}
th {{ background: #a4161a; color: #fff; }}
tr.error td {{ background: #fde8e8; }}
tr.full td {{ background: #eaf6ea; }}
</style>
</head>
<body>
<h1>{e(title)}</h1>
<p>共 {len(rows)} 个支部，按完整度从低到高排列。</p>
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{rows_html}
</tbody>
</table>
</body>
</html>
"""


def render(rows: list[Row], fmt: str, title: str) -> str:
    if fmt == "csv":
        return render_csv(rows)
    if fmt == "html":
        return render_html(rows, title)
    return render_text(rows)
