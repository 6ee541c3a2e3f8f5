"""Delivery: may this person receive this content *now*? Asked where content leaves the core.

A door checks the caller; an exit checks the receiver, at the moment of delivery (a notification
row, a live push, a mail when the sender sends it, a digest, an export, a printable page, a
search hit). Between the moment content was written and the moment it leaves, the receiver may
have been removed from the group, the group may have turned private, the thread may have moved
or be awaiting approval, the account may have been disabled or erased. So every check here
first loads the receiver's current rights, then asks the one predicate of `rights` that answers
the question; no rule is restated here.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, false, or_, select, true

from forum.extensions import db
from forum.models import Group, Notification, Post, Thread, Topic, User
from forum.permissions import rights
from forum.permissions.rights import Viewer

Receiver = Viewer | int


def receiver_now(user: Receiver) -> Viewer:
    """The receiver as they are now: a user id is loaded, the cached roles and suspensions are
    dropped, the account's state is read again. None for an account that may receive nothing
    (gone, disabled, not approved, erased); an anonymous viewer stays anonymous."""
    if isinstance(user, int):
        user = db.session.get(User, user)
        if user is None:
            return None
    if user is None or not rights._signed_in(user):
        return user if user is not None else rights.AnonymousUser()
    if isinstance(user, User):
        if user not in db.session.dirty and user in db.session:
            # Another process may have disabled or erased the account since it was loaded
            # (objects outlive commits here); changes pending in this unit are the newest.
            db.session.refresh(user, ["approved", "disabled", "erased_at", "is_admin"])
        if not user.is_active or user.erased_at is not None:
            return None
    rights.forget_cached_rights(user)
    return user


def _signed_out(user: Viewer) -> bool:
    """A receiver that `receiver_now` turned into nobody."""
    return user is None


def may_see_group_now(user: Receiver, group: Group | None) -> bool:
    user = receiver_now(user)
    return not _signed_out(user) and group is not None and rights.can_see_group(user, group)


def may_see_topic_now(user: Receiver, topic: Topic | None) -> bool:
    user = receiver_now(user)
    return not _signed_out(user) and topic is not None and rights.can_see_topic(user, topic)


def may_see_thread_now(user: Receiver, thread: Thread | None) -> bool:
    user = receiver_now(user)
    return not _signed_out(user) and thread is not None and rights.can_see_thread(user, thread)


def may_see_post_now(user: Receiver, post: Post | None) -> bool:
    user = receiver_now(user)
    return not _signed_out(user) and post is not None and rights.can_see_post(user, post)


_PREDICATES = ((Post, rights.can_see_post), (Thread, rights.can_see_thread),
               (Topic, rights.can_see_topic), (Group, rights.can_see_group))


def visible_now(user: Receiver, objects: list) -> list[bool]:
    """For each post, thread, topic or group: may the receiver see it now? Their rights are
    loaded once for the lot (an export, a document with many citations)."""
    user = receiver_now(user)
    if _signed_out(user):
        return [False] * len(objects)
    answers = []
    for obj in objects:
        predicate = next(p for kind, p in _PREDICATES if isinstance(obj, kind))
        answers.append(predicate(user, obj))
    return answers


def may_read_post_now(user: Receiver, post: Post | None) -> bool:
    """May see the post and read its words (a hidden post's: its author and moderators)."""
    user = receiver_now(user)
    return (not _signed_out(user) and post is not None and rights.can_see_post(user, post)
            and rights.can_see_post_body(user, post, post.thread.topic.group))


def posts_visible_now(user: Receiver, posts: list[Post]) -> set[int]:
    """The ids of those posts the receiver may see now."""
    return {post.id for post, seen in zip(posts, visible_now(user, posts)) if seen}


def subject_of(notification: Notification) -> Post | Topic | Group | None:
    """What a notification is about, most specific first: its post, its topic, its group."""
    if notification.post_id is not None:
        return db.session.get(Post, notification.post_id) or _GONE
    if notification.topic_id is not None:
        return db.session.get(Topic, notification.topic_id) or _GONE
    if notification.group_id is not None:
        return db.session.get(Group, notification.group_id) or _GONE
    return None


_GONE = object()  # the subject was deleted: nothing about it may go out


def may_receive_notification(user: Receiver, notification: Notification) -> bool:
    """May this person receive this notification now (store it, push it, mail it, list it)?
    The receiver must be its owner and may see what it is about (a post's words, since the
    text quotes them); one without a subject (an invitation to a group they cannot see yet)
    only needs a live account."""
    owner = user if isinstance(user, int) else getattr(user, "id", None)
    if owner != notification.user_id:
        return False
    return may_receive_about(notification.user_id, subject_of(notification))


def may_receive_about(user: Receiver, subject) -> bool:
    """The check behind `may_receive_notification`, for a subject in hand."""
    if subject is _GONE:
        return False
    if isinstance(subject, Post):
        return may_read_post_now(user, subject)
    if isinstance(subject, Topic):
        return may_see_topic_now(user, subject)
    if isinstance(subject, Group):
        return may_see_group_now(user, subject)
    return not _signed_out(receiver_now(user))


# --- the same answers for lists: narrow a select() to what the receiver may see ------------------

def _classes(user: Viewer) -> list[tuple[Group, object]]:
    """The groups the user may see, in the classes the listing filters treat alike (those they
    moderate, the others), each with one real group of the class to ask the filters with."""
    visible = rights.visible_groups(select(Group.id), user)
    if rights.is_admin(user):  # a site admin moderates everywhere
        sample = db.session.scalar(select(Group).limit(1))
        return [(sample, visible)] if sample is not None else []
    moderated = [gid for gid in rights.group_roles(user)
                 if rights.is_moderator(user, _group(gid))]
    classes = [(_group(moderated[0]), moderated)] if moderated else []
    sample = db.session.scalar(rights.visible_groups(select(Group), user)
                               .where(Group.id.not_in(moderated)).limit(1))
    if sample is not None:
        classes.append((sample, visible.where(Group.id.not_in(moderated))))
    return classes


def _group(group_id: int) -> Group:
    return db.session.get(Group, group_id)


def _where(query: Select):
    """The criteria a listing filter added to a bare select(), to reuse inside another query."""
    clause = query.whereclause
    return clause if clause is not None else true()


def _across_groups(user: Viewer, group_column, criteria) -> object:
    """One condition over many groups: per class of group, that class's criteria."""
    parts = [and_(group_column.in_(group_ids), criteria(sample))
             for sample, group_ids in _classes(user)]
    return or_(*parts) if parts else false()


def visible_thread_ids(user: Viewer) -> Select:
    """Ids of every thread the user may see, across groups (`rights.visible_threads`)."""
    return (select(Thread.id).join(Topic, Topic.id == Thread.topic_id)
            .where(_across_groups(user, Topic.group_id, lambda sample: _where(
                rights.visible_threads(select(Thread.id), user, sample)))))


def visible_post_ids(user: Viewer, with_body: bool = False) -> Select:
    """Ids of every post the user may see, across groups (`rights.visible_threads` and
    `rights.visible_posts`); `with_body`: only those whose words they may read too (a hidden
    post's: its author's and the group's moderators', as `rights.can_see_post_body`)."""

    def criteria(sample: Group):
        query = rights.visible_posts(rights.visible_threads(select(Post.id), user, sample),
                                     user, sample)
        if with_body and not rights.is_moderator(user, sample):
            query = query.where(or_(Post.hidden.is_(False), Post.author_id == user.id)
                                if rights._signed_in(user) else Post.hidden.is_(False))
        return _where(query)

    return (select(Post.id).join(Thread, Thread.id == Post.thread_id)
            .join(Topic, Topic.id == Thread.topic_id)
            .where(_across_groups(user, Topic.group_id, criteria)))
