"""The posts API's answers for pages of a thread, kept between requests.

`thread_pages` keeps a page's rows under a key that changes with anything the page shows. Here
the API keeps, under the same key, each post's reader-independent fields, and the encoded
answer under the key plus everything a reader's view adds to the page: what they may do with
each post, which hidden bodies they may read, their own reactions. A change to any of those
(a suspension, a role, a reaction) is a new key, so a reader never gets an answer made for a
view other than their own. Who may read the thread at all was decided before (queries).
"""

from __future__ import annotations

from flask import Response, current_app

from forum import kept as kept_values
from forum import permissions as perm
from forum.permissions import actions
from forum.serializers import post_fields, post_for_reader
from forum.services import queries, thread_pages


def answer(thread, viewer: perm.Viewer, kept: thread_pages.KeptPage) -> Response:
    """The JSON page of posts for this reader of a kept page."""
    posts = kept.page.items
    group = thread.topic.group
    mine = queries.my_reactions(viewer, [post.id for post in posts])
    can = actions.post_can_for_page(viewer, posts)
    shown = tuple(perm.can_see_post_body(viewer, post, group) for post in posts)
    key = (kept.key, _can_key(can), shown,
           tuple((post_id, tuple(kinds)) for post_id, kinds in sorted(mine.items())))
    answers = _store("posts_answers")
    body = answers.get(key)
    if body is not None:
        return current_app.response_class(body, mimetype=current_app.json.mimetype)
    fields = _fields(kept)
    response = current_app.json.response({
        "items": [post_for_reader(fields[post.id], post, viewer, group, mine.get(post.id),
                                  can[post.id]) for post in posts],
        "page": kept.page.page, "per_page": kept.page.per_page, "total": kept.page.total,
    })
    answers.put(key, response.get_data())
    return response


def _can_key(can: dict[int, dict]) -> tuple:
    """A page's `can` as a key: posts of one kind share one answer (actions.post_can_for_page)."""
    kinds: dict[int, tuple[int, dict]] = {}
    per_post = tuple((post_id, kinds.setdefault(id(decision), (len(kinds), decision))[0])
                     for post_id, decision in can.items())
    return per_post, tuple(tuple(decision.items()) for _, decision in kinds.values())


def _fields(kept: thread_pages.KeptPage) -> dict[int, dict]:
    """post id -> serializers.post_fields of a kept page, worked out once per kept page."""
    store = _store("post_fields_pages")
    fields = store.get(kept.key)
    if fields is None:
        fields = {post.id: post_fields(post, post.id in kept.cited) for post in kept.page.items}
        store.put(kept.key, fields)
    return fields


def _store(name: str) -> kept_values.Kept:
    return kept_values.for_app(name, "THREAD_PAGE_CACHE_SIZE", thread_pages.DEFAULT_SIZE)
