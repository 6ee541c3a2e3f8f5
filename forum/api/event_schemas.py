"""Schemas of events and attachments: they validate requests and document the answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from forum.api.schemas import BODY, ONE_LINE, OPTIONAL_LINE, OrganisationRef, Request, Response, UserRef

RsvpStatus = Literal["going", "maybe", "not_going", "waiting"]
Username = Annotated[str, Field(min_length=1, max_length=64)]


class EventCreate(Request):
    title: str = Field(min_length=1, max_length=200, json_schema_extra=ONE_LINE)
    description: str = Field(default="", description="Markdown")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    location: str = Field(default="", max_length=300, json_schema_extra=OPTIONAL_LINE)
    online_url: str = Field(default="", max_length=500, json_schema_extra=OPTIONAL_LINE,
                            description="Shown only to those going and to facilitators")
    capacity: int | None = Field(default=None, ge=1, le=100_000,
                                 description="Places; null for no limit")


class EventUpdate(Request):
    title: str | None = Field(default=None, min_length=1, max_length=200,
                              json_schema_extra=ONE_LINE)
    description: str | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    location: str | None = Field(default=None, max_length=300, json_schema_extra=OPTIONAL_LINE)
    online_url: str | None = Field(default=None, max_length=500,
                                   json_schema_extra=OPTIONAL_LINE)
    capacity: int | None = Field(default=None, ge=1, le=100_000)


class RsvpSet(Request):
    status: RsvpStatus = Field(description=(
        "`going` answers 409 when the event is full; `waiting` joins the waiting list (or "
        "goes at once when there is room); when someone going withdraws, the first waiting "
        "becomes going and is notified"))


class MinutesSet(Request):
    body: str = Field(json_schema_extra=BODY)
    attended: list[Username] | None = Field(
        default=None, max_length=2000,
        description="Usernames of those who attended; by default, the first time, those going")


class AttendanceRow(Response):
    organisation: str | None
    people: int


class Event(Response):
    id: int
    topic_id: int
    title: str
    description_html: str
    starts_at: str
    ends_at: str
    location: str
    online_url: str | None
    capacity: int | None
    going_count: int
    my_rsvp: RsvpStatus | None
    minutes_html: str | None
    description_markdown: str
    minutes_at: str | None
    attendance: list[AttendanceRow]
    ics_url: str


class Attendee(Response):
    user: UserRef
    organisation: OrganisationRef | None
    status: RsvpStatus
    attended: bool


class AttendeeList(Response):
    items: list[Attendee]


class Attachment(Response):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UserRef
    created_at: str
    url: str
    topic_id: int | None
    post_id: int | None


class EventList(Response):
    items: list[Event]
    page: int
    per_page: int
    total: int


class AttachmentList(Response):
    items: list[Attachment]
    page: int
    per_page: int
    total: int
