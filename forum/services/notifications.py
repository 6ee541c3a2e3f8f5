"""Reading and marking one's own notifications."""

from __future__ import annotations

from sqlalchemy import bindparam, func, or_, select, update

from forum import permissions as perm
from forum.db import run, unit_of_work
from forum.extensions import db
from forum.models import Group, Notification, Topic, User
from forum.permissions import delivery
from forum.services.queries import Page, _paginate


def _visible(query, user: User):
    """A notification about something the user can no longer see (a group, a topic, a post or
    its thread) reveals nothing of it: the same answer as `delivery.may_receive_notification`,
    asked of the whole list at once."""
    groups = perm.visible_groups(select(Group.id), user)
    topics = select(Topic.id).where(Topic.group_id.in_(groups))
    return query.where(Notification.user_id == user.id,
                       or_(Notification.group_id.is_(None), Notification.group_id.in_(groups)),
                       or_(Notification.topic_id.is_(None), Notification.topic_id.in_(topics)),
                       or_(Notification.post_id.is_(None),
                           Notification.post_id.in_(delivery.visible_post_ids(user, with_body=True))))


def visible_to(user: User):
    """select(Notification) of the user's own, less those about what they may no longer see."""
    return _visible(select(Notification), user)


def list_notifications(user: User, page: int = 1, per_page: int = 20
                       ) -> tuple[Page[Notification], int]:
    """Newest first, with the unread count."""
    query = _visible(select(Notification), user).order_by(Notification.id.desc())
    return _paginate(query, page, per_page), unread_count(user)


_UNREAD = select(func.count(Notification.id)).where(Notification.user_id == bindparam("user"),
                                                    Notification.read.is_(False))


def unread_count(user: User) -> int:
    """What every page's header shows: unread notifications about what the user may see now."""
    if not run(_UNREAD, {"user": user.id}).scalar():  # most pages: nothing unread, no need
        return 0                                         # to ask what is seen
    unread = select(func.count(Notification.id)).where(Notification.user_id == user.id,
                                                       Notification.read.is_(False))
    return db.session.scalar(_visible(unread, user)) or 0


@unit_of_work
def mark_read(user: User, ids: list[int] | None = None) -> int:
    """Mark the given notifications (or all) of this user read; returns how many changed."""
    statement = update(Notification).where(Notification.user_id == user.id,
                                           Notification.read.is_(False))
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids[:1000]))
    return db.session.execute(statement.values(read=True)).rowcount or 0
