"""A topic's phase beside its status: discussion -> drafting -> signoff -> submitted.

Drafting closes new threads and slows replies; sign-off is entered by putting a draft to the
member organisations (services.signoff); submitted needs a published summary. Each change is
logged in the group's moderation log, announced live and notified to the members.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from flask_babel import gettext

from forum import labels, live
from forum.db import after_commit, unit_of_work
from forum.i18n import N_, Message
from forum.errors import Conflict, ValidationFailed
from forum.extensions import db
from forum.models import (
    TOPIC_PHASES,
    Membership,
    PhaseReminder,
    Post,
    SignOff,
    Summary,
    Thread,
    Topic,
    User,
    utcnow,
)
from forum.permissions import actions
from forum.services.audit import log_moderation, notify
from forum.services.validation import check_aware

# The state rules live with the actions they guard; kept here under their old names.
PHASE_LABELS = actions.PHASE_LABELS
# The phase inside a sentence ("moved to drafting the response"), for notifications.
PHASE_MSGIDS = {"discussion": N_("discussion"), "drafting": N_("drafting the response"),
                "signoff": N_("sign-off by member organisations"), "submitted": N_("submitted")}
SLOWED_REPLY_SECONDS = actions.SLOWED_REPLY_SECONDS
takes_new_threads = actions.takes_new_threads
reply_interval = actions.reply_interval


def _open_signoff(topic: Topic) -> SignOff | None:
    return db.session.scalar(select(SignOff).where(SignOff.topic_id == topic.id,
                                                   SignOff.closed_at.is_(None)))


@unit_of_work
def set_phase(actor: User, topic: Topic, phase: str,
              deadline: datetime | None = None) -> Topic:
    actions.require(actions.edit_topic(actor, topic))
    if phase not in TOPIC_PHASES:
        raise ValidationFailed({"phase": gettext("Choose discussion, drafting, signoff or "
                                                 "submitted.")})
    deadline = check_aware("phase_deadline", deadline)
    if topic.status not in ("open", "concluded"):
        raise Conflict(gettext("An %(status)s topic has no phase to change.",
                               status=topic.status))
    if phase == "signoff" and topic.phase != "signoff":
        raise Conflict(gettext("Sign-off starts when a draft summary is put to sign-off."))
    if topic.phase == "signoff" and phase != "signoff" and _open_signoff(topic) is not None:
        raise Conflict(gettext("Close the sign-off first."))
    if phase == "submitted" and not db.session.scalar(select(exists().where(
            Summary.topic_id == topic.id, Summary.published.is_(True)))):
        raise Conflict(gettext("Publish the summary before marking the response submitted."))
    change_phase(actor, topic, phase, deadline)
    return topic


def change_phase(actor: User, topic: Topic, phase: str, deadline: datetime | None) -> None:
    """Inside a unit of work: record, log, notify and announce a phase change."""
    old = topic.phase
    topic.phase_deadline = deadline
    if old == phase:
        after_commit(lambda: live.publish_topic(topic))
        return
    topic.phase = phase
    topic.updated_at = utcnow()
    log_moderation(topic.group_id, actor, "phase", "topic", topic.id,
                   f"{labels.phase(old)} → {labels.phase(phase)}")
    if deadline is None:
        text = Message("“%(title)s” moved to %(phase)s.", title=topic.title,
                       phase=Message(PHASE_MSGIDS[phase]))
    else:
        text = Message("“%(title)s” moved to %(phase)s. Deadline: %(deadline)s.",
                       title=topic.title, phase=Message(PHASE_MSGIDS[phase]), deadline=deadline)
    for user_id in _member_ids(topic):
        notify(user_id, "conversation", text, f"/topics/{topic.id}", actor=actor,
               group_id=topic.group_id, topic_id=topic.id)
    after_commit(lambda: live.publish_topic(topic))


def _member_ids(topic: Topic) -> list[int]:
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == topic.group_id, Membership.role != "pending")))


# --- deadline reminders (a command for cron, like the digest) ---------------------------------

@unit_of_work
def send_reminders(within: timedelta = timedelta(hours=48), now: datetime | None = None) -> int:
    """Remind those who still have something to do before a phase deadline, once each.

    discussion: members who have not posted in the topic; drafting: the facilitators;
    signoff: members whose organisation has not yet voted on every paragraph.
    """
    from forum.services.signoff import organisations_yet_to_vote

    now = now or utcnow()
    topics = db.session.scalars(select(Topic).where(
        Topic.phase_deadline.is_not(None), Topic.phase_deadline > now,
        Topic.phase_deadline <= now + within, Topic.status == "open",
        Topic.phase != "submitted"))
    sent = 0
    for topic in topics:
        if topic.phase == "discussion":
            posted = select(Post.author_id).join(Thread, Thread.id == Post.thread_id).where(
                Thread.topic_id == topic.id)
            targets = db.session.scalars(select(Membership.user_id).where(
                Membership.group_id == topic.group_id, Membership.role != "pending",
                Membership.user_id.not_in(posted)))
            what = N_("add your views")
        elif topic.phase == "drafting":
            targets = db.session.scalars(select(Membership.user_id).where(
                Membership.group_id == topic.group_id,
                Membership.role.in_(("facilitator", "moderator"))))
            what = N_("finish the draft response")
        else:
            waiting = organisations_yet_to_vote(topic)
            targets = db.session.scalars(select(Membership.user_id)
                                         .join(User, User.id == Membership.user_id).where(
                Membership.group_id == topic.group_id, Membership.role != "pending",
                User.organisation_id.in_(waiting))) if waiting else []
            what = N_("give your organisation's view on each paragraph")
        for user_id in list(targets):
            if db.session.get(PhaseReminder, (topic.id, topic.phase, user_id)) is not None:
                continue
            db.session.add(PhaseReminder(topic_id=topic.id, phase=topic.phase, user_id=user_id))
            notify(user_id, "conversation",
                   Message("“%(title)s”: %(what)s by %(deadline)s.", title=topic.title,
                           what=Message(what), deadline=topic.phase_deadline),
                   f"/topics/{topic.id}", group_id=topic.group_id, topic_id=topic.id)
            sent += 1
    return sent
