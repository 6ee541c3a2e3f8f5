"""Account pages: API tokens, password reset by mail, the site admin's approvals and groups."""

from __future__ import annotations

import re

from forum.extensions import db
from forum.models import OutgoingMail
from tests.web.test_auth import csrf_from, sign_in


def test_tokens_are_shown_once_work_and_can_be_revoked(world, client, api):
    sign_in(client, "member")
    page = client.get("/tokens").get_data(as_text=True)
    r = client.post("/tokens", data={"csrf_token": csrf_from(page), "name": "survey import"})
    token = re.search(r'<code id="new-token">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    assert api.get("/me", token).get_json()["username"] == "member"
    page = client.get("/tokens").get_data(as_text=True)
    assert token not in page and "survey import" in page
    token_id = re.findall(r'name="revoke" value="(\d+)"', page)[0]
    client.post("/tokens", data={"csrf_token": csrf_from(page), "revoke": token_id})
    assert api.get("/me", token).status_code == 401


def test_password_reset_link_works_once_and_ends_other_sessions(world, client):
    other = client.application.test_client()
    sign_in(other, "member")
    page = client.get("/password/forgot").get_data(as_text=True)
    client.post("/password/forgot", data={"csrf_token": csrf_from(page), "login": "member"})
    mail = db.session.scalars(db.select(OutgoingMail).where(
        OutgoingMail.subject.contains("Reset"))).one()
    link = re.search(r"(/password/reset/\S+)", mail.body).group(1)
    page = client.get(link).get_data(as_text=True)
    r = client.post(link, data={"csrf_token": csrf_from(page), "password": "short"})
    assert r.status_code == 400 and "10 characters" in r.get_data(as_text=True)
    r = client.post(link, data={"csrf_token": csrf_from(page),
                                "password": "a-brand-new-password"})
    assert r.status_code == 303
    assert client.get(link).status_code == 404  # single use
    assert sign_in(client, "member", "a-brand-new-password").status_code == 303
    assert other.get("/api/v1/me").status_code == 401  # the old session ended


def test_unknown_account_gets_the_same_answer_and_no_mail(world, client):
    page = client.get("/password/forgot").get_data(as_text=True)
    r = client.post("/password/forgot", data={"csrf_token": csrf_from(page), "login": "nobody"})
    assert r.status_code == 303
    assert db.session.scalars(db.select(OutgoingMail).where(
        OutgoingMail.subject.contains("Reset"))).all() == []


def test_admin_approves_accounts_and_creates_groups(world, client):
    page = client.get("/signup").get_data(as_text=True)
    client.post("/signup", data={"csrf_token": csrf_from(page), "username": "newbie",
                                 "display_name": "New B", "email": "nb@example.org",
                                 "password": "a-long-password-1"})
    member = client.application.test_client()
    sign_in(member, "member")
    assert member.get("/admin").status_code == 403
    sign_in(client, "admin")
    page = client.get("/admin").get_data(as_text=True)
    assert "New B" in page
    user_id = re.search(r'name="approve" value="(\d+)"', page).group(1)
    client.post("/admin", data={"csrf_token": csrf_from(page), "approve": user_id})
    newbie = client.application.test_client()
    assert sign_in(newbie, "newbie", "a-long-password-1").status_code == 303
    r = client.post("/admin", data={"csrf_token": csrf_from(page), "slug": "carers-forum",
                                    "name": "Carers forum", "visibility": "private",
                                    "join_policy": "request"})
    assert r.headers["Location"] == "/groups/carers-forum"
    assert client.get("/groups/carers-forum").status_code == 200
    assert newbie.get("/groups/carers-forum").status_code == 404


def test_invitation_link_page_lets_the_invitee_join(world, client):
    moderator = client.application.test_client()
    sign_in(moderator, "moderator")
    members = f"/groups/{world.groups['private'].slug}/members"
    page = moderator.get(members).get_data(as_text=True)
    moderator.post(f"/groups/{world.groups['private'].slug}/invite",
                   data={"csrf_token": csrf_from(page), "invitee": "outsider@example.org",
                         "role": "member"})
    mail = db.session.scalars(db.select(OutgoingMail).where(
        OutgoingMail.to_address == "outsider@example.org")).first()
    link = re.search(r"(/invitations/\S+)", mail.body).group(1)
    assert "Sign in" in client.get(link).get_data(as_text=True)
    sign_in(client, "outsider")
    page = client.get(link).get_data(as_text=True)
    r = client.post(link, data={"csrf_token": csrf_from(page)})
    assert r.headers["Location"] == f"/groups/{world.groups['private'].slug}"
    assert client.get(r.headers["Location"]).status_code == 200


def test_erasing_from_the_profile_page_needs_confirmation(world, client):
    sign_in(client, "member")
    page = client.get("/profile").get_data(as_text=True)
    client.post("/profile/erase", data={"csrf_token": csrf_from(page), "confirm": "no"})
    assert client.get("/api/v1/me").status_code == 200
    client.post("/profile/erase", data={"csrf_token": csrf_from(page), "confirm": "ERASE",
                                        "keep_posts": "1"})
    assert client.get("/api/v1/me").status_code == 401
    assert sign_in(client.application.test_client(), "member").status_code == 401


def test_changing_the_password_keeps_this_session_and_ends_the_others(world, client):
    other = client.application.test_client()
    sign_in(other, "member")
    sign_in(client, "member")
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    r = client.post("/api/v1/me/password", json={"current_password": "correct-horse-battery",
                                                  "new_password": "a-new-long-password"},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 200 and r.get_json()["token"] is None
    assert client.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 401


def test_password_form_on_the_profile_page(world, client):
    sign_in(client, "member")
    page = client.get("/profile").get_data(as_text=True)
    client.post("/profile/password", data={"csrf_token": csrf_from(page),
                                           "current_password": "correct-horse-battery",
                                           "new_password": "a-new-long-password"})
    assert client.get("/api/v1/me").status_code == 200
    assert sign_in(client.application.test_client(), "member",
                   "a-new-long-password").status_code == 303
