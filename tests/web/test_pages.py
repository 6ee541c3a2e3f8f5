"""Every role's work through the HTML pages, without JavaScript (the Flask test client)."""

from __future__ import annotations

import re

from tests.web.test_auth import csrf_from, sign_in


def form_token(client, path):
    return csrf_from(client.get(path).get_data(as_text=True))


def test_member_joins_starts_a_thread_replies_reacts_and_flags(world, client):
    sign_in(client, "outsider")
    slug = world.groups["public"].slug
    page = client.get(f"/groups/{slug}").get_data(as_text=True)
    assert "Ask to join" in page
    # The public group is a request group: a moderator approves.
    client.post(f"/groups/{slug}/join", data={"csrf_token": csrf_from(page)})
    assert "waiting for a moderator" in client.get(f"/groups/{slug}").get_data(as_text=True)
    moderator = client.application.test_client()
    sign_in(moderator, "moderator")
    members = f"/groups/{slug}/members"
    moderator.post(members, data={"csrf_token": form_token(moderator, members),
                                  "username": "outsider", "role": "member"})
    topic = world.topics["public"].id
    r = client.post(f"/topics/{topic}", data={"csrf_token": form_token(client, f"/topics/{topic}"),
                                               "title": "Face to face", "body": "We need **it**"})
    assert r.status_code == 303
    thread_url = r.headers["Location"]
    page = client.get(thread_url).get_data(as_text=True)
    assert "<strong>it</strong>" in page
    r = client.post(thread_url, data={"csrf_token": csrf_from(page), "body": "And a reply"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/posts/")
    page = client.get(thread_url).get_data(as_text=True)
    assert "And a reply" in page
    post_id = int(re.findall(r'id="post-(\d+)"', page)[-1])
    client.post(f"/posts/{post_id}/react/agree", data={"csrf_token": csrf_from(page)})
    page = client.get(thread_url).get_data(as_text=True)
    assert re.search(r'aria-pressed="true" data-kind="agree">Agree <span class="count">1', page)
    other = world.posts["public"].id
    client.post(f"/posts/{other}/flag", data={"csrf_token": csrf_from(page), "reason": "spam",
                                              "note": "advert"})
    queue = moderator.get(f"/groups/{slug}/moderation").get_data(as_text=True)
    assert "advert" in queue and "Flagged post" in queue


def test_reply_form_keeps_the_text_and_shows_the_error_next_to_it(world, client):
    sign_in(client, "member")
    thread = world.threads["public"].id
    page = client.get(f"/threads/{thread}").get_data(as_text=True)
    r = client.post(f"/threads/{thread}", data={"csrf_token": csrf_from(page),
                                                "body": "x" * 70000})
    assert r.status_code == 413
    assert "x" * 100 in r.get_data(as_text=True)  # what the user typed is kept
    r = client.post(f"/threads/{thread}", data={"csrf_token": csrf_from(page), "body": "  "})
    assert r.status_code == 400 and 'id="body-error"' in r.get_data(as_text=True)


def test_preview_renders_without_posting(world, client):
    sign_in(client, "member")
    thread = world.threads["public"].id
    page = client.get(f"/threads/{thread}").get_data(as_text=True)
    r = client.post(f"/threads/{thread}", data={"csrf_token": csrf_from(page),
                                                "body": "_draft_", "preview": "1"})
    assert r.status_code == 200 and "<em>draft</em>" in r.get_data(as_text=True)
    after = client.get(f"/threads/{thread}").get_data(as_text=True)
    assert "<em>draft</em>" not in after and "_draft_" not in after


def test_moderator_hides_a_post_and_members_see_it_collapsed(world, client):
    sign_in(client, "moderator")
    post = world.posts["public"].id
    thread = world.threads["public"].id
    page = client.get(f"/threads/{thread}").get_data(as_text=True)
    client.post(f"/posts/{post}/moderate", data={"csrf_token": csrf_from(page),
                                                 "action": "hide", "reason": "personal data"})
    member = client.application.test_client()
    sign_in(member, "facilitator")
    page = member.get(f"/threads/{thread}").get_data(as_text=True)
    assert "This post was hidden by a moderator." in page and "public reply" not in page


def test_facilitator_writes_previews_and_publishes_a_summary(world, client):
    sign_in(client, "facilitator")
    topic = world.topics["public"].id
    editor = f"/topics/{topic}/summary/edit"
    page = client.get(editor).get_data(as_text=True)
    assert "What the group said" in page and "Download report" in page
    post = world.posts["public"].id
    r = client.post(editor, data={"csrf_token": csrf_from(page),
                                  "body": f"We heard [[post:{post}]]", "preview": "1"})
    assert f'href="/posts/{post}"' in r.get_data(as_text=True)
    r = client.post(editor, data={"csrf_token": csrf_from(page),
                                  "body": f"We heard [[post:{post}]]", "publish": "y"})
    assert r.status_code == 303
    topic_page = client.get(f"/topics/{topic}").get_data(as_text=True)
    assert "We heard" in topic_page and "Version 1" in topic_page
    member = client.application.test_client()
    sign_in(member, "member")
    assert member.get(editor).status_code == 403


def test_private_pages_are_404_to_outsiders_and_anonymous(world, client):
    private = [f"/groups/{world.groups['private'].slug}", f"/topics/{world.topics['private'].id}",
               f"/threads/{world.threads['private'].id}", f"/posts/{world.posts['private'].id}",
               f"/groups/{world.groups['private'].slug}/members"]
    for path in private:
        assert client.get(path).status_code == 404, path
    sign_in(client, "outsider")
    for path in private:
        r = client.get(path)
        assert r.status_code == 404 and "private" not in r.get_data(as_text=True).lower(), path


def test_pages_send_a_strict_content_security_policy(app, client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["Referrer-Policy"] == "same-origin"
    css = re.search(r'href="(/static/css/forum.css\?v=\w+)"', r.get_data(as_text=True)).group(1)
    assert "immutable" in client.get(css).headers["Cache-Control"]


def test_signup_follows_the_registration_setting(app, client):
    page = client.get("/signup").get_data(as_text=True)
    r = client.post("/signup", data={"csrf_token": csrf_from(page), "username": "newcomer",
                                     "display_name": "New Comer", "email": "new@example.org",
                                     "password": "a-long-password-1"})
    assert r.status_code == 303
    # approval (the default): the account cannot sign in before an admin approves it
    assert sign_in(client, "newcomer", "a-long-password-1").status_code == 401


def test_a_thread_page_of_50_posts_weighs_under_100_kb_compressed(world, client):
    from forum.extensions import db
    from forum.models import Thread
    from tests import factories as f

    thread = db.session.get(Thread, world.threads["public"].id)
    for i in range(48):
        f.post(world.users["member"], thread,
               f"Point {i}: interpreting must be **funded** as core provision, and carers "
               f"should not be asked to bring relatives. See https://example.org/{i}")
    sign_in(client, "moderator")  # the heaviest view: every control shown
    headers = {"Accept-Encoding": "gzip"}
    page = client.get(f"/threads/{thread.id}", headers=headers)
    html = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert html.count('class="post') == 50
    total = len(page.data)
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        total += len(client.get(asset, headers=headers).data)
    assert total < 100 * 1024, total


def test_every_main_page_has_a_plain_short_title(world, client):
    sign_in(client, "moderator")
    slug = world.groups["public"].slug
    for path in ["/", f"/groups/{slug}", f"/groups/{slug}/members", f"/groups/{slug}/moderation",
                 f"/groups/{slug}/moderation/log", f"/topics/{world.topics['public'].id}",
                 f"/threads/{world.threads['public'].id}", "/profile", "/tokens",
                 "/notifications", "/search", f"/topics/{world.topics['public'].id}/summary/edit",
                 f"/posts/{world.posts['public'].id}/history", "/invitations"]:
        html = client.get(path).get_data(as_text=True)
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert "<" not in title and len(title) < 160, (path, title[:200])
        assert html.count("<main") == 1, path
