from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.sources.text import html_to_text


@pytest.mark.parametrize(("markup", "text"), [
    ("plain text", "plain text"),
    ("AT&amp;T &lt;b&gt; caf&eacute;", "AT&T <b> café"),
    ("<p>First para.</p><p>Second <b>bold</b> para.</p>", "First para.\nSecond bold para."),
    ("line one<br>line two", "line one\nline two"),
    ("<div>x<script>alert(1)</script>y</div>", "xy"),
    ("<style>.center{}</style><p>data centre</p>", "data centre"),
    ("<ul><li>GPUs</li><li>TPUs</li></ul>", "GPUs\nTPUs"),
    ("a   b\t\tc", "a b c"),
    ("<p>  </p>", ""),
    ("", ""),
    ("x\x00y\x0bz", "xyz"),
    ("<!-- a comment --><p>kept</p>", "kept"),
    ("<html><head><title>T</title></head><body><p>Body text</p></body></html>", "Body text"),
    ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
])
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_css_classes_never_become_text() -> None:
    markup = '<div class="text-center data-center"><span class="gpu">Hello</span></div>'
    assert html_to_text(markup) == "Hello"


@given(st.text())
def test_never_raises_on_any_text(value: str) -> None:
    out = html_to_text(value)
    assert isinstance(out, str)
    assert "\x00" not in out


@given(st.lists(st.sampled_from(["<p>", "</p>", "<b>", "<br/>", "&amp;", "&#x", "<", ">", "x",
                                 " ", "<script>", "</div>", "&nbsp;", "é", "<!--"]), max_size=40))
def test_never_raises_on_broken_markup(parts: list[str]) -> None:
    assert isinstance(html_to_text("".join(parts)), str)
