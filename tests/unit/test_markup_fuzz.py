"""Generated markdown and HTML mixes never come out of the renderer executable."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.markup import render_markdown
from tests.unit.test_markup import audit

PIECES = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "javascript:", "JaVaScRiPt:", "&#106;", "&#x6A;", "data:text/html,", "vbscript:",
    "[x](", ")", "![i](", "<a href=", "\"", "'", "`", "```", "> ", "- ", "| a |", "\n",
    "<style>", "</style>", "<iframe src=", "onmouseover=", "<math>", "<!--", "-->", "[[post:",
    "]]", "<", ">", "&", ";", "(", "[", "]", ":", "/", "\\", "\t", "\x00", " ", "http://x.y/",
    "mailto:a@b.c", "<details open ontoggle=alert(1)>", "[r]: ", "<base href=",
]

fragments = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments)
def test_rendered_output_never_contains_an_executable_construct(parts):
    html = render_markdown("".join(parts))
    assert audit(html) == [], html
