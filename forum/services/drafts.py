"""Drafts: a member's unsent reply to a thread or unsent new thread in a topic."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from forum import permissions as perm
from forum.db import run, unit_of_work
from forum.errors import NotFound, ValidationFailed
from forum.extensions import db
from forum.markup import plain_text, render_markdown
from forum.models import Draft, Thread, Topic, User, utcnow
from forum.services.validation import check_body, check_no_nul

MAX_TITLE = 200


def _where(user: User, thread: Thread | None, topic: Topic | None):
    if thread is not None:
        return (Draft.user_id == user.id, Draft.thread_id == thread.id)
    return (Draft.user_id == user.id, Draft.topic_id == topic.id)


def get_draft(user: User, *, thread: Thread | None = None, topic: Topic | None = None) -> Draft:
    """The user's own draft for the thread (a reply) or topic (a new thread); NotFound if none."""
    draft = db.session.scalar(select(Draft).where(*_where(user, thread, topic)))
    if draft is None:
        raise NotFound(gettext("No draft here."))
    return draft


def find_draft(user: perm.Viewer, *, thread: Thread | None = None,
               topic: Topic | None = None) -> Draft | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Draft).where(*_where(user, thread, topic)))


@unit_of_work
def save_draft(user: User, body: str, *, thread: Thread | None = None,
               topic: Topic | None = None, title: str | None = None) -> Draft:
    """A signed-in person who sees the thread or topic (the door looked it up) keeps their
    words; the draft is theirs alone. Raises ValidationFailed or TooLarge."""
    body = check_body("body", body or "", allow_blank=True)
    title = (title or "").strip()
    check_no_nul([("title", title)])
    if len(title) > MAX_TITLE:
        raise ValidationFailed({"title": gettext("At most %(max_title)s characters.",
                                                 max_title=MAX_TITLE)})
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Draft.__table__)
    key = "thread_id" if thread is not None else "topic_id"
    table = Draft.__table__
    db.session.execute(insert.values(
        user_id=user.id, thread_id=thread.id if thread else None,
        topic_id=topic.id if topic is not None and thread is None else None,
        title=title if thread is None else "", body=body, updated_at=utcnow(),
    ).on_conflict_do_update(
        index_elements=[table.c.user_id, table.c[key]],
        set_={"title": insert.excluded.title, "body": insert.excluded.body,
              "updated_at": insert.excluded.updated_at}))
    return db.session.scalar(select(Draft).where(*_where(user, thread, topic))
                             .execution_options(populate_existing=True))


@unit_of_work
def delete_draft(user: User, *, thread: Thread | None = None,
                 topic: Topic | None = None) -> None:
    """Remove the user's own draft (nothing happens when there is none)."""
    db.session.execute(delete(Draft).where(*_where(user, thread, topic)))


_DISCARD_REPLY_DRAFT = delete(Draft.__table__).where(
    Draft.__table__.c.user_id == bindparam("user"), Draft.__table__.c.thread_id == bindparam("thread"))


def discard_reply_draft(user: User, thread: Thread) -> None:
    """Inside the unit of work that posted the reply."""
    run(_DISCARD_REPLY_DRAFT, {"user": user.id, "thread": thread.id})


def discard_thread_draft(user: User, topic: Topic) -> None:
    """Inside the unit of work that started the thread."""
    db.session.execute(delete(Draft).where(*_where(user, None, topic)))


def list_drafts(user: User) -> list[dict]:
    """The user's drafts, newest first, with what each is for (only what they still see)."""
    drafts = db.session.scalars(select(Draft).where(Draft.user_id == user.id)
                                .order_by(Draft.updated_at.desc(), Draft.id.desc()))
    items = []
    for draft in drafts:
        excerpt = plain_text(render_markdown(draft.body))[:140] if draft.body else ""
        if draft.thread_id is not None:
            thread = db.session.get(Thread, draft.thread_id)
            if thread is None or not perm.can_see_thread(user, thread):
                continue
            items.append({"kind": "reply", "thread_id": thread.id, "topic_id": thread.topic_id,
                          "title": thread.title, "excerpt": excerpt, "draft": draft})
        else:
            topic = db.session.get(Topic, draft.topic_id)
            if topic is None or not perm.can_see_topic(user, topic):
                continue
            items.append({"kind": "thread", "topic_id": topic.id, "title": draft.title,
                          "excerpt": excerpt, "draft": draft})
    return items
