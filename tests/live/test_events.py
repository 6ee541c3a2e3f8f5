"""Every live event reaches the rooms API.md lists, shaped for each receiver's rights."""

from __future__ import annotations

import time

import pytest

from tests.live.conftest import Api, Listener, close_all


@pytest.fixture
def scene(live):
    """A public and a private group, each: topic, thread; alice member, mod moderator."""
    base, _env, tokens = live
    api = Api(base)
    suffix = str(time.monotonic_ns())[-8:]
    out = {"api": api, "tokens": tokens, "base": base}
    for vis in ("public", "private"):
        slug = f"{vis}-{suffix}"
        api("POST", "/groups", tokens["boss"], {"slug": slug, "name": slug, "visibility": vis,
                                                "join_policy": "open"})
        for name, role in (("alice", "member"), ("mod", "moderator"), ("carol", "member")):
            api("PUT", f"/groups/{slug}/members/{name}", tokens["boss"], {"role": role})
        topic = api("POST", f"/groups/{slug}/topics", tokens["boss"],
                    {"title": "T", "briefing": "b"}).json()
        thread = api("POST", f"/topics/{topic['id']}/threads", tokens["alice"],
                     {"title": "Th", "body": "first"}).json()
        out[vis] = {"slug": slug, "topic": topic, "thread": thread}
    listeners = []

    def listen(token=None, rooms=()):
        listener = Listener(base, token)
        for room in rooms:
            assert listener.subscribe(room) == {"ok": True}, room
        listeners.append(listener)
        return listener

    out["listen"] = listen
    yield out
    close_all(listeners)


def test_new_post_reaches_thread_and_topic_rooms_only(scene):
    api, tokens, pub = scene["api"], scene["tokens"], scene["public"]
    thread_room = scene["listen"](None, [f"thread:{pub['thread']['id']}"])
    topic_room = scene["listen"](None, [f"topic:{pub['topic']['id']}"])
    group_room = scene["listen"](None, [f"group:{pub['slug']}"])
    post = api("POST", f"/threads/{pub['thread']['id']}/posts", tokens["alice"],
               {"body": "hello room"}).json()
    for listener in (thread_room, topic_room):
        got = listener.wait_for("post.created", lambda d: d["id"] == post["id"])
        assert got["body_markdown"] == "hello room" and got["my_reactions"] == []
    time.sleep(0.5)
    assert group_room.got("post.created") == []


def test_thread_created_reaches_topic_and_group_rooms(scene):
    api, tokens, pub = scene["api"], scene["tokens"], scene["public"]
    group_room = scene["listen"](None, [f"group:{pub['slug']}"])
    thread = api("POST", f"/topics/{pub['topic']['id']}/threads", tokens["carol"],
                 {"title": "Second", "body": "words"}).json()
    got = group_room.wait_for("thread.created", lambda d: d["id"] == thread["id"])
    assert got["title"] == "Second"


def test_pending_post_reaches_only_author_and_moderators_until_approved(scene):
    api, tokens, pub = scene["api"], scene["tokens"], scene["public"]
    api("PATCH", f"/groups/{pub['slug']}", tokens["boss"], {"premoderate": True})
    room = f"thread:{pub['thread']['id']}"
    anonymous = scene["listen"](None, [room])
    member = scene["listen"](tokens["carol"], [room])
    moderator = scene["listen"](tokens["mod"], [room])
    author = scene["listen"](tokens["alice"], [room])
    post = api("POST", f"/threads/{pub['thread']['id']}/posts", tokens["alice"],
               {"body": "awaiting approval"}).json()
    assert post["pending"] is True
    is_it = lambda d: d["id"] == post["id"]  # noqa: E731
    assert moderator.wait_for("post.created", is_it)["body_markdown"] == "awaiting approval"
    assert author.wait_for("post.created", is_it)["pending"] is True
    time.sleep(0.5)
    assert anonymous.got("post.created", is_it) == [] and member.got("post.created", is_it) == []
    api("POST", f"/posts/{post['id']}/approve", tokens["mod"])
    assert anonymous.wait_for("post.created", is_it)["pending"] is False
    assert member.wait_for("post.created", is_it) is not None
    time.sleep(0.3)
    assert len(moderator.got("post.created", is_it)) == 1  # not told twice


def test_hidden_body_never_reaches_those_who_may_not_see_it(scene):
    api, tokens, pub = scene["api"], scene["tokens"], scene["public"]
    room = f"thread:{pub['thread']['id']}"
    post = api("POST", f"/threads/{pub['thread']['id']}/posts", tokens["alice"],
               {"body": "soon hidden"}).json()
    member = scene["listen"](tokens["carol"], [room])
    anonymous = scene["listen"](None, [room])
    moderator = scene["listen"](tokens["mod"], [room])
    api("POST", f"/posts/{post['id']}/hide", tokens["mod"], {"reason": "personal data"})
    for listener in (member, anonymous, moderator):
        assert listener.wait_for("post.hidden", lambda d: d["post_id"] == post["id"])
    api("PATCH", f"/posts/{post['id']}", tokens["mod"], {"body": "secret words redacted"})
    got = moderator.wait_for("post.updated", lambda d: d["id"] == post["id"])
    assert got["body_markdown"] == "secret words redacted"
    for listener in (member, anonymous):
        seen = listener.wait_for("post.updated", lambda d: d["id"] == post["id"])
        assert seen["hidden"] is True and seen["body_markdown"] is None
        assert "secret" not in str(listener.events)


def test_reactions_and_notifications_arrive_live(scene):
    api, tokens, pub = scene["api"], scene["tokens"], scene["public"]
    first = pub["thread"]["first_post"]["id"]
    watcher = scene["listen"](None, [f"thread:{pub['thread']['id']}"])
    alice = scene["listen"](tokens["alice"])
    api("PUT", f"/posts/{first}/reactions/agree", tokens["carol"])
    got = watcher.wait_for("post.reacted", lambda d: d["post_id"] == first)
    assert got["reactions"]["agree"] == 1
    api("POST", f"/threads/{pub['thread']['id']}/posts", tokens["carol"],
        {"body": "@alice what do you think?"})
    note = alice.wait_for("notification", lambda d: d["kind"] == "mention")
    assert note and note["read"] is False


def test_summary_published_reaches_topic_and_group(scene):
    api, tokens, pub = scene["api"], scene["tokens"], scene["public"]
    group_room = scene["listen"](None, [f"group:{pub['slug']}"])
    topic_room = scene["listen"](None, [f"topic:{pub['topic']['id']}"])
    api("POST", f"/topics/{pub['topic']['id']}/summary", tokens["boss"],
        {"body": "What we heard", "publish": True})
    for listener in (group_room, topic_room):
        assert listener.wait_for("summary.published")["body_markdown"] == "What we heard"


def test_presence_and_typing(scene):
    tokens, pub = scene["tokens"], scene["public"]
    room = f"thread:{pub['thread']['id']}"
    alice = scene["listen"](tokens["alice"], [room])
    carol = scene["listen"](tokens["carol"], [room])
    assert alice.wait_for("presence", lambda d: d["users"] == ["alice", "carol"])
    carol.client.call("typing", {"thread_id": pub["thread"]["id"]}, timeout=10)
    typing = alice.wait_for("typing")
    assert typing == {"thread_id": pub["thread"]["id"], "username": "carol"}
    assert carol.got("typing") == []
    carol.close()
    assert alice.wait_for("presence", lambda d: d["users"] == ["alice"])


def test_anonymous_readers_coming_and_going_leave_the_reader_list_alone(scene):
    tokens, pub = scene["tokens"], scene["public"]
    room = f"thread:{pub['thread']['id']}"
    alice = scene["listen"](tokens["alice"], [room])
    assert alice.wait_for("presence", lambda d: d["users"] == ["alice"])
    before = len(alice.got("presence"))
    readers = [scene["listen"](None, [room]) for _ in range(3)]
    for reader in readers:
        reader.close()
    carol = scene["listen"](tokens["carol"], [room])  # a listed reader: the list does change
    assert alice.wait_for("presence", lambda d: d["users"] == ["alice", "carol"])
    time.sleep(0.5)  # anything the leaving readers set off has arrived by now
    # Anonymous readers are never listed: nothing was sent when they came or went.
    assert len(alice.got("presence")) == before + 1
    carol.close()


def test_removed_member_stops_receiving_private_events_at_once(scene):
    api, tokens, priv = scene["api"], scene["tokens"], scene["private"]
    room = f"thread:{priv['thread']['id']}"
    carol = scene["listen"](tokens["carol"], [room])
    outsider = scene["listen"](tokens["bystander"])
    assert outsider.subscribe(room) == {"ok": False, "error": "not_found"}
    api("DELETE", f"/groups/{priv['slug']}/members/carol", tokens["boss"])
    time.sleep(0.5)
    api("POST", f"/threads/{priv['thread']['id']}/posts", tokens["alice"],
        {"body": "after carol left"})
    time.sleep(1)
    assert carol.got("post.created") == []


def test_group_turning_private_drops_anonymous_followers(scene):
    api, tokens, pub = scene["api"], scene["tokens"], scene["public"]
    room = f"thread:{pub['thread']['id']}"
    anonymous = scene["listen"](None, [room])
    member = scene["listen"](tokens["carol"], [room])
    api("PATCH", f"/groups/{pub['slug']}", tokens["boss"], {"visibility": "private"})
    time.sleep(0.5)
    api("POST", f"/threads/{pub['thread']['id']}/posts", tokens["alice"], {"body": "members only"})
    assert member.wait_for("post.created", lambda d: d["body_markdown"] == "members only")
    time.sleep(0.5)
    assert anonymous.got("post.created") == []


def test_malformed_payloads_are_bad_requests(scene):
    listener = scene["listen"](None)
    for payload in (None, "thread:1", {"room": 5}, {"room": "x" * 5000}):
        answer = listener.client.call("subscribe", payload, timeout=10)
        assert answer in ({"ok": False, "error": "bad_request"},
                          {"ok": False, "error": "not_found"})
    assert listener.client.call("typing", {"thread_id": "x"}, timeout=10) == {
        "ok": False, "error": "bad_request"}


def test_a_disabled_accounts_live_connection_is_closed(scene):
    api, tokens = scene["api"], scene["tokens"]
    carol = scene["listen"](tokens["carol"])
    assert carol.client.connected
    api("POST", "/admin/users/carol/disable", tokens["boss"], {"reason": "test"})
    deadline = time.monotonic() + 10
    while carol.client.connected and time.monotonic() < deadline:
        time.sleep(0.1)
    api("POST", "/admin/users/carol/enable", tokens["boss"])
    assert not carol.client.connected


def test_signoff_tallies_and_phase_changes_reach_the_topic_room(scene):
    api, tokens, pub = scene["api"], scene["tokens"], scene["public"]
    topic = pub["topic"]["id"]
    org = api("POST", "/admin/organisations", tokens["boss"],
              {"name": f"Org {pub['slug']}", "region": "the North East"}).json()
    api("PUT", "/admin/users/alice/organisation", tokens["boss"], {"organisation_id": org["id"]})
    api("POST", f"/topics/{topic}/summary", tokens["boss"],
        {"body": "First point.\n\nSecond point.", "publish": False})
    watcher = scene["listen"](None, [f"topic:{topic}"])
    group_room = scene["listen"](None, [f"group:{pub['slug']}"])
    assert api("POST", f"/topics/{topic}/signoff", tokens["boss"], {}).status_code == 201
    opened = watcher.wait_for("signoff.updated", lambda d: d["status"] == "open")
    assert [p["number"] for p in opened["paragraphs"]] == [1, 2]
    assert group_room.wait_for("topic.updated", lambda d: d["id"] == topic)["phase"] == "signoff"
    api("PUT", f"/topics/{topic}/signoff/paragraphs/2/vote", tokens["alice"],
        {"stance": "object", "reason": "Too vague"})
    got = watcher.wait_for("signoff.updated", lambda d: d["paragraphs"][1]["object"] == 1)
    assert "Too vague" not in str(got)  # tallies only: reasons stay on the page for members
    time.sleep(0.3)
    assert group_room.got("signoff.updated") == []
