"""A topic's consultation questions and the threads and posts that answer them."""

from __future__ import annotations

import re

from sqlalchemy import delete, exists, select
from flask_babel import gettext

from forum.db import unit_of_work
from forum.errors import Conflict, ValidationFailed
from forum.extensions import db
from forum.models import ConsultationQuestion, Thread, Topic, User
from forum.permissions import actions
from forum.services.validation import is_single_line

MAX_QUESTIONS = 50
MAX_QUESTION_CHARS = 2000


_NUMBERING = re.compile(r"^(?:(?:q|question)\s*\(?\d{1,3}\)?\s*[.):\-–—]?\s*"
                        r"|\(?\d{1,3}\s*[.):\-–—]\s+)", re.IGNORECASE)


def parse_lines(text: str) -> list[str]:
    """One question per line, as pasted from a consultation's template: numbering such as
    "1. ", "2) ", "Q2 ", "Q2: ", "Question 3 - " and blank lines dropped."""
    questions = []
    for line in (text or "").splitlines():
        line = _NUMBERING.sub("", line.strip(), count=1).strip()
        if line:
            questions.append(line)
    return questions


def list_questions(topic: Topic) -> list[ConsultationQuestion]:
    return list(db.session.scalars(
        select(ConsultationQuestion).where(ConsultationQuestion.topic_id == topic.id)
        .order_by(ConsultationQuestion.number)))


def questions_are_editable(topic: Topic) -> bool:
    """Until the topic opens; a topic opened at once keeps them editable until its first thread."""
    if topic.status == "upcoming":
        return True
    if topic.status != "open":
        return False
    return not db.session.scalar(select(exists().where(Thread.topic_id == topic.id)))


@unit_of_work
def set_questions(actor: User, topic: Topic, texts: list[str]) -> list[ConsultationQuestion]:
    """Replace the topic's questions, numbered in the order given."""
    actions.require(actions.edit_topic(actor, topic))
    if not questions_are_editable(topic):
        raise Conflict(gettext("The questions are fixed once the topic is open and answered."))
    replace_questions(topic, texts)
    return list_questions(topic)


def replace_questions(topic: Topic, texts: list[str]) -> None:
    """Inside a unit of work (also topic creation): check and write the questions."""
    cleaned = [text.strip() for text in texts if text and text.strip()]
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationFailed({"questions": gettext("At most %(max_questions)s questions.",
                                                     max_questions=MAX_QUESTIONS)})
    broken = [n for n, text in enumerate(cleaned, 1) if not is_single_line(text)]
    if broken:
        raise ValidationFailed({"questions": gettext("Question %(value)s must be a single "
                                                     "line, without line breaks or control "
                                                     "characters.", value=broken[0])})
    too_long = [n for n, text in enumerate(cleaned, 1) if len(text) > MAX_QUESTION_CHARS]
    if too_long:
        raise ValidationFailed({"questions": gettext("Question %(value)s is longer than "
                                                     "%(max_question_chars)s characters.",
                                                     value=too_long[0],
                                                     max_question_chars=MAX_QUESTION_CHARS)})
    db.session.execute(delete(ConsultationQuestion).where(
        ConsultationQuestion.topic_id == topic.id))
    for number, text in enumerate(cleaned, 1):
        db.session.add(ConsultationQuestion(topic_id=topic.id, number=number, text=text))
    db.session.flush()


def check_question(topic: Topic, question_id: int | None, field: str = "question_id") -> int | None:
    """A tag must name one of this topic's questions."""
    if question_id is None:
        return None
    question = db.session.get(ConsultationQuestion, question_id)
    if question is None or question.topic_id != topic.id:
        raise ValidationFailed({field: gettext("Choose one of this topic's questions.")})
    return question.id
