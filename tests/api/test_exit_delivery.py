"""Exits check the receiver at delivery (#15): when a person loses the right to see something
between the moment it was written and the moment it leaves (a notification, a mail, a digest, a
search hit, a printed response, an export), the private words never arrive.

Each test is the attack, through the public doors, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models import OutgoingMail
from tests import factories as f
from tests.api.test_mail import run, smtp  # noqa: F401  (the SMTP fixture)

MARK = "ZQXEXIT"


def _remove(api, world, who="member", slug="private-group"):
    r = api.delete(f"/groups/{slug}/members/{who}", world.tokens["moderator"])
    assert r.status_code == 204


def _notifications(api, token) -> str:
    return api.get("/notifications?per_page=100", token).get_data(as_text=True)


def _outbox_to(address: str) -> list[OutgoingMail]:
    db.session.remove()
    rows = list(db.session.scalars(select(OutgoingMail).where(OutgoingMail.to_address == address)
                                   .order_by(OutgoingMail.id)))
    db.session.commit()  # end the read, or the sender (same session) writes from a stale one
    return rows


def _delivered(inbox, address: str) -> str:
    return "\n".join(content for to, content in inbox.messages if address in to)


# --- notifications, mail, digests ----------------------------------------------------------------

def test_removed_member_gets_nothing_of_a_reply_or_quote_to_their_old_private_post(world, api):
    old = world.posts["private"]  # written by the member while they belonged
    _remove(api, world)
    thread = world.threads["private"]
    api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"],
             {"body": f"{MARK} reply", "reply_to": old.id})
    api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"],
             {"body": f"> [[post:{old.id}]] what you said\n\n{MARK} quote"})
    assert MARK not in _notifications(api, world.tokens["member"])
    assert all(MARK not in m.subject + m.body for m in _outbox_to("member@example.org"))
    # The control: someone still in the group does hear of a reply to their post.
    mine = f.post(world.users["facilitator"], thread, "facilitator's words")
    api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"],
             {"body": f"{MARK} to facilitator", "reply_to": mine.id})
    assert MARK in _notifications(api, world.tokens["facilitator"])


def test_mail_queued_while_a_member_is_not_delivered_after_removal(world, api, app, smtp):  # noqa: F811
    run(app, "mail", "send")  # the world's own membership mails
    smtp.messages.clear()
    api.post(f"/threads/{world.threads['private'].id}/posts", world.tokens["moderator"],
             {"body": f"{MARK} secret", "reply_to": world.posts["private"].id})
    api.post(f"/threads/{world.threads['public'].id}/posts", world.tokens["moderator"],
             {"body": "public words", "reply_to": world.posts["public"].id})
    queued = _outbox_to("member@example.org")
    assert any(MARK in m.body for m in queued)  # queued while they could see it
    _remove(api, world)
    assert "sent 1 mails" in run(app, "mail", "send")
    delivered = _delivered(smtp, "member@example.org")
    assert "public words" in delivered and MARK not in delivered
    dropped = [m for m in _outbox_to("member@example.org") if MARK in m.body]
    assert dropped and all(m.sent_at is None and m.dropped_reason for m in dropped)
    assert "sent 0 mails" in run(app, "mail", "send")  # dropped for good, never retried


def test_digest_leaves_out_what_the_receiver_may_no_longer_see(world, api, app, smtp):  # noqa: F811
    api.patch("/me/mail-preferences", world.tokens["member"], {"reply": "digest"})
    run(app, "mail", "send")
    smtp.messages.clear()
    api.post(f"/threads/{world.threads['private'].id}/posts", world.tokens["moderator"],
             {"body": f"{MARK} for the digest", "reply_to": world.posts["private"].id})
    api.post(f"/threads/{world.threads['public'].id}/posts", world.tokens["moderator"],
             {"body": "public for the digest", "reply_to": world.posts["public"].id})
    _remove(api, world)
    assert "queued 1 digests" in run(app, "mail", "digest")
    delivered = _delivered(smtp, "member@example.org")
    assert "public for the digest" in delivered and MARK not in delivered
    assert "queued 0 digests" in run(app, "mail", "digest")  # the withheld one is settled


def test_hide_notice_does_not_reach_a_removed_author(world, api, app):
    _remove(api, world)
    r = api.post(f"/posts/{world.posts['private'].id}/hide", world.tokens["moderator"],
                 {"reason": f"{MARK} reason"})
    assert r.status_code == 200
    assert MARK not in _notifications(api, world.tokens["member"])
    assert all(MARK not in m.subject + m.body for m in _outbox_to("member@example.org"))
    # The control: a member still in the group is told.
    r = api.post(f"/posts/{world.posts['public'].id}/hide", world.tokens["moderator"],
                 {"reason": f"{MARK} public reason"})
    assert f"{MARK} public reason" in _notifications(api, world.tokens["member"])


def test_notifications_about_a_thread_moved_out_of_sight_disappear_from_the_list(world, api):
    public = world.threads["public"]
    api.post(f"/threads/{public.id}/posts", world.tokens["moderator"],
             {"body": f"{MARK} @outsider look"})
    assert MARK in _notifications(api, world.tokens["outsider"])
    r = api.patch(f"/threads/{public.id}", world.tokens["moderator"],
                  {"topic_id": world.topics["private"].id})
    assert r.status_code == 200
    assert MARK not in _notifications(api, world.tokens["outsider"])
    assert MARK not in api.get("/me/export", world.tokens["outsider"]).get_data(as_text=True)


# --- search --------------------------------------------------------------------------------------

def test_moderators_reply_in_a_pending_thread_is_found_only_by_who_may_see_the_thread(world, api,
                                                                                        app):
    newcomer = f.user("newcomer")
    f.member(world.users["admin"], world.groups["public"], newcomer)
    api.patch("/groups/public-group", world.tokens["moderator"], {"premoderate": True})
    newcomer_token = f.token("newcomer")
    thread = api.post(f"/topics/{world.topics['public'].id}/threads", newcomer_token,
                      {"title": "Awaiting approval", "body": "newcomer's first words"}).get_json()
    assert thread["pending"] is True
    reply = api.post(f"/threads/{thread['id']}/posts", world.tokens["moderator"],
                     {"body": f"{MARK} moderator's answer"})
    assert reply.status_code == 201 and reply.get_json()["pending"] is False

    def found(token) -> bool:
        return MARK in api.get(f"/search?q={MARK}", token).get_data(as_text=True)

    assert not found(None) and not found(world.tokens["outsider"])
    assert not found(world.tokens["member"]) and not found(world.tokens["pending"])
    page = app.test_client().get(f"/search?q={MARK}").get_data(as_text=True)
    assert 'class="results"' not in page  # the page repeats the query, and found nothing
    assert found(world.tokens["moderator"]) and found(world.tokens["admin"])
    assert found(newcomer_token)  # the thread's author sees their own thread, replies included


def test_hidden_post_is_found_by_its_author_and_moderators_only(world, api):
    body = f"{MARK} to be hidden"
    post = api.post(f"/threads/{world.threads['public'].id}/posts", world.tokens["member"],
                    {"body": body}).get_json()
    api.post(f"/posts/{post['id']}/hide", world.tokens["moderator"], {"reason": "no"})
    results = {who: api.get(f"/search?q={MARK}", world.tokens.get(who)).get_json()["results"]
               for who in ("member", "moderator", "facilitator", "outsider")}
    assert [r["id"] for r in results["member"]] == [post["id"]]
    assert [r["id"] for r in results["moderator"]] == [post["id"]]
    assert results["facilitator"] == [] and results["outsider"] == []


# --- the response, the report and the printable page -----------------------------------------

def _cited_then_moved(world, api):
    """A public topic's published summary cites a post; the post's thread then moves into the
    private group."""
    thread = api.post(f"/topics/{world.topics['public'].id}/threads", world.tokens["member"],
                      {"title": f"{MARK} title", "body": f"{MARK} cited words"}).get_json()
    cited = thread["first_post"]["id"]
    r = api.post(f"/topics/{world.topics['public'].id}/summary", world.tokens["facilitator"],
                 {"body": f"We heard this [[post:{cited}]].", "publish": True,
                  "cited_post_ids": [cited]})
    assert r.status_code == 201
    topic = world.topics["public"].id
    before = api.get(f"/topics/{topic}/response?format=md").get_data(as_text=True)
    assert f"{MARK} cited words" in before  # quoted while it was public
    r = api.patch(f"/threads/{thread['id']}", world.tokens["moderator"],
                  {"topic_id": world.topics["private"].id})
    assert r.status_code == 200
    return topic, cited


def test_response_stops_quoting_a_post_moved_into_a_private_group(world, api, app):
    topic, _cited = _cited_then_moved(world, api)
    from tests.web.test_auth import sign_in

    outsider = app.test_client()
    sign_in(outsider, "outsider")
    for who, client in (("anonymous", app.test_client()), ("outsider", outsider)):
        for path in (f"/api/v1/topics/{topic}/response?format=md",
                     f"/api/v1/topics/{topic}/response?format=csv",
                     f"/topics/{topic}/response", f"/topics/{topic}"):
            r = client.get(path)
            assert r.status_code == 200, (who, path)
            text = r.get_data(as_text=True)
            assert MARK not in text, (who, path)
            if "response" in path:
                assert "not available" in text, (who, path)


def test_report_for_a_facilitator_outside_the_private_group_does_not_quote_it(world, api):
    topic, _cited = _cited_then_moved(world, api)
    pubfac = f.user("pubfac")  # facilitates the public group, not a member of the private one
    f.member(world.users["admin"], world.groups["public"], pubfac, "facilitator")
    token = f.token("pubfac")
    for fmt in ("md", "csv"):
        r = api.get(f"/topics/{topic}/report?format={fmt}", token)
        assert r.status_code == 200
        assert MARK not in r.get_data(as_text=True)


def test_a_member_of_the_private_group_still_gets_the_quote(world, api):
    """Decided: the check is per reader, at the moment they read. A member of the group the
    thread moved into may see the post, so their copy of the response still quotes it (they
    could open the post itself); nobody else's copy does."""
    topic, _cited = _cited_then_moved(world, api)
    text = api.get(f"/topics/{topic}/response?format=md", world.tokens["member"]).get_data(
        as_text=True)
    assert f"{MARK} cited words" in text


# --- subject access ------------------------------------------------------------------------------

def test_export_keeps_own_words_but_nothing_else_of_a_group_no_longer_visible(world, api):
    thread = api.post(f"/topics/{world.topics['private'].id}/threads", world.tokens["moderator"],
                      {"title": f"{MARK} others' title", "body": f"{MARK} others' words"}
                      ).get_json()
    mine = api.post(f"/threads/{thread['id']}/posts", world.tokens["member"],
                    {"body": "my own words"}).get_json()
    api.post(f"/threads/{thread['id']}/posts", world.tokens["moderator"],
             {"body": f"{MARK} answer", "reply_to": mine["id"]})
    assert MARK in api.get("/me/export", world.tokens["member"]).get_data(as_text=True)
    _remove(api, world)
    export = api.get("/me/export", world.tokens["member"]).get_data(as_text=True)
    assert "my own words" in export and "private first post" in export
    assert MARK not in export
