"""One-line builders for users, groups, topics, threads and posts, and a small API client."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from forum.extensions import db
from forum.services import accounts, groups, posts, threads, topics

PASSWORD = "correct-horse-battery"


@functools.cache
def _password_hash() -> str:
    return accounts.hash_password(PASSWORD)


def user(username: str, *, admin: bool = False):
    return accounts.create_user(username, f"{username}@example.org", PASSWORD,
                                is_admin=admin, password_hash=_password_hash())


def token(username: str) -> str:
    return accounts.create_token(username, "test")


def _here(obj):
    """The test's objects may come from an earlier session: use this session's copy, as stored
    (never merge: that would copy the stale detached state over what is in the database)."""
    return db.session.get(type(obj), obj.id)


def group(admin, slug: str, *, visibility="public", join_policy="open", premoderate=False):
    return groups.create_group(_here(admin), slug, slug.replace("-", " ").title(), "About " + slug,
                               visibility, join_policy, premoderate)


def member(admin, grp, person, role="member"):
    return groups.set_member_role(_here(admin), _here(grp), _here(person), role)[0]


def topic(actor, grp, title="A topic", status="open"):
    return topics.create_topic(_here(actor), _here(grp), title, "Briefing **text**", status)


def thread(actor, tpc, title="A thread", body="First post"):
    return threads.create_thread(_here(actor), _here(tpc), title, body)


def post(actor, thr, body="A reply", reply_to=None):
    return posts.create_post(_here(actor), _here(thr), body, reply_to)


PERSONAS = ("admin", "moderator", "facilitator", "member", "pending", "outsider")


@dataclass
class World:
    """A public and a private group, each with a topic, a thread and a reply, and every persona."""

    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    topics: dict = field(default_factory=dict)
    threads: dict = field(default_factory=dict)
    posts: dict = field(default_factory=dict)


def build_world() -> World:
    w = World()
    for name in PERSONAS:
        w.users[name] = user(name, admin=name == "admin")
        w.tokens[name] = token(name)
    admin = w.users["admin"]
    for vis in ("public", "private"):
        g = group(admin, f"{vis}-group", visibility=vis, join_policy="request")
        member(admin, g, w.users["moderator"], "moderator")
        member(admin, g, w.users["facilitator"], "facilitator")
        member(admin, g, w.users["member"], "member")
        groups.join_group(w.users["pending"], g)
        t = topic(w.users["facilitator"], g, f"{vis} topic")
        th = thread(w.users["member"], t, f"{vis} thread", f"{vis} first post")
        p = post(w.users["member"], th, f"{vis} reply")
        w.groups[vis], w.topics[vis], w.threads[vis], w.posts[vis] = g, t, th, p
    db.session.remove()
    return w


class Api:
    """client.open with a Bearer token per persona, JSON in and out."""

    def __init__(self, client):
        self.client = client

    def __call__(self, method: str, path: str, token: str | None = None, json=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open("/api/v1" + path, method=method, json=json, headers=headers,
                                **kwargs)

    def get(self, path, token=None, **kw):
        return self("GET", path, token, **kw)

    def post(self, path, token=None, json=None, **kw):
        return self("POST", path, token, json, **kw)

    def patch(self, path, token=None, json=None, **kw):
        return self("PATCH", path, token, json, **kw)

    def put(self, path, token=None, json=None, **kw):
        return self("PUT", path, token, json, **kw)

    def delete(self, path, token=None, **kw):
        return self("DELETE", path, token, **kw)
