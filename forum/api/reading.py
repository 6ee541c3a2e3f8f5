"""Reading, following and writing: read positions, watch levels, drafts and previews."""

from __future__ import annotations

from forum.api import operation, signed_in_user
from forum.api import schemas as s
from forum.markup import render_markdown
from forum.serializers import iso
from forum.services import drafts, following, queries, reading
from forum.services.validation import check_body


@operation("/threads/<id:thread_id>/read", "PUT",
           summary="Move the caller's read position forward (an older post changes nothing)",
           body=s.ReadPositionSet, status=204, errors=(401, 404), auth="required")
def set_read_position(thread_id: int, data: s.ReadPositionSet):
    me = signed_in_user()
    reading.mark_read(me, queries.get_thread(thread_id, me), data.post_id)


# --- following --------------------------------------------------------------------------------

def _watched(kind: str, key):
    me = signed_in_user()
    if kind == "thread":
        return me, queries.get_thread(key, me).id
    if kind == "topic":
        return me, queries.get_topic(key, me).id
    return me, queries.get_group(key, me).id


def _watch_operations(kind: str, rule: str, name: str) -> None:
    def get_level(**kwargs):
        me, target_id = _watched(kind, next(iter(kwargs.values())))
        return {"level": following.level_of(me, kind, target_id)}

    def set_level(data: s.WatchSet, **kwargs):
        me, target_id = _watched(kind, next(iter(kwargs.values())))
        return {"level": following.set_level(me, kind, target_id, data.level)}

    get_level.__name__ = f"{name}_watch"
    set_level.__name__ = f"set_{name}_watch"
    operation(rule, "GET", summary=f"The caller's level for this {kind} (default normal)",
              response=s.WatchOut, errors=(401, 404), auth="required")(get_level)
    operation(rule, "PUT", summary=f"Watch, follow normally or mute this {kind}",
              body=s.WatchSet, response=s.WatchOut, errors=(401, 404),
              auth="required")(set_level)


_watch_operations("thread", "/threads/<id:thread_id>/watch", "thread")
_watch_operations("topic", "/topics/<id:topic_id>/watch", "topic")
_watch_operations("group", "/groups/<slug>/watch", "group")


# --- drafts -----------------------------------------------------------------------------------

def draft_json(draft, with_title: bool) -> dict:
    data = {"body": draft.body, "updated_at": iso(draft.updated_at)}
    if with_title:
        data["title"] = draft.title
    return data


@operation("/threads/<id:thread_id>/draft", "GET", summary="The caller's draft reply",
           response=s.DraftOut, errors=(401, 404), auth="required")
def reply_draft(thread_id: int):
    me = signed_in_user()
    return draft_json(drafts.get_draft(me, thread=queries.get_thread(thread_id, me)), False)


@operation("/threads/<id:thread_id>/draft", "PUT", summary="Keep the caller's draft reply",
           body=s.ReplyDraftSet, status=204, errors=(401, 404, 413), auth="required")
def save_reply_draft(thread_id: int, data: s.ReplyDraftSet):
    me = signed_in_user()
    drafts.save_draft(me, data.body, thread=queries.get_thread(thread_id, me))


@operation("/threads/<id:thread_id>/draft", "DELETE", summary="Throw the draft reply away",
           status=204, errors=(401, 404), auth="required")
def delete_reply_draft(thread_id: int):
    me = signed_in_user()
    drafts.delete_draft(me, thread=queries.get_thread(thread_id, me))


@operation("/topics/<id:topic_id>/draft", "GET", summary="The caller's draft of a new thread",
           response=s.DraftOut, errors=(401, 404), auth="required")
def thread_draft(topic_id: int):
    me = signed_in_user()
    return draft_json(drafts.get_draft(me, topic=queries.get_topic(topic_id, me)), True)


@operation("/topics/<id:topic_id>/draft", "PUT", summary="Keep the caller's draft of a new thread",
           body=s.ThreadDraftSet, status=204, errors=(401, 404, 413), auth="required")
def save_thread_draft(topic_id: int, data: s.ThreadDraftSet):
    me = signed_in_user()
    drafts.save_draft(me, data.body, topic=queries.get_topic(topic_id, me), title=data.title)


@operation("/topics/<id:topic_id>/draft", "DELETE", summary="Throw the new thread's draft away",
           status=204, errors=(401, 404), auth="required")
def delete_thread_draft(topic_id: int):
    me = signed_in_user()
    drafts.delete_draft(me, topic=queries.get_topic(topic_id, me))


@operation("/me/drafts", "GET", summary="The caller's drafts, newest first",
           response=s.DraftList, errors=(401,), auth="required")
def my_drafts():
    items = []
    for item in drafts.list_drafts(signed_in_user()):
        draft = item.pop("draft")
        items.append({**item, "updated_at": iso(draft.updated_at)})
    return {"items": items}


@operation("/preview", "POST", summary="Render markdown as a post would show it (not stored)",
           body=s.PreviewRequest, response=s.PreviewOut, errors=(401, 413), auth="required")
def preview(data: s.PreviewRequest):
    signed_in_user()
    return {"html": render_markdown(check_body("body", data.body, allow_blank=True))}
