"""Issue #15, accounts and input: what leaves the forum stays private, and bad input is a clear
400/404 in the contract's shape on both databases (never a 500, never stored)."""

from __future__ import annotations

import json

import pytest

from forum.extensions import db, limiter
from forum.models import Invitation, OutgoingMail
from tests import factories as f
from tests.conftest import RELAXED_LIMITS

BIG = (2**31, 2**63, 10**30)
NUL = "before\u0000after"


@pytest.fixture
def limits(app):
    """Set some rate limits low for one test, on either database; the rest stay out of reach."""
    saved = {name: app.config.get(name) for name in RELAXED_LIMITS}

    def set_limits(**values):
        app.config.update(values)
        limiter.reset()

    yield set_limits
    app.config.update(saved)
    limiter.reset()


def _rows(statement) -> list:
    """Read what the requests committed (a fresh session: no snapshot from before them)."""
    db.session.remove()
    return db.session.scalars(statement).all()


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


# --- invitations by username -------------------------------------------------------------------

def test_invitation_by_username_shows_the_moderator_no_email_address(world, api):
    slug = world.groups["private"].slug
    r = api.post(f"/groups/{slug}/invitations", world.tokens["moderator"],
                 {"username": "outsider"})
    assert r.status_code == 201
    assert r.get_json()["username"] == "outsider" and r.get_json()["email"] is None
    listed = api.get(f"/groups/{slug}/invitations", world.tokens["moderator"])
    for text in (r.get_data(as_text=True), listed.get_data(as_text=True)):
        assert "outsider@example.org" not in text
    # The mail still reaches the account, at its own address, and nothing keeps the address.
    assert _rows(db.select(OutgoingMail.to_address).where(
        OutgoingMail.subject.contains("You are invited"))) == ["outsider@example.org"]
    assert _rows(db.select(Invitation.email)) == [None]


def test_invitation_by_address_shows_the_address_the_moderator_typed(world, api):
    slug = world.groups["private"].slug
    r = api.post(f"/groups/{slug}/invitations", world.tokens["moderator"],
                 {"email": "newcomer@example.org"})
    assert r.status_code == 201 and r.get_json()["email"] == "newcomer@example.org"


# --- rate limit on e-mail changes ----------------------------------------------------------------

def test_changing_the_email_address_is_rate_limited(world, api, limits):
    limits(RATELIMIT_EMAIL="2 per hour")
    statuses = [api.post("/me/email", world.tokens["member"],
                         {"email": f"victim{i}@example.net"}).status_code for i in range(3)]
    assert statuses == [204, 204, 429]
    r = api.post("/me/email", world.tokens["member"], {"email": "victim9@example.net"})
    _error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0
    sent = _rows(db.select(OutgoingMail.to_address).where(
        OutgoingMail.to_address.like("victim%")))
    assert sorted(sent) == ["victim0@example.net", "victim1@example.net"]
    # Per account: someone else still may.
    assert api.post("/me/email", world.tokens["facilitator"],
                    {"email": "mine@example.net"}).status_code == 204


# --- erasure -------------------------------------------------------------------------------------

def test_erasure_replaces_real_mentions_only_and_forgets_invitation_addresses(world, api):
    al = f.user("al")
    alice = f.user("alice")
    for person in (al, alice):
        f.member(world.users["admin"], world.groups["public"], person)
    al_token, alice_token = f.token("al"), f.token("alice")
    assert api.patch("/me", al_token, {"display_name": "Al"}).status_code == 200
    thread = world.threads["public"].id
    body = ("Also, @alice and @al agree. Al's idea, says Alice; cc @al. "
            "Mail al@example.org or @al.bob")
    mention = api.post(f"/threads/{thread}/posts", world.tokens["member"], {"body": body})
    assert mention.status_code == 201
    # Al replies to alice: her notification names Al as its actor.
    alice_post = api.post(f"/threads/{thread}/posts", alice_token, {"body": "Also mine"})
    api.post(f"/threads/{thread}/posts", al_token,
             {"body": "Also agreed", "reply_to": alice_post.get_json()["id"]})
    slug = world.groups["private"].slug
    api.post(f"/groups/{slug}/invitations", world.tokens["moderator"], {"username": "al"})
    api.post(f"/groups/{slug}/invitations", world.tokens["moderator"],
             {"email": "al@example.org"})

    assert api("DELETE", "/me", al_token, {"keep_posts": True}).status_code == 204

    post = api.get(f"/posts/{mention.get_json()['id']}", world.tokens["moderator"]).get_json()
    assert post["body_markdown"] == (
        "Also, @alice and @former-member agree. Al's idea, says Alice; cc @former-member. "
        "Mail al@example.org or @al.bob")
    notes = api.get("/notifications", alice_token).get_json()["items"]
    texts = [n["text"] for n in notes]
    assert any(t.startswith("A former member replied: Also agreed") for t in texts), texts
    assert any("Also, @alice and @former-member agree" in t for t in texts), texts
    assert not any(t.startswith("Al ") for t in texts)
    assert _rows(db.select(Invitation.email)) == [None, None]
    assert _rows(db.select(OutgoingMail.id).where(OutgoingMail.to_address == "al@example.org",
                                                  OutgoingMail.sent_at.is_(None))) == []
    assert "al@example.org" not in json.dumps(
        api.get(f"/groups/{slug}/invitations", world.tokens["moderator"]).get_json())


# --- single-line fields --------------------------------------------------------------------------

def test_line_breaks_in_single_line_fields_are_refused_naming_the_field(world, api):
    tokens, slug = world.tokens, world.groups["public"].slug
    topic, thread = world.topics["public"].id, world.threads["public"].id
    cases = [
        ("POST", f"/topics/{topic}/threads", tokens["member"],
         {"title": "Real\n# Forged heading", "body": "text"}, "title"),
        ("PATCH", f"/threads/{thread}", tokens["member"], {"title": "One\r\ntwo"}, "title"),
        ("POST", f"/groups/{slug}/topics", tokens["facilitator"],
         {"title": "Topic\u2028Forged", "briefing": "b"}, "title"),
        ("PATCH", f"/topics/{topic}", tokens["facilitator"], {"title": "Tab\there"}, "title"),
        ("PATCH", "/me", tokens["member"], {"display_name": "Al\nBcc: all@example.org"},
         "display_name"),
        ("POST", "/admin/organisations", tokens["admin"], {"name": "Org\n## Forged"}, "name"),
        ("POST", "/admin/organisations", tokens["admin"],
         {"name": "Fine Org", "region": "North\nForged"}, "region"),
        ("PATCH", f"/groups/{slug}", tokens["admin"], {"name": "Group\x1bForged"}, "name"),
        ("POST", "/groups", tokens["admin"],
         {"slug": "new-group", "name": "New\nForged"}, "name"),
        ("POST", f"/groups/{slug}/topics", tokens["facilitator"],
         {"title": "With questions", "questions": ["Fine?", "Two\nForged lines?"]},
         "questions"),
        ("POST", f"/groups/{slug}/invitations", tokens["moderator"],
         {"username": "member\nForged"}, "username"),
    ]
    for method, path, token, body, field in cases:
        error = _error(api(method, path, token, body), 400, "validation_failed")
        assert field in error["fields"], (path, error)
    # Nothing of it was stored anywhere: the Markdown response carries no forged line.
    api.post(f"/topics/{topic}/summary", tokens["facilitator"],
             {"body": "The summary.", "publish": True})
    md = api.get(f"/topics/{topic}/response?format=md", tokens["facilitator"])
    assert md.status_code == 200
    assert "Forged" not in md.get_data(as_text=True)
    assert "Forged" not in json.dumps(api.get(f"/topics/{topic}/threads").get_json())


def test_a_display_name_with_a_line_break_is_refused_by_the_cli(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "newbie", "--email", "newbie@example.org", "--password",
        "a-long-enough-password", "--display-name", "New\nBcc: all@example.org"])
    assert result.exit_code != 0 and "display_name" in result.output
    from forum.services.accounts import find_user

    assert find_user("newbie") is None


# --- integers too large for the database and NUL characters --------------------------------------

def _bad_requests(world):
    topic, thread = world.topics["public"].id, world.threads["public"].id
    post, slug = world.posts["public"].id, world.groups["public"].slug
    for big in BIG:
        yield "POST", f"/topics/{topic}/summary", "facilitator", \
            {"body": "x", "cited_post_ids": [big]}, "cited_post_ids"
        yield "POST", "/notifications/read", "member", {"ids": [1, big]}, "ids"
        yield "POST", f"/threads/{thread}/posts", "member", {"body": "x", "reply_to": big}, \
            "reply_to"
        yield "POST", f"/topics/{topic}/threads", "member", \
            {"title": "t", "body": "x", "question_id": big}, "question_id"
        yield "PATCH", f"/threads/{thread}", "moderator", {"topic_id": big}, "topic_id"
        yield "PUT", "/admin/users/member/organisation", "admin", {"organisation_id": big}, \
            "organisation_id"
    yield "POST", f"/threads/{thread}/posts", "member", {"body": NUL}, "body"
    yield "POST", f"/topics/{topic}/threads", "member", {"title": NUL, "body": "x"}, "title"
    yield "POST", f"/topics/{topic}/threads", "member", {"title": "t", "body": NUL}, "body"
    yield "PATCH", f"/posts/{post}", "member", {"body": NUL}, "body"
    yield "PATCH", f"/posts/{post}", "member", {"body": "fine", "reason": NUL}, "reason"
    yield "POST", f"/posts/{post}/flags", "facilitator", {"reason": "spam", "note": NUL}, "note"
    yield "POST", f"/posts/{post}/hide", "moderator", {"reason": NUL}, "reason"
    yield "POST", f"/topics/{topic}/summary", "facilitator", {"body": NUL}, "body"
    yield "PATCH", f"/topics/{topic}", "facilitator", {"briefing": NUL}, "briefing"
    yield "PATCH", f"/groups/{slug}", "admin", {"description": NUL}, "description"
    yield "POST", "/admin/organisations", "admin", {"name": "Org", "region": NUL}, "region"
    yield "PUT", f"/groups/{slug}/suspensions/member", "moderator", \
        {"until": "2030-01-01T00:00:00Z", "reason": NUL}, "reason"
    yield "PUT", f"/topics/{topic}/questions", "facilitator", {"questions": ["ok", NUL]}, \
        "questions"
    yield "PATCH", "/me", "member", {"display_name": NUL}, "display_name"
    yield "GET", f"/search?q=x&group={NUL}", "member", None, "group"
    yield "GET", f"/search?q={NUL}", "member", None, "q"


def test_huge_integers_and_nul_characters_answer_400_naming_the_field(world, api):
    for method, path, persona, body, field in _bad_requests(world):
        r = api(method, path, world.tokens[persona], body)
        error = _error(r, 400, "validation_failed")
        # a list's item is named with its index ("ids.1")
        assert field in {name.split(".")[0] for name in error["fields"]}, (method, path, error)
    # Nothing was stored: the thread still has its two posts.
    posts = api.get(f"/threads/{world.threads['public'].id}/posts").get_json()
    assert posts["total"] == 2 and NUL not in json.dumps(posts)


def test_huge_or_nul_path_ids_and_names_are_404_or_400(world, api):
    token = world.tokens["admin"]
    for big in BIG:
        for path in (f"/threads/{big}", f"/posts/{big}", f"/topics/{big}",
                     f"/topics/{world.topics['public'].id}/signoff/paragraphs/{big}/vote"):
            method = "PUT" if path.endswith("/vote") else "GET"
            _error(api(method, path, token, {"stance": "endorse"} if method == "PUT" else None),
                   404, "not_found")
    for path in ("/groups/public%00group", "/groups/public-group/members/mem%00ber"):
        method = "PUT" if "members" in path else "GET"
        _error(api(method, path, token, {"role": "member"} if method == "PUT" else None),
               400, "validation_failed")
