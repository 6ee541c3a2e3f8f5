"""Read positions: how far each member has read each thread, and what is new for them."""

from __future__ import annotations

import functools

from flask_babel import gettext
from sqlalchemy import and_, bindparam, func, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite

from forum import permissions as perm
from forum.db import run, unit_of_work
from forum.errors import ValidationFailed
from forum.extensions import db
from forum.models import Post, ReadPosition, Thread, Topic, User, utcnow

# thread_id -> (last_read_post_id or None, unread_count)
Reading = dict[int, tuple[int | None, int]]


def _user_id(viewer: perm.Viewer) -> int | None:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    return viewer.id


def _new_for(user_id: int, last_read):
    """Posts that count as unread: published, by someone else, after the position."""
    return and_(Post.pending.is_(False), Post.rejected.is_(False),
                or_(Post.author_id.is_(None), Post.author_id != user_id),
                Post.id > func.coalesce(last_read, 0))


def thread_reading(viewer: perm.Viewer, threads: list[Thread]) -> Reading:
    """Position and unread count for a page of threads the viewer sees, in one query.
    Empty for anonymous viewers (the serialisers answer null)."""
    user_id = _user_id(viewer)
    ids = [t.id for t in threads]
    if user_id is None or not ids:
        return {}
    rows = db.session.execute(
        select(Thread.id, ReadPosition.last_read_post_id, func.count(Post.id))
        .select_from(Thread)
        .outerjoin(ReadPosition, and_(ReadPosition.thread_id == Thread.id,
                                      ReadPosition.user_id == user_id))
        .outerjoin(Post, and_(Post.thread_id == Thread.id,
                              _new_for(user_id, ReadPosition.last_read_post_id)))
        .where(Thread.id.in_(ids))
        .group_by(Thread.id, ReadPosition.last_read_post_id))
    return {thread_id: (last, count or 0) for thread_id, last, count in rows}


def topic_unread(viewer: perm.Viewer, topics: list[Topic]) -> dict[int, int]:
    """topic_id -> unread posts over the threads the viewer may see, in one query."""
    user_id = _user_id(viewer)
    if user_id is None or not topics:
        return {}
    by_group: dict[int, tuple] = {}
    for topic in topics:
        group, ids = by_group.setdefault(topic.group_id, (topic.group, []))
        ids.append(topic.id)
    seen = [and_(Thread.topic_id.in_(ids),
                 _criteria(perm.visible_threads(select(Thread.id), viewer, group)))
            for group, ids in by_group.values()]
    rows = db.session.execute(
        select(Thread.topic_id, func.count(Post.id))
        .select_from(Thread)
        .outerjoin(ReadPosition, and_(ReadPosition.thread_id == Thread.id,
                                      ReadPosition.user_id == user_id))
        .join(Post, and_(Post.thread_id == Thread.id,
                         _new_for(user_id, ReadPosition.last_read_post_id)))
        .where(or_(*seen))
        .group_by(Thread.topic_id))
    counts = {topic_id: count for topic_id, count in rows}
    return {topic.id: counts.get(topic.id, 0) for topic in topics}


def _criteria(query):
    clause = query.whereclause
    return clause if clause is not None else true()


_LAST_READ = select(ReadPosition.last_read_post_id).where(
    ReadPosition.user_id == bindparam("user"), ReadPosition.thread_id == bindparam("thread"))


def last_read_post_id(viewer: perm.Viewer, thread: Thread) -> int | None:
    user_id = _user_id(viewer)
    if user_id is None:
        return None
    return run(_LAST_READ, {"user": user_id, "thread": thread.id}).scalar()


def first_unread_post_id(viewer: perm.Viewer, thread: Thread,
                         last_read: int | None) -> int | None:
    """The oldest post the viewer has not read yet in this thread (after `last_read`, their
    last_read_post_id), or None."""
    user_id = _user_id(viewer)
    if user_id is None:
        return None
    return db.session.scalar(select(func.min(Post.id)).where(
        Post.thread_id == thread.id, _new_for(user_id, last_read)))


@unit_of_work
def mark_read(actor: User, thread: Thread, post_id: int) -> None:
    """A signed-in reader of the thread moves their position forward to `post_id` (a post of
    this thread they may see); an older id changes nothing. Raises ValidationFailed."""
    post = db.session.get(Post, post_id)
    if post is None or post.thread_id != thread.id or not perm.can_see_post(actor, post):
        raise ValidationFailed({"post_id": gettext("Give a post of this thread.")})
    advance(actor, thread, post_id)


def advance(actor: User, thread: Thread, post_id: int) -> None:
    """Inside a unit of work: move the position forward (never back), in one statement."""
    run(_advance_statement(db.session.get_bind().dialect.name),
        {"user": actor.id, "thread": thread.id, "post": post_id, "now": utcnow()})


@functools.cache
def _advance_statement(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ReadPosition.__table__
    statement = insert(table).values(user_id=bindparam("user"), thread_id=bindparam("thread"),
                                     last_read_post_id=bindparam("post"),
                                     updated_at=bindparam("now", type_=table.c.updated_at.type))
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.thread_id],
        set_={"last_read_post_id": excluded.last_read_post_id,
              "updated_at": excluded.updated_at},
        where=table.c.last_read_post_id < excluded.last_read_post_id)


def mark_shown(actor: User, thread: Thread, post_ids: list[int], last_read: int | None) -> None:
    """The thread page showed these posts (already visibility-checked) to a signed-in reader
    whose position was `last_read`. Re-reading what one has read writes nothing (on SQLite a
    write waits for every other writer)."""
    if post_ids and (last_read is None or max(post_ids) > last_read):
        _advance_alone(actor, thread, max(post_ids))


@unit_of_work
def _advance_alone(actor: User, thread: Thread, post_id: int) -> None:
    advance(actor, thread, post_id)
