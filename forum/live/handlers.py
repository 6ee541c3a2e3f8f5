"""The live door: Socket.IO connect, subscribe, unsubscribe and typing, and the presence beat.

Each event first asks whether the connection's sign-in still holds (`identity.viewer`); one
that no longer does is disconnected. Rooms are resolved through `audiences`, which asks
`forum.permissions`; nothing here decides who may see what.
"""

from __future__ import annotations

import logging
import time

from flask import request
from flask_socketio import disconnect, join_room, leave_room

from forum.extensions import db, socketio
from forum.live import identity
from forum.live.audiences import (
    MOD,
    audience_room,
    emit,
    emit_presence,
    resolve_room,
    state,
)
from forum.live.state import RENEW_EVERY

log = logging.getLogger(__name__)

TYPING_EVERY = 3.0  # seconds between two typing events of one user in one thread
NOT_FOUND = {"ok": False, "error": "not_found"}
BAD_REQUEST = {"ok": False, "error": "bad_request"}

# Per process: sid -> rooms it subscribed to here (a re-seat from another process may have
# taken one away since: every use asks the permissions again), typing throttle.
_rooms: dict[str, set[str]] = {}
_last_typing: dict[tuple[int, int], float] = {}


def origin_checker(public_url: str):
    """Accept the forum's own origin: PUBLIC_URL, or the very host the request was sent to."""

    def allowed(origin: str | None, environ: dict) -> bool:
        if origin is None:
            return True  # not a browser: no cross-site risk, authentication still applies
        scheme = environ.get("wsgi.url_scheme", "http")
        same_host = f"{scheme}://{environ.get('HTTP_HOST', '')}"
        return origin in (public_url, same_host)

    return allowed


def _caller():
    """The connection's user now, or None after disconnecting a sign-in that no longer holds."""
    user = identity.viewer(request.sid)
    if user is None:
        disconnect()
    return user


def register_handlers() -> None:
    @socketio.on("connect")
    def on_connect(auth=None):
        try:
            who = identity.identify(auth)
            if who is None:
                return False  # a bad token is refused at connect
            sid = request.sid
            identity.remember(sid, who)
            _rooms[sid] = set()
            if who.user_id is not None:
                join_room(f"user:{who.user_id}")
                state().add_connection(who.user_id, sid, who.token_id)
            return True
        finally:
            db.session.remove()

    @socketio.on("disconnect")
    def on_disconnect(*_args):
        sid = request.sid
        who = identity.forget(sid)
        rooms = _rooms.pop(sid, set())
        live = state()
        live.drop_sid(who.user_id, sid)
        for room in rooms:
            # Only a reader who was listed changes the list: thousands of anonymous readers
            # leaving must not each send the unchanged list to everyone still there.
            if room.startswith("thread:") and live.absent(room, sid):
                emit_presence(room)

    @socketio.on("subscribe")
    def on_subscribe(payload=None):
        try:
            if not isinstance(payload, dict) or not isinstance(payload.get("room"), str):
                return BAD_REQUEST
            sid = request.sid
            user = _caller()
            if user is None:
                return NOT_FOUND
            resolved = resolve_room(payload["room"], user)
            if resolved is None:
                return NOT_FOUND
            room, group = resolved
            join_room(audience_room(user, room, group))
            _rooms.setdefault(sid, set()).add(room)
            live = state()
            live.add_subscription(user.id, sid, room, group.id)
            if room.startswith("thread:") and user.is_authenticated:
                live.present(room, sid, user.username)
                emit_presence(room)
            return {"ok": True}
        finally:
            db.session.remove()

    @socketio.on("unsubscribe")
    def on_unsubscribe(payload=None):
        try:
            if not isinstance(payload, dict) or not isinstance(payload.get("room"), str):
                return BAD_REQUEST
            sid, room = request.sid, payload["room"]
            leave_room(room)
            leave_room(room + MOD)
            if _caller() is None:
                return NOT_FOUND
            if room in _rooms.get(sid, set()):
                _rooms[sid].discard(room)
                live = state()
                live.remove_subscription(identity.user_id_of(sid), sid, room)
                if room.startswith("thread:") and live.absent(room, sid):
                    emit_presence(room)
            return {"ok": True}
        finally:
            db.session.remove()

    @socketio.on("typing")
    def on_typing(payload=None):
        sid = request.sid
        if not isinstance(payload, dict) or not isinstance(payload.get("thread_id"), int):
            return BAD_REQUEST
        room = f"thread:{payload['thread_id']}"
        user_id = identity.user_id_of(sid)
        if user_id is None or room not in _rooms.get(sid, set()):
            return NOT_FOUND
        key = (user_id, payload["thread_id"])
        now = time.monotonic()
        if now - _last_typing.get(key, 0.0) < TYPING_EVERY:
            return {"ok": True}  # throttled: the last announcement still stands, nothing leaves
        _last_typing[key] = now
        try:
            user = _caller()
            if user is None:
                return NOT_FOUND
            if resolve_room(room, user) is None:  # moved, removed or turned private since
                _rooms[sid].discard(room)
                return NOT_FOUND
            event = {"thread_id": payload["thread_id"], "username": user.username}
            emit("typing", event, room, skip_sid=sid)
            emit("typing", event, room + MOD, skip_sid=sid)
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
                        emit_presence(room)
            except Exception:
                log.exception("presence heartbeat failed")

    socketio.start_background_task(beat)
