"""Invitations: by e-mail or username, single-use, expiring, revocable."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from forum.extensions import db
from forum.models import Invitation, OutgoingMail, utcnow
from tests import factories as f


def _link_token(to: str) -> str:
    db.session.commit()  # end this session's read snapshot: the request committed the mail since
    mail = db.session.scalars(db.select(OutgoingMail).where(OutgoingMail.to_address == to)
                              .order_by(OutgoingMail.id.desc())).first()
    return re.search(r"/invitations/(\S+)", mail.body).group(1)


def test_invite_only_private_group_opens_through_an_invitation_once(world, api):
    admin = world.users["admin"]
    group = f.group(admin, "council", visibility="private", join_policy="invite")
    f.member(admin, group, world.users["moderator"], "moderator")
    assert api.post("/groups/council/join", world.tokens["outsider"]).status_code == 403
    r = api.post("/groups/council/invitations", world.tokens["moderator"],
                 {"email": "outsider@example.org"})
    assert r.status_code == 201 and r.get_json()["status"] == "open"
    token = _link_token("outsider@example.org")
    r = api.post(f"/invitations/{token}/accept", world.tokens["outsider"])
    assert r.status_code == 200 and r.get_json()["status"] == "accepted"
    assert api.get("/groups/council", world.tokens["outsider"]).get_json()["my_role"] == "member"
    again = api.post(f"/invitations/{token}/accept", world.tokens["member"])
    assert again.status_code == 409 and "already used" in again.get_json()["error"]["message"]


def test_expired_and_forged_links_fail_clearly(world, api):
    slug = world.groups["public"].slug
    api.post(f"/groups/{slug}/invitations", world.tokens["moderator"],
             {"email": "someone@example.org"})
    token = _link_token("someone@example.org")
    db.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    r = api.post(f"/invitations/{token}/accept", world.tokens["outsider"])
    assert r.status_code == 409 and "expired" in r.get_json()["error"]["message"]
    assert api.post("/invitations/forged/accept", world.tokens["outsider"]).status_code == 404


def test_username_invitation_notifies_and_only_that_account_may_accept(world, api):
    slug = world.groups["private"].slug
    r = api.post(f"/groups/{slug}/invitations", world.tokens["moderator"],
                 {"username": "outsider", "role": "facilitator"})
    assert r.get_json()["username"] == "outsider"
    notes = api.get("/notifications", world.tokens["outsider"]).get_json()["items"]
    assert notes[0]["kind"] == "membership" and notes[0]["url"] == "/invitations"
    token = _link_token("outsider@example.org")
    assert api.post(f"/invitations/{token}/accept", world.tokens["pending"]).status_code == 403
    api.post(f"/invitations/{token}/accept", world.tokens["outsider"])
    assert api.get(f"/groups/{slug}", world.tokens["outsider"]).get_json()["my_role"] == \
        "facilitator"


def test_moderators_list_and_revoke_invitations_members_cannot(world, api):
    slug = world.groups["public"].slug
    invitation = api.post(f"/groups/{slug}/invitations", world.tokens["moderator"],
                          {"email": "x@example.org"}).get_json()
    assert api.post(f"/groups/{slug}/invitations", world.tokens["member"],
                    {"email": "y@example.org"}).status_code == 403
    listed = api.get(f"/groups/{slug}/invitations", world.tokens["moderator"]).get_json()
    assert [i["email"] for i in listed["items"]] == ["x@example.org"]
    assert api.delete(f"/groups/{slug}/invitations/{invitation['id']}",
                      world.tokens["moderator"]).status_code == 204
    token = _link_token("x@example.org")
    r = api.post(f"/invitations/{token}/accept", world.tokens["outsider"])
    assert r.status_code == 409 and "withdrawn" in r.get_json()["error"]["message"]
    bad = api.post(f"/groups/{slug}/invitations", world.tokens["moderator"],
                   {"email": "x@example.org", "username": "outsider"})
    assert bad.status_code == 400
    assert api.get(f"/groups/{world.groups['private'].slug}/invitations",
                   world.tokens["outsider"]).status_code == 404
