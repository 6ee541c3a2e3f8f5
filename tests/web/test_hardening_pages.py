"""Issue #15 through the pages (CSRF on, both databases): password reset ends everything,
invitations by username show no address, the page forms share the API's rate limits, and bad
input is a clear 4xx that keeps what was typed."""

from __future__ import annotations

import re

import pytest

from forum.extensions import db, limiter
from forum.models import OutgoingMail
from tests.conftest import RELAXED_LIMITS
from tests.factories import Api
from tests.web.test_auth import csrf_from, sign_in

BIG = str(2**63)


@pytest.fixture
def limits(app):
    saved = {name: app.config.get(name) for name in RELAXED_LIMITS}

    def set_limits(**values):
        app.config.update(values)
        limiter.reset()

    yield set_limits
    app.config.update(saved)
    limiter.reset()


def _signed_in(app, persona: str):
    client = app.test_client()
    assert sign_in(client, persona).status_code == 303
    return client


def _form(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, path
    return csrf_from(page.get_data(as_text=True))


# --- password reset ------------------------------------------------------------------------------

def test_password_reset_revokes_tokens_ends_sessions_and_live_connections(world, app, monkeypatch):
    from forum.services import accounts

    disconnected = []
    monkeypatch.setattr(accounts.live, "disconnect_user",
                        lambda user_id, **kw: disconnected.append((user_id, kw)))
    api = Api(app.test_client())
    old_session = _signed_in(app, "member")
    assert api.get("/me", world.tokens["member"]).status_code == 200

    client = app.test_client()
    client.post("/password/forgot", data={"csrf_token": _form(client, "/password/forgot"),
                                          "login": "member"})
    db.session.remove()
    mail = db.session.scalars(db.select(OutgoingMail).where(
        OutgoingMail.subject.contains("Reset"))).one()
    link = re.search(r"(/password/reset/\S+)", mail.body).group(1)
    r = client.post(link, data={"csrf_token": _form(client, link),
                                "password": "a-brand-new-password"})
    assert r.status_code == 303

    r = api.get("/me", world.tokens["member"])
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "not_signed_in"
    assert old_session.get("/api/v1/me").status_code == 401
    assert old_session.get("/profile").status_code == 302  # to the sign-in page
    # Every live connection, those opened with an API token included.
    assert (world.users["member"].id, {}) in disconnected
    assert sign_in(app.test_client(), "member", "a-brand-new-password").status_code == 303


# --- invitations by username -------------------------------------------------------------------

def test_inviting_by_username_on_the_members_page_shows_no_address(world, app):
    moderator = _signed_in(app, "moderator")
    members = f"/groups/{world.groups['private'].slug}/members"
    r = moderator.post(f"/groups/{world.groups['private'].slug}/invite",
                       data={"csrf_token": _form(moderator, members), "invitee": "outsider",
                             "role": "member"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Invitation sent to outsider" in page
    assert "outsider@example.org" not in page
    assert "outsider@example.org" not in moderator.get(members).get_data(as_text=True)
    invitee = _signed_in(app, "outsider")
    assert world.groups["private"].name in invitee.get("/invitations").get_data(as_text=True)


# --- rate limits shared with the API -------------------------------------------------------------

def test_page_replies_count_with_api_posts_and_the_limit_page_keeps_the_text(world, app, limits):
    limits(RATELIMIT_POSTS="3 per minute")
    thread = world.threads["public"].id
    api = Api(app.test_client())
    assert [api.post(f"/threads/{thread}/posts", world.tokens["member"],
                     {"body": f"api {i}"}).status_code for i in range(2)] == [201, 201]
    member = _signed_in(app, "member")
    path = f"/threads/{thread}"
    token = _form(member, path)
    # A preview is not a post and does not count.
    assert member.post(path, data={"csrf_token": token, "body": "draft",
                                   "preview": "1"}).status_code == 200
    assert member.post(path, data={"csrf_token": token, "body": "page 1"}).status_code == 303
    r = member.post(path, data={"csrf_token": token, "body": "My long considered reply"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    page = r.get_data(as_text=True)
    assert "try again in" in page and "My long considered reply" in page
    r = api.post(f"/threads/{thread}/posts", world.tokens["member"], {"body": "api again"})
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "rate_limited"
    # Reading the thread is never limited, and other members still post.
    assert member.get(path).status_code == 200
    assert api.post(f"/threads/{thread}/posts", world.tokens["facilitator"],
                    {"body": "mine"}).status_code == 201


def test_page_threads_and_flags_share_the_api_limits(world, app, limits):
    limits(RATELIMIT_THREADS="1 per minute", RATELIMIT_FLAGS="1 per hour")
    topic = world.topics["public"].id
    api = Api(app.test_client())
    assert api.post(f"/topics/{topic}/threads", world.tokens["member"],
                    {"title": "By API", "body": "x"}).status_code == 201
    member = _signed_in(app, "member")
    r = member.post(f"/topics/{topic}", data={"csrf_token": _form(member, f"/topics/{topic}"),
                                              "title": "By page", "body": "Opening words"})
    assert r.status_code == 429 and "Opening words" in r.get_data(as_text=True)
    post = world.posts["public"].id
    assert api.post(f"/posts/{post}/flags", world.tokens["facilitator"],
                    {"reason": "spam"}).status_code == 201
    facilitator = _signed_in(app, "facilitator")
    token = _form(facilitator, f"/threads/{world.threads['public'].id}")
    r = facilitator.post(f"/posts/{world.threads['public'].first_post.id}/flag",
                         data={"csrf_token": token, "reason": "other", "note": "see this"})
    assert r.status_code == 429


def test_viewing_the_tokens_page_does_not_use_up_token_creation(world, app, limits):
    limits(RATELIMIT_TOKENS="2 per hour")
    member = _signed_in(app, "member")
    for _ in range(5):
        assert member.get("/tokens").status_code == 200
    token = _form(member, "/tokens")
    page = member.get("/tokens").get_data(as_text=True)
    first = re.findall(r'name="revoke" value="(\d+)"', page)[0]
    assert member.post("/tokens", data={"csrf_token": token, "revoke": first}).status_code == 200
    for name in ("one", "two"):
        r = member.post("/tokens", data={"csrf_token": token, "name": name})
        assert r.status_code == 200 and "shown only now" in r.get_data(as_text=True)
    assert member.post("/tokens", data={"csrf_token": token, "name": "three"}).status_code == 429


# --- bad input on the page forms -----------------------------------------------------------------

def test_a_title_with_a_line_break_is_refused_next_to_the_field(world, app):
    member = _signed_in(app, "member")
    path = f"/topics/{world.topics['public'].id}"
    r = member.post(path, data={"csrf_token": _form(member, path),
                                "title": "Real\n# Forged heading", "body": "Kept words"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "single line" in page and "Kept words" in page
    assert "Forged" not in member.get(path).get_data(as_text=True).replace(
        "Real\n# Forged heading", "")


def test_huge_hidden_ids_and_nul_characters_are_a_clear_400(world, app):
    member = _signed_in(app, "member")
    path = f"/threads/{world.threads['public'].id}"
    token = _form(member, path)
    r = member.post(path, data={"csrf_token": token, "body": "Still here", "reply_to": BIG})
    assert r.status_code == 400 and "Still here" in r.get_data(as_text=True)
    r = member.post(path, data={"csrf_token": token, "body": "Still here",
                                "question_id": str(2**31)})
    assert r.status_code == 400
    r = member.post(path, data={"csrf_token": token, "body": "nul \u0000 inside"})
    assert r.status_code == 400 and "NUL" in r.get_data(as_text=True)
    assert member.get("/search?q=a%00b").status_code == 400
    for form_path, field in (("/invitations", "id"), ("/tokens", "revoke")):
        r = member.post(form_path, data={"csrf_token": token, field: BIG})
        assert r.status_code == 200 and "not valid" in r.get_data(as_text=True).lower()
    posts = Api(app.test_client()).get(f"/threads/{world.threads['public'].id}/posts")
    assert posts.get_json()["total"] == 2
