"""Live events the services emit after commit: each shaped by `forum.serializers` and sent to
the audiences `forum.permissions` says may see it now. Payloads shared by an audience carry no
`can` (the page's script holds the reader's own controls).

A room's public audience gets an event only if its ordinary reader (anonymous in a public group,
a plain member in a private one) may see the object; the `#mod` audience gets the moderators'
view; named people who may see what the public may not (a pending post's author, a pending
thread's author) get it in their own `user:ID` room. No rule is restated here.
"""

from __future__ import annotations

from forum import permissions as perm
from forum.extensions import db
from forum.live.audiences import MOD, emit, moderator_reader, ordinary_reader
from forum.models import Notification, Post, Thread, Topic, User
from forum.serializers import (
    notification_json,
    post_json,
    summary_json,
    thread_json,
    topic_json,
)


def _named_readers(user_ids, group, may_see) -> list[User]:
    """Those of the named people who may see it now and are not in a `#mod` audience."""
    readers = []
    for user_id in dict.fromkeys(uid for uid in user_ids if uid is not None):
        user = db.session.get(User, user_id)
        if user is None or not user.is_active:
            continue
        perm.forget_cached_rights(user)
        if may_see(user) and not perm.is_moderator(user, group):
            readers.append(user)
    return readers


def publish_post(post: Post, event: str, audience: str = "all") -> None:
    """post.created (thread and topic rooms) or post.updated (thread room).

    `audience="public"`: only those who could not see it before (a pending post approved, or
    the posts of a pending thread approved).
    """
    thread = post.thread
    group = thread.topic.group
    rooms = [f"thread:{thread.id}"]
    if event == "post.created":
        rooms.append(f"topic:{thread.topic_id}")
    reader = ordinary_reader(group)
    public = None
    if perm.can_see_post(reader, post):
        public = post_json(post, reader, [], group, with_can=False)
    if public is not None:
        for room in rooms:
            emit(event, public, room)
    if audience != "all":
        return
    full = post_json(post, moderator_reader(group), [], group, with_can=False)
    for room in rooms:
        emit(event, full, room + MOD)
    # Its author (and a pending thread's author) may see more than the public room carries:
    # the post itself, or the body of their own hidden post.
    for user in _named_readers((post.author_id, thread.author_id), group,
                               lambda user: perm.can_see_post(user, post)):
        if public is None or (perm.can_see_post_body(user, post, group)
                              and not perm.can_see_post_body(reader, post, group)):
            emit(event, post_json(post, user, [], group, with_can=False), f"user:{user.id}")


def publish_visibility(post: Post, event: str) -> None:
    """post.hidden / post.unhidden (and post.rejected for moderators and the author)."""
    group = post.thread.topic.group
    payload = {"post_id": post.id, "thread_id": post.thread_id}
    room = f"thread:{post.thread_id}"
    reader = ordinary_reader(group)
    public = event != "post.rejected" and perm.can_see_post(reader, post)
    if public:
        emit(event, payload, room)
    emit(event, payload, room + MOD)
    if event == "post.unhidden" and public:
        # Those who saw a null body now need the text back.
        emit("post.updated", post_json(post, reader, [], group, with_can=False), room)
    if event == "post.rejected" and post.author_id is not None:
        emit(event, payload, f"user:{post.author_id}")


def publish_thread(thread: Thread, event: str) -> None:
    """thread.created / thread.updated to the topic's and the group's rooms."""
    group = thread.topic.group
    rooms = [f"topic:{thread.topic_id}", f"group:{group.slug}"]
    reader = ordinary_reader(group)
    public = None
    if perm.can_see_thread(reader, thread):
        public = _thread_payload(thread, reader)
        for room in rooms:
            emit(event, public, room)
    full = _thread_payload(thread, moderator_reader(group))
    for room in rooms:
        emit(event, full, room + MOD)
    for user in _named_readers((thread.author_id,), group,
                               lambda user: perm.can_see_thread(user, thread)):
        if public is None:
            emit(event, _thread_payload(thread, user), f"user:{user.id}")


def _thread_payload(thread: Thread, viewer) -> dict:
    payload = thread_json(thread, viewer, with_can=False)
    payload.pop("first_post", None)
    return payload


def publish_thread_posts(thread: Thread, exclude: int | None = None) -> None:
    """A pending thread was approved: its published posts (replies its moderators wrote while
    it waited) reach the public, who could not see them before."""
    posts = db.session.scalars(
        db.select(Post).where(Post.thread_id == thread.id, Post.pending.is_(False),
                              Post.rejected.is_(False)).order_by(Post.id))
    for post in posts:
        if post.id != exclude:
            publish_post(post, "post.created", audience="public")


def publish_reactions(post: Post) -> None:
    group = post.thread.topic.group
    payload = {"post_id": post.id, "thread_id": post.thread_id,
               "reactions": post.reaction_counts()}
    room = f"thread:{post.thread_id}"
    if perm.can_see_post(ordinary_reader(group), post):
        emit("post.reacted", payload, room)
    emit("post.reacted", payload, room + MOD)


def publish_notification(notification: Notification) -> None:
    emit("notification", notification_json(notification), f"user:{notification.user_id}")


def _to_topic_audiences(event: str, payload: dict, topic: Topic, rooms: list[str]) -> None:
    if perm.can_see_topic(ordinary_reader(topic.group), topic):
        for room in rooms:
            emit(event, payload, room)
    for room in rooms:
        emit(event, payload, room + MOD)


def publish_summary(summary, topic: Topic) -> None:
    """summary.published: to the topic's and the group's rooms."""
    payload = summary_json(summary, getattr(summary, "cited_ids", []))
    _to_topic_audiences("summary.published", payload, topic,
                        [f"topic:{topic.id}", f"group:{topic.group.slug}"])


def publish_topic(topic: Topic) -> None:
    """topic.updated (a phase change, for one): to the topic's and the group's rooms."""
    payload = topic_json(topic, ordinary_reader(topic.group), with_can=False)
    _to_topic_audiences("topic.updated", payload, topic,
                        [f"topic:{topic.id}", f"group:{topic.group.slug}"])


def publish_signoff(topic: Topic, payload: dict) -> None:
    """signoff.updated: the tallies of the topic's sign-off, to the topic room."""
    _to_topic_audiences("signoff.updated", payload, topic, [f"topic:{topic.id}"])
