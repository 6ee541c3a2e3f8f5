"""Everyday participation in the pages, without JavaScript (#16), on both databases."""

from __future__ import annotations

import re

from tests import factories as f
from tests.web.test_auth import csrf_from, sign_in


def _page(client, path):
    r = client.get(path)
    return r.status_code, r.get_data(as_text=True)


def test_thread_page_offers_the_first_unread_post_then_marks_it_read(world, client, api):
    thread = world.threads["public"]
    sign_in(client, "facilitator")
    status, html = _page(client, f"/threads/{thread.id}")
    first = api.get(f"/threads/{thread.id}/posts").json["items"][0]["id"]
    assert status == 200 and f'href="#post-{first}">Jump to the first unread post' in html
    status, html = _page(client, f"/threads/{thread.id}")
    assert "Jump to the first unread post" not in html  # the page marked what it showed read
    assert api.get(f"/threads/{thread.id}",
                   world.tokens["facilitator"]).json["unread_count"] == 0


def test_unread_counts_on_topic_group_and_home(world, client):
    sign_in(client, "facilitator")
    for path in (f"/topics/{world.topics['public'].id}", "/groups/public-group", "/"):
        assert "2 new" in _page(client, path)[1], path


def test_watch_form_sets_the_level(world, client, api):
    thread = world.threads["public"]
    sign_in(client, "facilitator")
    html = _page(client, f"/threads/{thread.id}")[1]
    r = client.post(f"/threads/{thread.id}/watch",
                    data={"level": "watching", "csrf_token": csrf_from(html)})
    assert r.status_code == 303
    assert api.get(f"/threads/{thread.id}/watch",
                   world.tokens["facilitator"]).json["level"] == "watching"
    html = _page(client, f"/threads/{thread.id}")[1]
    assert re.search(r'value="watching" checked', html)
    for path in (f"/topics/{world.topics['public'].id}", "/groups/public-group"):
        assert 'name="level"' in _page(client, path)[1]


def test_quote_link_carries_author_and_opening_words(world, client):
    thread = world.threads["public"]
    post = world.posts["public"]
    sign_in(client, "facilitator")
    html = _page(client, f"/threads/{thread.id}?quote={post.id}&reply_to={post.id}")[1]
    assert f"&gt; [[post:{post.id}]] **member** wrote:\n&gt; public reply" in html


def test_opening_a_notification_marks_it_read_and_goes_to_it(world, client, api):
    f.post(world.users["member"], world.threads["public"], "Hello @facilitator")
    note = [n for n in api.get("/notifications", world.tokens["facilitator"]).json["items"]
            if n["kind"] == "mention"][0]
    sign_in(client, "facilitator")
    assert f"/notifications/{note['id']}/open" in _page(client, "/notifications")[1]
    r = client.get(f"/notifications/{note['id']}/open")
    assert r.status_code == 303 and r.headers["Location"] == note["url"]
    again = api.get("/notifications", world.tokens["facilitator"]).json["items"]
    assert [n["read"] for n in again if n["id"] == note["id"]] == [True]
    sign_in(client, "outsider")
    assert client.get(f"/notifications/{note['id']}/open").status_code == 404


def test_person_page_shows_groups_in_common(world, client):
    sign_in(client, "moderator")
    status, html = _page(client, "/users/member")
    assert status == 200 and "Groups in common" in html and "Private Group" in html
    sign_in(client, "outsider")
    html = _page(client, "/users/member")[1]
    assert "Public Group" in html and "Private Group" not in html
    assert client.get("/users/nobody-here").status_code == 404


def test_pending_member_sees_the_groups_face_and_outsiders_see_nothing(world, client):
    sign_in(client, "pending")
    status, html = _page(client, "/groups/private-group")
    assert status == 200 and "Your request to join is waiting for a moderator" in html
    assert "private topic" not in html and "About private-group" in html
    sign_in(client, "outsider")
    assert client.get("/groups/private-group").status_code == 404


def test_awaiting_approval_is_told_only_with_the_right_password(world, client):
    from forum.services import accounts

    accounts.create_user("waiting", "w@example.org", f.PASSWORD, approved=False,
                         password_hash=f._password_hash())
    right = sign_in(client, "waiting")
    waiting = "waiting for a site administrator"  # not "approval": the page's script words hold it
    assert right.status_code == 401 and waiting in right.get_data(as_text=True)
    wrong = sign_in(client, "waiting", "not-the-password")
    assert waiting not in wrong.get_data(as_text=True)
    assert "Wrong username or password" in wrong.get_data(as_text=True)
