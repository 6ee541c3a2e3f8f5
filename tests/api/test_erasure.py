"""Erasure: nothing of the person is findable afterwards, and threads still read coherently."""

from __future__ import annotations

import json

import pytest


def _everything_visible(api, world, token) -> str:
    parts = []
    for path in (f"/threads/{world.threads['public'].id}/posts?per_page=100",
                 f"/topics/{world.topics['public'].id}/threads",
                 f"/groups/{world.groups['public'].slug}/members?per_page=100",
                 "/notifications?per_page=100", "/search?q=member", "/search?q=thoughts",
                 f"/groups/{world.groups['public'].slug}/moderation/log?per_page=100"):
        parts.append(api.get(path, token).get_data(as_text=True))
    return "\n".join(parts)


@pytest.mark.parametrize("keep_posts", [True, False])
def test_after_erasure_nothing_names_the_person_and_threads_stay_whole(world, api, keep_posts):
    thread = world.threads["public"]
    api.patch("/me", world.tokens["member"], {"display_name": "Zanele Q"})
    api.post(f"/threads/{thread.id}/posts", world.tokens["member"],
             {"body": "my own thoughts here"})
    api.post(f"/threads/{thread.id}/posts", world.tokens["facilitator"],
             {"body": "@member what do you think?"})
    api.put(f"/posts/{world.threads['public'].first_post.id}/reactions/agree",
            world.tokens["facilitator"])
    api.put(f"/posts/{world.posts['public'].id}/reactions/thanks", world.tokens["facilitator"])
    api.put(f"/posts/{world.posts['public'].id}/reactions/agree", world.tokens["moderator"])
    api.put(f"/posts/{api.get(f'/threads/{thread.id}/posts').get_json()['items'][-1]['id']}"
            "/reactions/agree", world.tokens["member"])
    before = api.get(f"/threads/{thread.id}/posts?per_page=100").get_json()["total"]
    r = api("DELETE", "/me", world.tokens["member"], {"keep_posts": keep_posts})
    assert r.status_code == 204
    assert api.get("/me", world.tokens["member"]).status_code == 401
    seen = _everything_visible(api, world, world.tokens["moderator"])
    for trace in ("Zanele", "member@example.org", '"username":"member"', "@member "):
        assert trace not in seen, trace
    posts = api.get(f"/threads/{thread.id}/posts?per_page=100").get_json()
    assert posts["total"] == before  # threads keep their shape
    authors = {p["author"]["display_name"] for p in posts["items"]}
    assert "Former member" in authors
    texts = json.dumps(posts)
    assert ("my own thoughts here" in texts) is keep_posts
    assert "@former-member what do you think?" in texts
    last = posts["items"][-1]
    assert last["reactions"]["agree"] == 0  # the erased person's reaction is gone


def test_only_the_person_or_an_admin_erases(world, api):
    assert api.post("/admin/users/member/erase", world.tokens["moderator"],
                    {"keep_posts": True}).status_code == 403
    assert api.post("/admin/users/member/erase", world.tokens["admin"],
                    {"keep_posts": True}).status_code == 204
    entries = api.get("/admin/audit", world.tokens["admin"]).get_json()["items"]
    assert entries[0]["action"] == "erase_account"
    assert "member@example.org" not in str(entries)
