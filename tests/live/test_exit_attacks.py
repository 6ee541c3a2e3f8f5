"""Attacks on the live exit (#15): a state change shrinks an audience while clients listen, and
the private text never reaches those who may no longer see it.

Each test listens as the attacker (anonymous, an outsider, a signed-out or removed member),
makes the change through the API or the pages, then has someone write, type or arrive, and
asserts what the attacker's socket received: nothing carrying the marker.
"""

from __future__ import annotations

import re
import sqlite3
import time
import uuid

import pytest

from tests.live.conftest import (
    PASSWORD,
    Api,
    Listener,
    close_all,
    cookie_header,
    csrf_of,
    free_port,
    make_users,
    server_env,
    sign_in,
    start_server,
    stop,
    wait_ready,
)

USERS = {"boss": True, "alice": False, "carol": False, "mod": False, "bystander": False,
         "dana": False, "erin": False, "fred": False, "gina": False, "hank": False}
PRIVATE_EVENTS = ("post.created", "post.updated", "presence", "typing", "notification",
                  "thread.created", "thread.updated", "post.reacted")


class World:
    """Where clients listen (`listen_base`) and where changes are made (`act_base`): the same
    process, or two processes sharing PostgreSQL and Redis."""

    def __init__(self, listen_base: str, act_base: str, env: dict, tokens: dict):
        self.listen_base, self.act_base, self.env, self.tokens = listen_base, act_base, env, tokens
        self.api = Api(act_base)
        self.listeners: list[Listener] = []

    def listen(self, who: str | None = None, rooms=(), *, base: str | None = None,
               headers: dict | None = None) -> Listener:
        listener = Listener(base or self.listen_base, self.tokens[who] if who else None,
                            headers=headers)
        self.listeners.append(listener)
        for room in rooms:
            assert listener.subscribe(room) == {"ok": True}, room
        return listener

    def group(self, visibility: str, roles: dict[str, str], **settings) -> dict:
        """A group with one topic; `roles`: username -> role."""
        slug = f"{visibility}-{uuid.uuid4().hex[:8]}"
        boss = self.tokens["boss"]
        r = self.api("POST", "/groups", boss, {"slug": slug, "name": slug,
                                               "visibility": visibility, "join_policy": "open"})
        assert r.status_code == 201, r.text
        for name, role in roles.items():
            r = self.api("PUT", f"/groups/{slug}/members/{name}", boss, {"role": role})
            assert r.status_code in (200, 201), r.text
        if settings:
            assert self.api("PATCH", f"/groups/{slug}", boss, settings).status_code == 200
        topic = self.api("POST", f"/groups/{slug}/topics", boss,
                         {"title": "Topic", "briefing": "b"}).json()
        return {"slug": slug, "topic": topic}

    def thread(self, group: dict, author: str, title: str = "A thread") -> dict:
        r = self.api("POST", f"/topics/{group['topic']['id']}/threads", self.tokens[author],
                     {"title": title, "body": "first words"})
        assert r.status_code == 201, r.text
        return r.json()

    def reply(self, thread_id: int, author: str, body: str) -> dict:
        r = self.api("POST", f"/threads/{thread_id}/posts", self.tokens[author], {"body": body})
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exits")
    env = server_env(tmp)
    port = free_port()
    process = start_server(env, port)
    try:
        wait_ready(process, port)
        tokens = make_users(env, USERS)
        yield f"http://127.0.0.1:{port}", env, tokens
    finally:
        stop(process)


@pytest.fixture
def world(one_process):
    base, env, tokens = one_process
    w = World(base, base, env, tokens)
    yield w
    close_all(w.listeners)


@pytest.fixture
def two_process_world(tmp_path, redis_server, pg_database):  # noqa: F811
    env = server_env(tmp_path)
    env.update({"DATABASE_URL": pg_database,
                "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0"})
    ports = [free_port(), free_port()]
    processes = [start_server(env, port) for port in ports]
    w = None
    try:
        for process, port in zip(processes, ports):
            wait_ready(process, port)
        tokens = make_users(env, USERS)
        w = World(f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}", env, tokens)
        yield w
    finally:
        if w is not None:
            close_all(w.listeners)
        for process in processes:
            stop(process)


def marker() -> str:
    return f"SECRET-{uuid.uuid4().hex[:10]}"


def after(listener: Listener, mark: int) -> list[tuple[str, dict]]:
    """What the listener received since `mark` (an index into its events)."""
    with listener._cond:
        return list(listener.events[mark:])


def settle(seconds: float = 1.0) -> None:
    time.sleep(seconds)  # room for anything that would leak to arrive


def wait_gone(listener: Listener, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while listener.client.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    return not listener.client.connected


def refused_or_gone(listener: Listener, room: str) -> bool:
    """The socket is closed, or it closes when it next asks for anything."""
    if not listener.client.connected:
        return True
    try:
        answer = listener.subscribe(room)
    except Exception:  # disconnected while asking: the acknowledgement never comes
        return True
    return answer != {"ok": True} and wait_gone(listener, 5)


# --- (a) a thread moved from a public group into a private one --------------------------------

def _moved_thread_is_private_from_then_on(w: World) -> None:
    roles = {"alice": "member", "carol": "member", "mod": "moderator"}
    public, private = w.group("public", roles), w.group("private", roles)
    thread = w.thread(public, "alice", "Soon private")
    room = f"thread:{thread['id']}"
    anonymous = w.listen(None, [room])
    outsider = w.listen("bystander", [room])
    insider = w.listen("alice", [room])
    moderator = w.listen("mod", [room], base=w.act_base)
    for listener in (insider, anonymous, outsider):  # everything before the move has arrived
        assert listener.wait_for("presence", lambda d: d["users"] == ["alice", "bystander", "mod"])
    marks = {anonymous: len(anonymous.events), outsider: len(outsider.events)}

    r = w.api("PATCH", f"/threads/{thread['id']}", w.tokens["mod"],
              {"topic_id": private["topic"]["id"]})
    assert r.status_code == 200, r.text
    assert insider.wait_for("presence", lambda d: d["users"] == ["alice", "mod"])

    # Someone arrives (presence), types and writes: only the private audience hears it.
    secret = marker()
    writer = w.listen("carol", [room], base=w.act_base)
    assert insider.wait_for("presence", lambda d: d["users"] == ["alice", "carol", "mod"])
    assert writer.client.call("typing", {"thread_id": thread["id"]}, timeout=10) == {"ok": True}
    post = w.reply(thread["id"], "carol", f"members only: {secret}")
    assert insider.wait_for("post.created", lambda d: d["id"] == post["id"])["body_markdown"] \
        .endswith(secret)
    assert insider.wait_for("typing", lambda d: d["username"] == "carol")
    assert moderator.wait_for("post.created", lambda d: d["id"] == post["id"])
    settle()
    for listener, mark in marks.items():
        leaked = [(e, d) for e, d in after(listener, mark) if e in PRIVATE_EVENTS]
        assert leaked == [], leaked
        assert secret not in str(after(listener, mark))
        assert listener.subscribe(room) == {"ok": False, "error": "not_found"}

    # The bookkeeping moved with the thread: removal from the new group reaches the subscription.
    mark = len(insider.events)
    assert w.api("DELETE", f"/groups/{private['slug']}/members/alice",
                 w.tokens["boss"]).status_code in (200, 204)
    assert moderator.wait_for("presence", lambda d: d["users"] == ["carol", "mod"])
    later = marker()
    post = w.reply(thread["id"], "carol", f"after alice left: {later}")
    assert moderator.wait_for("post.created", lambda d: d["id"] == post["id"])
    settle()
    assert later not in str(after(insider, mark))
    assert [e for e, _d in after(insider, mark) if e in ("post.created", "presence", "typing")] \
        == []


def test_moved_thread_stops_reaching_anonymous_and_outsiders(world):
    _moved_thread_is_private_from_then_on(world)


def test_moved_thread_stops_reaching_outsiders_on_another_process(two_process_world):
    _moved_thread_is_private_from_then_on(two_process_world)


# --- (b) a moderator's reply inside a thread awaiting approval --------------------------------

def test_reply_in_pending_thread_reaches_only_moderators_and_its_author_until_approved(world):
    w = world
    group = w.group("public", {"alice": "member", "carol": "member", "mod": "moderator"},
                    premoderate=True)
    topic_room, group_room = f"topic:{group['topic']['id']}", f"group:{group['slug']}"
    anonymous = w.listen(None, [topic_room, group_room])
    member = w.listen("carol", [topic_room, group_room])
    admin = w.listen("boss", [topic_room])
    title = f"Pending title {marker()}"
    thread = w.thread(group, "alice", title)
    assert thread["pending"] is True
    author = w.listen("alice", [f"thread:{thread['id']}"])
    secret = marker()
    reply = w.reply(thread["id"], "mod", f"moderator inside: {secret}")
    assert reply["pending"] is False

    assert admin.wait_for("post.created", lambda d: d["id"] == reply["id"])
    assert author.wait_for("post.created", lambda d: d["id"] == reply["id"])
    settle()
    for listener in (anonymous, member):
        assert secret not in str(listener.events) and title not in str(listener.events)

    r = w.api("POST", f"/posts/{thread['first_post']['id']}/approve", w.tokens["mod"])
    assert r.status_code == 200, r.text
    for listener in (anonymous, member):
        assert listener.wait_for("thread.created", lambda d: d["id"] == thread["id"])["title"] \
            == title
        got = listener.wait_for("post.created", lambda d: d["id"] == reply["id"])
        assert got["body_markdown"].endswith(secret)
    settle(0.5)
    assert len(admin.got("post.created", lambda d: d["id"] == reply["id"])) == 1


# --- (c) a socket does not outlive the sign-in it was made with -------------------------------

def _thread_for(w: World, member: str) -> dict:
    group = w.group("private", {member: "member", "carol": "member"})
    return w.thread(group, "carol", "Where we talk")


def _nothing_more_arrives(w: World, victim: Listener, thread: dict, name: str) -> None:
    mark = len(victim.events)
    secret = marker()
    w.reply(thread["id"], "carol", f"@{name} {secret}")
    settle()
    assert secret not in str(after(victim, mark))
    assert [e for e, _d in after(victim, mark) if e in ("post.created", "notification")] == []


def test_sign_out_everywhere_closes_session_sockets(world):
    w = world
    thread = _thread_for(w, "dana")
    room = f"thread:{thread['id']}"
    here, elsewhere = sign_in(w.act_base, "dana"), sign_in(w.act_base, "dana")
    victim = w.listen(None, [room], headers=cookie_header(here))
    script = w.listen("dana", [room])  # an API token is not a session: it carries on
    page = elsewhere.get(f"{w.act_base}/", timeout=10).text
    r = elsewhere.post(f"{w.act_base}/logout", data={"csrf_token": csrf_of(page)},
                       allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert wait_gone(victim)
    _nothing_more_arrives(w, victim, thread, "dana")
    assert script.client.connected
    assert script.wait_for("notification", lambda d: d["kind"] == "mention")


def test_password_change_closes_every_socket_of_the_account(world):
    w = world
    thread = _thread_for(w, "erin")
    room = f"thread:{thread['id']}"
    by_token = w.listen("erin", [room])
    by_cookie = w.listen(None, [room], headers=cookie_header(sign_in(w.act_base, "erin")))
    r = w.api("POST", "/me/password", w.tokens["erin"],
              {"current_password": PASSWORD, "new_password": "another-password-2"})
    assert r.status_code == 200, r.text
    for victim in (by_token, by_cookie):
        assert wait_gone(victim)
        _nothing_more_arrives(w, victim, thread, "erin")


def test_revoked_token_closes_its_sockets(world):
    w = world
    thread = _thread_for(w, "fred")
    room = f"thread:{thread['id']}"
    victim = w.listen("fred", [room])
    browser = sign_in(w.act_base, "fred")
    page = browser.get(f"{w.act_base}/tokens", timeout=10).text
    token_id = re.search(r'name="revoke" value="(\d+)"', page).group(1)
    r = browser.post(f"{w.act_base}/tokens", data={"csrf_token": csrf_of(page),
                                                   "revoke": token_id},
                     allow_redirects=False, timeout=10)
    assert r.status_code in (200, 303)
    assert wait_gone(victim)
    _nothing_more_arrives(w, victim, thread, "fred")


def test_every_event_checks_the_sign_in_again(world):
    """Even without the services' push, a socket whose session or token ended elsewhere (here:
    straight in the database) is refused and closed at its next event."""
    w = world
    thread = _thread_for(w, "gina")
    w.api("PUT", f"/groups/{_group_of(w, thread)}/members/hank", w.tokens["boss"],
          {"role": "member"})
    room = f"thread:{thread['id']}"
    by_cookie = w.listen(None, [room], headers=cookie_header(sign_in(w.act_base, "gina")))
    by_token = w.listen("hank", [room])
    database = w.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE users SET session_version = session_version + 1 "
                     "WHERE username = 'gina'")
        conn.execute("UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE user_id = "
                     "(SELECT id FROM users WHERE username = 'hank')")
    for victim, name in ((by_cookie, "gina"), (by_token, "hank")):
        assert refused_or_gone(victim, room)
        _nothing_more_arrives(w, victim, thread, name)


def _group_of(w: World, thread: dict) -> str:
    topic = w.api("GET", f"/topics/{thread['topic_id']}", w.tokens["boss"]).json()
    return topic["group"]["slug"]


# --- (d) a member removed while subscribed ----------------------------------------------------

def test_removed_member_stops_receiving_posts_presence_and_typing(world):
    w = world
    group = w.group("private", {"alice": "member", "carol": "member", "mod": "moderator"})
    thread = w.thread(group, "alice", "Inside")
    room = f"thread:{thread['id']}"
    removed = w.listen("carol", [room])
    alice = w.listen("alice", [room])
    moderator = w.listen("mod", [room])
    for listener in (removed, alice, moderator):
        assert listener.wait_for("presence", lambda d: d["users"] == ["alice", "carol", "mod"])
    mark = len(removed.events)
    assert w.api("DELETE", f"/groups/{group['slug']}/members/carol",
                 w.tokens["mod"]).status_code in (200, 204)
    assert alice.wait_for("presence", lambda d: d["users"] == ["alice", "mod"])

    secret = marker()
    w.listen("boss", [room])  # someone arrives
    assert alice.wait_for("presence", lambda d: d["users"] == ["alice", "boss", "mod"])
    assert alice.client.call("typing", {"thread_id": thread["id"]}, timeout=10) == {"ok": True}
    assert moderator.wait_for("typing", lambda d: d["username"] == "alice")
    post = w.reply(thread["id"], "alice", f"without carol: {secret}")
    assert moderator.wait_for("post.created", lambda d: d["id"] == post["id"])
    # The removed member's own typing reaches no one any more.
    answer = removed.client.call("typing", {"thread_id": thread["id"]}, timeout=10)
    assert answer == {"ok": False, "error": "not_found"}
    settle()
    assert secret not in str(after(removed, mark))
    assert [e for e, _d in after(removed, mark) if e in PRIVATE_EVENTS] == []
    assert moderator.got("typing", lambda d: d["username"] == "carol") == []
