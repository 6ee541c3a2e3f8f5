"""Live audiences: room names, who may be in which room, and re-seating when rights shrink.

Rooms come in audiences so each change costs one emit per audience, not per connection:
`thread:ID` for everyone who may read it, `thread:ID#mod` for the group's moderators (who also
see pending posts and hidden bodies), and `user:ID` for one person's own events. Whether a
viewer may be in a room is asked of `forum.permissions`, at subscribe time and again whenever a
change shrinks an audience (a move, a removal, a role or visibility change, a sign-out).

Re-seating works across processes: with the Redis manager, python-socketio's `enter_room`,
`leave_room` and `disconnect` for a sid held by another process are published on the Socket.IO
channel and carried out by the process that holds it, in the order they were published, so a
post announced after the change never reaches a connection the change took out.
"""

from __future__ import annotations

import logging
import re

from flask import current_app

from forum import permissions as perm
from forum.extensions import db, socketio
from forum.live.state import make_state
from forum.models import Group, Thread, Topic, User

log = logging.getLogger(__name__)

ROOM = re.compile(r"^(group|topic|thread):([A-Za-z0-9-]{1,64})$")
MOD = "#mod"


def state():
    """This app's live bookkeeping (memory, or Redis shared by every process)."""
    app = current_app._get_current_object()
    if "forum_live_state" not in app.extensions:
        app.extensions["forum_live_state"] = make_state(app.config.get("REDIS_URL"))
    return app.extensions["forum_live_state"]


# --- who a room's audience is -----------------------------------------------------------------

def ordinary_reader(group: Group) -> perm.Viewer:
    """The least a room's public audience may see: anonymous in a public group, a plain member
    in a private one. What this reader may not see goes to `#mod` rooms and named people only."""
    return perm.StandIn(group, "member") if group.is_private else perm.AnonymousUser()


def moderator_reader(group: Group) -> perm.Viewer:
    """The `#mod` audience: the group's moderators (and site admins)."""
    return perm.StandIn(group, "moderator")


def resolve_room(name, user) -> tuple[str, Group] | None:
    """The room's canonical name and group, if it exists and the user may see it now."""
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


def audience_room(user, room: str, group: Group) -> str:
    """The audience of `room` the user belongs in: `room#mod` for the group's moderators."""
    return room + MOD if perm.is_moderator(user, group) else room


# --- emitting ---------------------------------------------------------------------------------

def emit(event: str, payload: dict, room: str, skip_sid: str | None = None) -> None:
    try:
        socketio.emit(event, payload, to=room, skip_sid=skip_sid)
    except Exception:  # live delivery must never break the write that already committed
        log.warning("live emit of %s to %s failed", event, room, exc_info=True)


def emit_presence(room: str) -> None:
    """The thread's readers, to both of its audiences."""
    if room.startswith("thread:"):
        users = state().readers(room)
        payload = {"room": room, "users": users, "names": _display_names(users)}
        emit("presence", payload, room)
        emit("presence", payload, room + MOD)


def _display_names(usernames: list[str]) -> list[str]:
    """The readers as the pages name them, in the same order as `users` (one query)."""
    if not usernames:
        return []
    names = dict(db.session.execute(
        db.select(User.username, User.display_name).where(User.username.in_(usernames))).all())
    return [names.get(username) or username for username in usernames]


# --- re-seating: after a change that may shrink an audience -----------------------------------

def refresh_access(user_id: int, group_id: int) -> None:
    """After a membership or role change: move the user's connections to the right audience."""
    user = db.session.get(User, user_id)
    perm.forget_cached_rights(user)
    _reseat_all([(user or perm.AnonymousUser(), user_id, sid, room, gid)
                 for sid, room, gid in state().subscriptions(user_id, group_id)])


def refresh_group(group_id: int) -> None:
    """After a group's visibility changed: re-check everyone subscribed to it."""
    _reseat_all([(_viewer(user_id), user_id, sid, room, group_id)
                 for user_id, sid, room in state().group_subscribers(group_id)])


def refresh_thread(thread_id: int, old_group_id: int) -> None:
    """After a thread moved to another group: everyone following it is re-checked against the
    group it is in now; those who may still see it follow it there (bookkeeping included, so
    later group-level re-checks find them), the others leave it."""
    room = f"thread:{thread_id}"
    _reseat_all([(_viewer(user_id), user_id, sid, room, old_group_id)
                 for user_id, sid, subscribed in state().group_subscribers(old_group_id)
                 if subscribed == room])


def _viewer(user_id: int | None):
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.is_active:
        return perm.AnonymousUser()
    perm.forget_cached_rights(user)
    return user


def _reseat_all(seats: list) -> None:
    """Re-seat every (viewer, user id, sid, room, recorded group); presence is announced once
    everyone has been re-seated, so no one on the way out hears who stays."""
    left = set()
    for user, user_id, sid, room, group_id in seats:
        if not _reseat(user, user_id, sid, room, group_id):
            left.add(room)
    for room in left:
        emit_presence(room)


def _reseat(user, user_id: int | None, sid: str, room: str, recorded_group_id: int) -> bool:
    """Take the sid out of both audiences of `room`, then back into the one the user may be in
    now, if any (False: none). Works for a sid held by another process (see the docstring)."""
    server = socketio.server
    server.leave_room(sid, room, namespace="/")
    server.leave_room(sid, room + MOD, namespace="/")
    live = state()
    resolved = resolve_room(room, user)
    if resolved is None:
        live.remove_subscription(user_id, sid, room)
        if room.startswith("thread:"):
            live.absent(room, sid)
        return False
    canonical, group = resolved
    server.enter_room(sid, audience_room(user, canonical, group), namespace="/")
    if group.id != recorded_group_id:
        live.remove_subscription(user_id, sid, room)
        live.add_subscription(user_id, sid, canonical, group.id)
    return True


def disconnect_user(user_id: int, *, sessions_only: bool = False) -> None:
    """End every live connection of a user, in every process (an account disabled, erased, its
    password changed or reset). `sessions_only`: those signed in with a session cookie (a
    sign-out everywhere leaves API tokens working, as over HTTP)."""
    for sid, token_id in state().connections(user_id):
        if not sessions_only or token_id is None:
            _disconnect(sid)


def disconnect_token(user_id: int, token_id: int) -> None:
    """End the live connections that signed in with one API token (it was revoked)."""
    for sid, used in state().connections(user_id):
        if used == token_id:
            _disconnect(sid)


def _disconnect(sid: str) -> None:
    try:
        socketio.server.disconnect(sid, namespace="/")
    except Exception:
        log.warning("live disconnect of %s failed", sid, exc_info=True)
