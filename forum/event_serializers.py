"""Events and attachments as the contract shapes them (API.md, "Events and documents")."""

from __future__ import annotations

from forum import permissions as perm
from forum.models import Attachment, Event
from forum.permissions import events as rules
from forum.serializers import iso, user_ref
from forum.services import events as event_service


def event_json(event: Event, viewer: perm.Viewer, my_rsvp: str | None = ...) -> dict:
    """`online_url` only for those going and facilitators (else null); `my_rsvp` may be
    given when the caller looked up many at once."""
    if my_rsvp is ...:
        my_rsvp = event_service.my_status(viewer, event)
    may_join = rules.see_online_url(viewer, event, my_rsvp)
    return {
        "id": event.id, "topic_id": event.topic_id, "title": event.title,
        "description_html": event.description_html, "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at), "location": event.location,
        "online_url": (event.online_url or None) if may_join else None,
        "capacity": event.capacity, "going_count": event.going_count, "my_rsvp": my_rsvp,
        "minutes_html": event.minutes_html,
        "description_markdown": event.description_markdown,
        "minutes_at": iso(event.minutes_at),
        "attendance": [{"organisation": name or None, "people": people}
                       for name, people in event_service.attendance_by_organisation(event)]
        if event.minutes_at else [],
        "ics_url": f"/api/v1/events/{event.id}/ics",
    }


def attachment_json(attachment: Attachment) -> dict:
    return {
        "id": attachment.id, "filename": attachment.filename,
        "content_type": attachment.content_type, "size": attachment.size,
        "sha256": attachment.sha256, "uploaded_by": user_ref(attachment.uploaded_by),
        "created_at": iso(attachment.created_at),
        "url": f"/api/v1/attachments/{attachment.id}",
        "topic_id": attachment.topic_id, "post_id": attachment.post_id,
    }
