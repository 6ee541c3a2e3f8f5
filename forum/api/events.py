"""Events of a topic: arranging, answering, attendees, calendar file and minutes."""

from __future__ import annotations

from flask import Response

from forum.api import event_schemas as es
from forum.api import operation, signed_in_user, viewer, whole_list_json
from forum.event_serializers import event_json
from forum.serializers import user_ref
from forum.services import events as event_service
from forum.services import queries


@operation("/topics/<id:topic_id>/events", "POST", summary="Arrange an event (facilitators)",
           body=es.EventCreate, response=es.Event, status=201, errors=(401, 403, 404, 413),
           auth="required")
def create_event(topic_id: int, data: es.EventCreate):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    event = event_service.create_event(
        signed_in_user(), topic, title=data.title, description=data.description,
        starts_at=data.starts_at, ends_at=data.ends_at, location=data.location,
        online_url=data.online_url, capacity=data.capacity)
    return event_json(event, me)


@operation("/topics/<id:topic_id>/events", "GET", summary="A topic's events, soonest first",
           response=es.EventList, errors=(404,))
def topic_events(topic_id: int):
    me = viewer()
    events = event_service.list_events(queries.get_topic(topic_id, me))
    mine = event_service.my_statuses(me, events)
    return whole_list_json([event_json(e, me, mine.get(e.id)) for e in events])


@operation("/events/<id:event_id>", "GET", summary="One event", response=es.Event,
           errors=(404,))
def event(event_id: int):
    me = viewer()
    return event_json(event_service.get_event(event_id, me), me)


@operation("/events/<id:event_id>", "PATCH",
           summary="Change an event (facilitators); a new time or place is notified",
           body=es.EventUpdate, response=es.Event, errors=(401, 403, 404, 409, 413),
           auth="required")
def update_event(event_id: int, data: es.EventUpdate):
    me = viewer()
    found = event_service.get_event(event_id, me)
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    return event_json(event_service.update_event(signed_in_user(), found, **changes), me)


@operation("/events/<id:event_id>", "DELETE",
           summary="Cancel an event (facilitators); those coming are notified", status=204,
           errors=(401, 403, 404), auth="required")
def delete_event(event_id: int):
    me = viewer()
    event_service.delete_event(signed_in_user(), event_service.get_event(event_id, me))


@operation("/events/<id:event_id>/rsvp", "PUT", summary="Answer an invitation",
           body=es.RsvpSet, response=es.Event, errors=(401, 403, 404, 409), auth="required")
def rsvp(event_id: int, data: es.RsvpSet):
    me = viewer()
    found = event_service.get_event(event_id, me)
    status = event_service.set_rsvp(signed_in_user(), found, data.status)
    return event_json(found, me, status)


@operation("/events/<id:event_id>/attendees", "GET",
           summary="Who answered, with their organisations (facilitators)",
           response=es.AttendeeList, errors=(401, 403, 404), auth="required")
def attendees(event_id: int):
    me = viewer()
    found = event_service.get_event(event_id, me)
    return {"items": [{
        "user": user_ref(a.user),
        "organisation": {"id": a.organisation.id, "name": a.organisation.name}
        if a.organisation is not None else None,
        "status": a.status, "attended": a.attended,
    } for a in event_service.attendees(signed_in_user(), found)]}


@operation("/events/<id:event_id>/ics", "GET", summary="The event as an iCalendar file",
           errors=(404,), produces="text/calendar")
def event_ics(event_id: int):
    me = viewer()
    found = event_service.get_event(event_id, me)
    return Response(event_service.event_ics(me, found), content_type="text/calendar; "
                    "charset=utf-8", headers={
                        "Content-Disposition": f'attachment; filename="event-{found.id}.ics"'})


@operation("/events/<id:event_id>/minutes", "PUT",
           summary="Write the minutes and who attended (facilitators, once it has started)",
           body=es.MinutesSet, response=es.Event, errors=(401, 403, 404, 409, 413),
           auth="required")
def minutes(event_id: int, data: es.MinutesSet):
    me = viewer()
    found = event_service.get_event(event_id, me)
    return event_json(event_service.write_minutes(signed_in_user(), found, data.body,
                                                  data.attended), me)
