"""Briefings and summaries in community languages through the pages, without JavaScript (#18)."""

from __future__ import annotations

from forum.extensions import db
from forum.services import summaries
from forum.services import translations as translation_service
from forum.services import topics as topic_service
from tests import factories as f
from tests.web.test_auth import csrf_from, sign_in


def _client(app, username, **headers):
    c = app.test_client()
    if username:
        sign_in(c, username)
    if headers:
        c.environ_base.update({f"HTTP_{k.upper().replace('-', '_')}": v
                               for k, v in headers.items()})
    return c


def test_facilitator_adds_a_bengali_briefing_that_a_bengali_reader_sees_first(app, world):
    topic = world.topics["public"]
    fac = _client(app, "facilitator")
    page = f"/topics/{topic.id}/translations"
    token = csrf_from(fac.get(page).get_data(as_text=True))
    r = fac.post(page, data={"csrf_token": token, "kind": "briefing", "locale": "bn",
                             "body": "বাংলায় ব্রিফিং"})
    assert r.status_code == 303
    reader = _client(app, None, accept_language="bn")
    html = reader.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert '<div class="body" dir="auto" lang="bn"><p>বাংলায় ব্রিফিং</p>' in html
    assert f'href="/topics/{topic.id}?original=1#briefing"' in html
    original = reader.get(f"/topics/{topic.id}?original=1").get_data(as_text=True)
    assert "বাংলায় ব্রিফিং" not in original
    assert f'href="/topics/{topic.id}?version=bn#briefing"' in original
    english = _client(app, None).get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "বাংলায় ব্রিফিং" not in english and 'lang="bn">বাংলা</a>' in english


def test_a_version_says_the_original_changed(app, world):
    topic, fac = world.topics["public"], world.users["facilitator"]
    translation_service.put_translation(fac, topic, "briefing", "ur", "اردو میں")
    topic_service.update_topic(fac, db.session.get(type(topic), topic.id), briefing="Changed")
    html = _client(app, None, accept_language="ur").get(f"/topics/{topic.id}") \
        .get_data(as_text=True)
    assert 'lang="ur"' in html and "اردو میں" in html
    assert 'class="meta stale"' in html


def test_summary_version_keeps_citations_to_the_original_post(app, world):
    topic, fac, post = world.topics["public"], world.users["facilitator"], world.posts["public"]
    summaries.write_summary(fac, topic, f"We said [[post:{post.id}]]", True)
    translation_service.put_translation(fac, topic, "summary", "pl",
                                        f"Powiedzieliśmy [[post:{post.id}]]")
    html = _client(app, None, accept_language="pl").get(f"/topics/{topic.id}") \
        .get_data(as_text=True)
    assert 'lang="pl"' in html and "Powiedzieliśmy" in html
    assert f'href="/posts/{post.id}"' in html


def test_members_get_no_form_and_unknown_languages_are_refused(app, world):
    topic = world.topics["public"]
    assert _client(app, "member").get(f"/topics/{topic.id}/translations").status_code == 403
    fac = _client(app, "facilitator")
    page = f"/topics/{topic.id}/translations"
    token = csrf_from(fac.get(page).get_data(as_text=True))
    r = fac.post(page, data={"csrf_token": token, "kind": "briefing", "locale": "xx",
                             "body": "x"})
    assert r.status_code == 400
