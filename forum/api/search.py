"""Full-text search over what the caller may see."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import request
from flask_babel import gettext

from forum.api import PAGINATION, operation, page_args, viewer
from forum.api import schemas as s
from forum.errors import NotFound, ValidationFailed
from forum.services import people, queries
from forum.services import search as search_service


def _day(name: str, end: bool = False) -> datetime | None:
    """A date (2026-11-25) or an ISO 8601 time with a zone; a date `to` includes that day."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        if len(raw) == 10:
            value = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            return value + timedelta(days=1) if end else value
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ValidationFailed(
            {name: gettext("A date such as 2026-11-25, or a time with its zone.")})
    return value


def search_args(me):
    """The filters shared by the API and the search page: group, topic, author, from, to."""
    group = queries.get_group(request.args["group"], me) if request.args.get("group") else None
    topic = None
    if request.args.get("topic"):
        raw = request.args["topic"]
        if not raw.isdigit() or int(raw) > 2**31 - 1:
            raise ValidationFailed({"topic": gettext("Must be a topic id.")})
        topic = queries.get_topic(int(raw), me)
    author = None
    if request.args.get("author"):
        try:
            author = people.get_person(request.args["author"].lstrip("@"))
        except NotFound:
            author = NOBODY
    return {"group": group, "topic": topic, "author": author, "since": _day("from"),
            "until": _day("to", end=True)}


class _Nobody:
    """An author filter naming no one: nothing matches."""

    id = -1


NOBODY = _Nobody()


@operation("/search", "GET", summary="Ranked full-text search with highlighted snippets",
           response=s.SearchResults, errors=(404,),
           query={"q": ("string", "Words to look for"),
                  "group": ("string", "Only this group (slug)"),
                  "topic": ("integer", "Only this topic (id)"),
                  "author": ("string", "Only posts and threads by this username"),
                  "from": ("string", "Written on or after this date (YYYY-MM-DD)",
                           {"anyOf": [{"maxLength": 0}, {"format": "date"},
                                     {"format": "date-time"}]}),
                  "to": ("string", "Written on or before this date (YYYY-MM-DD)",
                         {"anyOf": [{"maxLength": 0}, {"format": "date"},
                                     {"format": "date-time"}]}),
                  **PAGINATION})
def search():
    me = viewer()
    page, per_page = page_args()
    filters = search_args(me)
    return search_service.search_page(me, request.args.get("q", ""), filters["group"],
                                      filters["topic"], page=page, per_page=per_page,
                                      author=filters["author"], since=filters["since"],
                                      until=filters["until"])
