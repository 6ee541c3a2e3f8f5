"""Socket.IO: connection identity, room subscriptions and publish-after-commit helpers.

Rooms come in audiences so each change costs one emit per audience, not per connection:
`thread:ID` for everyone who may read it, `thread:ID#mod` for the group's moderators (who also
see pending posts and hidden bodies), and `user:ID` for one person's own notifications.
"""

from __future__ import annotations

import logging
import re

from flask import request
from flask_login import current_user
from flask_socketio import join_room, leave_room

from forum import permissions as perm
from forum.extensions import db, socketio
from forum.models import Group, Notification, Post, Thread, Topic, User

log = logging.getLogger(__name__)

ROOM = re.compile(r"^(group|topic|thread):([A-Za-z0-9-]{1,64})$")
MOD = "#mod"

# sid -> user id (None for anonymous); kept per process.
_identities: dict[str, int | None] = {}


def origin_checker(public_url: str):
    """Accept the forum's own origin: PUBLIC_URL, or the very host the request was sent to."""

    def allowed(origin: str | None, environ: dict) -> bool:
        if origin is None:
            return True  # not a browser: no cross-site risk, authentication still applies
        scheme = environ.get("wsgi.url_scheme", "http")
        same_host = f"{scheme}://{environ.get('HTTP_HOST', '')}"
        return origin in (public_url, same_host)

    return allowed


def _user_for_sid(sid: str):
    user_id = _identities.get(sid)
    if user_id is None:
        return perm.AnonymousUser()
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else perm.AnonymousUser()


def _resolve_room(name: str, user) -> tuple[str, Group] | None:
    """The room's canonical name and group, if it exists and the user may see it."""
    match = ROOM.match(name) if isinstance(name, str) else None
    if not match:
        return None
    kind, key = match.groups()
    if kind == "group":
        group = db.session.scalar(db.select(Group).where(Group.slug == key))
        if group is None or not perm.can_see_group(user, group):
            return None
        return f"group:{group.slug}", group
    if not key.isdigit() or int(key) > 2**31 - 1:
        return None
    if kind == "topic":
        topic = db.session.get(Topic, int(key))
        if topic is None or not perm.can_see_topic(user, topic):
            return None
        return f"topic:{topic.id}", topic.group
    thread = db.session.get(Thread, int(key))
    if thread is None or not perm.can_see_thread(user, thread):
        return None
    return f"thread:{thread.id}", thread.topic.group


def register_handlers() -> None:
    @socketio.on("connect")
    def on_connect(auth=None):
        from forum.services.accounts import user_for_token

        user = None
        if isinstance(auth, dict) and auth.get("token") is not None:
            user = user_for_token(str(auth.get("token")))
            if user is None:
                return False  # a bad token is refused at connect
        elif current_user.is_authenticated:
            user = current_user._get_current_object()
        _identities[request.sid] = user.id if user is not None else None
        if user is not None:
            join_room(f"user:{user.id}")
        db.session.remove()
        return True

    @socketio.on("disconnect")
    def on_disconnect(*_args):
        _identities.pop(request.sid, None)

    @socketio.on("subscribe")
    def on_subscribe(payload=None):
        try:
            if not isinstance(payload, dict) or not isinstance(payload.get("room"), str):
                return {"ok": False, "error": "bad_request"}
            user = _user_for_sid(request.sid)
            resolved = _resolve_room(payload["room"], user)
            if resolved is None:
                return {"ok": False, "error": "not_found"}
            room, group = resolved
            join_room(room + MOD if perm.is_moderator(user, group) else room)
            return {"ok": True}
        finally:
            db.session.remove()

    @socketio.on("unsubscribe")
    def on_unsubscribe(payload=None):
        if not isinstance(payload, dict) or not isinstance(payload.get("room"), str):
            return {"ok": False, "error": "bad_request"}
        room = payload["room"]
        leave_room(room)
        leave_room(room + MOD)
        return {"ok": True}


# --- publishing (called after commit by the services) -----------------------------------------

def _emit(event: str, payload: dict, room: str) -> None:
    try:
        socketio.emit(event, payload, to=room)
    except Exception:  # live delivery must never break the write that already committed
        log.warning("live emit of %s to %s failed", event, room, exc_info=True)


def _to_audiences(event: str, public: dict | None, moderators: dict, rooms: list[str]) -> None:
    for room in rooms:
        if public is not None:
            _emit(event, public, room)
        _emit(event, moderators, room + MOD)


def _post_views(post: Post) -> tuple[dict, dict]:
    """The post as the public sees it (hidden body nulled) and as moderators see it."""
    from forum.api.serializers import post_json

    group = post.thread.topic.group
    public = post_json(post, perm.AnonymousUser(), [], group)
    full = dict(public, body_markdown=post.body_markdown, body_html=post.body_html)
    return public, full


def publish_post(post: Post, event: str, audience: str = "all") -> None:
    """`audience="public"`: only those who could not see it before (a pending post approved)."""
    thread = post.thread
    public, full = _post_views(post)
    rooms = [f"thread:{thread.id}"]
    if event == "post.created":
        rooms.append(f"topic:{thread.topic_id}")
    for room in rooms:
        if not post.pending:
            _emit(event, public, room)
        if audience == "all":
            _emit(event, full, room + MOD)
    if post.author_id is not None and (post.pending or post.hidden):
        _emit(event, full, f"user:{post.author_id}")


def publish_visibility(post: Post, event: str) -> None:
    """post.hidden / post.unhidden (and post.rejected for moderators and the author)."""
    payload = {"post_id": post.id, "thread_id": post.thread_id}
    room = f"thread:{post.thread_id}"
    if event != "post.rejected":
        _emit(event, payload, room)
    _emit(event, payload, room + MOD)
    if event == "post.unhidden":
        # Those who saw a null body now need the text back.
        public, _full = _post_views(post)
        _emit("post.updated", public, room)
    if event == "post.rejected" and post.author_id is not None:
        _emit(event, payload, f"user:{post.author_id}")


def publish_thread(thread: Thread, event: str) -> None:
    from forum.api.serializers import thread_json

    payload = thread_json(thread, perm.AnonymousUser())
    payload.pop("first_post", None)
    rooms = [f"topic:{thread.topic_id}", f"group:{thread.topic.group.slug}"]
    _to_audiences(event, None if thread.pending else payload, payload, rooms)


def publish_reactions(post: Post) -> None:
    payload = {"post_id": post.id, "thread_id": post.thread_id,
               "reactions": post.reaction_counts()}
    _to_audiences("post.reacted", payload, payload, [f"thread:{post.thread_id}"])


def publish_notification(notification: Notification) -> None:
    from forum.api.serializers import notification_json

    _emit("notification", notification_json(notification), f"user:{notification.user_id}")


def publish_summary(summary, topic: Topic) -> None:
    from forum.api.serializers import summary_json

    payload = summary_json(summary, getattr(summary, "cited_ids", []))
    _to_audiences("summary.published", payload, payload,
                  [f"topic:{topic.id}", f"group:{topic.group.slug}"])
