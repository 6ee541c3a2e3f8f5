"""Markdown to sanitised HTML: the only producer of trusted HTML in the forum.

markdown-it-py renders CommonMark (raw HTML off, so typed tags show as text); bleach then
re-parses the result against a strict allowlist as a second wall.
"""

from __future__ import annotations

import functools
import html as html_lib
import re

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline

POST_REF = re.compile(r"\[\[post:(\d{1,18})\]\]")
# @username: not after a word character (an e-mail address) and without trailing dots.
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,30}[A-Za-z0-9_])")
MAX_BODY_BYTES = 65536

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
    "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "class", "data-post-ref"],
    "img": lambda _tag, name, value: name in ("alt", "title") or (
        name == "src" and is_same_site(value)),
    "ol": ["start"],
    "th": ["align"],
    "td": ["align"],
    "code": ["class"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


def is_same_site(url: str) -> bool:
    """A path on the forum itself (`/attachments/3`), not another host: only such images load,
    so reading a post never tells a third party who read it, or when."""
    url = url.strip()
    return url.startswith("/") and not url.startswith(("//", "/\\")) and ":" not in url.split(
        "/", 2)[1]


EVENT_REF = re.compile(r"\[\[event:(\d{1,10})\]\]")


def _event_ref_rule(state: StateInline, silent: bool) -> bool:
    """[[event:ID]] cites an event's minutes (a summary "informed by" events)."""
    if not state.src.startswith("[[event:", state.pos):
        return False
    match = EVENT_REF.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        event_id = str(int(match.group(1)))
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": f"/events/{event_id}", "class": "event-ref"}
        text = state.push("text", "", 0)
        text.content = f"event #{event_id}"
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


def _post_ref_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[post:", state.pos):
        return False
    match = POST_REF.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        post_id = str(int(match.group(1)))
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": f"/posts/{post_id}", "class": "post-ref", "data-post-ref": post_id}
        text = state.push("text", "", 0)
        text.content = f"post #{post_id}"
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


def _mention_rule(state: StateInline, silent: bool) -> bool:
    """@username becomes a link to the person's page (never inside code or another link)."""
    if state.src[state.pos] != "@" or state.linkLevel > 0:
        return False
    match = MENTION.match(state.src, state.pos)
    if not match or (state.pos > 0 and re.match(r"[\w@]", state.src[state.pos - 1])):
        return False
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": f"/users/{match.group(1)}", "class": "mention"}
        text = state.push("text", "", 0)
        text.content = match.group(0)
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["table", "strikethrough", "linkify"])
)
_md.inline.ruler.before("link", "post_ref", _post_ref_rule)
_md.inline.ruler.before("link", "event_ref", _event_ref_rule)
_md.inline.ruler.before("link", "mention", _mention_rule)


def _render_image(self, tokens, idx, options, env) -> str:
    """A remote image becomes a link to it, named by its alt text: the reader chooses to
    follow it. Images on the forum itself render as images."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    if is_same_site(src):
        return self.image(tokens, idx, options, env)
    inside_link = sum(t.nesting for t in tokens[:idx] if t.type in ("link_open", "link_close"))
    if inside_link:
        return escapeHtml(alt or src)  # an image inside a link: its words, in that link
    title = token.attrGet("title")
    title_attr = f' title="{escapeHtml(title)}"' if title else ""
    return f'<a href="{escapeHtml(src)}"{title_attr}>{escapeHtml(alt or src)}</a>'


_md.add_render_rule("image", _render_image)


class _LinkRelFilter(Filter):
    """Give every surviving link rel="nofollow ugc noopener"."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token.get("data") or {})
                attrs[(None, "rel")] = LINK_REL
                token["data"] = attrs
            yield token


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_LinkRelFilter],
)


def render_markdown(text: str) -> str:
    """Render user markdown to HTML that is safe to put in a page as it is."""
    return _cleaner.clean(_md.render(text))


def cited_post_ids(text: str) -> list[int]:
    """The post ids a body links with [[post:ID]], in order of first appearance."""
    seen: dict[int, None] = {}
    for match in POST_REF.finditer(text):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def quoted_post_ids(text: str) -> list[int]:
    """Posts quoted by a blockquote whose first line begins with [[post:ID]]."""
    ids: list[int] = []
    previous_blank = True
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(">") and previous_blank:
            match = POST_REF.match(stripped[1:].lstrip())
            if match and int(match.group(1)) not in ids:
                ids.append(int(match.group(1)))
        previous_blank = not stripped or not stripped.startswith(">")
    return ids


@functools.lru_cache(maxsize=256)
def plain_text(html: str) -> str:
    """Text of rendered HTML, for snippets and notification texts: plain characters (`&`, not
    `&amp;`), for whoever shows it to escape once. Kept for recent bodies: a new post's text
    goes to its search entry and its notifications alike."""
    return re.sub(r"\s+", " ", html_lib.unescape(bleach.clean(html, tags=set(), strip=True))
                  ).strip()


_POST_REF_LINK = re.compile(r'<a [^>]*data-post-ref="(\d+)"[^>]*>post #\d+</a>')


def footnote_markers(html: str, numbers: dict[int, int]) -> str:
    """Turn the [[post:ID]] links of sanitised HTML into footnote markers ([n] -> #fn-n)."""
    def marker(match: re.Match) -> str:
        number = numbers.get(int(match.group(1)))
        if number is None:
            return match.group(0)
        return f'<sup class="fn"><a href="#fn-{number}">[{number}]</a></sup>'
    return _POST_REF_LINK.sub(marker, html)


def footnote_markdown(text: str, numbers: dict[int, int]) -> str:
    """Turn [[post:ID]] into Markdown footnote references [^n]."""
    def marker(match: re.Match) -> str:
        number = numbers.get(int(match.group(1)))
        return f"[^{number}]" if number is not None else f"post #{int(match.group(1))}"
    return POST_REF.sub(marker, text)
