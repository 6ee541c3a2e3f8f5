"""Dates people type and read: in the reader's time zone, stored in UTC.

A `datetime-local` input sends a wall-clock time without a zone; the zone is the account's
setting, else the browser's (a hidden `tz` field the script fills), else UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import request
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup, escape

from forum.errors import ValidationFailed


def reader_zone() -> ZoneInfo:
    """The reader's zone: their account's, the browser's (form field `tz`), or UTC."""
    for name in (getattr(current_user, "timezone", None),
                 request.form.get("tz") if request else None, request.args.get("tz")):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def parse_local(raw: str | None, name: str) -> datetime | None:
    """A typed time in the reader's zone, as an aware UTC datetime (None when blank)."""
    if not (raw or "").strip():
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            wall = datetime.strptime(raw.strip(), fmt)
        except ValueError:
            continue
        return wall.replace(tzinfo=reader_zone()).astimezone(UTC)
    raise ValidationFailed({name: gettext("Choose a date and time.")})


def as_local_input(value: datetime | None) -> str:
    """The value a `datetime-local` input shows for a stored time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(reader_zone()).strftime("%Y-%m-%dT%H:%M")


def zone_name() -> str:
    return str(reader_zone())


def zone_markup() -> Markup:
    """The zone's name as a page shows it: a code, not words to translate."""
    return Markup('<span translate="no">%s</span>') % zone_name()


def local_times(form):
    """A topic form's dates as `datetime-local` inputs, labelled in the reader's zone."""
    for name, label in (("event_at", gettext("Meeting or event")),
                        ("response_deadline", gettext("Response deadline"))):
        field = getattr(form, name, None)
        if field is not None:
            field.render_kw = {**(field.render_kw or {}), "type": "datetime-local"}
            field.label.text = Markup(gettext("%(label)s (your time, %(zone)s)",
                                              label=escape(label), zone=zone_markup()))
    return form
