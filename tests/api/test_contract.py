"""Statuses, error bodies and behaviours API.md promises, on both databases."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import Post
from tests import factories as f


def error_of(response):
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


def test_validation_error_names_each_bad_field(world, api):
    r = api.post(f"/topics/{world.topics['public'].id}/threads", world.tokens["member"],
                 {"title": 5})
    assert r.status_code == 400
    error = error_of(r)
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"title", "body"}


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_malformed_or_non_object_body_is_bad_request(world, api, raw):
    r = api("POST", f"/threads/{world.threads['public'].id}/posts", world.tokens["member"],
            data=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert error_of(r)["code"] in {"bad_request", "validation_failed"}


def test_blank_post_body_is_rejected_and_nothing_is_stored(world, api):
    thread = world.threads["public"]
    r = api.post(f"/threads/{thread.id}/posts", world.tokens["member"], {"body": "   \n"})
    assert r.status_code == 400 and error_of(r)["fields"] == {"body": "This field cannot be blank."}
    assert api.get(f"/threads/{thread.id}/posts").get_json()["total"] == 2


def test_post_body_over_64k_bytes_is_413_but_64k_exactly_is_accepted(world, api):
    thread = world.threads["public"]
    exact = "é" * 32768  # 65,536 bytes of UTF-8 in 32,768 characters
    assert api.post(f"/threads/{thread.id}/posts", world.tokens["member"],
                    {"body": exact}).status_code == 201
    r = api.post(f"/threads/{thread.id}/posts", world.tokens["member"], {"body": exact + "a"})
    assert r.status_code == 413 and error_of(r)["code"] == "too_large"


def test_request_over_one_mebibyte_is_413(world, api):
    r = api.post(f"/threads/{world.threads['public'].id}/posts", world.tokens["member"],
                 {"body": "a" * (1024 * 1024 + 10)})
    assert r.status_code == 413 and error_of(r)["code"] == "too_large"


@pytest.mark.parametrize("path", ["/threads/abc", "/threads/-1", "/threads/0",
                                  "/threads/99999999999999999999", "/posts/1.5", "/nowhere"])
def test_bad_ids_and_unknown_paths_are_404_in_the_error_shape(app, api, path):
    r = api.get(path)
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


def test_wrong_method_is_405_in_the_error_shape(app, api):
    r = api("DELETE", "/groups")
    assert r.status_code == 405 and error_of(r)["code"] == "method_not_allowed"


def test_time_without_zone_is_rejected_and_times_come_back_in_utc(world, api):
    slug = world.groups["public"].slug
    r = api.post(f"/groups/{slug}/topics", world.tokens["facilitator"],
                 {"title": "Meeting", "event_at": "2026-12-01T10:00:00"})
    assert r.status_code == 400 and "event_at" in error_of(r)["fields"]
    r = api.post(f"/groups/{slug}/topics", world.tokens["facilitator"],
                 {"title": "Meeting", "event_at": "2026-12-01T10:00:00+01:00"})
    assert r.status_code == 201 and r.get_json()["event_at"] == "2026-12-01T09:00:00Z"


def test_per_page_defaults_to_20_and_is_clamped_to_100(world, api):
    thread = world.threads["public"]
    for i in range(120):
        f.post(world.users["member"], thread, f"reply {i}")
    first = api.get(f"/threads/{thread.id}/posts").get_json()
    assert (first["per_page"], len(first["items"]), first["total"]) == (20, 20, 122)
    big = api.get(f"/threads/{thread.id}/posts?per_page=1000").get_json()
    assert big["per_page"] == 100 and len(big["items"]) == 100
    last = api.get(f"/threads/{thread.id}/posts?page=2&per_page=100").get_json()
    assert [p["body_markdown"] for p in last["items"]][-1] == "reply 119"
    assert api.get(f"/threads/{thread.id}/posts?page=x").status_code == 400


def test_posts_after_an_id_return_exactly_what_was_missed(world, api):
    thread = world.threads["public"]
    seen = api.get(f"/threads/{thread.id}/posts").get_json()["items"][-1]["id"]
    f.post(world.users["member"], thread, "missed one")
    missed = api.get(f"/threads/{thread.id}/posts?after={seen}").get_json()["items"]
    assert [p["body_markdown"] for p in missed] == ["missed one"]


def test_threads_are_listed_pinned_first_then_by_last_post(world, api):
    topic = world.topics["public"]
    older = f.thread(world.users["member"], topic, "older")
    newer = f.thread(world.users["member"], topic, "newer")
    f.post(world.users["member"], older, "bump")  # older now has the latest post
    api.patch(f"/threads/{newer.id}", world.tokens["moderator"], {"pinned": True})
    titles = [t["title"] for t in api.get(f"/topics/{topic.id}/threads").get_json()["items"]]
    assert titles[:3] == ["newer", "older", "public thread"]


def test_reactions_are_idempotent_and_counted_with_my_reactions(world, api):
    post = world.posts["public"]
    for _ in range(2):
        r = api.put(f"/posts/{post.id}/reactions/agree", world.tokens["facilitator"])
        assert r.status_code == 200
    api.put(f"/posts/{post.id}/reactions/thanks", world.tokens["moderator"])
    mine = api.get(f"/posts/{post.id}", world.tokens["facilitator"]).get_json()
    assert mine["reactions"] == {"agree": 1, "disagree": 0, "thanks": 1}
    assert mine["my_reactions"] == ["agree"]
    assert api.get(f"/posts/{post.id}").get_json()["my_reactions"] == []
    assert api.delete(f"/posts/{post.id}/reactions/agree",
                      world.tokens["facilitator"]).status_code == 204
    assert api.delete(f"/posts/{post.id}/reactions/agree",
                      world.tokens["facilitator"]).status_code == 204
    assert api.get(f"/posts/{post.id}").get_json()["reactions"]["agree"] == 0
    assert api.put(f"/posts/{post.id}/reactions/love", world.tokens["member"]).status_code == 400


def test_editing_keeps_every_earlier_version_newest_first(world, api):
    post = world.posts["public"]
    api.patch(f"/posts/{post.id}", world.tokens["member"], {"body": "second"})
    r = api.patch(f"/posts/{post.id}", world.tokens["moderator"],
                  {"body": "third", "reason": "removed a phone number"})
    assert r.status_code == 200 and r.get_json()["edited_at"] is not None
    revisions = api.get(f"/posts/{post.id}/revisions", world.tokens["member"]).get_json()
    assert [v["body_markdown"] for v in revisions["items"]] == ["second", "public reply"]
    assert revisions["items"][0]["reason"] == "removed a phone number"


def test_locked_thread_refuses_members_with_409_but_not_moderators(world, api):
    thread = world.threads["public"]
    api.patch(f"/threads/{thread.id}", world.tokens["moderator"], {"locked": True})
    r = api.post(f"/threads/{thread.id}/posts", world.tokens["member"], {"body": "hello"})
    assert r.status_code == 409 and error_of(r)["code"] == "conflict"
    assert api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"],
                    {"body": "closing note"}).status_code == 201


@pytest.mark.parametrize("status", ["upcoming", "concluded", "archived"])
def test_threads_only_start_in_open_topics(world, api, status):
    topic = world.topics["public"]
    api.patch(f"/topics/{topic.id}", world.tokens["facilitator"], {"status": status})
    r = api.post(f"/topics/{topic.id}/threads", world.tokens["member"],
                 {"title": "Late", "body": "words"})
    assert r.status_code == 409


def test_author_may_rename_but_not_lock_their_thread(world, api):
    thread = world.threads["public"]
    assert api.patch(f"/threads/{thread.id}", world.tokens["member"],
                     {"title": "Clearer title"}).get_json()["title"] == "Clearer title"
    assert api.patch(f"/threads/{thread.id}", world.tokens["member"],
                     {"locked": True}).status_code == 403


def test_moving_a_thread_needs_moderator_rights_in_both_groups(world, api):
    thread = world.threads["public"]
    other = f.group(world.users["admin"], "elsewhere")
    destination = f.topic(world.users["admin"], other)
    r = api.patch(f"/threads/{thread.id}", world.tokens["moderator"], {"topic_id": destination.id})
    assert r.status_code == 403
    f.member(world.users["admin"], other, world.users["moderator"], "moderator")
    r = api.patch(f"/threads/{thread.id}", world.tokens["moderator"], {"topic_id": destination.id})
    assert r.status_code == 200 and r.get_json()["topic_id"] == destination.id
    assert api.get(f"/topics/{destination.id}").get_json()["thread_count"] == 1


def test_private_group_is_absent_from_lists_for_outsiders(world, api):
    def slugs(token):
        return {g["slug"] for g in api.get("/groups", token).get_json()["items"]}

    assert slugs(None) == slugs(world.tokens["outsider"]) == {"public-group"}
    assert slugs(world.tokens["pending"]) == {"public-group"}
    assert slugs(world.tokens["member"]) == {"public-group", "private-group"}


def test_group_shows_my_role_and_member_count_without_pending(world, api):
    slug = world.groups["public"].slug
    assert api.get(f"/groups/{slug}", world.tokens["pending"]).get_json()["my_role"] == "pending"
    body = api.get(f"/groups/{slug}", world.tokens["facilitator"]).get_json()
    assert body["my_role"] == "facilitator" and body["member_count"] == 3
    r = api.put(f"/groups/{slug}/members/pending", world.tokens["moderator"], {"role": "member"})
    assert r.status_code == 200 and r.get_json() == {
        "username": "pending", "display_name": "pending", "role": "member"}
    assert api.get(f"/groups/{slug}").get_json()["member_count"] == 4


def test_join_policies(world, api):
    admin = world.users["admin"]
    open_group = f.group(admin, "open-one", join_policy="open")
    invite = f.group(admin, "invite-one", join_policy="invite", visibility="private")
    token = world.tokens["outsider"]
    assert api.post(f"/groups/{open_group.slug}/join", token).get_json() == {"status": "member"}
    assert api.post(f"/groups/{world.groups['private'].slug}/join", token).get_json() == {
        "status": "pending"}
    assert api.post(f"/groups/{invite.slug}/join", token).status_code == 403


def test_moderator_cannot_demote_or_remove_a_site_admin(world, api):
    slug = world.groups["public"].slug
    f.member(world.users["admin"], world.groups["public"], world.users["admin"], "moderator")
    assert api.put(f"/groups/{slug}/members/admin", world.tokens["moderator"],
                   {"role": "member"}).status_code == 403
    assert api.delete(f"/groups/{slug}/members/admin",
                      world.tokens["moderator"]).status_code == 403


def test_invalid_bearer_token_is_401_even_for_public_reads(app, api):
    r = api.get("/groups", "wgf_not-a-real-token")
    assert r.status_code == 401 and error_of(r)["code"] == "not_signed_in"


def test_created_thread_is_stored_whole(world, api):
    r = api.post(f"/topics/{world.topics['public'].id}/threads", world.tokens["member"],
                 {"title": "Whole", "body": "first words"})
    thread_id = r.get_json()["id"]
    first = db.session.scalars(db.select(Post).where(Post.thread_id == thread_id)).all()
    assert [p.body_markdown for p in first] == ["first words"]


def test_reads_carry_an_etag_and_answer_304_when_unchanged(world, api):
    path = f"/threads/{world.threads['public'].id}/posts"
    first = api.get(path, world.tokens["member"])
    etag = first.headers["ETag"]
    assert "private" in first.headers["Cache-Control"]
    again = api.get(path, world.tokens["member"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    api.post(f"/threads/{world.threads['public'].id}/posts", world.tokens["member"],
             {"body": "something new"})
    changed = api.get(path, world.tokens["member"], headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "something new" in changed.get_data(as_text=True)
