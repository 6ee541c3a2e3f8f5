"""Moderation: flags, the review queue, hide/unhide, approve/reject, suspensions, the log."""

from __future__ import annotations

from forum import ratelimits
from forum.api import PAGINATION, operation, page_args, page_json, signed_in_user, viewer
from forum.api import schemas as s
from forum.serializers import (
    flag_json,
    moderation_entry_json,
    post_json,
    suspension_json,
    thread_json,
)
from forum.services import moderation, queries, reading
from forum.services import threads as thread_service


@operation("/posts/<id:post_id>/flags", "POST", summary="Flag a post for the moderators",
           body=s.FlagCreate, response=s.Flag, status=201, errors=(401, 403, 404, 409, 429),
           auth="required",
           limits=(ratelimits.flagging,))
def flag_post(post_id: int, data: s.FlagCreate):
    me = viewer()
    return flag_json(moderation.flag_post(me, queries.get_post(post_id, me), data.reason,
                                          data.note))


@operation("/flags/<id:flag_id>/resolve", "POST",
           summary="Dismiss, or hide the post; closes every open flag on that post",
           body=s.FlagResolve, response=s.Flag, errors=(401, 403, 404, 409), auth="required")
def resolve_flag(flag_id: int, data: s.FlagResolve):
    flag = queries.get_flag(flag_id, viewer())
    return flag_json(moderation.resolve_flag(signed_in_user(), flag, data.action))


@operation("/groups/<slug>/moderation/queue", "GET",
           summary="Open flags (grouped by post) and pending posts, oldest first",
           response=s.page_of(s.QueueItem), errors=(401, 403, 404), auth="required",
           query=PAGINATION)
def moderation_queue(slug: str):
    me = viewer()
    group = queries.get_group(slug, me)
    page, per_page = page_args()
    items = moderation.queue_items(me, group)
    chosen = items[(page - 1) * per_page: page * per_page]
    positions = reading.thread_reading(me, [item["post"].thread for item in chosen])
    return {
        "items": [{"type": item["type"], "post": post_json(item["post"], me, [], group),
                   "thread": _bare_thread(item["post"].thread, me, positions),
                   "flags": [flag_json(f) for f in item["flags"]]} for item in chosen],
        "page": page, "per_page": per_page, "total": len(items),
    }


def _bare_thread(thread, me, positions):
    data = thread_json(thread, me, positions=positions)
    data.pop("first_post", None)
    return data


@operation("/groups/<slug>/moderation/log", "GET",
           summary="Every moderation action, newest first: who, what, when, why",
           response=s.page_of(s.ModerationEntry), errors=(401, 403, 404), auth="required",
           query=PAGINATION)
def moderation_log(slug: str):
    me = viewer()
    group = queries.get_group(slug, me)
    page, per_page = page_args()
    return page_json(queries.list_moderation_log(group, me, page, per_page),
                     moderation_entry_json)


@operation("/posts/<id:post_id>/hide", "POST", summary="Hide a post, with a reason",
           body=s.HideRequest, response=s.Post, errors=(401, 403, 404), auth="required")
def hide_post(post_id: int, data: s.HideRequest):
    me = viewer()
    post = queries.get_post(post_id, me)
    return post_json(moderation.hide_post(me, post, data.reason), me)


@operation("/posts/<id:post_id>/unhide", "POST", summary="Show a hidden post again",
           response=s.Post, errors=(401, 403, 404), auth="required")
def unhide_post(post_id: int):
    me = viewer()
    post = queries.get_post(post_id, me)
    return post_json(moderation.unhide_post(me, post), me)


@operation("/posts/<id:post_id>/approve", "POST",
           summary="Publish a pending post, as written or as the moderator edited it",
           body=s.ApproveRequest, response=s.Post, errors=(401, 403, 404, 409),
           auth="required")
def approve_post(post_id: int, data: s.ApproveRequest):
    me = viewer()
    post = queries.get_post(post_id, me)
    return post_json(moderation.approve_post(me, post, data.body, data.reason), me)


@operation("/threads/<id:thread_id>/split", "POST",
           summary="Move a run of replies into a new thread of the same topic (moderators)",
           body=s.ThreadSplit, response=s.Thread, status=201, errors=(401, 403, 404, 409),
           auth="required")
def split_thread(thread_id: int, data: s.ThreadSplit):
    me = viewer()
    thread = queries.get_thread(thread_id, me)
    new = thread_service.split_thread(signed_in_user(), thread, data.post_ids, data.title,
                                      data.reason or "")
    return thread_json(new, me)


@operation("/threads/<id:thread_id>/merge", "POST",
           summary="Move every post of this thread into another and remove it (moderators)",
           body=s.ThreadMerge, response=s.Thread, errors=(401, 403, 404, 409),
           auth="required")
def merge_threads(thread_id: int, data: s.ThreadMerge):
    # Signed in first: merging removes the source, so a later anonymous retry would otherwise
    # meet 404 where it met 401 before. Anonymous callers get 401 for any id, seen or not,
    # which tells them nothing.
    actor = signed_in_user()
    me = viewer()
    source = queries.get_thread(thread_id, me)
    target = queries.get_thread(data.into_thread_id, me)
    return thread_json(thread_service.merge_threads(actor, source, target,
                                                    data.reason or ""), me)


@operation("/posts/<id:post_id>/reject", "POST",
           summary="Reject a pending post; its author is told why", body=s.RejectRequest,
           response=s.Post, errors=(401, 403, 404, 409), auth="required")
def reject_post(post_id: int, data: s.RejectRequest):
    me = viewer()
    post = queries.get_post(post_id, me)
    return post_json(moderation.reject_post(me, post, data.reason), me)


@operation("/groups/<slug>/suspensions/<username>", "PUT",
           summary="Suspend a member in this group until a time", body=s.SuspensionSet,
           response=s.Suspension, errors=(401, 403, 404), auth="required")
def suspend_member(slug: str, username: str, data: s.SuspensionSet):
    me = viewer()
    group = queries.get_group(slug, me)
    member = queries.get_user(username)
    suspension = moderation.suspend_member(signed_in_user(), group, member, data.until,
                                           data.reason)
    return suspension_json(suspension, member)


@operation("/groups/<slug>/suspensions/<username>", "DELETE", summary="Lift a suspension",
           status=204, errors=(401, 403, 404), auth="required")
def lift_suspension(slug: str, username: str):
    me = viewer()
    group = queries.get_group(slug, me)
    moderation.lift_suspension(signed_in_user(), group, queries.get_user(username))
    return None
