"""Each post's block on a thread page (author, time, marks, body), rendered once and kept.

Every reader of a thread sees the same block for a post unless the post, its author or the
reader's language, time zone or right to read a hidden body differ. The key is made of exactly
those inputs, read in this request from the database: an edit, a hide, an approval, a reaction,
a move or an erasure changes the key itself, so no process can serve a block from before the
change, whichever process made it, and nothing needs telling. What the reader may see at all is
decided before a block is asked for (the page lists only posts the reader may see), and whether
a hidden body shows is part of the key.

The controls under a post are the reader's own and are never kept between requests; within a
page they are rendered once per kind of post (actions.POST_STATE, the reader's reactions, which
counts are not zero) for a stand-in, whose id and counts are then swapped for each post's, as the
live script does for posts that arrive while the page is open.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from flask_babel import get_timezone
from markupsafe import Markup

from forum import kept
from forum import permissions as perm
from forum.i18n import current_code
from forum.models import REACTION_KINDS
from forum.permissions import actions

TEMPLATE = "threads/_post_head.html"
ACTIONS_TEMPLATE = "threads/_post_actions.html"
STAND_IN_ID = 2**31 - 1  # no post has it: swapped for the real id, here and by the live script
COUNT_STAND_INS = (2**31 - 2, 2**31 - 3, 2**31 - 4)  # no count reaches them: one per kind
DEFAULT_SIZE = 4000  # blocks kept per process: about 2 KB each


def _author_key(author) -> tuple | None:
    if author is None:
        return None
    organisation = author.organisation.name if author.organisation is not None else None
    return (author.username, author.display_name, author.erased_at, organisation)


def block_key(post, cited: bool, body_shown: bool, reader: tuple) -> tuple:
    """Everything threads/_post_head.html reads; `reader`: their language and time zone, and
    the address the forum is served under."""
    body = (post.hidden_reason, post.body_html) if body_shown else None
    return (post.id, post.created_at, post.edited_at, post.reply_to_id, post.pending,
            post.hidden, body_shown, body, cited, _author_key(post.author), reader)


def renderer(viewer, group):
    """`post_block(post, cited)`: the kept block, or a fresh one kept for next time."""
    blocks = kept.for_app("post_blocks", "POST_BLOCK_CACHE_SIZE", DEFAULT_SIZE)
    template = current_app.jinja_env.get_template(TEMPLATE)
    reader = (current_code(), str(get_timezone()), request.script_root)  # links carry the root

    def post_block(post, cited: bool) -> Markup:
        body_shown = perm.can_see_post_body(viewer, post, group)
        key = block_key(post, cited, body_shown, reader)
        block = blocks.get(key)
        if block is None:
            block = Markup(template.render(post=post, cited=cited, body_shown=body_shown))
            blocks.put(key, block)
        return block

    return post_block


@dataclass
class StandIn:
    """A post as the controls see it (actions.POST_STATE and the counts), under STAND_IN_ID:
    `author_id` is the reader's for their own posts."""

    thread: object
    author_id: int | None = None
    id: int = STAND_IN_ID
    hidden: bool = False
    pending: bool = False
    rejected: bool = False
    agree_count: int = 0
    disagree_count: int = 0
    thanks_count: int = 0

    @property
    def thread_id(self) -> int:
        return self.thread.id


def actions_renderer(viewer, thread, reply):
    """`post_actions(post, mine)`: this reader's controls under one post."""
    template = current_app.jinja_env.get_template(ACTIONS_TEMPLATE)
    rendered: dict[tuple, str] = {}
    reactable: dict[tuple, bool] = {}

    def stand_in_for(alike, counts_shown) -> StandIn:
        own, *state = alike
        return StandIn(thread, viewer.id if own else None,
                       **dict(zip(actions.POST_STATE, state, strict=True)),
                       **{f"{kind}_count": stand_in if shown else 0 for kind, shown, stand_in
                          in zip(REACTION_KINDS, counts_shown, COUNT_STAND_INS, strict=True)})

    def post_actions(post, mine) -> Markup:
        alike = actions.post_kind(viewer, post)
        counts = [getattr(post, f"{kind}_count") for kind in REACTION_KINDS]
        if alike not in reactable:
            reactable[alike] = actions.react(viewer, stand_in_for(alike, (True,) * 3)) is True
        # Reaction buttons show every count (empty when none); otherwise only counts above
        # zero are written, so which are zero shapes the controls.
        shown = (True,) * len(counts) if reactable[alike] else tuple(n > 0 for n in counts)
        key = (alike, shown, tuple(mine))
        if key not in rendered:
            rendered[key] = template.render(post=stand_in_for(alike, shown), mine=list(mine),
                                            current_user=viewer, kinds=REACTION_KINDS,
                                            reply=reply)
        html = rendered[key].replace(str(STAND_IN_ID), str(post.id))
        for n, is_shown, stand_in in zip(counts, shown, COUNT_STAND_INS, strict=True):
            if is_shown:
                html = html.replace(str(stand_in), str(n) if n else "")
        return Markup(html)

    return post_actions


def page_renderer(viewer, thread, group, reply):
    """The page's `posts_html(posts, cited, my)`: every post's block and this reader's controls
    under it, in one call from the template (fifty template calls per page cost more than the
    kept blocks themselves)."""
    post_block = renderer(viewer, group)
    post_actions = actions_renderer(viewer, thread, reply)

    def posts_html(posts, cited, my) -> Markup:
        return Markup("".join(
            f"{post_block(post, post.id in cited)}\n  {post_actions(post, my.get(post.id, []))}"
            "\n</article>\n" for post in posts))

    return posts_html
