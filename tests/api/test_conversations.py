"""Informed conversations through the API: summaries, reports, insights, notifications, search."""

from __future__ import annotations

import csv
import io

from tests import factories as f


def summary(api, world, body, publish=True, cited=None, who="facilitator", vis="public"):
    return api.post(f"/topics/{world.topics[vis].id}/summary", world.tokens[who],
                    {"body": body, "publish": publish, "cited_post_ids": cited or []})


def test_drafts_never_reach_members_and_publishing_creates_versions(world, api):
    topic = world.topics["public"].id
    r = summary(api, world, "Draft thoughts", publish=False)
    assert r.status_code == 201 and r.get_json()["version"] == 1
    assert r.get_json()["published_at"] is None
    assert api.get(f"/topics/{topic}/summary", world.tokens["member"]).status_code == 404
    assert api.get(f"/topics/{topic}").get_json()["has_summary"] is False
    post = world.posts["public"].id
    r = summary(api, world, f"The group said [[post:{post}]]", publish=True)
    assert r.status_code == 201 and r.get_json()["version"] == 2
    published = api.get(f"/topics/{topic}/summary", world.tokens["member"]).get_json()
    assert published["version"] == 2 and published["cited_post_ids"] == [post]
    assert f'href="/posts/{post}"' in published["body_html"]
    assert api.get(f"/topics/{topic}").get_json()["has_summary"] is True
    assert api.get(f"/posts/{post}").get_json()["cited"] is True
    versions = api.get(f"/topics/{topic}/summary/versions", world.tokens["moderator"]).get_json()
    assert [v["version"] for v in versions["items"]] == [2, 1]
    assert api.get(f"/topics/{topic}/summary/versions",
                   world.tokens["member"]).status_code == 403
    assert summary(api, world, "mine", who="member").status_code == 403


def test_citations_must_be_visible_posts_of_the_topic(world, api):
    post = world.posts["public"]
    api.post(f"/posts/{post.id}/hide", world.tokens["moderator"], {"reason": "off topic"})
    r = summary(api, world, "x", cited=[post.id])
    assert r.status_code == 400 and "cited_post_ids" in r.get_json()["error"]["fields"]
    other_topic = f.topic(world.users["facilitator"], world.groups["public"], "Other")
    elsewhere = f.thread(world.users["member"], other_topic)
    r = summary(api, world, f"see [[post:{elsewhere.first_post.id}]]")
    assert r.status_code == 400 and "body" in r.get_json()["error"]["fields"]
    r = summary(api, world, "x", cited=[world.posts["private"].id])
    assert r.status_code == 400


def test_publishing_notifies_every_member_but_not_the_author(world, api):
    summary(api, world, "Our response", publish=True)
    notes = api.get("/notifications", world.tokens["member"]).get_json()
    assert notes["unread"] >= 1 and notes["items"][0]["kind"] == "summary"
    own = api.get("/notifications", world.tokens["facilitator"]).get_json()["items"]
    assert all(n["kind"] != "summary" for n in own)
    assert not any(n["kind"] == "summary" for n in api.get(
        "/notifications", world.tokens["outsider"]).get_json()["items"])


def test_replies_mentions_and_quotes_notify_once_each_and_never_the_actor(world, api):
    thread = world.threads["public"]
    first = world.threads["public"].first_post.id
    body = f"> [[post:{first}]] said\n\n@member @facilitator @outsider thoughts?"
    api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"],
             {"body": body, "reply_to": first})
    member_notes = api.get("/notifications", world.tokens["member"]).get_json()["items"]
    assert len([n for n in member_notes if n["url"].startswith("/posts/")]) == 1
    facilitator = api.get("/notifications", world.tokens["facilitator"]).get_json()["items"]
    assert [n["kind"] for n in facilitator][0] == "mention"
    # A public group: the outsider can see the post, so the mention reaches them.
    assert api.get("/notifications", world.tokens["outsider"]).get_json()["items"][0][
        "kind"] == "mention"
    api.post(f"/threads/{thread.id}/posts", world.tokens["member"], {"body": "@member me"})
    assert len(api.get("/notifications", world.tokens["member"]).get_json()["items"]) == len(
        member_notes)


def test_mentions_of_people_who_cannot_see_a_private_group_notify_nobody(world, api):
    thread = world.threads["private"]
    api.post(f"/threads/{thread.id}/posts", world.tokens["member"],
             {"body": "@outsider @pending have a look"})
    for who in ("outsider", "pending"):
        assert api.get("/notifications", world.tokens[who]).get_json()["items"] == []


def test_marking_notifications_read(world, api):
    thread = world.threads["public"]
    joined = api.get("/notifications", world.tokens["member"]).get_json()
    assert [n["kind"] for n in joined["items"]] == ["membership", "membership"]
    api.post("/notifications/read", world.tokens["member"])
    for i in range(3):
        api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"],
                 {"body": f"@member point {i}"})
    notes = api.get("/notifications", world.tokens["member"]).get_json()
    assert notes["unread"] == 3
    r = api.post("/notifications/read", world.tokens["member"], {"ids": [notes["items"][0]["id"]]})
    assert r.get_json() == {"marked": 1, "unread": 2}
    assert api.post("/notifications/read", world.tokens["member"]).get_json()["unread"] == 0
    assert api.get("/notifications").status_code == 401


def test_report_leaves_hidden_posts_out_and_survives_hostile_text(world, api):
    thread = world.threads["public"]
    hostile = '=cmd|" /C calc"!A0, "quoted", commas\nnew line'
    api.post(f"/threads/{thread.id}/posts", world.tokens["member"], {"body": hostile})
    api.post(f"/threads/{thread.id}/posts", world.tokens["member"], {"body": "+SUM(1,2)"})
    api.post(f"/posts/{world.posts['public'].id}/hide", world.tokens["moderator"],
             {"reason": "x"})
    r = api.get(f"/topics/{world.topics['public'].id}/report?format=csv",
                world.tokens["facilitator"])
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert r.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    texts = [row["text"] for row in rows]
    assert "public reply" not in texts  # hidden
    assert "'" + hostile in texts and "'+SUM(1,2)" in texts
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    md = api.get(f"/topics/{world.topics['public'].id}/report?format=md",
                 world.tokens["moderator"])
    assert md.status_code == 200 and "public first post" in md.get_data(as_text=True)
    assert "public reply" not in md.get_data(as_text=True)
    assert api.get(f"/topics/{world.topics['public'].id}/report",
                   world.tokens["member"]).status_code == 403
    assert api.get(f"/topics/{world.topics['private'].id}/report",
                   world.tokens["outsider"]).status_code == 404


def test_insights_show_participation_and_agreement(world, api):
    post = world.posts["public"]
    for who in ("facilitator", "moderator"):
        api.put(f"/posts/{post.id}/reactions/agree", world.tokens[who])
    api.put(f"/posts/{post.id}/reactions/disagree", world.tokens["admin"])
    r = api.get(f"/topics/{world.topics['public'].id}/insights", world.tokens["facilitator"])
    data = r.get_json()
    assert data["participation"]["members"] == 3 and data["participation"]["posters"] == 1
    assert data["most_agreed"][0]["id"] == post.id
    assert data["most_divisive"][0]["id"] == post.id
    assert api.get(f"/topics/{world.topics['public'].id}/insights",
                   world.tokens["member"]).status_code == 403


def test_search_finds_what_the_caller_may_see_and_nothing_else(world, api):
    thread = world.threads["public"]
    api.post(f"/threads/{thread.id}/posts", world.tokens["member"],
             {"body": "Interpreting budgets in Bradford"})
    private = world.threads["private"]
    api.post(f"/threads/{private.id}/posts", world.tokens["member"],
             {"body": "Interpreting secrets in Leeds"})
    def found(token, q="interpreting"):  # noqa: E306
        r = api.get(f"/search?q={q}", token)
        assert r.status_code == 200
        return r.get_json()["results"]
    outsider = found(world.tokens["outsider"])
    assert [r["type"] for r in outsider] == ["post"]
    assert "<mark>Interpreting</mark>" in outsider[0]["snippet"]
    assert "Leeds" not in str(found(None)) and "Leeds" not in str(outsider)
    assert len(found(world.tokens["member"])) == 2
    hidden_id = outsider[0]["id"]
    api.post(f"/posts/{hidden_id}/hide", world.tokens["moderator"], {"reason": "x"})
    assert found(world.tokens["outsider"]) == []
    assert len(found(world.tokens["moderator"])) == 2


def test_search_never_fails_on_hostile_queries(world, api):
    for q in ['"', "*", "NEAR(a b)", "((", "a OR", "-", "x" * 5000, "'; DROP TABLE posts; --",
              "%00", "ü ß 中文"]:
        r = api.client.get("/api/v1/search", query_string={"q": q})
        assert r.status_code in (200, 400), (q, r.status_code)
        assert "results" in r.get_json() or "error" in r.get_json()


def test_search_filters_by_group_and_topic(world, api):
    r = api.client.get("/api/v1/search", query_string={"q": "public", "group": "private-group"})
    assert r.status_code == 404
    r = api.client.get("/api/v1/search", query_string={
        "q": "thread", "topic": world.topics["public"].id})
    assert {x["type"] for x in r.get_json()["results"]} <= {"thread", "post", "topic"}
    assert r.get_json()["results"]
