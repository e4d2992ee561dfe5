"""The ``branch.yml`` schema as data: one source of truth for validation and the scaffold.

Each field knows its kind, whether it is required, and a Chinese label and hint that are used
in error messages and in the comments of ``showcase new``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("国家级", "省级", "市级", "县级", "镇级")
ORG_TYPES = ("党委", "党总支", "党支部", "联合党支部", "联村党委", "临时党支部", "功能型党支部")

# Kinds of leaf values.
LINE = "line"  # one line of plain text
TEXT = "text"  # safe Markdown subset, may span paragraphs
INT = "int"
YEAR = "year"
DATE = "date"
BOOL = "bool"
PATH = "path"  # a file inside the branch folder
# Kinds of containers.
MAP = "map"
LIST = "list"


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    label: str
    hint: str = ""
    required: bool = False
    choices: tuple[str, ...] | str | None = None  # a tuple, or "fields" (configured in mkdocs.yml)
    max_len: int | None = None
    minimum: int | None = None
    children: tuple[Field, ...] = field(default=())  # for MAP, or the items of a LIST of maps
    item: Field | None = None  # for LIST


def _map(key: str, label: str, children: tuple[Field, ...], **kw) -> Field:
    return Field(key, MAP, label, children=children, **kw)


def _list(key: str, label: str, item: Field, **kw) -> Field:
    return Field(key, LIST, label, item=item, **kw)


CARRIER = _map(
    "",
    "活动载体",
    (
        Field(
            "name", LINE, "载体名称", "如：百家宴、邻里节、学“习”大讲堂", required=True, max_len=40
        ),
        Field("description", TEXT, "载体介绍", "做什么、多久一次、谁参加", max_len=2000),
    ),
)

CASE = _map(
    "",
    "典型个案",
    (
        Field("title", LINE, "个案标题", required=True, max_len=60),
        Field("date", DATE, "日期", "写成 2026-05-01"),
        Field("text", TEXT, "个案经过", "时间、人物、经过、结果", required=True, max_len=5000),
        _list("photos", "个案照片", Field("", PATH, "照片文件", "photos/ 下的文件")),
    ),
)

HONOR = _map(
    "",
    "荣誉",
    (
        Field("title", LINE, "荣誉名称", "如：全省先进基层党组织", required=True, max_len=80),
        Field("level", LINE, "荣誉级别", "、".join(LEVELS), required=True, choices=LEVELS),
        Field("year", YEAR, "获得年份", required=True),
    ),
)

PHOTO = _map(
    "",
    "照片",
    (
        Field("file", PATH, "照片文件", "photos/ 下的文件，如 photos/center.jpg", required=True),
        Field(
            "caption",
            LINE,
            "照片说明",
            "拍的是什么、在哪里；也用作图片替代文字",
            required=True,
            max_len=120,
        ),
        Field("cover", BOOL, "封面", "true 表示作为封面；只能有一张"),
        Field("date", DATE, "拍摄日期", "写成 2026-03-02"),
        Field("credit", LINE, "署名", "如：王某 摄", max_len=40),
    ),
)

BRAND = _map(
    "brand",
    "品牌",
    (
        Field("name", LINE, "品牌名称", "简短好记，如：联村共富", required=True, max_len=30),
        Field("slogan", LINE, "品牌口号", "一句话，如：强村带弱村，共走富裕路", max_len=60),
        Field("logo", PATH, "品牌标识", "photos/ 下的图片文件"),
        Field(
            "summary",
            TEXT,
            "品牌简介",
            "一段话，不超过 300 字；用于卡片、搜索结果和页面描述",
            required=True,
            max_len=300,
        ),
        Field("concept", TEXT, "理念产生", "想法从哪里来、要解决什么问题", max_len=5000),
        Field("theory", TEXT, "理论支撑", "依据的理论、政策或原则", max_len=5000),
        _list(
            "methods",
            "方法路径",
            Field("", TEXT, "一个步骤", max_len=2000),
            hint="一步一条，按先后顺序",
        ),
        _list("carriers", "活动载体", CARRIER, hint="经常开展的活动或平台"),
        Field("results", TEXT, "成效愿景", "取得的成效（尽量用数字）和下一步目标", max_len=5000),
        _list("cases", "典型个案", CASE, hint="具体的故事：日期、经过、照片"),
    ),
    required=True,
)

BRANCH = _map(
    "",
    "支部",
    (
        Field("name", LINE, "全称", "支部、村或单位的全称", required=True, max_len=60),
        Field("short_name", LINE, "简称", "用在卡片和导航上", max_len=20),
        Field("town", LINE, "所属乡镇（街道）", required=True, max_len=30),
        Field("field", LINE, "领域", required=True, choices="fields"),
        Field("org_type", LINE, "组织类型", "、".join(ORG_TYPES), max_len=20),
        Field("secretary", LINE, "书记", max_len=20),
        Field("members", INT, "党员人数", "整数", minimum=0),
        Field("founded", YEAR, "成立年份", "如：1958"),
        Field("address", LINE, "地址", max_len=100),
        Field("demonstration", LINE, "示范点级别", "、".join(LEVELS), choices=LEVELS),
        Field("updated", DATE, "更新日期", "写成 2026-10-12；不写则取 git 最后提交日期"),
        BRAND,
        _list("honors", "荣誉", HONOR),
        _list(
            "tags",
            "标签",
            Field("", LINE, "标签", max_len=20),
            hint="几个关键词，如 [集体经济, 乡村振兴]",
        ),
        _list("photos", "照片", PHOTO, hint="按展示顺序排列"),
    ),
)

REQUIRED_TOP = tuple(f.key for f in BRANCH.children if f.required)
