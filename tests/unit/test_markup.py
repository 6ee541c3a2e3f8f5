"""The renderer: CommonMark features users need, and no executable construct ever survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from forum.markup import cited_post_ids, quoted_post_ids, render_markdown
from forum.seed_bench import render_plain, vocabulary

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<base href=javascript:alert(1)//>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](x \"onerror=alert(1)\")",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: data:text/html,<script>alert(1)</script>",
    "<javascript:alert(1)>",
    "<http://example.org/\"onmouseover=\"alert(1)>",
    "[x](http://example.org/\"onmouseover=\"alert(1))",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<img src=\"x\" onerror=\"&#97;lert(1)\">",
    "<video><source onerror=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<table background=javascript:alert(1)>",
    "<td style=\"x:expression(alert(1))\">",
    "<a href=x onclick=alert(1)>x</a>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <script>alert(1)</script>",
    "- [x](javascript:alert(1))",
    "[[post:1]]<script>alert(1)</script>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<xss onafterscriptexecute=alert(1)><script>1</script>",
    "<a href=\"\\x01javascript:alert(1)\">x</a>",
    "[x](<javascript:alert(1)>)",
    "<template><script>alert(1)</script></template>",
]

FORBIDDEN_TAGS = {"script", "style", "iframe", "object", "embed", "form", "input", "button",
                  "svg", "math", "meta", "link", "base", "body", "video", "audio", "source",
                  "details", "marquee", "template", "noscript", "textarea", "select"}
SAFE_SCHEMES = {"http", "https", "mailto", None}


def _scheme(url: str) -> str | None:
    """The scheme a browser would see: control characters and spaces are dropped first."""
    cleaned = re.sub(r"[\x00-\x20]", "", url).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else None


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction", "background"}:
                self.problems.append(f"attribute {name}")
            if name in {"href", "src"} and value and _scheme(value) not in SAFE_SCHEMES:
                self.problems.append(f"{name}={value!r}")
        if tag == "a" and dict(attrs).get("rel") != "nofollow ugc noopener":
            self.problems.append("link without rel")


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_corpus_has_at_least_fifty_vectors():
    assert len(set(XSS_VECTORS)) >= 50


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_no_vector_survives_the_renderer(vector):
    html = render_markdown(vector)
    assert audit(html) == [], html


def test_typed_tags_show_as_text():
    assert render_markdown("I typed <b>bold</b>") == "<p>I typed &lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_links_get_rel_and_autolinks_work():
    html = render_markdown("See https://example.org and [docs](https://docs.example.org)")
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.org"' in html


def test_tables_and_strikethrough_render():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | ~~2~~ |")
    assert "<table>" in html and "<s>2</s>" in html


def test_post_references_link_to_posts_and_are_collected():
    text = "As [[post:12]] says, and [[post:7]] and [[post:12]] again"
    assert cited_post_ids(text) == [12, 7]
    assert 'href="/posts/12"' in render_markdown(text)


def test_quotes_are_blockquotes_that_begin_with_a_reference():
    text = "> [[post:3]] said this\n\nand [[post:4]] is only mentioned\n\n> [[post:5]] too"
    assert quoted_post_ids(text) == [3, 5]


def test_bench_bodies_render_as_the_renderer_would():
    text = " ".join(vocabulary()[:400])
    assert render_plain(text) == render_markdown(text)
    assert len(vocabulary()) >= 5000
