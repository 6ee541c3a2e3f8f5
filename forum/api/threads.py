"""Threads and their posts."""

from __future__ import annotations

from flask import request
from flask_babel import gettext

from forum import ratelimits
from forum.api import PAGINATION, operation, page_args, post_pages, signed_in_user, viewer
from forum.api import schemas as s
from forum.errors import ValidationFailed
from forum.serializers import post_json, thread_json
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
    return post_pages.answer(thread, me, kept)


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
