"""A page of posts is answered from what was kept only while everything the reader's view adds
to the kept page (what they may do, which hidden words they may read, their own reactions) is
the same: a change of rights or state that leaves the posts untouched still shows at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _page(api, world, persona):
    answer = api.get(f"/threads/{world.threads['public'].id}/posts", world.tokens[persona])
    assert answer.status_code == 200
    return {item["id"]: item for item in answer.get_json()["items"]}


def test_a_suspension_changes_what_a_member_may_do_on_the_next_read(world, api):
    own = world.posts["public"].id
    assert _page(api, world, "member")[own]["can"]["edit"] is True
    until = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = api.put(f"/groups/{world.groups['public'].slug}/suspensions/member",
                world.tokens["moderator"], {"until": until, "reason": "cooling off"})
    assert r.status_code in (200, 201), r.get_json()
    refused = _page(api, world, "member")[own]["can"]
    assert refused["edit"] is not True and refused["react"] is not True
    assert isinstance(refused["edit"], str) and refused["edit"]  # the sentence they are shown
    r = api("DELETE", f"/groups/{world.groups['public'].slug}/suspensions/member",
            world.tokens["moderator"])
    assert r.status_code == 204
    assert _page(api, world, "member")[own]["can"]["edit"] is True


def test_own_reactions_come_and_go_on_a_page_read_again(world, api):
    first = world.threads["public"].first_post.id
    assert _page(api, world, "member")[first]["my_reactions"] == []
    assert api.put(f"/posts/{first}/reactions/thanks", world.tokens["facilitator"]).status_code \
        == 200
    assert _page(api, world, "member")[first]["my_reactions"] == []
    assert _page(api, world, "facilitator")[first]["my_reactions"] == ["thanks"]
    assert api("DELETE", f"/posts/{first}/reactions/thanks",
               world.tokens["facilitator"]).status_code in (200, 204)
    assert _page(api, world, "facilitator")[first]["my_reactions"] == []


def test_anonymous_readers_share_a_page_without_what_only_moderators_read(world, api):
    reply = world.posts["public"].id
    assert api.post(f"/posts/{reply}/hide", world.tokens["moderator"],
                    {"reason": "off topic"}).status_code == 200
    assert _page(api, world, "moderator")[reply]["body_markdown"] == "public reply"
    for _ in range(2):  # the second read is the kept one
        anonymous = api.get(f"/threads/{world.threads['public'].id}/posts").get_json()
        seen = {item["id"]: item for item in anonymous["items"]}
        assert seen[reply]["hidden"] is True and seen[reply]["body_markdown"] is None
        assert all(item["can"]["edit"] is not True for item in anonymous["items"])
