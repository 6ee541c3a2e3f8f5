"""Threads and their posts."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext

from forum import kept as kept_values
from forum import permissions as perm
from forum import ratelimits
from forum.api import PAGINATION, operation, page_args, signed_in_user, viewer
from forum.api import schemas as s
from forum.errors import ValidationFailed
from forum.permissions import actions
from forum.serializers import post_fields, post_for_reader, post_json, thread_json
from forum.services import posts as post_service
from forum.services import queries, thread_pages
from forum.services import threads as thread_service


@operation("/threads/<id:thread_id>", "GET", summary="One thread", response=s.Thread,
           errors=(404,))
def thread(thread_id: int):
    me = viewer()
    return thread_json(queries.get_thread(thread_id, me), me)


@operation("/threads/<id:thread_id>", "PATCH",
           summary="Rename (author or moderator), lock, pin or move (moderator)",
           body=s.ThreadUpdate, response=s.Thread, errors=(401, 403, 404), auth="required")
def update_thread(thread_id: int, data: s.ThreadUpdate):
    me = viewer()
    thread = queries.get_thread(thread_id, me)
    signed_in_user()  # after the thread: 404 for what the caller may not see
    changes = data.model_dump(exclude_none=True)
    if "question_id" in data.model_fields_set:
        changes["question_id"] = data.question_id  # null clears the tag
    if "slow_mode_until" in data.model_fields_set:
        changes["slow_mode_until"] = data.slow_mode_until  # null: until turned off
    return thread_json(thread_service.update_thread(me, thread, **changes), me)


def _after_arg() -> int | None:
    raw = request.args.get("after")
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed({"after": gettext("Must be a post id.")}) from None
    return max(0, min(value, 2**31 - 1))


@operation("/threads/<id:thread_id>/posts", "GET", summary="Posts of a thread, oldest first",
           response=s.page_of(s.Post), errors=(404,),
           query={**PAGINATION, "after": ("integer", "Only posts with a greater id.")})
def thread_posts(thread_id: int):
    me = viewer()
    thread = queries.thread_to_read(thread_id, me)
    page, per_page = page_args()
    kept = thread_pages.list_posts(thread, me, page, per_page, after=_after_arg())
    posts = kept.page.items
    group = thread.topic.group
    mine = queries.my_reactions(me, [post.id for post in posts])
    can = actions.post_can_for_page(me, posts)
    shown = tuple(perm.can_see_post_body(me, post, group) for post in posts)
    # The answer is kept under everything this reader's view of the kept page adds: what they
    # may do with each post, which hidden bodies they may read, their own reactions.
    key = (kept.key, _answers_key(can), shown,
           tuple((post_id, tuple(kinds)) for post_id, kinds in sorted(mine.items())))
    answers = kept_values.for_app("posts_answers", "THREAD_PAGE_CACHE_SIZE",
                                  thread_pages.DEFAULT_SIZE)
    body = answers.get(key)
    if body is not None:
        return current_app.response_class(body, mimetype=current_app.json.mimetype)
    fields = kept_post_fields(kept)
    answer = current_app.json.response({
        "items": [post_for_reader(fields[post.id], post, me, group, mine.get(post.id),
                                  can[post.id]) for post in posts],
        "page": kept.page.page, "per_page": kept.page.per_page, "total": kept.page.total,
    })
    answers.put(key, answer.get_data())
    return answer


def _answers_key(can: dict[int, dict]) -> tuple:
    """A page's `can` as a key: posts of one kind share one answer (actions.post_can_for_page)."""
    kinds: dict[int, tuple[int, dict]] = {}
    per_post = tuple((post_id, kinds.setdefault(id(answer), (len(kinds), answer))[0])
                     for post_id, answer in can.items())
    return per_post, tuple(tuple(answer.items()) for _, answer in kinds.values())


def kept_post_fields(kept: thread_pages.KeptPage) -> dict[int, dict]:
    """post id -> serializers.post_fields of a kept page, worked out once per kept page."""
    store = kept_values.for_app("post_fields_pages", "THREAD_PAGE_CACHE_SIZE",
                                thread_pages.DEFAULT_SIZE)
    fields = store.get(kept.key)
    if fields is None:
        fields = {post.id: post_fields(post, post.id in kept.cited) for post in kept.page.items}
        store.put(kept.key, fields)
    return fields


@operation("/threads/<id:thread_id>/posts", "POST", summary="Reply in a thread",
           body=s.PostCreate, response=s.Post, status=201, errors=(401, 403, 404, 409, 413),
           auth="required",
           limits=(ratelimits.posting,))
def create_post(thread_id: int, data: s.PostCreate):
    me = viewer()
    thread = queries.get_thread(thread_id, me)
    post = post_service.create_post(me, thread, data.body, data.reply_to,
                                    data.question_id)
    return post_json(post, me, [])
