"""Informed-conversation topics: create and change."""

from __future__ import annotations

from datetime import datetime
from flask_babel import gettext

from forum.db import unit_of_work
from forum.errors import Conflict, ValidationFailed
from forum.extensions import db
from forum.markup import render_markdown
from forum.models import TOPIC_STATUSES, Group, Topic, User, utcnow
from forum.permissions import actions
from forum.services import search
from forum.services.validation import check_aware, check_body, require_text

_UNSET = object()


accepts_contributions = actions.topic_accepts_contributions


def _check_status(status: str) -> str:
    if status not in TOPIC_STATUSES:
        raise ValidationFailed({"status": gettext("Choose upcoming, open, concluded or "
                                                  "archived.")})
    return status


@unit_of_work
def create_topic(actor: User, group: Group, title: str, briefing: str, status: str = "open",
                 event_at: datetime | None = None,
                 response_deadline: datetime | None = None,
                 questions: list[str] | None = None) -> Topic:
    """Facilitators (and moderators, admins) open a topic with a briefing."""
    actions.require(actions.create_topic(actor, group))
    title = require_text({"title": title}, {"title": 200})["title"]
    briefing = check_body("briefing", briefing or "", allow_blank=True)
    topic = Topic(
        group_id=group.id, group=group, title=title, briefing_markdown=briefing,
        briefing_html=render_markdown(briefing), status=_check_status(status or "open"),
        event_at=check_aware("event_at", event_at),
        response_deadline=check_aware("response_deadline", response_deadline),
        created_by_id=actor.id,
    )
    db.session.add(topic)
    db.session.flush()
    if questions:
        from forum.services.questions import replace_questions

        replace_questions(topic, questions)
    search.index_topic(topic)
    return topic


@unit_of_work
def update_topic(actor: User, topic: Topic, *, title=_UNSET, briefing=_UNSET, status=_UNSET,
                 event_at=_UNSET, response_deadline=_UNSET, questions=_UNSET) -> Topic:
    """Facilitators change a topic's title, briefing, status and dates (None clears a date)."""
    actions.require(actions.edit_topic(actor, topic))
    if title is not _UNSET:
        topic.title = require_text({"title": title}, {"title": 200})["title"]
    if briefing is not _UNSET:
        topic.briefing_markdown = check_body("briefing", briefing or "", allow_blank=True)
        topic.briefing_html = render_markdown(topic.briefing_markdown)
    if status is not _UNSET:
        topic.status = _check_status(status)
    if event_at is not _UNSET:
        topic.event_at = check_aware("event_at", event_at)
    if response_deadline is not _UNSET:
        topic.response_deadline = check_aware("response_deadline", response_deadline)
    if questions is not _UNSET:
        from forum.services import questions as question_service

        current = [q.text for q in question_service.list_questions(topic)]
        wanted = [text.strip() for text in questions if text and text.strip()]
        if wanted != current:
            if not question_service.questions_are_editable(topic):
                raise Conflict(gettext("The questions are fixed once the topic is open and "
                                       "answered."))
            question_service.replace_questions(topic, wanted)
    topic.updated_at = utcnow()
    search.index_topic(topic)
    return topic
