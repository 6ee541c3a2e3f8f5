"""Reads shared by every door: permission-checked lookups and paginated lists.

A lookup answers NotFound both for what does not exist and for what the viewer may not see,
so a private group and its contents are indistinguishable from absent ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from flask_babel import gettext
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import contains_eager

from forum import permissions as perm
from forum.db import run
from forum.errors import NotFound
from forum.extensions import db
from forum.models import (
    Flag,
    Group,
    Membership,
    ModerationAction,
    Post,
    PostRevision,
    Reaction,
    Thread,
    Topic,
    User,
)
from forum.permissions import actions
from forum.services import post_rows, thread_rows

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int


def _paginate(query: Select, page: int, per_page: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items, page, per_page, total or 0)


# --- lookups ----------------------------------------------------------------------------------

def get_group(slug: str, viewer: perm.Viewer) -> Group:
    group = db.session.scalar(select(Group).where(Group.slug == slug))
    if group is None or not perm.can_see_group(viewer, group):
        raise NotFound(gettext("No such group."))
    return group


def get_group_to_join(slug: str, viewer: perm.Viewer) -> Group:
    """Joining is the one door a private group opens to signed-in non-members who know its slug."""
    group = db.session.scalar(select(Group).where(Group.slug == slug))
    if group is None or (group.is_private and not perm.can_join_group(viewer, group)):
        raise NotFound(gettext("No such group."))
    return group


def get_group_to_leave(slug: str, viewer: perm.Viewer) -> Group:
    """Members see the group; a pending member of a private group may still withdraw."""
    group = db.session.scalar(select(Group).where(Group.slug == slug))
    if group is None or not (perm.can_see_group(viewer, group) or perm.role_in(viewer, group)):
        raise NotFound(gettext("No such group."))
    return group


def get_topic(topic_id: int, viewer: perm.Viewer) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None or not perm.can_see_topic(viewer, topic):
        raise NotFound(gettext("No such topic."))
    return topic


# Reading a thread's posts needs the thread, its topic and group, not the thread's author
# (loaded on first use if anything asks).
def get_thread(thread_id: int, viewer: perm.Viewer) -> Thread:
    thread = db.session.get(Thread, thread_id)
    if thread is None or not perm.can_see_thread(viewer, thread):
        raise NotFound(gettext("No such thread."))
    return thread


def thread_to_read(thread_id: int, viewer: perm.Viewer):
    """get_thread as a read-only row (thread_rows), for reading its pages of posts."""
    thread = thread_rows.read_thread(thread_id)
    if thread is None or not perm.can_see_thread(viewer, thread):
        raise NotFound(gettext("No such thread."))
    return thread


def get_post(post_id: int, viewer: perm.Viewer) -> Post:
    post = db.session.get(Post, post_id)
    if post is None or not perm.can_see_post(viewer, post):
        raise NotFound(gettext("No such post."))
    return post


def get_flag(flag_id: int, viewer: perm.Viewer) -> Flag:
    """A flag is found by whoever may see its post; acting on it is for moderators."""
    flag = db.session.get(Flag, flag_id)
    if flag is None:
        raise NotFound(gettext("No such flag."))
    get_post(flag.post_id, viewer)
    return flag


def get_user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username_key == username.strip().lower()))
    if user is None:
        raise NotFound(gettext("No such user."))
    return user


# --- lists ------------------------------------------------------------------------------------

def list_groups(viewer: perm.Viewer, page: int = 1, per_page: int = 20) -> Page[Group]:
    query = perm.visible_groups(select(Group), viewer).order_by(Group.name, Group.id)
    return _paginate(query, page, per_page)


def list_members(group: Group, page: int = 1, per_page: int = 20) -> Page[Membership]:
    query = (
        select(Membership).join(Membership.user).options(contains_eager(Membership.user))
        .where(Membership.group_id == group.id).order_by(User.username_key)
    )
    return _paginate(query, page, per_page)


def list_topics(group: Group, viewer: perm.Viewer, page: int = 1,
                per_page: int = 20) -> Page[Topic]:
    query = (
        select(Topic).where(Topic.group_id == group.id)
        .order_by(Topic.created_at.desc(), Topic.id.desc())
    )
    return _paginate(query, page, per_page)


def list_threads(topic: Topic, viewer: perm.Viewer, page: int = 1,
                 per_page: int = 20) -> Page[Thread]:
    query = perm.visible_threads(select(Thread).where(Thread.topic_id == topic.id), viewer,
                                 topic.group)
    query = query.order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    return _paginate(query, page, per_page)


def list_posts(thread: Thread, viewer: perm.Viewer, page: int = 1, per_page: int = 20,
               after: int | None = None) -> Page[Post]:
    """Oldest first. Ids are paged on the covering index; then only those rows are read, as
    read-only rows (post_rows), not ORM objects."""
    ids = perm.visible_posts(select(Post.id).where(Post.thread_id == thread.id), viewer,
                             thread.topic.group)
    if after is not None:
        ids = ids.where(Post.id > after)
    total = db.session.scalar(ids.with_only_columns(func.count(Post.id)))
    chosen = ids.order_by(Post.id).limit(per_page).offset((page - 1) * per_page)
    items = post_rows.read_posts(chosen.scalar_subquery(), thread) if total else []
    return Page(items, page, per_page, total or 0)


def list_revisions(post: Post, viewer: perm.Viewer, page: int = 1,
                   per_page: int = 20) -> Page[PostRevision]:
    """Earlier versions of a post, for its author and the group's moderators."""
    actions.require(actions.see_revisions(viewer, post))
    query = (
        select(PostRevision).where(PostRevision.post_id == post.id)
        .order_by(PostRevision.id.desc())
    )
    return _paginate(query, page, per_page)


def list_moderation_log(group: Group, viewer: perm.Viewer, page: int = 1,
                        per_page: int = 20) -> Page[ModerationAction]:
    """Every moderation action in the group, newest first; for its moderators."""
    actions.require(actions.read_moderation_log(viewer, group))
    query = (select(ModerationAction).where(ModerationAction.group_id == group.id)
             .order_by(ModerationAction.id.desc()))
    return _paginate(query, page, per_page)


_MY_REACTIONS = select(Reaction.post_id, Reaction.kind).where(
    Reaction.user_id == bindparam("user"), Reaction.post_id.in_(bindparam("posts", expanding=True))
).order_by(Reaction.kind)


def my_reactions(viewer: perm.Viewer, post_ids: list[int]) -> dict[int, list[str]]:
    """post_id -> the viewer's own reaction kinds, in one query for a whole page."""
    if not post_ids or viewer is None or getattr(viewer, "id", None) is None:
        return {}
    mine: dict[int, list[str]] = {}
    for post_id, kind in run(_MY_REACTIONS, {"user": viewer.id, "posts": post_ids}):
        mine.setdefault(post_id, []).append(kind)
    return mine
