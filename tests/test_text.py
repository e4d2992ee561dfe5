"""The text renderer: the plain-prose fast path gives exactly what Markdown + nh3 give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site.text import _MARKUP, _render_markdown, _render_prose, md_inline, render_text

PROSE = st.text(
    alphabet="集体经济村党支部，。、；“”（）2025年 abcXYZ%$@/?'\"\n\r\t\u3000-+.1)", max_size=80
)


@settings(max_examples=400, deadline=None)
@given(PROSE)
def test_prose_fast_path_matches_markdown(text: str) -> None:
    if not _MARKUP.search(text):
        assert _render_prose(text) == _render_markdown(text)


def test_markdown_subset() -> None:
    html = render_text("**粗** *斜* [链接](https://a.cn)\n\n- 一\n- 二")
    assert html == (
        '<p><strong>粗</strong> <em>斜</em> <a href="https://a.cn" '
        'rel="nofollow noopener noreferrer">链接</a></p> <ul> <li>一</li> <li>二</li> </ul>'
    )


def test_text_cannot_run_or_restructure() -> None:
    html = render_text(
        "# 标题\n\n<script>alert(1)</script> [x](javascript:alert(1))\n\n{: onclick=x}"
    )
    assert "<script" not in html and "javascript:" not in html and "<h" not in html
    assert "&lt;script&gt;" in html and "\n" not in html


def test_md_inline_escapes_markdown_and_html() -> None:
    assert md_inline("名称 {: #x} *a* <b>") == r"名称 \{: \#x\} \*a\* &lt;b&gt;"


def test_oneline_joins_template_markup_without_changing_what_it_shows() -> None:
    from generator.site.pages import _oneline

    written = '<li class="a">\n  <a href="x"\n     title="y">石门镇\n  · 农村</a>\n  走进\n  Party A\n</li>\n'
    assert (
        _oneline(written)
        == '<li class="a"><a href="x" title="y">石门镇· 农村</a>走进Party A</li>\n'
    )
    assert _oneline("<p>\n  共\n  <b>7</b>\n</p>") == "<p>共<b>7</b></p>"


PIECE = st.sampled_from(
    [
        "<p>",
        "</p>",
        '<a href="x"',
        ' title="y">',
        "石门镇",
        "Party",
        " A ",
        "·",
        "{{ v }}",
        "{{ w }}",
    ]
    + ["\n", "\n  ", "  \n", " ", "\t\n\n   ", "\r\n"]
)
# Template text, with lines that only hold a block tag (trim_blocks and lstrip_blocks drop them).
TEMPLATE = st.lists(
    st.one_of(
        PIECE,
        st.lists(PIECE, max_size=6).map(
            lambda xs: "\n  {% if v %}\n" + "".join(xs) + "\n{% endif %}\n"
        ),
    ),
    max_size=16,
).map("".join)
VALUE = st.text(alphabet="村a <>\n \t·", max_size=6)


@settings(max_examples=300, deadline=None)
@given(TEMPLATE, VALUE, VALUE)
def test_oneline_joined_when_compiled_gives_what_joining_when_rendered_gives(
    body: str, v: str, w: str
) -> None:
    """Breaks between two characters of the template are joined once, when it is compiled
    (OnelineAtCompile); the page comes out exactly as when every break is joined on rendering."""
    from jinja2 import Environment

    from generator.site.pages import OnelineAtCompile, _oneline

    source = "{% filter oneline %}\n" + body + "\n{% endfilter %}\nafter\n"
    options = dict(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    plain = Environment(**options)
    compiled = Environment(**options, extensions=[OnelineAtCompile])
    for env in (plain, compiled):
        env.filters["oneline"] = _oneline
    expected = plain.from_string(source).render(v=v, w=w)
    assert compiled.from_string(source).render(v=v, w=w) == expected
