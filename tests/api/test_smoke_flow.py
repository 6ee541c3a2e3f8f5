"""A member's everyday flow through the API, on both databases."""


def test_member_starts_thread_and_replies_and_sees_both_posts(world, api):
    topic_id = world.topics["public"].id
    r = api.post(f"/topics/{topic_id}/threads", world.tokens["member"],
                 {"title": "Interpreting", "body": "We need **face to face** interpreting"})
    assert r.status_code == 201, r.json
    thread = r.json
    assert thread["first_post"]["body_html"] == (
        "<p>We need <strong>face to face</strong> interpreting</p>\n")
    assert thread["post_count"] == 1 and thread["author"]["username"] == "member"
    r = api.post(f"/threads/{thread['id']}/posts", world.tokens["facilitator"],
                 {"body": "Thanks, noted", "reply_to": thread["first_post"]["id"]})
    assert r.status_code == 201, r.json
    assert r.json["reply_to"] == thread["first_post"]["id"]
    listing = api.get(f"/threads/{thread['id']}/posts").json
    assert [p["body_markdown"] for p in listing["items"]] == [
        "We need **face to face** interpreting", "Thanks, noted"]
    assert listing["total"] == 2
    assert api.get(f"/threads/{thread['id']}").json["post_count"] == 2
