"""Event and document pages (issue 20): plain forms, no JavaScript needed."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from tests.web.test_auth import sign_in

PDF = b"%PDF-1.4\n%%EOF\n"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _when(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M")


def test_a_facilitator_arranges_an_event_and_a_member_answers_from_the_topic_page(world,
                                                                                   app):
    topic_id = world.topics["public"].id
    fac = app.test_client()
    sign_in(fac, "facilitator")
    page = fac.get(f"/topics/{topic_id}").get_data(as_text=True)
    assert "Arrange an event" in page and "Briefing pack" in page
    r = fac.post(f"/topics/{topic_id}/events", data={
        "csrf_token": _csrf(page), "title": "Listening session", "description": "Bring *notes*",
        "starts_at": _when(timedelta(days=2)), "ends_at": _when(timedelta(days=2, hours=1)),
        "location": "Community centre", "online_url": "https://meet.example.org/x",
        "capacity": "1"})
    assert r.status_code == 303 and "/events/" in r.headers["Location"]
    event_path = r.headers["Location"]
    r = fac.post(f"/topics/{topic_id}/attachments", data={
        "csrf_token": _csrf(page), "file": (io.BytesIO(PDF), "pack.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 303
    member = app.test_client()
    sign_in(member, "member")
    page = member.get(f"/topics/{topic_id}").get_data(as_text=True)
    assert "Listening session" in page and "pack.pdf" in page and "PDF" in page
    assert "Arrange an event" not in page and 'name="file"' not in page
    event_id = int(event_path.rsplit("/", 1)[1])
    r = member.post(f"/events/{event_id}/rsvp", data={"csrf_token": _csrf(page),
                                                     "status": "going", "back": "topic"})
    assert r.status_code == 303
    shown = member.get(event_path).get_data(as_text=True)
    assert "You are going." in shown and "https://meet.example.org/x" in shown
    other = app.test_client()
    sign_in(other, "moderator")
    shown = other.get(event_path).get_data(as_text=True)
    assert "Join the waiting list" in shown  # full: the facilitator rights show the link
    reader = app.test_client()
    sign_in(reader, "outsider")  # reads the public group, is not going
    shown = reader.get(event_path).get_data(as_text=True)
    assert "https://meet.example.org/x" not in shown and "Join the group" in shown
    ics = reader.get(f"/events/{event_id}.ics")
    assert ics.status_code == 200 and b"meet.example.org" not in ics.data


def test_a_private_event_page_and_document_are_404_to_an_outsider(world, app, api):
    r = api.post(f"/topics/{world.topics['private'].id}/attachments",
                 world.tokens["facilitator"], data={"file": (io.BytesIO(PDF), "secret.pdf")},
                 content_type="multipart/form-data")
    doc_id = r.get_json()["id"]
    outsider = app.test_client()
    sign_in(outsider, "outsider")
    assert outsider.get(f"/attachments/{doc_id}").status_code == 404
    assert app.test_client().get(f"/attachments/{doc_id}").status_code == 404
    member = app.test_client()
    sign_in(member, "member")
    assert member.get(f"/attachments/{doc_id}").data == PDF
