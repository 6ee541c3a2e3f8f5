"""Two server processes sharing PostgreSQL and Redis serve one forum, and survive Redis leaving.

Each test starts its own redis-server on a free port and its own PostgreSQL database, and stops
only what it started. Skipped with a reason when either is missing, never under CI=true.
"""

from __future__ import annotations

import time

import pytest

from tests.live.conftest import (
    Api,
    Listener,
    close_all,
    make_users,
    running_servers,
    server_env,
)


@pytest.fixture
def two_servers(tmp_path, redis_server, pg_database):
    env = server_env(tmp_path)
    env.update({"DATABASE_URL": pg_database,
                "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0",
                "RATELIMIT_ENABLED": "true", "RATELIMIT_POSTS": "1000 per minute"})
    with running_servers(env) as bases:
        tokens = make_users(env, {"boss": True, "alice": False, "carol": False})
        api = Api(bases[1])
        api("POST", "/groups", tokens["boss"], {"slug": "shared", "name": "Shared",
                                                "visibility": "public", "join_policy": "open"})
        for name in ("alice", "carol"):
            api("POST", "/groups/shared/join", tokens[name])
        topic = api("POST", "/groups/shared/topics", tokens["boss"],
                    {"title": "T", "briefing": "b"}).json()
        thread = api("POST", f"/topics/{topic['id']}/threads", tokens["alice"],
                     {"title": "Th", "body": "first"}).json()
        yield {"bases": bases, "tokens": tokens, "thread": thread, "redis": redis_server}


def test_subscribed_on_one_process_hears_a_post_made_on_the_other(two_servers):
    a, b = two_servers["bases"]
    thread = two_servers["thread"]
    listener = Listener(a)
    try:
        assert listener.subscribe(f"thread:{thread['id']}") == {"ok": True}
        r = Api(b)("POST", f"/threads/{thread['id']}/posts", two_servers["tokens"]["carol"],
                   {"body": "from the other process"})
        assert r.status_code == 201
        got = listener.wait_for("post.created", lambda d: d["id"] == r.json()["id"])
        assert got["body_markdown"] == "from the other process"
    finally:
        close_all([listener])


def test_presence_spans_both_processes(two_servers):
    a, b = two_servers["bases"]
    tokens, room = two_servers["tokens"], f"thread:{two_servers['thread']['id']}"
    alice, carol = Listener(a, tokens["alice"]), Listener(b, tokens["carol"])
    try:
        alice.subscribe(room)
        carol.subscribe(room)
        assert alice.wait_for("presence", lambda d: d["users"] == ["alice", "carol"])
    finally:
        close_all([alice, carol])


def test_redis_outage_keeps_http_working_and_live_delivery_resumes(two_servers):
    a, b = two_servers["bases"]
    thread, tokens = two_servers["thread"], two_servers["tokens"]
    redis_server = two_servers["redis"]
    redis_server.stop()
    started = time.monotonic()
    r = Api(b)("POST", f"/threads/{thread['id']}/posts", tokens["carol"],
               {"body": "during the outage"})
    assert r.status_code == 201 and time.monotonic() - started < 10
    assert any(p["body_markdown"] == "during the outage" for p in Api(a)(
        "GET", f"/threads/{thread['id']}/posts?per_page=100").json()["items"])
    redis_server.start()
    listener = Listener(a)
    try:
        assert listener.subscribe(f"thread:{thread['id']}") == {"ok": True}
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:  # the listeners reconnect with backoff
            body = f"after the outage {time.monotonic()}"
            Api(b)("POST", f"/threads/{thread['id']}/posts", tokens["carol"], {"body": body})
            if listener.wait_for("post.created", lambda d, body=body: d["body_markdown"] == body,
                                 timeout=2):
                break
        else:
            pytest.fail("live delivery did not resume after Redis came back")
    finally:
        close_all([listener])
