"""Events of an informed conversation: arranging, RSVPs with a waiting list, reminders,
minutes with attendance by organisation, calendars (.ics and a personal feed) and the
signed links in mail that answer an invitation without signing in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update

from forum import markup
from forum import permissions as perm
from forum.db import unit_of_work
from forum.errors import Conflict, NotFound, ValidationFailed
from forum.extensions import db
from forum.i18n import Message
from forum.markup import render_markdown
from forum.models import (
    CalendarFeed,
    Event,
    EventReminder,
    EventRsvp,
    Membership,
    Organisation,
    OutgoingMail,
    Summary,
    Topic,
    User,
    utcnow,
)
from forum.permissions import actions, delivery
from forum.permissions import events as rules
from forum.services.audit import notify
from forum.services.validation import check_aware, check_body, single_line

STATUSES = ("going", "maybe", "not_going", "waiting")
ANSWERS = ("going", "maybe", "not_going")  # what an invitation mail offers
MAX_CAPACITY = 100_000
RSVP_LINK_DAYS = 120
NOTIFY_KIND = "conversation"
EVENT_REF = markup.EVENT_REF


# --- reading ----------------------------------------------------------------------------------

def get_event(event_id: int, viewer: perm.Viewer) -> Event:
    """The event, or 404 when it is absent or its topic is out of the viewer's sight."""
    event = db.session.get(Event, event_id)
    if event is None or rules.see_event(viewer, event) is not True:
        raise NotFound(_("No such event."))
    return event


def list_events(topic: Topic) -> list[Event]:
    """A topic's events, soonest first (the caller has seen the topic)."""
    return list(db.session.scalars(select(Event).where(Event.topic_id == topic.id)
                                   .order_by(Event.starts_at, Event.id)))


def my_statuses(viewer: perm.Viewer, events: list[Event]) -> dict[int, str]:
    if not perm._signed_in(viewer) or not events:
        return {}
    return dict(db.session.execute(select(EventRsvp.event_id, EventRsvp.status).where(
        EventRsvp.user_id == viewer.id, EventRsvp.event_id.in_([e.id for e in events]))).all())


def my_status(viewer: perm.Viewer, event: Event) -> str | None:
    return my_statuses(viewer, [event]).get(event.id)


def waiting_position(viewer: perm.Viewer, event: Event) -> int | None:
    """1 for the first in line; None when not waiting."""
    mine = _rsvp(event, viewer.id) if perm._signed_in(viewer) else None
    if mine is None or mine.status != "waiting":
        return None
    ahead = db.session.scalar(select(func.count(EventRsvp.id)).where(
        EventRsvp.event_id == event.id, EventRsvp.status == "waiting",
        (EventRsvp.waiting_since < mine.waiting_since)
        | ((EventRsvp.waiting_since == mine.waiting_since) & (EventRsvp.id < mine.id))))
    return (ahead or 0) + 1


@dataclass
class Attendee:
    user: User
    organisation: Organisation | None
    status: str
    attended: bool


def attendees(actor: User, event: Event) -> list[Attendee]:
    """Everyone who answered, going first; for facilitators."""
    actions.require(rules.see_attendees(actor, event))
    order = {"going": 0, "waiting": 1, "maybe": 2, "not_going": 3}
    rows = list(db.session.scalars(select(EventRsvp).where(EventRsvp.event_id == event.id)
                                   .order_by(EventRsvp.id)))
    rows.sort(key=lambda r: (order.get(r.status, 9), r.waiting_since or r.created_at, r.id))
    return [Attendee(r.user, r.user.organisation if r.user.organisation_id else None, r.status,
                     r.attended) for r in rows]


def attendance_by_organisation(event: Event) -> list[tuple[str, int]]:
    """(organisation, people) of those recorded as attending, largest first; people without an
    organisation count under an empty name."""
    rows = db.session.execute(
        select(Organisation.name, func.count(EventRsvp.id))
        .select_from(EventRsvp).join(User, User.id == EventRsvp.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(EventRsvp.event_id == event.id, EventRsvp.attended.is_(True))
        .group_by(Organisation.name)).all()
    return sorted(((name or "", count) for name, count in rows), key=lambda r: (-r[1], r[0]))


# --- checking input ---------------------------------------------------------------------------

def _check_url(value: str | None) -> str:
    url = single_line("online_url", value, 500, required=False)
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationFailed({"online_url": _("Give a web address starting with "
                                                    "https://.")})
    return url


def _check_fields(fields: dict) -> dict:
    """The changed fields, cleaned: one-line texts, a Markdown description, aware times."""
    clean: dict = {}
    if "title" in fields:
        clean["title"] = single_line("title", fields["title"], 200)
    if "description" in fields:
        clean["description"] = check_body("description", fields["description"] or "",
                                          allow_blank=True)
    if "location" in fields:
        clean["location"] = single_line("location", fields["location"], 300, required=False)
    if "online_url" in fields:
        clean["online_url"] = _check_url(fields["online_url"])
    for name in ("starts_at", "ends_at"):
        if name in fields:
            if fields[name] is None:
                raise ValidationFailed({name: _("This field is required.")})
            clean[name] = check_aware(name, fields[name]).astimezone(UTC)
    if "capacity" in fields:
        capacity = fields["capacity"]
        if capacity is not None and not (isinstance(capacity, int) and
                                         1 <= capacity <= MAX_CAPACITY):
            raise ValidationFailed({"capacity": _("A whole number from 1 to %(n)s, or none.",
                                                  n=MAX_CAPACITY)})
        clean["capacity"] = capacity
    return clean


def _check_times(starts: datetime, ends: datetime) -> None:
    if ends <= starts:
        raise ValidationFailed({"ends_at": _("An event ends after it starts.")})
    if ends - starts > timedelta(days=31):
        raise ValidationFailed({"ends_at": _("An event lasts at most 31 days.")})


# --- arranging --------------------------------------------------------------------------------

@unit_of_work
def create_event(actor: User, topic: Topic, *, title: str, starts_at: datetime,
                 ends_at: datetime, description: str = "", location: str = "",
                 online_url: str = "", capacity: int | None = None) -> Event:
    """A facilitator arranges an event; the group's members are invited (notification and
    mail with links that answer at once)."""
    actions.require(rules.create_event(actor, topic))
    clean = _check_fields({"title": title, "description": description, "location": location,
                           "online_url": online_url, "starts_at": starts_at,
                           "ends_at": ends_at, "capacity": capacity})
    _check_times(clean["starts_at"], clean["ends_at"])
    now = utcnow()
    event = Event(topic_id=topic.id, topic=topic, title=clean["title"],
                  description_markdown=clean["description"],
                  description_html=render_markdown(clean["description"]),
                  starts_at=clean["starts_at"], ends_at=clean["ends_at"],
                  location=clean["location"], online_url=clean["online_url"],
                  capacity=clean["capacity"], going_count=0, created_by_id=actor.id,
                  created_at=now, updated_at=now, sequence=0)
    db.session.add(event)
    db.session.flush()
    for user_id in _member_ids(topic):
        notification = notify(user_id, NOTIFY_KIND,
                              Message("You are invited to “%(title)s” on %(when)s.",
                                      title=event.title, when=event.starts_at),
                              f"/events/{event.id}", actor=actor, group_id=topic.group_id,
                              topic_id=topic.id)
        if notification is not None:
            _add_answer_links(notification.id, user_id, event)
    return event


_TIME_OR_PLACE = ("starts_at", "ends_at", "location", "online_url")


@unit_of_work
def update_event(actor: User, event: Event, **fields) -> Event:
    """Change an event. A new time or place is told to those going, maybe going or waiting;
    more places move the waiting list up."""
    actions.require(rules.edit_event(actor, event))
    clean = _check_fields(fields)
    _check_times(clean.get("starts_at", event.starts_at), clean.get("ends_at", event.ends_at))
    moved = any(name in clean and clean[name] != getattr(event, name)
                for name in _TIME_OR_PLACE)
    if "title" in clean:
        event.title = clean["title"]
    if "description" in clean:
        event.description_markdown = clean["description"]
        event.description_html = render_markdown(clean["description"])
    for name in (*_TIME_OR_PLACE, "capacity"):
        if name in clean:
            setattr(event, name, clean[name])
    if "capacity" in clean and clean["capacity"] is not None and \
            clean["capacity"] < event.going_count:
        raise Conflict(_("%(n)s people are going already: the capacity cannot be lower.",
                         n=event.going_count))
    event.updated_at = utcnow()
    if moved:
        event.sequence = (event.sequence or 0) + 1
        for user_id in _answered(event, ("going", "maybe", "waiting")):
            notify(user_id, NOTIFY_KIND,
                   Message("“%(title)s” has changed: now %(when)s%(where)s.",
                           title=event.title, when=event.starts_at, where=_where(event)),
                   f"/events/{event.id}", actor=actor, group_id=event.topic.group_id,
                   topic_id=event.topic_id)
    db.session.flush()
    _promote_waiting(event)
    return event


@unit_of_work
def delete_event(actor: User, event: Event) -> None:
    """Cancel an event: those going, maybe going or waiting are told; it is removed."""
    actions.require(rules.edit_event(actor, event))
    topic = event.topic
    if not rules.has_ended(event):
        for user_id in _answered(event, ("going", "maybe", "waiting")):
            notify(user_id, NOTIFY_KIND,
                   Message("“%(title)s” on %(when)s is cancelled.", title=event.title,
                           when=event.starts_at),
                   f"/topics/{topic.id}", actor=actor, group_id=topic.group_id,
                   topic_id=topic.id)
    db.session.delete(event)


# --- answering --------------------------------------------------------------------------------

def _rsvp(event: Event, user_id: int) -> EventRsvp | None:
    return db.session.scalar(select(EventRsvp).where(EventRsvp.event_id == event.id,
                                                     EventRsvp.user_id == user_id))


def _take_place(event: Event) -> bool:
    """One more going, if there is room: a conditional UPDATE, so two answers at once never
    take the last place twice."""
    taken = db.session.execute(
        update(Event).where(Event.id == event.id,
                            (Event.capacity.is_(None)) | (Event.going_count < Event.capacity))
        .values(going_count=Event.going_count + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(event, ["going_count", "capacity"])
    return bool(taken)


def _free_place(event: Event) -> None:
    db.session.execute(update(Event).where(Event.id == event.id, Event.going_count > 0)
                       .values(going_count=Event.going_count - 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(event, ["going_count"])


def _promote_waiting(event: Event) -> list[int]:
    """While there is room, the first in the waiting list becomes going and is told."""
    promoted = []
    while True:
        first = db.session.scalar(select(EventRsvp).where(
            EventRsvp.event_id == event.id, EventRsvp.status == "waiting")
            .order_by(EventRsvp.waiting_since, EventRsvp.id).limit(1))
        if first is None or not _take_place(event):
            return promoted
        first.status, first.waiting_since, first.updated_at = "going", None, utcnow()
        db.session.flush()
        promoted.append(first.user_id)
        notify(first.user_id, NOTIFY_KIND,
               Message("A place opened up: you are going to “%(title)s” on %(when)s.",
                       title=event.title, when=event.starts_at),
               f"/events/{event.id}", group_id=event.topic.group_id, topic_id=event.topic_id)


@unit_of_work
def set_rsvp(actor: User, event: Event, status: str) -> str:
    """Answer for oneself: going (409 when full), maybe, not going, or waiting (joins the
    waiting list, or goes at once when there is room). Leaving a place moves the waiting list
    up. Returns the status recorded."""
    actions.require(rules.rsvp(actor, event))
    if status not in STATUSES:
        raise ValidationFailed({"status": _("Choose going, maybe, not_going or waiting.")})
    row = _rsvp(event, actor.id)
    old = row.status if row is not None else None
    if status == old or (status == "waiting" and old == "going"):
        return old
    now = utcnow()
    if status == "going":
        actions.require(rules.take_place(actor, event, old))
        if not _take_place(event):  # taken meanwhile by another answer
            raise Conflict(_("This event is full: join the waiting list instead."))
    elif status == "waiting" and _take_place(event):
        status = "going"  # room after all: nobody to wait behind
    if row is None:
        row = EventRsvp(event_id=event.id, user_id=actor.id, created_at=now, attended=False)
        db.session.add(row)
    row.status, row.updated_at = status, now
    row.waiting_since = now if status == "waiting" else None
    db.session.flush()
    if old == "going" and status != "going":
        _free_place(event)
        _promote_waiting(event)
    return status


# --- minutes ----------------------------------------------------------------------------------

@unit_of_work
def write_minutes(actor: User, event: Event, body: str,
                  attended: list[str] | None = None) -> Event:
    """A facilitator writes the minutes once the event has started, with who attended (by
    username; the first time, by default, those going). Their organisations count in the
    response."""
    actions.require(rules.write_minutes(actor, event))
    body = check_body("body", body or "")
    if attended is not None:
        _record_attendance(event, attended)
    elif event.minutes_at is None:
        db.session.execute(update(EventRsvp).where(EventRsvp.event_id == event.id,
                                                   EventRsvp.status == "going")
                           .values(attended=True))
    event.minutes_markdown = body
    event.minutes_html = render_markdown(body)
    event.minutes_at = event.updated_at = utcnow()
    return event


def _record_attendance(event: Event, usernames: list[str]) -> None:
    if len(usernames) > 2000:
        raise ValidationFailed({"attended": _("At most 2000 people.")})
    keys = {name.strip().lower() for name in usernames if name and name.strip()}
    users = list(db.session.scalars(select(User).join(
        Membership, Membership.user_id == User.id).where(
        Membership.group_id == event.topic.group_id, Membership.role != "pending",
        User.username_key.in_(keys)))) if keys else []
    unknown = keys - {u.username_key for u in users}
    if unknown:
        raise ValidationFailed({"attended": _("Not members of the group: %(names)s",
                                              names=", ".join(sorted(unknown)[:20]))})
    ids = {u.id for u in users}
    rows = {r.user_id: r for r in db.session.scalars(
        select(EventRsvp).where(EventRsvp.event_id == event.id))}
    now = utcnow()
    for user_id in ids - set(rows):
        db.session.add(EventRsvp(event_id=event.id, user_id=user_id, status="going",
                                 attended=True, created_at=now, updated_at=now))
        db.session.execute(update(Event).where(Event.id == event.id)
                           .values(going_count=Event.going_count + 1)
                           .execution_options(synchronize_session=False))
    for user_id, row in rows.items():
        row.attended = user_id in ids
    db.session.flush()
    db.session.refresh(event, ["going_count"])


# --- the response: informed by events ------------------------------------------------------------

def cited_event_ids(text: str) -> list[int]:
    seen: dict[int, None] = {}
    for match in EVENT_REF.finditer(text or ""):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


@dataclass
class InformedBy:
    events: int
    organisations: int

    @property
    def sentence(self) -> str:
        return ngettext("Informed by %(num)s event with %(organisations)s organisations.",
                        "Informed by %(num)s events with %(organisations)s organisations.",
                        self.events, organisations=self.organisations)


def informed_by(topic: Topic, summary: Summary | None) -> InformedBy | None:
    """The events of this topic that the summary cites (`[[event:ID]]`) and whose minutes are
    written, with the organisations that attended them; None when it cites none. (The document
    is built only for a reader who may see the topic, and so its events.)"""
    if summary is None:
        return None
    ids = cited_event_ids(summary.body_markdown)
    if not ids:
        return None
    events = list(db.session.scalars(select(Event.id).where(
        Event.id.in_(ids[:500]), Event.topic_id == topic.id, Event.minutes_at.is_not(None))))
    if not events:
        return None
    organisations = db.session.scalar(
        select(func.count(func.distinct(User.organisation_id))).select_from(EventRsvp)
        .join(User, User.id == EventRsvp.user_id)
        .where(EventRsvp.event_id.in_(events), EventRsvp.attended.is_(True),
               User.organisation_id.is_not(None)))
    return InformedBy(len(events), organisations or 0)


# --- the person's own: subject access and erasure (inside their callers' units of work) ----------

def answers_of(user: User) -> list[dict]:
    """The person's answers; an event's title only while they may still see its topic."""
    from forum.serializers import iso

    rows = db.session.execute(select(EventRsvp, Event).join(Event, Event.id == EventRsvp.event_id)
                              .where(EventRsvp.user_id == user.id).order_by(EventRsvp.id)).all()
    seen = delivery.visible_now(user, [event.topic for _rsvp, event in rows])
    return [{"event_id": event.id, "event": event.title if ok else None, "status": r.status,
             "attended": r.attended, "answered_at": iso(r.updated_at)}
            for (r, event), ok in zip(rows, seen)]


def forget_person(user_id: int) -> None:
    """Erasure: their answers, reminders and calendar address go; a place they held moves
    the waiting list up."""
    for row in list(db.session.scalars(select(EventRsvp).where(EventRsvp.user_id == user_id))):
        event = db.session.get(Event, row.event_id)
        going = row.status == "going"
        db.session.delete(row)
        db.session.flush()
        if going and not rules.has_started(event):
            _free_place(event)
            _promote_waiting(event)
    db.session.execute(delete(EventReminder).where(EventReminder.user_id == user_id))
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))


# --- who hears about it -------------------------------------------------------------------------

def _member_ids(topic: Topic) -> list[int]:
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == topic.group_id, Membership.role != "pending")))


def _answered(event: Event, statuses: tuple[str, ...]) -> list[int]:
    return list(db.session.scalars(select(EventRsvp.user_id).where(
        EventRsvp.event_id == event.id, EventRsvp.status.in_(statuses))))


def _where(event: Event) -> Message | str:
    return Message(", at %(place)s", place=event.location) if event.location else ""


# --- reminders (flask reminders send) -------------------------------------------------------------

REMINDERS = (("hour", timedelta(hours=1)), ("day", timedelta(hours=24)))


@unit_of_work
def send_reminders(now: datetime | None = None) -> int:
    """The day before and the hour before, to those going and maybe going: once per event,
    person and kind. An event within the hour gets only the hour's reminder (the day's is
    then marked done too, so a late cron run does not send both)."""
    now = now or utcnow()
    sent = 0
    events = db.session.scalars(select(Event).where(Event.starts_at > now,
                                                    Event.starts_at <= now + timedelta(hours=24)))
    for event in events:
        kind = next(k for k, ahead in REMINDERS if event.starts_at <= now + ahead)
        done = {(user_id, k) for user_id, k in db.session.execute(
            select(EventReminder.user_id, EventReminder.kind).where(
                EventReminder.event_id == event.id))}
        for user_id in _answered(event, ("going", "maybe")):
            if (user_id, kind) in done:
                continue
            for k in ("day", "hour") if kind == "hour" else ("day",):
                if (user_id, k) not in done:
                    db.session.add(EventReminder(event_id=event.id, user_id=user_id, kind=k,
                                                 sent_at=now))
            text = (Message("Reminder: “%(title)s” starts within the hour (%(when)s)%(where)s.",
                            title=event.title, when=event.starts_at, where=_where(event))
                    if kind == "hour" else
                    Message("Reminder: “%(title)s” is tomorrow, %(when)s%(where)s.",
                            title=event.title, when=event.starts_at, where=_where(event)))
            if notify(user_id, NOTIFY_KIND, text, f"/events/{event.id}",
                      group_id=event.topic.group_id, topic_id=event.topic_id) is not None:
                sent += 1
    return sent


# --- answering from a mail ---------------------------------------------------------------------

def _link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="event-rsvp")


def answer_url(user_id: int, event: Event, status: str) -> str:
    token = _link_serializer().dumps({"u": user_id, "e": event.id, "s": status})
    return f"{current_app.config['PUBLIC_URL']}/events/answer/{token}"


def read_answer_token(token: str) -> tuple[User, Event, str]:
    """The person, event and answer a mail's link names; 404 for a forged, stale or
    unusable one (the event gone, the person no longer able to see it)."""
    try:
        data = _link_serializer().loads(token, max_age=RSVP_LINK_DAYS * 86400)
        user = db.session.get(User, int(data["u"]))
        event = db.session.get(Event, int(data["e"]))
        status = str(data["s"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(_("This link is not valid.")) from None
    if user is None or event is None or status not in ANSWERS or \
            not delivery.may_see_topic_now(user, event.topic):
        raise NotFound(_("This link is not valid."))
    return user, event, status


def answer_by_link(token: str) -> tuple[User, Event, str]:
    """Record the answer a mail's link carries, as its person (their rights apply now)."""
    user, event, status = read_answer_token(token)
    return user, event, set_rsvp(user, event, status)


def _add_answer_links(notification_id: int, user_id: int, event: Event) -> None:
    """The invitation mail (if its reader wants mail now) offers one link per answer."""
    mail = db.session.scalar(select(OutgoingMail).where(
        OutgoingMail.notification_id == notification_id))
    if mail is None:
        return
    labels = {"going": _("I am going"), "maybe": _("Maybe"), "not_going": _("I am not going")}
    links = "\n".join(f"{labels[s]}: {answer_url(user_id, event, s)}" for s in ANSWERS)
    head, sep, tail = mail.body.partition("\n--\n")
    mail.body = f"{head}\n{_('Answer with one click:')}\n{links}\n{sep}{tail}"


# --- calendars ----------------------------------------------------------------------------------

def _ical_event(event: Event, viewer_may_join: bool, now: datetime):
    from icalendar import Event as VEvent

    base = current_app.config["PUBLIC_URL"]
    item = VEvent()
    item.add("uid", f"event-{event.id}@{urlsplit(base).hostname or 'forum'}")
    item.add("dtstamp", now.astimezone(UTC))
    item.add("dtstart", event.starts_at.astimezone(UTC))
    item.add("dtend", event.ends_at.astimezone(UTC))
    item.add("summary", event.title)
    item.add("sequence", event.sequence or 0)
    item.add("last-modified", event.updated_at.astimezone(UTC))
    item.add("url", f"{base}/events/{event.id}")
    description = event.description_markdown or ""
    if viewer_may_join and event.online_url:
        description = f"{description}\n\n{_('Join online:')} {event.online_url}".strip()
    item.add("description", f"{description}\n\n{base}/events/{event.id}".strip())
    location = event.location or (event.online_url if viewer_may_join else "")
    if location:
        item.add("location", location)
    return item


def _calendar(name: str):
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", "-//Working Groups forum//events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def event_ics(viewer: perm.Viewer, event: Event) -> bytes:
    """One VEVENT, times in UTC; the joining link only for those going and facilitators."""
    calendar = _calendar(event.title)
    may_join = rules.see_online_url(viewer, event, my_status(viewer, event))
    calendar.add_component(_ical_event(event, may_join, utcnow()))
    return calendar.to_ical()


def feed_token(user: User) -> str | None:
    return db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == user.id))


@unit_of_work
def regenerate_feed(user: User) -> str:
    """A new secret calendar address; the old one stops working at once."""
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(user_id=user.id, token=token, created_at=utcnow()))
    return token


@unit_of_work
def revoke_feed(user: User) -> None:
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))


def calendar_feed(token: str) -> bytes:
    """The events of the feed owner's groups (from 30 days ago on), as the owner may see them
    now; 404 for an unknown or revoked token or an account that may see nothing."""
    if not token or len(token) > 64:
        raise NotFound(_("No such calendar."))
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    user = delivery.receiver_now(feed.user_id) if feed is not None else None
    if feed is None or user is None or not secrets.compare_digest(feed.token, token):
        raise NotFound(_("No such calendar."))
    groups = [gid for gid, role in perm.group_roles(user).items() if role != "pending"]
    events = list(db.session.scalars(
        select(Event).join(Topic, Topic.id == Event.topic_id)
        .where(Topic.group_id.in_(groups), Event.ends_at >= utcnow() - timedelta(days=30))
        .order_by(Event.starts_at).limit(1000))) if groups else []
    statuses = my_statuses(user, events)
    now = utcnow()
    calendar = _calendar(_("Working Groups events"))
    for event in events:
        if perm.can_see_topic(user, event.topic):
            may_join = rules.see_online_url(user, event, statuses.get(event.id))
            calendar.add_component(_ical_event(event, may_join, now))
    return calendar.to_ical()
