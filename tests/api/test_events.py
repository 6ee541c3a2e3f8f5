"""Events of an informed conversation through the API (issue 20): arranging, answering with a
waiting list, calendars, reminders once, minutes cited in the response, signed mail links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from forum.extensions import db
from forum.models import OutgoingMail, User
from forum.services import events as event_service
from forum.services import organisations
from tests import factories as f


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _event(api, world, vis="public", *, starts=timedelta(days=3), hours=2, **extra):
    body = {"title": "Meeting with the ministry", "description": "Bring **questions**.",
            "starts_at": _at(starts), "ends_at": _at(starts + timedelta(hours=hours)),
            "location": "Town hall, room 2", "online_url": "https://meet.example.org/abc",
            **extra}
    r = api.post(f"/topics/{world.topics[vis].id}/events", world.tokens["facilitator"], body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _texts(api, token):
    return [n["text"] for n in api.get("/notifications", token).get_json()["items"]]


def test_a_facilitator_arranges_two_events_and_members_see_them(world, api):
    first = _event(api, world, capacity=2)
    second = _event(api, world, starts=timedelta(days=10))
    assert first["description_html"].strip() == "<p>Bring <strong>questions</strong>.</p>"
    listed = api.get(f"/topics/{world.topics['public'].id}/events", world.tokens["member"])
    assert [e["id"] for e in listed.get_json()["items"]] == [first["id"], second["id"]]
    seen = api.get(f"/events/{first['id']}", world.tokens["member"]).get_json()
    assert seen["my_rsvp"] is None and seen["online_url"] is None  # not going: no link
    assert seen["location"] == "Town hall, room 2" and seen["capacity"] == 2
    assert any("You are invited to “Meeting with the ministry”" in t
               for t in _texts(api, world.tokens["member"]))
    refused = api.post(f"/topics/{world.topics['public'].id}/events", world.tokens["member"],
                       {"title": "x", "starts_at": _at(timedelta(days=1)),
                        "ends_at": _at(timedelta(days=1, hours=1))})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    backwards = api.post(f"/topics/{world.topics['public'].id}/events",
                         world.tokens["facilitator"],
                         {"title": "x", "starts_at": _at(timedelta(days=2)),
                          "ends_at": _at(timedelta(days=1))})
    assert backwards.status_code == 400 and "ends_at" in backwards.get_json()["error"]["fields"]
    naive = api.post(f"/topics/{world.topics['public'].id}/events", world.tokens["facilitator"],
                     {"title": "x", "starts_at": "2030-01-01T10:00:00",
                      "ends_at": "2030-01-01T11:00:00"})
    assert naive.status_code == 400


def test_members_answer_until_the_waiting_list_moves_up(world, api):
    event = _event(api, world, capacity=2)
    path = f"/events/{event['id']}/rsvp"
    t = world.tokens
    going = api.put(path, t["member"], {"status": "going"}).get_json()
    assert going["my_rsvp"] == "going" and going["going_count"] == 1
    assert going["online_url"] == "https://meet.example.org/abc"  # going: the link shows
    assert api.put(path, t["moderator"], {"status": "going"}).get_json()["going_count"] == 2
    full = api.put(path, t["facilitator"], {"status": "going"})
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "conflict"
    waiting = api.put(path, t["facilitator"], {"status": "waiting"}).get_json()
    assert waiting["my_rsvp"] == "waiting" and waiting["going_count"] == 2
    admin_waits = api.put(path, t["admin"], {"status": "waiting"}).get_json()
    assert admin_waits["my_rsvp"] == "waiting"
    # someone going withdraws: the first waiting (the facilitator, not the admin) goes
    left = api.put(path, t["member"], {"status": "not_going"}).get_json()
    assert left["my_rsvp"] == "not_going" and left["going_count"] == 2
    assert api.get(f"/events/{event['id']}", t["facilitator"]).get_json()["my_rsvp"] == "going"
    assert api.get(f"/events/{event['id']}", t["admin"]).get_json()["my_rsvp"] == "waiting"
    assert any("A place opened up" in text for text in _texts(api, t["facilitator"]))
    people = api.get(f"/events/{event['id']}/attendees", t["facilitator"]).get_json()["items"]
    assert [(p["user"]["username"], p["status"]) for p in people] == [
        ("moderator", "going"), ("facilitator", "going"), ("admin", "waiting"),
        ("member", "not_going")]
    assert api.get(f"/events/{event['id']}/attendees", t["member"]).status_code == 403
    # more places move the rest of the list up
    api.patch(f"/events/{event['id']}", t["facilitator"], {"capacity": 5})
    assert api.get(f"/events/{event['id']}", t["admin"]).get_json()["my_rsvp"] == "going"
    assert api.put(path, t["pending"], {"status": "going"}).status_code == 403
    assert api.put(path, None, {"status": "going"}).status_code == 401
    assert api.put(path, t["member"], {"status": "later"}).status_code == 400


def test_the_ics_parses_and_carries_the_times_in_utc(world, api):
    event = _event(api, world)
    r = api.get(f"/events/{event['id']}/ics", world.tokens["member"])
    assert r.status_code == 200 and r.content_type.startswith("text/calendar")
    calendar = Calendar.from_ical(r.data)
    items = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(items) == 1
    item = items[0]
    starts = datetime.strptime(event["starts_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert item.decoded("dtstart") == starts
    assert item.decoded("dtend") == starts + timedelta(hours=2)
    assert b"DTSTART:" in r.data and starts.strftime("%Y%m%dT%H%M%SZ").encode() in r.data
    assert str(item["summary"]) == "Meeting with the ministry"
    assert "meet.example.org" not in r.get_data(as_text=True)  # not going: no link
    assert api.get(f"/events/{event['id']}/ics").status_code == 200  # public group


def test_a_private_topics_events_are_absent_to_outsiders(world, api):
    event = _event(api, world, "private")
    for token in (world.tokens["outsider"], None, world.tokens["pending"]):
        assert api.get(f"/events/{event['id']}", token).status_code == 404
        assert api.get(f"/events/{event['id']}/ics", token).status_code == 404
        r = api.put(f"/events/{event['id']}/rsvp", token, {"status": "going"})
        assert r.status_code == 404
    assert api.get(f"/events/{event['id']}", world.tokens["member"]).status_code == 200


def test_reminders_go_once_the_day_before_and_the_hour_before(world, api, app):
    event = _event(api, world, starts=timedelta(hours=20))
    api.put(f"/events/{event['id']}/rsvp", world.tokens["member"], {"status": "going"})
    api.put(f"/events/{event['id']}/rsvp", world.tokens["moderator"], {"status": "maybe"})
    api.put(f"/events/{event['id']}/rsvp", world.tokens["admin"], {"status": "not_going"})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reminders", "send"]).output.startswith("sent 2 reminders")
    assert runner.invoke(args=["reminders", "send"]).output.startswith("sent 0 reminders")
    starts = datetime.strptime(event["starts_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert event_service.send_reminders(now=starts - timedelta(minutes=40)) == 2
    assert event_service.send_reminders(now=starts - timedelta(minutes=20)) == 0
    texts = _texts(api, world.tokens["member"])
    assert sum("is tomorrow" in t for t in texts) == 1
    assert sum("within the hour" in t for t in texts) == 1
    assert not any("Reminder" in t for t in _texts(api, world.tokens["admin"]))


def test_a_change_of_place_and_a_cancellation_reach_those_going(world, api):
    event = _event(api, world)
    api.put(f"/events/{event['id']}/rsvp", world.tokens["member"], {"status": "going"})
    changed = api.patch(f"/events/{event['id']}", world.tokens["facilitator"],
                        {"location": "Library, first floor"})
    assert changed.status_code == 200 and changed.get_json()["location"] == "Library, first floor"
    assert any("has changed" in t and "Library" in t for t in _texts(api, world.tokens["member"]))
    assert not any("has changed" in t for t in _texts(api, world.tokens["moderator"]))
    assert api.delete(f"/events/{event['id']}", world.tokens["facilitator"]).status_code == 204
    assert any("is cancelled" in t for t in _texts(api, world.tokens["member"]))
    assert api.get(f"/events/{event['id']}", world.tokens["member"]).status_code == 404


def test_minutes_are_cited_in_a_summary_and_the_response_counts_events_and_organisations(
        world, api):
    admin = f._here(world.users["admin"])
    north = organisations.create_organisation(admin, "Northern Carers Network", "North")
    coast = organisations.create_organisation(admin, "Coastal Advice Trust", "South")
    organisations.set_member_organisation(f._here(admin), f._here(world.users["member"]), north)
    organisations.set_member_organisation(f._here(admin), f._here(world.users["moderator"]),
                                          coast)
    db.session.remove()
    t = world.tokens
    later = _event(api, world)
    early = api.put(f"/events/{later['id']}/minutes", t["facilitator"], {"body": "Too soon"})
    assert early.status_code == 409
    events = []
    for _ in range(2):
        event = _event(api, world, starts=timedelta(minutes=-30))  # under way
        for who in ("member", "moderator"):
            api.put(f"/events/{event['id']}/rsvp", t[who], {"status": "going"})
        events.append(event)
    minutes = api.put(f"/events/{events[0]['id']}/minutes", t["facilitator"],
                      {"body": "We heard **three** concerns."})
    assert minutes.status_code == 200
    body = minutes.get_json()
    assert body["minutes_html"].strip() == "<p>We heard <strong>three</strong> concerns.</p>"
    assert {a["organisation"] for a in body["attendance"]} == {"Northern Carers Network",
                                                              "Coastal Advice Trust"}
    second = api.put(f"/events/{events[1]['id']}/minutes", t["facilitator"],
                     {"body": "Short meeting.", "attended": ["member"]})
    assert [a["organisation"] for a in second.get_json()["attendance"]] == [
        "Northern Carers Network"]
    assert api.put(f"/events/{events[1]['id']}/minutes", t["member"],
                   {"body": "x"}).status_code == 403
    topic_id = world.topics["public"].id
    summary = api.post(f"/topics/{topic_id}/summary", t["facilitator"], {
        "body": f"As the meetings showed [[event:{events[0]['id']}]] and "
                f"[[event:{events[1]['id']}]], services must change.", "publish": True})
    assert summary.status_code == 201
    assert f'href="/events/{events[0]["id"]}"' in summary.get_json()["body_html"]
    md = api.get(f"/topics/{topic_id}/response?format=md", t["member"]).get_data(as_text=True)
    assert "Informed by 2 events with 2 organisations." in md


def test_an_invitation_mail_answers_with_one_click_after_confirming(world, api, client):
    event = _event(api, world)
    member = db.session.query(User).filter_by(username="member").one()
    mail = db.session.query(OutgoingMail).filter_by(user_id=member.id).order_by(
        OutgoingMail.id.desc()).first()
    assert "I am going: " in mail.body
    link = next(line.split(": ", 1)[1] for line in mail.body.splitlines()
                if line.startswith("I am going: "))
    path = link.split("127.0.0.1:5000", 1)[-1]
    db.session.remove()
    page = client.get(path)
    assert page.status_code == 200 and "Confirm" in page.get_data(as_text=True)
    assert api.get(f"/events/{event['id']}", world.tokens["member"]).get_json()["my_rsvp"] is None
    assert client.post(path).status_code == 200
    assert api.get(f"/events/{event['id']}", world.tokens["member"]).get_json()[
        "my_rsvp"] == "going"
    assert client.get(path[:-3] + "xyz").status_code == 404


def test_the_calendar_feed_is_secret_revocable_and_follows_membership(world, api, client):
    public = _event(api, world)
    private = _event(api, world, "private")
    member = f._here(world.users["member"])
    token = event_service.regenerate_feed(member)
    db.session.remove()
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    uids = [str(c["uid"]) for c in Calendar.from_ical(feed.data).walk("VEVENT")]
    assert any(u.startswith(f"event-{public['id']}@") for u in uids)
    assert any(u.startswith(f"event-{private['id']}@") for u in uids)
    admin = f._here(world.users["admin"])
    from forum.services import groups
    groups.remove_member(admin, f._here(world.groups["private"]), f._here(world.users["member"]))
    db.session.remove()
    uids = [str(c["uid"]) for c in Calendar.from_ical(
        client.get(f"/calendar/{token}.ics").data).walk("VEVENT")]
    assert not any(u.startswith(f"event-{private['id']}@") for u in uids)
    new = event_service.regenerate_feed(f._here(world.users["member"]))
    db.session.remove()
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    event_service.revoke_feed(f._here(world.users["member"]))
    db.session.remove()
    assert client.get(f"/calendar/{new}.ics").status_code == 404
