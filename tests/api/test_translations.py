"""Briefings and summaries in community languages through the API."""

from __future__ import annotations


def _url(world, kind="briefing", locale="bn", vis="public"):
    return f"/topics/{world.topics[vis].id}/{kind}/translations/{locale}"


def test_facilitator_adds_a_bengali_briefing_that_members_read(world, api):
    r = api.put(_url(world), world.tokens["facilitator"], {"body": "**ব্রিফিং** বাংলায়"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["locale"] == "bn" and body["lang"] == "bn" and body["dir"] == "ltr"
    assert "<strong>ব্রিফিং</strong>" in body["body_html"]
    assert body["original_changed"] is False
    got = api.get(_url(world), world.tokens["member"]).get_json()
    assert got["body_markdown"] == "**ব্রিফিং** বাংলায়"
    listed = api.get(f"/topics/{world.topics['public'].id}/briefing/translations").get_json()
    assert [v["locale"] for v in listed["items"]] == ["bn"]


def test_only_facilitators_write_versions_and_outsiders_see_no_private_ones(world, api):
    assert api.put(_url(world), world.tokens["member"], {"body": "x"}).status_code == 403
    assert api.put(_url(world), None, {"body": "x"}).status_code == 401
    r = api.put(_url(world, vis="private"), world.tokens["facilitator"], {"body": "prywatne"})
    assert r.status_code == 200
    assert api.get(_url(world, vis="private"), world.tokens["outsider"]).status_code == 404
    assert api.delete(_url(world, vis="private"), world.tokens["member"]).status_code == 403
    assert api.delete(_url(world, vis="private"), world.tokens["facilitator"]).status_code == 204
    assert api.get(_url(world, vis="private"), world.tokens["member"]).status_code == 404


def test_unknown_language_is_a_field_error_and_easy_read_is_english(world, api):
    r = api.put(_url(world, locale="xx"), world.tokens["facilitator"], {"body": "x"})
    assert r.status_code == 400 and "locale" in r.get_json()["error"]["fields"]
    r = api.put(_url(world, locale="en-gb-easy"), world.tokens["facilitator"],
                {"body": "Short words."})
    assert r.status_code == 200
    assert r.get_json()["locale"] == "en-GB-easy" and r.get_json()["lang"] == "en-GB"


def test_a_version_says_when_the_briefing_changed_after_it(world, api):
    api.put(_url(world, locale="ur"), world.tokens["facilitator"], {"body": "اردو"})
    assert api.get(_url(world, locale="ur")).get_json()["dir"] == "rtl"
    api.patch(f"/topics/{world.topics['public'].id}", world.tokens["facilitator"],
              {"briefing": "A new briefing"})
    got = api.get(_url(world, locale="ur")).get_json()
    assert got["original_changed"] is True and got["original_changed_at"]


def test_summary_versions_cite_only_the_original_posts(world, api):
    topic, post = world.topics["public"].id, world.posts["public"].id
    assert api.put(_url(world, "summary"), world.tokens["facilitator"],
                   {"body": "x"}).status_code == 404  # nothing published yet
    api.post(f"/topics/{topic}/summary", world.tokens["facilitator"],
             {"body": f"We said [[post:{post}]]", "publish": True})
    r = api.put(_url(world, "summary"), world.tokens["facilitator"],
                {"body": f"আমরা বলেছি /posts/{post}"})
    assert r.status_code == 200 and f'href="/posts/{post}"' in r.get_json()["body_html"]
    assert r.get_json()["source_version"] == 1
    other = world.threads["public"].first_post.id
    r = api.put(_url(world, "summary"), world.tokens["facilitator"],
                {"body": f"[[post:{other}]]"})
    assert r.status_code == 400 and "body" in r.get_json()["error"]["fields"]
    api.post(f"/topics/{topic}/summary", world.tokens["facilitator"],
             {"body": f"We said more [[post:{post}]]", "publish": True})
    assert api.get(_url(world, "summary")).get_json()["original_changed"] is True
    assert api.put(_url(world, "summary"), world.tokens["member"],
                   {"body": "x"}).status_code == 403
