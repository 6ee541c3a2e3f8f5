"""Account lifecycle through the API: profile, password, export, disabling, the audit log."""

from __future__ import annotations

import json


def test_export_holds_my_hidden_post_and_revisions_but_no_one_elses_email(world, api):
    post = world.posts["public"]
    api.patch(f"/posts/{post.id}", world.tokens["member"], {"body": "second thoughts"})
    api.post(f"/posts/{post.id}/hide", world.tokens["moderator"], {"reason": "personal data"})
    api.post(f"/posts/{world.threads['public'].first_post.id}/flags", world.tokens["facilitator"],
             {"reason": "spam"})
    r = api.get("/me/export", world.tokens["member"])
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    data = r.get_json()
    assert data["profile"]["email"] == "member@example.org"
    mine = {p["id"]: p for p in data["posts"]}
    assert mine[post.id]["hidden"] is True and mine[post.id]["body_markdown"] == "second thoughts"
    assert [v["body_markdown"] for v in mine[post.id]["revisions"]] == ["public reply"]
    text = json.dumps(data)
    for other in ("moderator@example.org", "facilitator@example.org", "admin@example.org"):
        assert other not in text
    assert {m["group"] for m in data["memberships"]} == {"public-group", "private-group"}
    flags = api.get("/me/export", world.tokens["facilitator"]).get_json()["flags_raised"]
    assert [f["reason"] for f in flags] == ["spam"]
    assert api.get("/me/export").status_code == 401


def test_changing_the_password_revokes_tokens_and_needs_the_current_one(world, api):
    r = api.post("/me/password", world.tokens["member"],
                 {"current_password": "wrong", "new_password": "a-new-long-password"})
    assert r.status_code == 403
    r = api.post("/me/password", world.tokens["member"],
                 {"current_password": "correct-horse-battery", "new_password": "short"})
    assert r.status_code == 400 and "password" in r.get_json()["error"]["fields"]
    other_token = __import__("tests.factories", fromlist=["token"]).token("member")
    r = api.post("/me/password", world.tokens["member"],
                 {"current_password": "correct-horse-battery",
                  "new_password": "a-new-long-password"})
    assert r.status_code == 200
    rotated = r.get_json()["token"]
    assert api.get("/me", world.tokens["member"]).status_code == 401
    assert api.get("/me", other_token).status_code == 401
    assert api.get("/me", rotated).get_json()["username"] == "member"


def test_display_name_change_shows_on_posts(world, api):
    r = api.patch("/me", world.tokens["member"], {"display_name": "Amina K, Bradford"})
    assert r.get_json()["display_name"] == "Amina K, Bradford"
    post = api.get(f"/posts/{world.posts['public'].id}").get_json()
    assert post["author"]["display_name"] == "Amina K, Bradford"


def test_a_disabled_account_stops_at_once_and_can_be_enabled_again(world, api):
    assert api.post("/admin/users/member/disable", world.tokens["moderator"]).status_code == 403
    r = api.post("/admin/users/member/disable", world.tokens["admin"], {"reason": "left"})
    assert r.status_code == 200 and r.get_json()["disabled"] is True
    assert api.get("/me", world.tokens["member"]).status_code == 401
    api.post("/admin/users/member/enable", world.tokens["admin"])
    assert api.get("/me", world.tokens["member"]).status_code == 200


def test_audit_log_records_admin_actions_for_admins_only(world, api):
    api.post("/admin/users/outsider/disable", world.tokens["admin"], {"reason": "spam account"})
    entries = api.get("/admin/audit", world.tokens["admin"]).get_json()["items"]
    actions = [e["action"] for e in entries]
    assert actions[0] == "disable_account" and entries[0]["details"] == "spam account"
    assert "create_group" in actions and "grant_role" in actions
    assert api.get("/admin/audit", world.tokens["moderator"]).status_code == 403
    assert api.get("/admin/audit").status_code == 401


def test_email_change_waits_for_the_link_sent_to_the_new_address(world, api, client):
    import re

    from forum.extensions import db
    from forum.models import OutgoingMail

    assert api.post("/me/email", world.tokens["member"], {"email": "nope"}).status_code == 400
    assert api.post("/me/email", world.tokens["member"],
                    {"email": "new@example.org"}).status_code == 204
    assert api.get("/me", world.tokens["member"]).get_json()["email"] == "member@example.org"
    mail = db.session.scalars(db.select(OutgoingMail).where(
        OutgoingMail.to_address == "new@example.org")).one()
    link = re.search(r"(/email/confirm/\S+)", mail.body).group(1)
    assert client.get(link).status_code == 303
    assert api.get("/me", world.tokens["member"]).get_json()["email"] == "new@example.org"
    assert client.get(link).status_code == 404  # used: the old address no longer matches
