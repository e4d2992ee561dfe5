"""The ``branch.yml`` schema as data: the one source of truth for every field.

Each field knows its kind, whether it is required, its Chinese label, hint and example, which
model class holds it, its column in the spreadsheet register and whether it counts towards
completeness. Everything else is derived from this tree: validation and the model
(``validate``), the scaffold's comments (``tools/scaffold``), the JSON Schema
(``tools/json_schema``), the register's columns (``tools/importer``), the completeness checks
(``tools/report``), the field reference in the staff guide and the browser editor's form.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .model import Branch, Brand, Carrier, Case, Honor, PhotoRef

LEVELS = ("国家级", "省级", "市级", "县级", "镇级")
ORG_TYPES = ("党委", "党总支", "党支部", "联合党支部", "联村党委", "临时党支部", "功能型党支部")
FIRST_YEAR = 1921  # the Party's founding: no branch is older

# Kinds of leaf values.
LINE = "line"  # one line of plain text
TEXT = "text"  # safe Markdown subset, may span paragraphs
INT = "int"
YEAR = "year"
DATE = "date"
BOOL = "bool"
PATH = "path"  # an image file inside the branch folder
# Kinds of containers.
MAP = "map"
LIST = "list"

# Choices that come from mkdocs.yml rather than from this file (see ``Choices``).
CONFIGURED_FIELDS = "fields"
CONFIGURED_TOWNS = "towns"


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    label: str
    hint: str = ""
    required: bool = False
    # A tuple, or the name of a configured list (CONFIGURED_FIELDS, CONFIGURED_TOWNS).
    choices: tuple[str, ...] | str | None = None
    max_len: int | None = None
    minimum: int | None = None
    example: str = ""  # a typical value, shown in the scaffold, the register and the guide
    children: tuple[Field, ...] = ()  # for MAP, or the items of a LIST of maps
    item: Field | None = None  # for LIST
    model: type | None = None  # for MAP: the dataclass of content/model.py that holds it
    column: str = ""  # header of this field's column in the spreadsheet register (台账)
    counts: bool = False  # part of a complete branch (showcase report)

    @property
    def is_leaf(self) -> bool:
        return self.kind not in (MAP, LIST)

    @functools.cached_property
    def by_key(self) -> dict[str, Field]:
        """The children by key (validation looks one up for every key in every file)."""
        return {c.key: c for c in self.children}

    def child(self, key: str) -> Field:
        return self.by_key[key]


@dataclass(frozen=True)
class Choices:
    """The lists mkdocs.yml configures; an empty ``towns`` means any township is allowed."""

    fields: tuple[str, ...] = ()
    towns: tuple[str, ...] = ()

    def of(self, spec: Field) -> tuple[str, ...]:
        """The values ``spec`` may take, or () when it is free text."""
        if spec.choices == CONFIGURED_FIELDS:
            return self.fields
        if spec.choices == CONFIGURED_TOWNS:
            return self.towns
        return spec.choices if isinstance(spec.choices, tuple) else ()


def _map(key: str, label: str, children: tuple[Field, ...], **kw) -> Field:
    return Field(key, MAP, label, children=children, **kw)


def _list(key: str, label: str, item: Field, **kw) -> Field:
    return Field(key, LIST, label, item=item, **kw)


CARRIER = _map(
    "",
    "活动载体",
    (
        Field(
            "name",
            LINE,
            "载体名称",
            "如：百家宴、邻里节、学“习”大讲堂",
            required=True,
            max_len=40,
            example="百家宴",
        ),
        Field(
            "description",
            TEXT,
            "载体介绍",
            "做什么、多久一次、谁参加",
            max_len=2000,
            example="每年重阳节，全村党员和群众一起摆宴，听村里一年的账。",
        ),
    ),
    model=Carrier,
)

CASE = _map(
    "",
    "典型个案",
    (
        Field("title", LINE, "个案标题", required=True, max_len=60, example="一场百家宴议定修路"),
        Field("date", DATE, "日期", "写成 2026-05-01", example="2026-05-01"),
        Field(
            "text",
            TEXT,
            "个案经过",
            "时间、人物、经过、结果",
            required=True,
            max_len=5000,
            example="宴席上村民提出修路，党员当场认捐，一个月后路就通了。",
        ),
        _list(
            "photos",
            "个案照片",
            Field("", PATH, "照片文件", "photos/ 下的文件", example="photos/case1.jpg"),
            hint="写在 photos 里的照片文件，如 [photos/case1.jpg]",
        ),
    ),
    model=Case,
)

HONOR = _map(
    "",
    "荣誉",
    (
        Field(
            "title",
            LINE,
            "荣誉名称",
            "如：全省先进基层党组织",
            required=True,
            max_len=80,
            example="全省先进基层党组织",
        ),
        Field(
            "level",
            LINE,
            "荣誉级别",
            "、".join(LEVELS),
            required=True,
            choices=LEVELS,
            example="省级",
        ),
        Field("year", YEAR, "获得年份", required=True, example="2025"),
    ),
    model=Honor,
)

PHOTO = _map(
    "",
    "照片",
    (
        Field(
            "file",
            PATH,
            "照片文件",
            "photos/ 下的文件",
            required=True,
            example="photos/center.jpg",
        ),
        Field(
            "caption",
            LINE,
            "照片说明",
            "拍的是什么、在哪里；也用作图片的替代文字（给看不见图片的人读）",
            required=True,
            max_len=120,
            example="新建成的党员群众服务中心",
        ),
        Field("cover", BOOL, "封面", "写 true 作为封面，只能有一张；都不写则用第一张"),
        Field("date", DATE, "拍摄日期", "写成 2026-03-02", example="2026-03-02"),
        Field("credit", LINE, "署名", "如：王某 摄", max_len=40, example="王某 摄"),
    ),
    model=PhotoRef,
)

BRAND = _map(
    "brand",
    "品牌",
    (
        Field(
            "name",
            LINE,
            "品牌名称",
            "简短好记",
            required=True,
            max_len=30,
            example="示例共富",
            column="品牌名称",
        ),
        Field(
            "slogan",
            LINE,
            "品牌口号",
            "一句话",
            max_len=60,
            example="强村带弱村，共走富裕路",
            column="品牌口号",
            counts=True,
        ),
        Field("logo", PATH, "品牌标识", "photos/ 下的图片文件，可不填", example="photos/logo.png"),
        Field(
            "summary",
            TEXT,
            "品牌简介",
            "一段话，不超过 300 字；用于卡片、搜索结果和页面描述",
            required=True,
            max_len=300,
            example="示例村党支部牵头成立联村党委，带动周边三个村共同发展茶产业。",
            column="品牌简介",
            counts=True,
        ),
        Field(
            "concept",
            TEXT,
            "理念产生",
            "想法从哪里来、要解决什么问题",
            max_len=5000,
            example="几个村各自为战，茶叶卖不上价。",
            counts=True,
        ),
        Field(
            "theory",
            TEXT,
            "理论支撑",
            "依据的理论、政策或原则",
            max_len=5000,
            example="以组织联建带动产业联合。",
            counts=True,
        ),
        _list(
            "methods",
            "方法路径",
            Field("", TEXT, "一个步骤", max_len=2000, example="联村党委统一规划茶园"),
            hint="一步一条，按先后顺序",
            counts=True,
        ),
        _list("carriers", "活动载体", CARRIER, hint="经常开展的活动或平台", counts=True),
        Field(
            "results",
            TEXT,
            "成效愿景",
            "取得的成效（尽量用数字）和下一步目标",
            max_len=5000,
            example="三个村集体经济收入都超过 50 万元。",
            counts=True,
        ),
        _list("cases", "典型个案", CASE, hint="具体的故事（日期、经过、照片）", counts=True),
    ),
    required=True,
    model=Brand,
)

BRANCH = _map(
    "",
    "支部",
    (
        Field(
            "name",
            LINE,
            "全称",
            "支部、村或单位的全称",
            required=True,
            max_len=60,
            example="示例村党支部",
            column="名称",
        ),
        Field(
            "short_name",
            LINE,
            "简称",
            "用在卡片和导航上",
            max_len=20,
            example="示例村",
            column="简称",
        ),
        Field(
            "town",
            LINE,
            "所属乡镇（街道）",
            required=True,
            max_len=30,
            choices=CONFIGURED_TOWNS,
            example="石门镇",
            column="乡镇",
        ),
        Field(
            "field",
            LINE,
            "领域",
            required=True,
            choices=CONFIGURED_FIELDS,
            example="农村",
            column="领域",
        ),
        Field(
            "org_type",
            LINE,
            "组织类型",
            "、".join(ORG_TYPES) + "……",
            max_len=20,
            example="党支部",
            column="组织类型",
        ),
        Field(
            "secretary",
            LINE,
            "书记",
            "书记姓名",
            max_len=20,
            example="李某",
            column="书记",
            counts=True,
        ),
        Field(
            "members",
            INT,
            "党员人数",
            "整数",
            minimum=0,
            example="48",
            column="党员人数",
            counts=True,
        ),
        Field(
            "founded",
            YEAR,
            "成立年份",
            "四位数年份",
            example="1958",
            column="成立年份",
            counts=True,
        ),
        Field("address", LINE, "地址", max_len=100, example="石门镇示例村一组", column="地址"),
        Field(
            "demonstration",
            LINE,
            "示范点级别",
            "、".join(LEVELS) + "；不是示范点就空着",
            choices=LEVELS,
            example="市级",
            column="示范点",
        ),
        Field(
            "updated",
            DATE,
            "更新日期",
            "写成 2026-10-12；不写则取 git 最后提交的日期",
            example="2026-10-12",
        ),
        BRAND,
        _list("honors", "荣誉", HONOR, hint="空着的条目会被忽略", counts=True),
        _list(
            "tags",
            "标签",
            Field("", LINE, "标签", max_len=20, example="集体经济"),
            hint="几个关键词，如 [集体经济, 乡村振兴]",
            column="标签",
            counts=True,
        ),
        _list(
            "photos",
            "照片",
            PHOTO,
            hint="按展示顺序排列；照片文件放在本文件夹的 photos/ 里",
        ),
    ),
    model=Branch,
)


def walk(spec: Field = BRANCH, path: str = "") -> Iterator[tuple[str, Field]]:
    """Every field below ``spec`` with its dotted path (``brand.carriers[].name``), in order."""
    for child in spec.children:
        here = f"{path}.{child.key}" if path else child.key
        yield here, child
        if child.kind == MAP:
            yield from walk(child, here)
        elif child.kind == LIST and child.item is not None and child.item.kind == MAP:
            yield from walk(child.item, here + "[]")


def split_org_suffix(name: str) -> tuple[str, str]:
    """``横冲村党支部`` → (``横冲村``, ``党支部``); a name without a known suffix → (name, "")."""
    for suffix in sorted(ORG_TYPES, key=len, reverse=True):
        stem = name.removesuffix(suffix)
        if stem != name and stem.strip():
            return stem.strip(), suffix
    return name, ""


def nearest(value: str, choices: Sequence[str]) -> str | None:
    """The choice a typo most likely meant (``石门`` → ``石门镇``), or None."""
    import difflib

    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
    if close:
        return close[0]
    inside = [c for c in choices if value and (value in c or c in value)]
    return inside[0] if len(inside) == 1 else None
