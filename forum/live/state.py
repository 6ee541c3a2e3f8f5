"""Who is connected where: connections, subscriptions (to re-check rights later), presence.

In one process this lives in memory; with REDIS_URL it lives in Redis so every process sees it.
Presence entries carry an expiry that each process renews for its own connections; a process
that dies stops renewing, so its readers vanish within PRESENCE_TTL instead of haunting rooms.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

PRESENCE_TTL = 75  # seconds without renewal before a reader disappears
RENEW_EVERY = 25


class MemoryState:
    def __init__(self):
        self._lock = threading.Lock()
        self._subs: dict[int, dict[tuple[str, str], int]] = {}  # user -> (sid, room) -> group
        self._conns: dict[int, dict[str, int | None]] = {}  # user -> sid -> token id (None: cookie)
        self._presence: dict[str, dict[str, tuple[str, float]]] = {}  # room -> sid -> (name, exp)

    # connections of signed-in users, and how each signed in
    def add_connection(self, user_id: int, sid: str, token_id: int | None) -> None:
        with self._lock:
            self._conns.setdefault(user_id, {})[sid] = token_id

    def connections(self, user_id: int) -> list[tuple[str, int | None]]:
        with self._lock:
            return list(self._conns.get(user_id, {}).items())

    # subscriptions
    def add_subscription(self, user_id: int | None, sid: str, room: str, group_id: int) -> None:
        with self._lock:
            self._subs.setdefault(user_id or 0, {})[(sid, room)] = group_id

    def remove_subscription(self, user_id: int | None, sid: str, room: str) -> None:
        with self._lock:
            self._subs.get(user_id or 0, {}).pop((sid, room), None)

    def drop_sid(self, user_id: int | None, sid: str) -> None:
        with self._lock:
            subs = self._subs.get(user_id or 0, {})
            for key in [k for k in subs if k[0] == sid]:
                subs.pop(key)
            self._conns.get(user_id or 0, {}).pop(sid, None)

    def subscriptions(self, user_id: int | None, group_id: int | None = None
                      ) -> list[tuple[str, str, int]]:
        with self._lock:
            return [(sid, room, gid) for (sid, room), gid in self._subs.get(user_id or 0, {}).items()
                    if group_id is None or gid == group_id]

    def group_subscribers(self, group_id: int) -> list[tuple[int, str, str]]:
        with self._lock:
            return [(uid, sid, room) for uid, subs in self._subs.items()
                    for (sid, room), gid in subs.items() if gid == group_id]

    # presence
    def present(self, room: str, sid: str, username: str) -> None:
        with self._lock:
            self._presence.setdefault(room, {})[sid] = (username, time.time() + PRESENCE_TTL)

    def absent(self, room: str, sid: str) -> bool:
        """Whether the connection was one of the room's readers (an anonymous one never is)."""
        with self._lock:
            return self._presence.get(room, {}).pop(sid, None) is not None

    def readers(self, room: str) -> list[str]:
        now = time.time()
        with self._lock:
            entries = self._presence.get(room, {})
            return sorted({name for name, expiry in entries.values() if expiry > now})

    def renew(self, sids_rooms: list[tuple[str, str]]) -> None:
        with self._lock:
            for sid, room in sids_rooms:
                entry = self._presence.get(room, {}).get(sid)
                if entry:
                    self._presence[room][sid] = (entry[0], time.time() + PRESENCE_TTL)

    def expire(self) -> list[str]:
        """Drop stale readers; the rooms whose reader lists changed."""
        now = time.time()
        changed = []
        with self._lock:
            for room, entries in self._presence.items():
                stale = [sid for sid, (_, expiry) in entries.items() if expiry <= now]
                for sid in stale:
                    entries.pop(sid)
                if stale:
                    changed.append(room)
        return changed


class RedisState:
    """The same operations over Redis hashes and sorted sets (scores are expiry times)."""

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=3,
                                          decode_responses=True)

    def add_connection(self, user_id, sid, token_id) -> None:
        self.redis.hset(f"live:conn:{user_id}", sid, "" if token_id is None else token_id)

    def connections(self, user_id):
        return [(sid, int(token) if token else None)
                for sid, token in self.redis.hgetall(f"live:conn:{user_id}").items()]

    def add_subscription(self, user_id, sid, room, group_id) -> None:
        self.redis.hset(f"live:subs:{user_id or 0}", f"{sid}|{room}", group_id)
        self.redis.hset(f"live:group:{group_id}", f"{user_id or 0}|{sid}|{room}", 1)

    def remove_subscription(self, user_id, sid, room) -> None:
        key = f"live:subs:{user_id or 0}"
        group_id = self.redis.hget(key, f"{sid}|{room}")
        self.redis.hdel(key, f"{sid}|{room}")
        if group_id is not None:
            self.redis.hdel(f"live:group:{group_id}", f"{user_id or 0}|{sid}|{room}")

    def drop_sid(self, user_id, sid) -> None:
        for _sid, room, _gid in self.subscriptions(user_id):
            if _sid == sid:
                self.remove_subscription(user_id, sid, room)
        if user_id:
            self.redis.hdel(f"live:conn:{user_id}", sid)

    def subscriptions(self, user_id, group_id=None):
        out = []
        for field, gid in self.redis.hgetall(f"live:subs:{user_id or 0}").items():
            sid, _, room = field.partition("|")
            if group_id is None or int(gid) == group_id:
                out.append((sid, room, int(gid)))
        return out

    def group_subscribers(self, group_id):
        out = []
        for field in self.redis.hkeys(f"live:group:{group_id}"):
            uid, sid, room = field.split("|", 2)
            out.append((int(uid), sid, room))
        return out

    def present(self, room, sid, username) -> None:
        self.redis.zadd(f"live:presence:{room}", {f"{sid}|{username}": time.time() + PRESENCE_TTL})
        self.redis.sadd("live:presence-rooms", room)

    def absent(self, room, sid) -> bool:
        key = f"live:presence:{room}"
        mine = [member for member in self.redis.zrange(key, 0, -1)
                if member.startswith(sid + "|")]
        return bool(mine) and bool(self.redis.zrem(key, *mine))

    def readers(self, room):
        members = self.redis.zrangebyscore(f"live:presence:{room}", time.time(), "+inf")
        return sorted({m.partition("|")[2] for m in members})

    def renew(self, sids_rooms) -> None:
        sids_by_room: dict[str, set[str]] = {}
        for sid, room in sids_rooms:
            sids_by_room.setdefault(room, set()).add(sid)
        pipe = self.redis.pipeline()
        for room, sids in sids_by_room.items():  # each room's readers read once, not per sid
            key = f"live:presence:{room}"
            for member in self.redis.zrange(key, 0, -1):
                if member.partition("|")[0] in sids:
                    pipe.zadd(key, {member: time.time() + PRESENCE_TTL}, xx=True)
        pipe.execute()

    def expire(self):
        changed = []
        now = time.time()
        for room in self.redis.smembers("live:presence-rooms"):
            if self.redis.zremrangebyscore(f"live:presence:{room}", "-inf", now):
                changed.append(room)
        return changed


class SafeState:
    """Live bookkeeping must never break a request: failures are logged and degrade to nothing."""

    def __init__(self, inner):
        self.inner = inner
        self._warned = 0.0

    def __getattr__(self, name):
        method = getattr(self.inner, name)

        def call(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except Exception as exc:
                if time.time() - self._warned > 30:
                    log.warning("live state unavailable (%s): live features degrade", exc)
                    self._warned = time.time()
                return [] if name in ("connections", "subscriptions", "group_subscribers",
                                      "readers", "expire") else None

        return call


def make_state(redis_url: str | None):
    return SafeState(RedisState(redis_url) if redis_url else MemoryState())
