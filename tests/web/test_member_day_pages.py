"""A member's day in the pages, without JavaScript (#16): search with filters and a way out of
an empty result, a calmer thread page, flagging on a page of its own, leaving a group, signing in
and coming back, the favicon and description; on both databases."""

from __future__ import annotations

import re

from tests import factories as f
from tests.web.test_auth import csrf_from, sign_in


def _get(client, path):
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return r.get_data(as_text=True)


def _results(html: str) -> list[str]:
    return re.findall(r"<li>\s*<a href=\"[^\"]+\" dir=\"auto\">", html)


def test_search_page_shows_who_when_where_and_a_marked_snippet(world, client):
    f.post(world.users["facilitator"], world.threads["public"],
           "Wombats `<b>dig</b>` burrows & tunnels")
    sign_in(client, "member")
    html = _get(client, "/search?q=wombats")
    assert "<mark>Wombats</mark>" in html
    # Escaped once, then marked (PostgreSQL's headline drops tag-like words; SQLite keeps them).
    assert "<b>dig</b>" not in html and "&amp;lt;" not in html
    assert "burrows &amp; tunnels" in html
    assert 'href="/users/facilitator"' in html
    assert ">Public Group</a>" in html and ">public topic</a>" in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', html)
    assert "1 result" in html


def test_search_filters_by_author_dates_group_and_topic(world, client):
    for i in range(3):
        f.post(world.users["facilitator"], world.threads["public"], f"quokkas number {i}")
    f.post(world.users["member"], world.threads["public"], "quokkas by the member")
    sign_in(client, "member")
    assert len(_results(_get(client, "/search?q=quokkas"))) == 4
    assert len(_results(_get(client, "/search?q=quokkas&author=facilitator"))) == 3
    topic = world.topics["public"].id
    html = _get(client, f"/search?q=quokkas&group=public-group&topic={topic}")
    assert len(_results(html)) == 4
    assert f'<option value="{topic}" selected>' in html  # the group's topics to choose from
    assert len(_results(_get(client, "/search?q=quokkas&from=2000-01-01"))) == 4
    assert "A date such as" in _get(client, "/search?q=quokkas&from=yesterday")


def test_search_pages_through_results(world, client, app):
    from forum.web import me

    for i in range(me.SEARCH_PER_PAGE + 3):
        f.post(world.users["facilitator"], world.threads["public"], f"numbat {i}")
    sign_in(client, "member")
    first = _get(client, "/search?q=numbat&author=facilitator")
    assert len(_results(first)) == me.SEARCH_PER_PAGE and "Page 1 of 2" in first
    assert 'rel="next" href="/search?q=numbat&amp;page=2&amp;author=facilitator"' in first
    second = _get(client, "/search?q=numbat&author=facilitator&page=2")
    assert len(_results(second)) == 3 and 'rel="prev"' in second


def test_an_empty_search_suggests_dropping_each_filter(world, client):
    sign_in(client, "member")
    html = _get(client, "/search?q=public&author=nobody-at-all&from=2000-01-01&to=2000-01-02")
    assert "No results: try removing a filter." in html
    links = re.findall(r'<a href="(/search\?[^"]+)">Search again without ([^<]+)</a>', html)
    assert {what for _, what in links} == {"the author", "the start date", "the end date"}
    without_author = next(url for url, what in links if what == "the author")
    assert "author=" not in without_author and "from=2000-01-01" in without_author
    assert "No results: try other or fewer words." in _get(client, "/search?q=zzyzx")


def test_each_post_shows_its_own_counts_and_controls(world, client, api):
    """The controls are rendered once per kind of post and given each post's id and counts."""
    thread = world.threads["public"].id
    first = world.posts["public"].id
    second = api.post(f"/threads/{thread}/posts", world.tokens["facilitator"],
                      {"body": "A second view"}).json["id"]
    for name in ("facilitator", "moderator"):
        api.put(f"/posts/{first}/reactions/thanks", world.tokens[name])
    api.put(f"/posts/{second}/reactions/thanks", world.tokens["member"])
    sign_in(client, "member")
    for html in (_get(client, f"/threads/{thread}"),
                 _get(client.application.test_client(), f"/threads/{thread}")):
        for post, count in ((first, "2"), (second, "1")):
            article = re.search(rf'<article[^>]*id="post-{post}".*?</article>', html, re.S)
            counts = dict(re.findall(r'data-kind="(\w+)">\w+ <span class="count">(\d*)</span>',
                                     article.group(0)))
            assert counts["thanks"] == count
    member_page = _get(client, f"/threads/{thread}")  # the member wrote the first, not the second
    assert f'formaction="/posts/{second}/react/thanks"' in member_page
    assert f'href="/posts/{first}/edit"' in member_page
    assert f'href="/posts/{second}/edit"' not in member_page
    mine = re.search(rf'formaction="/posts/{second}/react/thanks" class="mine"', member_page)
    assert mine and not re.search(rf'formaction="/posts/{first}/react/thanks" class="mine"',
                                  member_page)


def test_reaction_counts_show_only_where_not_zero(world, client, api):
    post = world.posts["public"].id
    api.put(f"/posts/{post}/reactions/thanks", world.tokens["facilitator"])
    sign_in(client, "moderator")
    html = _get(client, f"/threads/{world.threads['public'].id}")
    counts = re.findall(r'data-kind="(\w+)">\w+ <span class="count">(\d*)</span>', html)
    assert ("thanks", "1") in counts
    assert all(n != "0" for _, n in counts) and ("agree", "") in counts
    # Buttons stay for those who may react, in one page-wide form, never inside a <span>.
    assert f'form="acts" formaction="/posts/{post}/react/thanks"' in html
    assert not re.search(r"<span[^>]*>\s*<form", html)
    anonymous = _get(client.application.test_client(), f"/threads/{world.threads['public'].id}")
    assert 'data-kind="thanks">Thanks <span class="count">1</span>' in anonymous
    assert 'data-kind="agree"' not in anonymous  # no zero counts for those who may not react


def test_reacting_and_hiding_through_the_page_wide_form(world, client, api):
    post = world.posts["public"].id
    sign_in(client, "moderator")
    html = _get(client, f"/threads/{world.threads['public'].id}")
    token = csrf_from(html)
    client.post(f"/posts/{post}/react/agree", data={"csrf_token": token})
    assert api.get(f"/posts/{post}", world.tokens["moderator"]).json["reactions"]["agree"] == 1
    r = client.post(f"/posts/{post}/moderate", data={  # every post's reason field comes along
        "csrf_token": token, "action": "hide", f"reason-{post}": "off topic",
        f"reason-{post + 1000}": "not this one"})
    assert r.status_code == 303
    html = _get(client, f"/threads/{world.threads['public'].id}")
    assert "Hidden from members: <bdi>off topic</bdi>" in html


def test_author_line_names_the_organisation(world, client):
    from forum.services import organisations

    admin = f._here(world.users["admin"])
    org = organisations.create_organisation(admin, "Hackney Elders")
    organisations.set_member_organisation(admin, f._here(world.users["member"]), org)
    html = _get(client, f"/threads/{world.threads['public'].id}")
    assert '<a href="/users/member"><bdi>member</bdi></a></h2> <span class="org" dir="auto">' \
           'Hackney Elders</span>' in html


def test_flag_form_has_a_page_of_its_own(world, client, api):
    post = world.posts["public"].id
    sign_in(client, "facilitator")
    html = _get(client, f"/threads/{world.threads['public'].id}")
    assert f'<a href="/posts/{post}/flag">Flag</a>' in html and "<details" not in html
    page = _get(client, f"/posts/{post}/flag")
    assert "Send to moderators" in page and "public reply" in page
    r = client.post(f"/posts/{post}/flag", data={"csrf_token": csrf_from(page),
                                                  "reason": "spam", "note": ""})
    assert r.status_code == 303
    queue = api.get("/groups/public-group/moderation/queue", world.tokens["moderator"]).json
    assert any(item.get("post", {}).get("id") == post or item.get("post_id") == post
               for item in queue["items"])


def test_a_member_leaves_the_group_from_its_page(world, client, api):
    sign_in(client, "member")
    html = _get(client, "/groups/public-group")
    assert ">Leave group</button>" in html
    r = client.post("/groups/public-group/leave", data={"csrf_token": csrf_from(html)})
    assert r.status_code == 303
    assert api.get("/groups/public-group", world.tokens["member"]).json["my_role"] is None
    assert ">Leave group</button>" not in _get(client, "/groups/public-group")
    assert ">Leave group</button>" not in _get(client.application.test_client(),
                                                "/groups/public-group")


def test_the_top_sign_in_link_brings_you_back(world, client):
    thread = world.threads["public"].id
    html = _get(client, f"/threads/{thread}?page=1")
    assert f'href="/login?next=/threads/{thread}?page%3D1">Sign in</a>' in html \
        or f'href="/login?next=%2Fthreads%2F{thread}%3Fpage%3D1">Sign in</a>' in html
    page = _get(client, "/login")
    r = client.post(f"/login?next=/threads/{thread}", data={
        "username": "member", "password": f.PASSWORD, "csrf_token": csrf_from(page)})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/threads/{thread}")


def test_every_page_has_a_favicon_and_a_description(world, client):
    html = _get(client, "/")
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    assert client.get(icon).status_code == 200
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)


def test_presence_names_readers_as_the_pages_do(world, app):
    from forum.live.audiences import _display_names

    names = _display_names(["member", "moderator", "gone"])
    assert names[1] == f._here(world.users["moderator"]).display_name
    assert names[2] == "gone" and len(names) == 3
