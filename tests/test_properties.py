"""Property-based tests: arbitrary text at the text renderer, arbitrary YAML at the loader.

The text renderer never raises and its output can never run (no <script>, no on*= attribute, no
javascript:/data: URL) nor end the raw HTML block it is placed in (no line break). The loader never
raises: every problem comes back as a ``Problem`` printed as ``path:line: field: message``.
The number of examples each property ran is printed at the end of the module.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config import DEFAULT_FIELDS
from generator.content import schema
from generator.content.branches import load_branches
from generator.content.schema import Choices
from generator.problems import Problem
from generator.site.text import ALLOWED_TAGS, md_inline, plain, render_text

RUNS: Counter[str] = Counter()

TEXT_SETTINGS = settings(
    max_examples=1000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
YAML_SETTINGS = settings(
    max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture(scope="module", autouse=True)
def report_counts(request: pytest.FixtureRequest):
    yield
    total = sum(RUNS.values())
    lines = [f"hypothesis examples run: {total}"] + [f"  {k}: {v}" for k, v in sorted(RUNS.items())]
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)
    else:
        print("\n".join(lines))


# --------------------------------------------------------------------------- text

FRAGMENTS = [
    "<script>",
    "</script>",
    "<SCRIPT SRC=//x.js>",
    "<img src=x onerror=alert(1)>",
    "<img onerror=",
    "<svg/onload=alert(1)>",
    "<b onclick=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:",
    "{:",
    '{: onclick="alert(1)" }',
    "{: #id .cls }",
    "[a](",
    "](javascript:",
    "](data:text/html,<script>",
    "](https://example.org/)",
    "[x]: javascript:alert(1)",
    "[x][x]",
    "<javascript:alert(1)>",
    "<https://example.org>",
    "\n---\n",
    "---\ntitle: x\n---\n",
    "{{",
    "}}",
    "{%",
    "%}",
    "{{ config }}",
    "`",
    "```",
    "```html\n<script>\n```",
    "<!--",
    "-->",
    "<!-- material/tags -->",
    '--8<-- "mkdocs.yml"',
    "# ",
    "## ",
    "\n# h\n",
    "\n## 理念产生\n",
    "\n\n",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "    ",
    "\u2028",
    "\x0b",
    "\x0c",
    "\x00",
    "\x02",
    "\x03",
    "*",
    "**",
    "_",
    "- ",
    "1. ",
    "> ",
    "|a|b|\n|-|-|",
    "&",
    "&lt;",
    "&#x3C;script&#x3E;",
    "&amp;",
    '"',
    "'",
    "<",
    ">",
    "/",
    "\\",
    "=",
    " onmouseover=alert(1) ",
    "<p",
    "<div markdown=1>",
    "</div>",
    "<style>",
    "<iframe src=x>",
    "![i](x.png)",
    "![i](javascript:x)",
    "<math>",
    "=>",
    "集体经济",
    "党支部",
    "。",
    "：",
    "“",
    "”",
    " ",
    "a",
    "\u200b",
    "\ufeff",
]
fragmenty = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=25).map(
    "".join
)
any_text = st.one_of(st.text(max_size=300), fragmenty)


class _Attrs(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_inert(html: str) -> None:
    assert "<script" not in html.lower()
    assert "\n" not in html and "\r" not in html, "a line break would end the raw HTML block"
    for tag, attrs in _Attrs(html).tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.lower().startswith("on"), (tag, name, value)
            assert name in ("href", "title", "rel"), (tag, name)
            if name == "href":
                v = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                assert v.startswith(("http://", "https://", "mailto:")) or not re.match(
                    r"^[a-z][a-z0-9+.-]*:", v
                ), value
    assert not re.search(r"<[a-z!/?]", _ALLOWED_TAG_RE.sub("", html), re.I), html


_ALLOWED_TAG_RE = re.compile(r"</?(?:" + "|".join(ALLOWED_TAGS) + r")\b[^>]*>", re.I)


@TEXT_SETTINGS
@given(any_text)
def test_render_text_is_inert(source: str) -> None:
    RUNS["render_text"] += 1
    assert_inert(str(render_text(source)))


@TEXT_SETTINGS
@given(any_text)
def test_plain_and_md_inline_never_raise(source: str) -> None:
    RUNS["plain+md_inline"] += 1
    flat = plain(source)
    assert "\n" not in flat
    inline = str(md_inline(source))
    assert "<" not in inline and ">" not in inline and '"' not in inline


# --------------------------------------------------------------------------- YAML


def _keys(field: schema.Field) -> set[str]:
    keys = {c.key for c in field.children if c.key}
    for c in field.children:
        keys |= _keys(c)
        if c.item is not None:
            keys |= _keys(c.item)
    return keys


SCHEMA_KEYS = sorted(_keys(schema.BRANCH))
KEY = st.one_of(st.sampled_from(SCHEMA_KEYS), st.text(max_size=8))
SCALAR = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "no",
            "yes",
            "on",
            "off",
            "~",
            "null",
            "1958-1-1",
            "2026-02-30",
            "0x1F",
            "1_000",
            "1:20",
            ".inf",
            "农村",
            "省级",
            "photos/a.jpg",
            "../x.jpg",
            "/etc/passwd",
            "C:\\x.jpg",
            "photos/\x00.jpg",
            "<script>",
            "{: #x }",
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(min_value=dt.datetime(1, 1, 1)),
    st.binary(max_size=10),
)
PATHISH = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            [
                "photos",
                "..",
                ".",
                "",
                "a.jpg",
                "a.JPG",
                "a.gif",
                "\x00",
                "~",
                "a" * 250,
                "C:",
                "\\",
                " ",
                "x\ny",
            ]
        ),
        max_size=8,
    ).map("/".join),
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEY, inner, max_size=6),
    ),
    max_leaves=25,
)
# A document shaped like a branch: the real top-level keys, some right, some random.
BRANCHISH = st.fixed_dictionaries(
    {},
    optional={
        "name": VALUE,
        "town": VALUE,
        "field": st.one_of(st.sampled_from(DEFAULT_FIELDS), VALUE),
        "brand": st.one_of(st.dictionaries(KEY, VALUE, max_size=8), VALUE),
        "photos": st.lists(
            st.one_of(
                st.fixed_dictionaries(
                    {"file": PATHISH, "caption": SCALAR}, optional={"cover": SCALAR, "date": SCALAR}
                ),
                st.dictionaries(KEY, VALUE, max_size=5),
            ),
            max_size=3,
        ),
        "honors": VALUE,
        "tags": VALUE,
        "members": VALUE,
        "founded": VALUE,
        "updated": VALUE,
    },
).flatmap(lambda d: st.dictionaries(KEY, VALUE, max_size=3).map(lambda extra: {**extra, **d}))

LINE_RE = re.compile(r"^branches/x/branch\.yml:\d+: \S.*: .+")


@pytest.fixture(scope="module")
def yaml_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("props")
    (root / "branches/x/photos").mkdir(parents=True)
    return root


def _load(root: Path, data: bytes) -> list[Problem]:
    (root / "branches/x/branch.yml").write_bytes(data)
    branches, problems = load_branches(root, root / "branches", Choices(DEFAULT_FIELDS))
    for p in problems:
        assert isinstance(p, Problem)
        line = str(p)
        assert LINE_RE.match(line), line
        assert "\n" not in line
    if not branches:
        assert any(p.is_error for p in problems)
    return problems


def _dump(value: object, flow: bool, unicode: bool) -> bytes:
    try:
        text = yaml.safe_dump(
            value, allow_unicode=unicode, default_flow_style=flow, sort_keys=False
        )
    except yaml.YAMLError:  # e.g. a key PyYAML cannot represent
        text = repr(value)
    return text.encode("utf-8")


@YAML_SETTINGS
@given(BRANCHISH, st.booleans(), st.booleans())
def test_loader_never_raises_on_branch_shaped_yaml(yaml_root: Path, value, flow, unicode) -> None:
    RUNS["yaml: branch-shaped"] += 1
    _load(yaml_root, _dump(value, flow, unicode))


@YAML_SETTINGS
@given(VALUE, st.booleans())
def test_loader_never_raises_on_any_yaml_value(yaml_root: Path, value, flow) -> None:
    RUNS["yaml: any value"] += 1
    _load(yaml_root, _dump(value, flow, True))


YAMLISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "name: ",
                "town: ",
                "field: 农村",
                "brand:\n",
                "  name: ",
                "  summary: ",
                "photos:\n",
                "  - file: ",
                "    caption: ",
                "\n",
                "  ",
                "\t",
                "- ",
                "? ",
                ": ",
                "&a ",
                "*a",
                "!!",
                "!!python/object/apply:os.system ['true']",
                "!tag ",
                "%YAML 1.1\n",
                "---\n",
                "...\n",
                "[",
                "]",
                "{",
                "}",
                ",",
                '"',
                "'",
                "|\n",
                ">\n",
                "#",
                "<<: ",
                "\\",
                "\ufeff",
                "\x85",
                "\u2028",
                "\x00",
                "\x07",
                "\ud7ff",
                "\U0001f600",
            ]
        ),
        st.text(max_size=10),
    ),
    max_size=40,
).map("".join)


@YAML_SETTINGS
@given(st.one_of(st.text(max_size=400), YAMLISH))
def test_loader_never_raises_on_raw_text(yaml_root: Path, text: str) -> None:
    RUNS["yaml: raw text"] += 1
    _load(yaml_root, text.encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=300))
def test_loader_never_raises_on_raw_bytes(yaml_root: Path, data: bytes) -> None:
    RUNS["yaml: raw bytes"] += 1
    _load(yaml_root, data)


def test_schema_keys_are_real() -> None:
    assert {"name", "town", "field", "brand", "summary", "caption", "file"} <= set(SCHEMA_KEYS)
    assert all(set(k) <= set(string.ascii_lowercase + "_") for k in SCHEMA_KEYS)
