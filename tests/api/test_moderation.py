"""Moderation through the API: flags, queue, hide, pre-moderation, suspensions, slow mode, log."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from forum.extensions import db
from forum.models import Suspension
from tests import factories as f


def later(**delta) -> str:
    return (datetime.now(timezone.utc) + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def log_actions(api, world, vis="public"):
    entries = api.get(f"/groups/{world.groups[vis].slug}/moderation/log",
                      world.tokens["moderator"]).get_json()["items"]
    return [e["action"] for e in entries]


def test_a_member_flags_once_and_a_second_flag_is_409(world, api):
    post = world.posts["public"]  # the member's reply
    r = api.post(f"/posts/{post.id}/flags", world.tokens["facilitator"],
                 {"reason": "abusive", "note": "personal attack"})
    assert r.status_code == 201
    flag = r.get_json()
    assert (flag["reason"], flag["note"], flag["status"]) == ("abusive", "personal attack", "open")
    assert flag["reporter"]["username"] == "facilitator"
    again = api.post(f"/posts/{post.id}/flags", world.tokens["facilitator"], {"reason": "spam"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


def test_flag_rules_own_post_invisible_post_anonymous_and_bad_reason(world, api):
    public, private = world.posts["public"], world.posts["private"]
    assert api.post(f"/posts/{public.id}/flags", world.tokens["member"],
                    {"reason": "spam"}).status_code == 403  # own post
    assert api.post(f"/posts/{private.id}/flags", world.tokens["outsider"],
                    {"reason": "spam"}).status_code == 404
    assert api.post(f"/posts/{public.id}/flags", None, {"reason": "spam"}).status_code == 401
    assert api.post(f"/posts/{public.id}/flags", world.tokens["outsider"],
                    {"reason": "spam"}).status_code == 403  # not a member
    bad = api.post(f"/posts/{public.id}/flags", world.tokens["facilitator"], {"reason": "meh"})
    assert bad.status_code == 400 and "reason" in bad.get_json()["error"]["fields"]


def test_queue_groups_flags_by_post_and_resolving_hides_and_closes_them_all(world, api):
    post = world.posts["public"]
    other = f.user("other")
    f.member(world.users["admin"], world.groups["public"], other)
    api.post(f"/posts/{post.id}/flags", world.tokens["facilitator"], {"reason": "abusive"})
    api.post(f"/posts/{post.id}/flags", f.token("other"), {"reason": "off_topic"})
    queue = api.get(f"/groups/{world.groups['public'].slug}/moderation/queue",
                    world.tokens["moderator"]).get_json()
    assert queue["total"] == 1
    item = queue["items"][0]
    assert item["type"] == "flags" and item["post"]["body_markdown"] == "public reply"
    assert sorted(fl["reporter"]["username"] for fl in item["flags"]) == ["facilitator", "other"]
    assert api.get(f"/groups/{world.groups['public'].slug}/moderation/queue",
                   world.tokens["member"]).status_code == 403

    flag_id = item["flags"][0]["id"]
    r = api.post(f"/flags/{flag_id}/resolve", world.tokens["moderator"], {"action": "hide"})
    assert r.status_code == 200 and r.get_json()["status"] == "actioned"
    assert api.post(f"/flags/{flag_id}/resolve", world.tokens["moderator"],
                    {"action": "dismiss"}).status_code == 409
    assert api.get(f"/groups/{world.groups['public'].slug}/moderation/queue",
                   world.tokens["moderator"]).get_json()["total"] == 0
    seen_by_member = api.get(f"/posts/{post.id}", world.tokens["facilitator"]).get_json()
    assert seen_by_member["hidden"] is True and seen_by_member["body_markdown"] is None
    assert api.get(f"/posts/{post.id}", world.tokens["member"]).get_json()[
        "body_markdown"] == "public reply"  # the author still sees their words
    assert log_actions(api, world)[:2] == ["hide", "resolve_hide"]


def test_hidden_post_keeps_its_place_and_count_and_unhide_restores_it(world, api):
    thread, post = world.threads["public"], world.posts["public"]
    assert api.post(f"/posts/{post.id}/hide", world.tokens["moderator"],
                    {"reason": "Shares a phone number"}).status_code == 200
    listing = api.get(f"/threads/{thread.id}/posts").get_json()
    assert [p["hidden"] for p in listing["items"]] == [False, True]
    assert listing["items"][1]["body_html"] is None
    assert api.get(f"/threads/{thread.id}").get_json()["post_count"] == 2
    notes = api.get("/notifications", world.tokens["member"])
    if notes.status_code == 200:  # the notifications endpoint arrives with the conversations issue
        assert notes.get_json()["items"][0]["kind"] == "moderation"
    assert api.post(f"/posts/{post.id}/hide", world.tokens["facilitator"],
                    {"reason": "x"}).status_code == 403
    api.post(f"/posts/{post.id}/unhide", world.tokens["moderator"])
    assert api.get(f"/posts/{post.id}").get_json()["body_markdown"] == "public reply"
    assert log_actions(api, world)[:2] == ["unhide", "hide"]


def test_premoderated_group_holds_members_posts_until_approved(world, api):
    slug = world.groups["public"].slug
    api.patch(f"/groups/{slug}", world.tokens["moderator"], {"premoderate": True})
    thread = world.threads["public"]
    r = api.post(f"/threads/{thread.id}/posts", world.tokens["member"], {"body": "held back"})
    assert r.status_code == 201 and r.get_json()["pending"] is True
    post_id = r.get_json()["id"]
    # Only the author and moderators see it; the count is unchanged.
    assert api.get(f"/posts/{post_id}", world.tokens["facilitator"]).status_code == 404
    assert api.get(f"/posts/{post_id}", world.tokens["member"]).status_code == 200
    assert api.get(f"/posts/{post_id}", world.tokens["moderator"]).status_code == 200
    assert api.get(f"/threads/{thread.id}/posts").get_json()["total"] == 2
    assert api.get(f"/threads/{thread.id}").get_json()["post_count"] == 2
    queue = api.get(f"/groups/{slug}/moderation/queue", world.tokens["moderator"]).get_json()
    assert [(i["type"], i["post"]["id"]) for i in queue["items"]] == [("pending", post_id)]
    # Facilitators are not held.
    r = api.post(f"/threads/{thread.id}/posts", world.tokens["facilitator"], {"body": "direct"})
    assert r.get_json()["pending"] is False
    approved = api.post(f"/posts/{post_id}/approve", world.tokens["moderator"])
    assert approved.status_code == 200 and approved.get_json()["pending"] is False
    assert api.get(f"/posts/{post_id}", world.tokens["facilitator"]).status_code == 200
    assert api.get(f"/threads/{thread.id}").get_json()["post_count"] == 4
    assert api.post(f"/posts/{post_id}/approve", world.tokens["moderator"]).status_code == 409


def test_pending_thread_and_rejection(world, api):
    slug = world.groups["public"].slug
    api.patch(f"/groups/{slug}", world.tokens["moderator"], {"premoderate": True})
    topic = world.topics["public"]
    r = api.post(f"/topics/{topic.id}/threads", world.tokens["member"],
                 {"title": "Held thread", "body": "first words"})
    thread = r.get_json()
    assert thread["pending"] is True
    titles = lambda token: [t["title"] for t in api.get(  # noqa: E731
        f"/topics/{topic.id}/threads", token).get_json()["items"]]
    assert "Held thread" not in titles(world.tokens["facilitator"])
    assert "Held thread" in titles(world.tokens["member"])
    assert "Held thread" in titles(world.tokens["moderator"])
    r = api.post(f"/posts/{thread['first_post']['id']}/reject", world.tokens["moderator"],
                 {"reason": "Please post this in the carers topic"})
    assert r.status_code == 200
    assert api.get(f"/posts/{thread['first_post']['id']}", world.tokens["member"]).status_code \
        == 404
    assert "reject" in log_actions(api, world)


def test_approving_a_held_thread_counts_the_replies_its_moderators_wrote_meanwhile(world, api):
    slug = world.groups["public"].slug
    api.patch(f"/groups/{slug}", world.tokens["moderator"], {"premoderate": True})
    thread = api.post(f"/topics/{world.topics['public'].id}/threads", world.tokens["member"],
                      {"title": "Held thread", "body": "first words"}).get_json()
    for words in ("A first answer", "A second answer"):
        assert api.post(f"/threads/{thread['id']}/posts", world.tokens["moderator"],
                        {"body": words}).status_code == 201
    assert api.post(f"/posts/{thread['first_post']['id']}/approve",
                    world.tokens["moderator"]).status_code == 200
    shown = api.get(f"/threads/{thread['id']}", world.tokens["facilitator"]).get_json()
    listed = api.get(f"/threads/{thread['id']}/posts", world.tokens["facilitator"]).get_json()
    assert shown["post_count"] == listed["total"] == 3


def test_suspended_member_reads_but_cannot_contribute_until_lifted(world, api):
    slug, thread, post = (world.groups["public"].slug, world.threads["public"],
                          world.posts["public"])
    r = api.put(f"/groups/{slug}/suspensions/facilitator", world.tokens["moderator"],
                {"until": later(days=1), "reason": "Repeated personal attacks"})
    assert r.status_code == 200 and r.get_json()["username"] == "facilitator"
    token = world.tokens["facilitator"]
    assert api.get(f"/threads/{thread.id}/posts", token).status_code == 200
    assert api.post(f"/threads/{thread.id}/posts", token, {"body": "x"}).status_code == 403
    assert api.put(f"/posts/{post.id}/reactions/agree", token).status_code == 403
    assert api.post(f"/posts/{post.id}/flags", token, {"reason": "spam"}).status_code == 403
    assert api.post(f"/topics/{world.topics['public'].id}/threads", token,
                    {"title": "t", "body": "b"}).status_code == 403
    assert api.delete(f"/groups/{slug}/suspensions/facilitator",
                      world.tokens["moderator"]).status_code == 204
    assert api.post(f"/threads/{thread.id}/posts", token, {"body": "back"}).status_code == 201
    assert log_actions(api, world)[:2] == ["lift", "suspend"]


def test_a_suspension_whose_time_has_passed_no_longer_blocks(world, api):
    slug, thread = world.groups["public"].slug, world.threads["public"]
    api.put(f"/groups/{slug}/suspensions/member", world.tokens["moderator"],
            {"until": later(hours=1), "reason": "cool off"})
    assert api.post(f"/threads/{thread.id}/posts", world.tokens["member"],
                    {"body": "x"}).status_code == 403
    db.session.execute(update(Suspension).values(
        until=datetime.now(timezone.utc) - timedelta(seconds=1)))
    db.session.commit()
    assert api.post(f"/threads/{thread.id}/posts", world.tokens["member"],
                    {"body": "x"}).status_code == 201


def test_suspension_rules(world, api):
    slug = world.groups["public"].slug
    assert api.put(f"/groups/{slug}/suspensions/member", world.tokens["facilitator"],
                   {"until": later(days=1), "reason": "x"}).status_code == 403
    assert api.put(f"/groups/{slug}/suspensions/member", world.tokens["moderator"],
                   {"until": "2020-01-01T00:00:00Z", "reason": "x"}).status_code == 400
    assert api.put(f"/groups/{slug}/suspensions/admin", world.tokens["moderator"],
                   {"until": later(days=1), "reason": "x"}).status_code == 403
    assert api.delete(f"/groups/{slug}/suspensions/member",
                      world.tokens["moderator"]).status_code == 404


def test_slow_mode_answers_429_with_retry_after_and_spares_moderators(world, api):
    thread = world.threads["public"]
    api.patch(f"/threads/{thread.id}", world.tokens["moderator"], {"slow_mode_seconds": 600})
    r = api.post(f"/threads/{thread.id}/posts", world.tokens["member"], {"body": "again"})
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "rate_limited"
    assert 500 <= int(r.headers["Retry-After"]) <= 600
    assert api.post(f"/threads/{thread.id}/posts", world.tokens["facilitator"],
                    {"body": "first here"}).status_code == 201
    for _ in range(2):
        assert api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"],
                        {"body": "mod"}).status_code == 201


def test_posts_hide_automatically_at_the_groups_flag_threshold(world, api):
    slug, post = world.groups["public"].slug, world.posts["public"]
    assert api.patch(f"/groups/{slug}", world.tokens["moderator"],
                     {"auto_hide_flag_count": 2}).get_json()["auto_hide_flag_count"] == 2
    api.post(f"/posts/{post.id}/flags", world.tokens["facilitator"], {"reason": "spam"})
    assert api.get(f"/posts/{post.id}").get_json()["hidden"] is False
    other = f.user("other")
    f.member(world.users["admin"], world.groups["public"], other)
    api.post(f"/posts/{post.id}/flags", f.token("other"), {"reason": "spam"})
    assert api.get(f"/posts/{post.id}").get_json()["hidden"] is True
    assert log_actions(api, world)[0] == "auto_hide"


def test_moderation_log_records_who_what_why_newest_first_for_moderators_only(world, api):
    thread = world.threads["public"]
    api.patch(f"/threads/{thread.id}", world.tokens["moderator"], {"locked": True})
    api.patch(f"/threads/{thread.id}", world.tokens["moderator"], {"pinned": True})
    api.patch(f"/posts/{world.posts['public'].id}", world.tokens["moderator"],
              {"body": "edited by mod", "reason": "removed an address"})
    entries = api.get(f"/groups/{world.groups['public'].slug}/moderation/log",
                      world.tokens["moderator"]).get_json()["items"]
    assert [e["action"] for e in entries[:3]] == ["edit_post", "pin", "lock"]
    assert entries[0]["reason"] == "removed an address"
    assert entries[0]["actor"]["username"] == "moderator"
    assert api.get(f"/groups/{world.groups['public'].slug}/moderation/log",
                   world.tokens["member"]).status_code == 403
    assert api.get(f"/groups/{world.groups['private'].slug}/moderation/log",
                   world.tokens["outsider"]).status_code == 404


def test_two_moderators_resolving_one_flag_at_once_leave_one_log_entry(world, api, app):
    post = world.posts["public"]
    f.member(world.users["admin"], world.groups["public"], world.users["facilitator"],
             "moderator")
    f.member(world.users["admin"], world.groups["public"], world.users["outsider"])
    flag_id = api.post(f"/posts/{post.id}/flags", world.tokens["outsider"],
                       {"reason": "spam"}).get_json()["id"]
    barrier = threading.Barrier(2)
    statuses = []

    def resolve(token):
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(f"/api/v1/flags/{flag_id}/resolve", json={"action": "hide"},
                                    headers={"Authorization": f"Bearer {token}"}).status_code)

    workers = [threading.Thread(target=resolve, args=(world.tokens[name],))
               for name in ("moderator", "facilitator")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(statuses) == [200, 409]
    actions = log_actions(api, world)
    assert actions.count("resolve_hide") == 1 and actions.count("hide") == 1
    assert api.get(f"/posts/{post.id}").get_json()["hidden"] is True
