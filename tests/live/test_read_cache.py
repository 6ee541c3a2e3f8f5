"""Kept post blocks never outlive a change: two server processes on one database, a reader on one
of them, every change made through the other (#22).

Process A serves the readers and keeps what it renders (forum/web/post_blocks.py); process B takes
the changes, so A never hears of them except through the database. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
import requests

from tests.live.conftest import (
    Api,
    make_users,
    running_servers,
    server_env,
    sign_in,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def two_processes(request, tmp_path):
    env = server_env(tmp_path)
    if request.param == "postgresql":
        env["DATABASE_URL"] = request.getfixturevalue("pg_database")
    with running_servers(env) as bases:
        yield bases, make_users(env, {"boss": True, "alice": False, "carol": False})


def _setup(api: Api, tokens: dict) -> dict:
    boss = tokens["boss"]
    for slug, visibility in (("open", "public"), ("closed", "private")):
        assert api("POST", "/groups", boss, {"slug": slug, "name": slug.title(),
                                             "visibility": visibility,
                                             "join_policy": "open"}).status_code == 201
    for name in ("alice", "carol"):
        api("POST", "/groups/open/join", tokens[name])
    topic = api("POST", "/groups/open/topics", boss, {"title": "Open", "briefing": "b"}).json()
    closed = api("POST", "/groups/closed/topics", boss, {"title": "Shut", "briefing": "b"}).json()
    thread = api("POST", f"/topics/{topic['id']}/threads", tokens["alice"],
                 {"title": "Kept", "body": "Original words of Alice"}).json()
    reply = api("POST", f"/threads/{thread['id']}/posts", tokens["carol"],
                {"body": "Carol says something sharp"}).json()
    return {"thread": thread["id"], "first": thread["first_post"]["id"], "reply": reply["id"],
            "closed_topic": closed["id"]}


def _page(base: str, thread_id: int, browser=None) -> requests.Response:
    return (browser or requests).get(f"{base}/threads/{thread_id}", timeout=10)


def _article(page: str, post_id: int) -> str:
    found = re.search(rf'<article[^>]*id="post-{post_id}".*?</article>', page, re.S)
    return found.group(0) if found else ""


def _api_post(base: str, thread_id: int, post_id: int) -> dict | None:
    items = requests.get(f"{base}/api/v1/threads/{thread_id}/posts", timeout=10).json()["items"]
    return next((p for p in items if p["id"] == post_id), None)


def test_a_page_kept_by_one_process_shows_every_change_made_through_the_other(two_processes):
    (reader_base, writer_base), tokens = two_processes
    writer = Api(writer_base)
    ids = _setup(writer, tokens)
    thread, first, reply = ids["thread"], ids["first"], ids["reply"]
    moderator = sign_in(reader_base, "boss")
    for _ in range(2):  # the second read is served from what the first kept
        assert "Original words of Alice" in _article(_page(reader_base, thread).text, first)
        assert "Carol says something sharp" in _page(reader_base, thread, moderator).text

    # edit
    assert writer("PATCH", f"/posts/{first}", tokens["alice"],
                  {"body": "Alice thought again"}).status_code == 200
    block = _article(_page(reader_base, thread).text, first)
    assert "Alice thought again" in block and "Original words" not in block
    assert "(edited)" in block
    assert _api_post(reader_base, thread, first)["body_markdown"] == "Alice thought again"
    polish = requests.get(f"{reader_base}/threads/{thread}", timeout=10,
                          headers={"Accept-Language": "pl"}).text  # each language its own block
    assert "(edytowany)" in _article(polish, first) and "(edited)" not in _article(polish, first)
    assert "(edited)" in _article(_page(reader_base, thread).text, first)

    # reaction
    assert writer("PUT", f"/posts/{first}/reactions/agree", tokens["carol"]).status_code == 200
    block = _article(_page(reader_base, thread).text, first)
    assert re.search(r'data-kind="agree">[^<]*<span class="count">1</span>', block), block
    assert _api_post(reader_base, thread, first)["reactions"]["agree"] == 1

    # hide: the moderator's kept block (body shown) never reaches the anonymous reader
    assert "Carol says something sharp" in _article(
        _page(reader_base, thread, moderator).text, reply)
    assert writer("POST", f"/posts/{reply}/hide", tokens["boss"],
                  {"reason": "too sharp"}).status_code == 200
    block = _article(_page(reader_base, thread).text, reply)
    assert block and "Carol says something sharp" not in block
    assert "This post was hidden by a moderator." in block
    assert _api_post(reader_base, thread, reply)["body_html"] is None
    shown = _article(_page(reader_base, thread, moderator).text, reply)
    assert "Carol says something sharp" in shown and "too sharp" in shown
    assert "Carol says something sharp" not in _page(reader_base, thread).text  # after it, too

    # approval: a pending post appears for everyone, unmarked, once approved elsewhere
    assert writer("PATCH", "/groups/open", tokens["boss"],
                  {"premoderate": True}).status_code == 200
    waiting = writer("POST", f"/threads/{thread}/posts", tokens["carol"],
                     {"body": "Carol waits her turn"}).json()
    assert waiting["pending"] is True
    assert "Carol waits her turn" not in _page(reader_base, thread).text
    assert "Awaiting approval" in _article(_page(reader_base, thread, moderator).text,
                                          waiting["id"])
    assert writer("POST", f"/posts/{waiting['id']}/approve", tokens["boss"]).status_code == 200
    for browser in (None, moderator):
        block = _article(_page(reader_base, thread, browser).text, waiting["id"])
        assert "Carol waits her turn" in block and "Awaiting approval" not in block
    assert _api_post(reader_base, thread, waiting["id"])["pending"] is False

    # a new display name shows on every post of its author
    assert writer("PATCH", "/me", tokens["carol"],
                  {"display_name": "Carol Renamed"}).status_code == 200
    assert "Carol Renamed" in _article(_page(reader_base, thread).text, waiting["id"])
    assert _api_post(reader_base, thread, waiting["id"])["author"]["display_name"] == (
        "Carol Renamed")

    # erasure: the author's name and link go from every kept block
    assert 'href="/users/alice"' in _page(reader_base, thread).text
    assert writer("POST", "/admin/users/alice/erase", tokens["boss"],
                  {"keep_posts": True}).status_code in (200, 204)
    page = _page(reader_base, thread).text
    assert 'href="/users/alice"' not in page
    assert "Former member" in _article(page, first)
    assert _api_post(reader_base, thread, first)["author"]["username"] is None

    # move into a private group: the reader who kept its pages now finds nothing there
    assert writer("PATCH", f"/threads/{thread}", tokens["boss"],
                  {"topic_id": ids["closed_topic"]}).status_code == 200
    assert _page(reader_base, thread).status_code == 404
    answer = requests.get(f"{reader_base}/api/v1/threads/{thread}/posts", timeout=10)
    assert answer.status_code == 404
    assert "Carol waits her turn" not in answer.text
