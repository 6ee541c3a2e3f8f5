"""Everyday participation through the API (#16), on both databases: read positions, following,
drafts, people, search a member can use, what needs me, and the right words for the waiting."""

from __future__ import annotations

from forum.extensions import db
from tests import factories as f


def _thread(world):
    return world.threads["public"]


# --- 1. read positions ------------------------------------------------------------------------

def test_unread_counts_follow_the_read_position_and_leave_out_ones_own(world, api):
    thread = _thread(world)
    tok = world.tokens["facilitator"]
    first = api.get(f"/threads/{thread.id}", tok).json
    # never visited: both of member's posts are new to the facilitator
    assert first["last_read_post_id"] is None and first["unread_count"] == 2
    posts = api.get(f"/threads/{thread.id}/posts").json["items"]
    assert api.put(f"/threads/{thread.id}/read", tok,
                   {"post_id": posts[0]["id"]}).status_code == 204
    after = api.get(f"/threads/{thread.id}", tok).json
    assert after["last_read_post_id"] == posts[0]["id"] and after["unread_count"] == 1
    # the member's own posts are never unread for them
    assert api.get(f"/threads/{thread.id}", world.tokens["member"]).json["unread_count"] == 0


def test_read_position_only_moves_forward(world, api):
    thread = _thread(world)
    tok = world.tokens["facilitator"]
    posts = api.get(f"/threads/{thread.id}/posts").json["items"]
    api.put(f"/threads/{thread.id}/read", tok, {"post_id": posts[1]["id"]})
    assert api.put(f"/threads/{thread.id}/read", tok,
                   {"post_id": posts[0]["id"]}).status_code == 204
    assert api.get(f"/threads/{thread.id}", tok).json["last_read_post_id"] == posts[1]["id"]


def test_read_position_refuses_a_post_of_another_thread_and_anonymous(world, api):
    thread = _thread(world)
    other = world.posts["private"].id
    r = api.put(f"/threads/{thread.id}/read", world.tokens["facilitator"], {"post_id": other})
    assert r.status_code == 400 and "post_id" in r.json["error"]["fields"]
    assert api.put(f"/threads/{thread.id}/read", None, {"post_id": 1}).status_code == 401


def test_anonymous_callers_get_null_unread(world, api):
    thread = api.get(f"/threads/{_thread(world).id}").json
    assert thread["unread_count"] is None and thread["last_read_post_id"] is None
    topic = api.get(f"/topics/{world.topics['public'].id}").json
    assert topic["unread_count"] is None


def test_topic_unread_sums_its_threads_in_lists(world, api):
    tok = world.tokens["facilitator"]
    f.thread(world.users["member"], world.topics["public"], "Second", "Second first post")
    topics = api.get("/groups/public-group/topics", tok).json["items"]
    assert topics[0]["unread_count"] == 3
    threads = api.get(f"/topics/{world.topics['public'].id}/threads", tok).json["items"]
    assert sorted(t["unread_count"] for t in threads) == [1, 2]


def test_unread_leaves_out_pending_posts_and_pending_threads_of_others(world, api):
    admin = world.users["admin"]
    g = f.group(admin, "premod", premoderate=True)
    f.member(admin, g, world.users["member"])
    f.member(admin, g, world.users["facilitator"], "facilitator")
    t = f.topic(world.users["facilitator"], g)
    th = f.thread(world.users["facilitator"], t, "Open")
    pending = f.post(world.users["member"], th, "waiting for approval")
    tok = world.tokens["facilitator"]  # sees the pending post, which is not published yet
    assert api.get(f"/threads/{th.id}", tok).json["unread_count"] == 0
    assert api.get(f"/topics/{t.id}", tok).json["unread_count"] == 0
    api.post(f"/posts/{pending.id}/approve", world.tokens["admin"])
    assert api.get(f"/threads/{th.id}", tok).json["unread_count"] == 1
    assert api.get(f"/topics/{t.id}", tok).json["unread_count"] == 1


# --- 2. following -----------------------------------------------------------------------------

def _notes(api, token):
    """Notifications about posts (the world's membership ones left out)."""
    return [n for n in api.get("/notifications", token).json["items"]
            if n["kind"] != "membership"]


def _kinds(api, token):
    return [n["kind"] for n in _notes(api, token)]


def test_watch_levels_default_to_normal_and_can_be_set(world, api):
    tok = world.tokens["facilitator"]
    thread = _thread(world)
    for path in (f"/threads/{thread.id}/watch", f"/topics/{world.topics['public'].id}/watch",
                 "/groups/public-group/watch"):
        assert api.get(path, tok).json == {"level": "normal"}
        r = api.put(path, tok, {"level": "watching"})
        assert r.status_code == 200 and r.json == {"level": "watching"}
        assert api.get(path, tok).json == {"level": "watching"}
    r = api.put(f"/threads/{thread.id}/watch", tok, {"level": "loud"})
    assert r.status_code == 400
    assert api.get("/groups/private-group/watch", world.tokens["outsider"]).status_code == 404
    assert api.get("/groups/public-group/watch").status_code == 401


def test_watching_a_group_notifies_every_new_post_but_not_ones_own(world, api):
    tok = world.tokens["facilitator"]
    api.put("/groups/public-group/watch", tok, {"level": "watching"})
    api.post(f"/threads/{_thread(world).id}/posts", world.tokens["member"], {"body": "News"})
    api.post(f"/threads/{_thread(world).id}/posts", tok, {"body": "My own"})
    notes = _notes(api, tok)
    assert [n["kind"] for n in notes] == ["post"] and "News" in notes[0]["text"]


def test_most_specific_level_wins(world, api):
    tok = world.tokens["facilitator"]
    thread = _thread(world)
    api.put("/groups/public-group/watch", tok, {"level": "watching"})
    api.put(f"/threads/{thread.id}/watch", tok, {"level": "muted"})
    api.post(f"/threads/{thread.id}/posts", world.tokens["member"],
             {"body": "Hello @facilitator"})
    assert _kinds(api, tok) == []  # muted: mentions included
    api.put(f"/threads/{thread.id}/watch", tok, {"level": "normal"})
    api.post(f"/threads/{thread.id}/posts", world.tokens["member"], {"body": "Plain"})
    api.post(f"/threads/{thread.id}/posts", world.tokens["member"], {"body": "Hi @facilitator"})
    assert _kinds(api, tok) == ["mention"]


def test_watching_needs_sight_of_the_post_at_delivery(world, api):
    # a watcher of the private group who is removed hears of nothing more
    tok = world.tokens["facilitator"]
    api.put("/groups/private-group/watch", tok, {"level": "watching"})
    api.delete("/groups/private-group/members/facilitator", world.tokens["moderator"])
    api.post(f"/threads/{world.threads['private'].id}/posts", world.tokens["member"],
             {"body": "Secret"})
    assert _kinds(api, tok) == []


def test_starting_or_replying_in_a_muted_group_is_not_silent(world, api):
    tok = world.tokens["facilitator"]
    api.put("/groups/public-group/watch", tok, {"level": "muted"})
    r = api.post(f"/topics/{world.topics['public'].id}/threads", tok,
                 {"title": "Mine", "body": "My first post"})
    first = r.json["first_post"]["id"]
    assert api.get(f"/threads/{r.json['id']}/watch", tok).json == {"level": "normal"}
    api.post(f"/threads/{r.json['id']}/posts", world.tokens["member"],
             {"body": "An answer", "reply_to": first})
    assert _kinds(api, tok) == ["reply"]


def test_mentions_in_a_threads_first_post_notify(world, api):
    api.post(f"/topics/{world.topics['public'].id}/threads", world.tokens["member"],
             {"title": "Ask", "body": "What do you think, @facilitator?"})
    assert _kinds(api, world.tokens["facilitator"]) == ["mention"]


def test_mail_preferences_know_the_post_kind(world, api):
    prefs = api.get("/me/mail-preferences", world.tokens["member"]).json
    assert prefs["post"] == "immediate"


# --- 3. drafts --------------------------------------------------------------------------------

def test_reply_draft_round_trip_and_removed_by_posting(world, api):
    tok = world.tokens["member"]
    thread = _thread(world)
    path = f"/threads/{thread.id}/draft"
    assert api.get(path, tok).status_code == 404
    assert api.put(path, tok, {"body": "Half a thought"}).status_code == 204
    got = api.get(path, tok).json
    assert got["body"] == "Half a thought" and got["updated_at"].endswith("Z")
    assert "title" not in got
    assert api.get(path, world.tokens["facilitator"]).status_code == 404  # theirs alone
    listed = api.get("/me/drafts", tok).json["items"]
    assert listed == [{"kind": "reply", "thread_id": thread.id,
                       "topic_id": world.topics["public"].id, "title": "public thread",
                       "excerpt": "Half a thought", "updated_at": got["updated_at"]}]
    api.post(f"/threads/{thread.id}/posts", tok, {"body": "The whole thought"})
    assert api.get(path, tok).status_code == 404


def test_thread_draft_keeps_a_title_and_goes_when_the_thread_starts(world, api):
    tok = world.tokens["member"]
    topic_id = world.topics["public"].id
    path = f"/topics/{topic_id}/draft"
    assert api.put(path, tok, {"title": "Transport", "body": "Buses"}).status_code == 204
    assert api.get(path, tok).json["title"] == "Transport"
    assert api.get("/me/drafts", tok).json["items"][0]["kind"] == "thread"
    api.post(f"/topics/{topic_id}/threads", tok, {"title": "Transport", "body": "Buses!"})
    assert api.get(path, tok).status_code == 404


def test_draft_delete_and_private_thread_is_404_for_outsiders(world, api):
    tok = world.tokens["member"]
    path = f"/threads/{_thread(world).id}/draft"
    api.put(path, tok, {"body": "x"})
    assert api.delete(path, tok).status_code == 204
    assert api.get(path, tok).status_code == 404
    private = f"/threads/{world.threads['private'].id}/draft"
    assert api.put(private, world.tokens["outsider"], {"body": "x"}).status_code == 404


def test_preview_renders_markdown_without_storing(world, api):
    r = api.post("/preview", world.tokens["member"], {"body": "**bold** <script>x</script>"})
    assert r.status_code == 200 and "<strong>bold</strong>" in r.json["html"]
    assert "<script>" not in r.json["html"]


# --- 4. people --------------------------------------------------------------------------------

def test_person_shows_only_groups_the_caller_sees(world, api):
    r = api.get("/users/member", world.tokens["outsider"])
    assert r.status_code == 200
    assert r.json["username"] == "member" and r.json["joined_at"].endswith("Z")
    assert r.json["groups"] == [{"slug": "public-group", "name": "Public Group"}]
    mine = api.get("/users/member", world.tokens["moderator"]).json
    assert {g["slug"] for g in mine["groups"]} == {"public-group", "private-group"}
    assert api.get("/users/nobody-here").status_code == 404


def test_erased_person_is_404(world, api):
    api.post("/admin/users/outsider/erase", world.tokens["admin"], {"keep_posts": True})
    assert api.get("/users/outsider").status_code == 404


def test_autocomplete_lists_members_of_a_visible_group(world, api):
    r = api.get("/users?prefix=fac&group=public-group", world.tokens["member"])
    assert r.json["items"] == [{"username": "facilitator", "display_name": "facilitator"}]
    # pending members are not members
    assert api.get("/users?prefix=pend&group=public-group",
                   world.tokens["member"]).json["items"] == []
    assert api.get("/users?prefix=f&group=private-group",
                   world.tokens["outsider"]).status_code == 404
    assert api.get("/users?prefix=f", world.tokens["member"]).status_code == 400
    assert len(api.get("/users?prefix=&group=public-group").json["items"]) <= 10


def test_mentions_render_as_links_to_the_person(world, api):
    r = api.post(f"/threads/{_thread(world).id}/posts", world.tokens["member"],
                 {"body": "Thanks @facilitator, and `@code` stays"})
    html = r.json["body_html"]
    assert '<a href="/users/facilitator"' in html and "<code>@code</code>" in html


# --- 5. search a member can use ---------------------------------------------------------------

def test_search_results_say_who_when_and_where_and_page(world, api):
    thread = _thread(world)
    for i in range(3):
        f.post(world.users["facilitator"], thread, f"Quokkas number {i} <b>bold</b>")
    r = api.get("/search?q=quokkas&per_page=2", world.tokens["member"]).json
    assert r["total"] == 3 and r["page"] == 1 and r["per_page"] == 2 and len(r["results"]) == 2
    hit = r["results"][0]
    assert hit["author"] == {"username": "facilitator", "display_name": "facilitator"}
    assert hit["group"] == {"slug": "public-group", "name": "Public Group"}
    assert hit["topic"] == {"id": world.topics["public"].id, "title": "public topic"}
    assert hit["created_at"].endswith("Z") and "<mark>" in hit["snippet"].lower()
    assert "<b>" not in hit["snippet"]
    second = api.get("/search?q=quokkas&per_page=2&page=2", world.tokens["member"]).json
    ids = [h["id"] for h in r["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 3  # each post once


def test_search_reindex_writes_old_entries_again(world, api, app):
    """Entries written before plain_text gave characters showed entities escaped twice; the
    operator's `flask search reindex` writes every entry again from what it indexes."""
    from sqlalchemy import update

    from forum.models import SearchEntry

    post = f.post(world.users["facilitator"], _thread(world), "Wombats & biscuits for tea")
    db.session.execute(update(SearchEntry).where(SearchEntry.kind == "post",
                                                 SearchEntry.object_id == post.id)
                       .values(body="Wombats &amp; biscuits for tea"))  # as written before
    db.session.commit()
    snippet = lambda: api.get("/search?q=wombats", world.tokens["member"]).json[  # noqa: E731
        "results"][0]["snippet"]
    assert "&amp;amp;" in snippet()
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "reindexed" in result.output, result.output
    assert "</mark> &amp; biscuits" in snippet() and "&amp;amp;" not in snippet()
    assert api.get("/search?q=wombats", world.tokens["member"]).json["total"] == 1


def test_search_filters_by_author_and_dates(world, api):
    thread = _thread(world)
    f.post(world.users["facilitator"], thread, "Wombats by the facilitator")
    f.post(world.users["member"], thread, "Wombats by the member")
    tok = world.tokens["member"]
    hits = api.get("/search?q=wombats&author=facilitator", tok).json["results"]
    assert [h["author"]["username"] for h in hits] == ["facilitator"]
    assert api.get("/search?q=wombats&author=nobody-at-all", tok).json["results"] == []
    assert api.get("/search?q=wombats&from=2000-01-01&to=2000-01-02",
                   tok).json["results"] == []
    assert len(api.get("/search?q=wombats&from=2000-01-01", tok).json["results"]) == 2
    assert api.get("/search?q=wombats&from=yesterday", tok).status_code == 400


def test_search_keeps_private_posts_private(world, api):
    hits = api.get("/search?q=private", world.tokens["outsider"]).json["results"]
    assert hits == []


# --- 6. what needs me -------------------------------------------------------------------------

def test_agenda_lists_deadlines_reviews_and_invitations_soonest_first(world, api):
    from datetime import datetime, timedelta, timezone

    soon = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (datetime.now(timezone.utc) + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    fac = world.tokens["facilitator"]
    t1 = api.post("/groups/public-group/topics", fac, {"title": "Later", "briefing": "b",
                                                        "response_deadline": later}).json
    t2 = api.post("/groups/public-group/topics", fac, {"title": "Soon", "briefing": "b",
                                                        "response_deadline": soon}).json
    items = api.get("/me/agenda", world.tokens["member"]).json["items"]
    deadlines = [i for i in items if i["kind"] == "deadline"]
    assert [i["url"] for i in deadlines] == [f"/topics/{t2['id']}", f"/topics/{t1['id']}"]
    assert deadlines[0]["group"] == {"slug": "public-group", "name": "Public Group"}
    # posting in the topic takes it off the member's agenda
    api.post(f"/topics/{t2['id']}/threads", world.tokens["member"], {"title": "x", "body": "y"})
    urls = [i["url"] for i in api.get("/me/agenda", world.tokens["member"]).json["items"]]
    assert f"/topics/{t2['id']}" not in urls
    # a flag puts the review queue on the moderator's agenda, not on the member's
    api.post(f"/posts/{world.posts['public'].id}/flags", world.tokens["facilitator"],
             {"reason": "spam"})
    kinds = [i["kind"] for i in api.get("/me/agenda", world.tokens["moderator"]).json["items"]]
    assert "review" in kinds
    assert "review" not in [i["kind"] for i in
                            api.get("/me/agenda", world.tokens["member"]).json["items"]]
    # an invitation by username
    api.post("/groups/private-group/invitations", world.tokens["moderator"],
             {"username": "outsider"})
    outsider = api.get("/me/agenda", world.tokens["outsider"]).json["items"]
    assert [i["kind"] for i in outsider] == ["invitation"]
    assert api.get("/me/agenda").status_code == 401
