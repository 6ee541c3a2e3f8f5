"""Socket.IO: connection identity, room subscriptions, presence, typing and publishing.

Rooms come in audiences so each change costs one emit per audience, not per connection:
`thread:ID` for everyone who may read it, `thread:ID#mod` for the group's moderators (who also
see pending posts and hidden bodies), and `user:ID` for one person's own notifications.
Every emit happens after the change has been committed (the services queue them).
"""

from __future__ import annotations

import logging
import re
import time

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room, leave_room

from forum import permissions as perm
from forum.extensions import db, socketio
from forum.live_state import RENEW_EVERY, make_state
from forum.models import Group, Notification, Post, Thread, Topic, User

log = logging.getLogger(__name__)

ROOM = re.compile(r"^(group|topic|thread):([A-Za-z0-9-]{1,64})$")
MOD = "#mod"
TYPING_EVERY = 3.0  # seconds between two typing events of one user in one thread

# Per process: sid -> user id (None: anonymous), sid -> rooms joined, typing throttle.
_identities: dict[str, int | None] = {}
_rooms: dict[str, set[str]] = {}
_last_typing: dict[tuple[int, int], float] = {}


def state():
    app = current_app._get_current_object()
    if "forum_live_state" not in app.extensions:
        app.extensions["forum_live_state"] = make_state(app.config.get("REDIS_URL"))
    return app.extensions["forum_live_state"]


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


def _resolve_room(name, user) -> tuple[str, Group] | None:
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


def _audience_room(user, room: str, group: Group) -> str:
    return room + MOD if perm.is_moderator(user, group) else room


def _emit_presence(room: str) -> None:
    if room.startswith("thread:"):
        payload = {"room": room, "users": state().readers(room)}
        _emit("presence", payload, room)
        _emit("presence", payload, room + MOD)


def register_handlers() -> None:
    @socketio.on("connect")
    def on_connect(auth=None):
        from forum.services.accounts import user_for_token

        try:
            user = None
            if isinstance(auth, dict) and auth.get("token") is not None:
                user = user_for_token(str(auth.get("token")))
                if user is None:
                    return False  # a bad token is refused at connect
            elif current_user.is_authenticated:
                user = current_user._get_current_object()
            _identities[request.sid] = user.id if user is not None else None
            _rooms[request.sid] = set()
            if user is not None:
                join_room(f"user:{user.id}")
                # Recorded like a subscription (group 0: none) so disconnect_user finds it.
                state().add_subscription(user.id, request.sid, f"user:{user.id}", 0)
            return True
        finally:
            db.session.remove()

    @socketio.on("disconnect")
    def on_disconnect(*_args):
        sid = request.sid
        user_id = _identities.pop(sid, None)
        rooms = _rooms.pop(sid, set())
        live = state()
        live.drop_sid(user_id, sid)
        for room in rooms:
            if room.startswith("thread:"):
                live.absent(room, sid)
                _emit_presence(room)

    @socketio.on("subscribe")
    def on_subscribe(payload=None):
        try:
            if not isinstance(payload, dict) or not isinstance(payload.get("room"), str):
                return {"ok": False, "error": "bad_request"}
            sid = request.sid
            user = _user_for_sid(sid)
            resolved = _resolve_room(payload["room"], user)
            if resolved is None:
                return {"ok": False, "error": "not_found"}
            room, group = resolved
            join_room(_audience_room(user, room, group))
            _rooms.setdefault(sid, set()).add(room)
            live = state()
            live.add_subscription(user.id, sid, room, group.id)
            if room.startswith("thread:") and user.is_authenticated:
                live.present(room, sid, user.username)
                _emit_presence(room)
            return {"ok": True}
        finally:
            db.session.remove()

    @socketio.on("unsubscribe")
    def on_unsubscribe(payload=None):
        if not isinstance(payload, dict) or not isinstance(payload.get("room"), str):
            return {"ok": False, "error": "bad_request"}
        sid, room = request.sid, payload["room"]
        leave_room(room)
        leave_room(room + MOD)
        if room in _rooms.get(sid, set()):
            _rooms[sid].discard(room)
            live = state()
            live.remove_subscription(_identities.get(sid), sid, room)
            if room.startswith("thread:"):
                live.absent(room, sid)
                _emit_presence(room)
        return {"ok": True}

    @socketio.on("typing")
    def on_typing(payload=None):
        sid = request.sid
        if not isinstance(payload, dict) or not isinstance(payload.get("thread_id"), int):
            return {"ok": False, "error": "bad_request"}
        room = f"thread:{payload['thread_id']}"
        user_id = _identities.get(sid)
        if user_id is None or room not in _rooms.get(sid, set()):
            return {"ok": False, "error": "not_found"}
        key = (user_id, payload["thread_id"])
        now = time.monotonic()
        if now - _last_typing.get(key, 0.0) < TYPING_EVERY:
            return {"ok": True}  # throttled: the last announcement still stands
        _last_typing[key] = now
        try:
            user = _user_for_sid(sid)
            event = {"thread_id": payload["thread_id"], "username": user.username}
            socketio.emit("typing", event, to=room, skip_sid=sid)
            socketio.emit("typing", event, to=room + MOD, skip_sid=sid)
        finally:
            db.session.remove()
        return {"ok": True}


def start_heartbeat(app) -> None:
    """Renew this process's readers and drop expired ones (those of dead processes too)."""

    def beat():
        while True:
            socketio.sleep(RENEW_EVERY)
            try:
                with app.app_context():
                    live = state()
                    live.renew([(sid, room) for sid, rooms in list(_rooms.items())
                                for room in rooms if room.startswith("thread:")])
                    for room in live.expire():
                        _emit_presence(room)
            except Exception:
                log.exception("presence heartbeat failed")

    socketio.start_background_task(beat)


# --- access changes: take rooms away from those who may no longer see them ---------------------

def refresh_access(user_id: int, group_id: int) -> None:
    """After a membership or role change: move the user's connections to the right audience."""
    user = db.session.get(User, user_id)
    perm.forget_cached_rights(user)
    for sid, room, _gid in state().subscriptions(user_id, group_id):
        _reseat(user, sid, room)


def refresh_group(group_id: int) -> None:
    """After a group's visibility changed: re-check everyone subscribed to it."""
    for user_id, sid, room in state().group_subscribers(group_id):
        user = db.session.get(User, user_id) if user_id else perm.AnonymousUser()
        _reseat(user or perm.AnonymousUser(), sid, room)


def _reseat(user, sid: str, room: str) -> None:
    server = socketio.server
    server.leave_room(sid, room, namespace="/")
    server.leave_room(sid, room + MOD, namespace="/")
    resolved = _resolve_room(room, user)
    if resolved is None:
        state().remove_subscription(getattr(user, "id", None), sid, room)
        if room.startswith("thread:"):
            state().absent(room, sid)
            _emit_presence(room)
        return
    canonical, group = resolved
    server.enter_room(sid, _audience_room(user, canonical, group), namespace="/")


def disconnect_user(user_id: int) -> None:
    """End every live connection of a user (a disabled account), in every process."""
    for sid in {sid for sid, _room, _gid in state().subscriptions(user_id)}:
        socketio.server.disconnect(sid, namespace="/")


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
    from forum.serializers import post_json

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
    from forum.serializers import thread_json

    payload = thread_json(thread, perm.AnonymousUser())
    payload.pop("first_post", None)
    rooms = [f"topic:{thread.topic_id}", f"group:{thread.topic.group.slug}"]
    _to_audiences(event, None if thread.pending else payload, payload, rooms)


def publish_reactions(post: Post) -> None:
    payload = {"post_id": post.id, "thread_id": post.thread_id,
               "reactions": post.reaction_counts()}
    _to_audiences("post.reacted", payload, payload, [f"thread:{post.thread_id}"])


def publish_notification(notification: Notification) -> None:
    from forum.serializers import notification_json

    _emit("notification", notification_json(notification), f"user:{notification.user_id}")


def publish_summary(summary, topic: Topic) -> None:
    from forum.serializers import summary_json

    payload = summary_json(summary, getattr(summary, "cited_ids", []))
    _to_audiences("summary.published", payload, payload,
                  [f"topic:{topic.id}", f"group:{topic.group.slug}"])


def publish_topic(topic: Topic) -> None:
    """topic.updated (a phase change, for one): to the topic's and the group's rooms."""
    from forum.serializers import topic_json

    payload = topic_json(topic, perm.AnonymousUser())
    _to_audiences("topic.updated", payload, payload,
                  [f"topic:{topic.id}", f"group:{topic.group.slug}"])


def publish_signoff(topic: Topic, payload: dict) -> None:
    """signoff.updated: the tallies of the topic's sign-off, to the topic room."""
    _to_audiences("signoff.updated", payload, payload, [f"topic:{topic.id}"])
