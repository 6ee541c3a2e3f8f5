"""Sign-off: member organisations endorse, object to or abstain on each paragraph of a draft.

One voice per organisation (cast by any of its members in the group, changeable while the
sign-off is open); closing freezes the tallies and the number of member organisations, and may
publish the version signed off. Tallies reach the topic room live (`signoff.updated`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from flask_babel import gettext

from forum import live
from forum.db import after_commit, unit_of_work
from forum.errors import Conflict, NotFound, ValidationFailed
from forum.extensions import db
from forum.markup import render_markdown
from forum.models import (
    STANCES,
    Organisation,
    SignOff,
    SignOffParagraph,
    SignOffVote,
    SignOffVoteChange,
    Topic,
    User,
    utcnow,
)
from forum.permissions import actions
from forum.services import phases, summaries
from forum.services.organisations import group_organisations
from forum.services.validation import check_aware

MAX_REASON = 4000
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def split_paragraphs(markdown: str) -> list[str]:
    """Blocks separated by blank lines; a heading joins the block that follows it."""
    blocks = [b.strip() for b in _BLANK_LINE.split(markdown.replace("\r\n", "\n")) if b.strip()]
    paragraphs: list[str] = []
    heading = ""
    for block in blocks:
        if block.startswith("#") and "\n" not in block:
            heading = f"{heading}\n\n{block}" if heading else block
            continue
        paragraphs.append(f"{heading}\n\n{block}" if heading else block)
        heading = ""
    if heading:
        paragraphs.append(heading)
    return paragraphs


def current_signoff(topic: Topic) -> SignOff | None:
    """The topic's latest sign-off, open or closed."""
    return db.session.scalar(select(SignOff).where(SignOff.topic_id == topic.id)
                             .order_by(SignOff.id.desc()).limit(1))


def signoff_of_summary(summary_id: int) -> SignOff | None:
    return db.session.scalar(select(SignOff).where(SignOff.summary_id == summary_id,
                                                   SignOff.closed_at.is_not(None)))


def paragraphs_of(signoff: SignOff) -> list[SignOffParagraph]:
    return list(db.session.scalars(select(SignOffParagraph).where(
        SignOffParagraph.signoff_id == signoff.id).order_by(SignOffParagraph.number)))


def _require_open(topic: Topic) -> SignOff:
    signoff = current_signoff(topic)
    if signoff is None or not signoff.is_open:
        raise Conflict(gettext("No sign-off is open on this topic."))
    return signoff


@unit_of_work
def open_signoff(actor: User, topic: Topic, version: int | None = None,
                 closes_at: datetime | None = None) -> SignOff:
    """Put a summary version (the latest by default) to the member organisations."""
    actions.require(actions.write_summary(actor, topic))
    closes_at = check_aware("closes_at", closes_at)
    if topic.status not in ("open", "concluded"):
        raise Conflict(gettext("An %(status)s topic cannot go to sign-off.", status=topic.status))
    latest = current_signoff(topic)
    if latest is not None and latest.is_open:
        raise Conflict(gettext("A sign-off is already open on this topic."))
    summary = (summaries.get_version(topic, version) if version is not None
               else summaries.latest_version(topic))
    if summary is None:
        raise Conflict(gettext("Write a draft summary before putting it to sign-off."))
    if db.session.scalar(select(SignOff.id).where(SignOff.summary_id == summary.id)):
        raise Conflict(gettext("This version has been put to sign-off already: save a new "
                               "version."))
    texts = split_paragraphs(summary.body_markdown)
    signoff = SignOff(topic_id=topic.id, summary_id=summary.id, summary=summary,
                      opened_by_id=actor.id, closes_at=closes_at)
    db.session.add(signoff)
    db.session.flush()
    for number, text in enumerate(texts, 1):
        db.session.add(SignOffParagraph(signoff_id=signoff.id, number=number,
                                        body_markdown=text, body_html=render_markdown(text)))
    db.session.flush()
    phases.change_phase(actor, topic, "signoff", closes_at)
    _publish_after_commit(topic, signoff)
    return signoff


@unit_of_work
def cast_vote(actor: User, topic: Topic, number: int, stance: str, reason: str = "",
              open_thread: bool = False) -> SignOffVote:
    """The actor's organisation endorses, objects to or abstains on paragraph `number`."""
    from forum.services.threads import start_thread

    actions.require(actions.vote_in_signoff(actor, topic))
    signoff = _require_open(topic)
    paragraph = db.session.scalar(select(SignOffParagraph).where(
        SignOffParagraph.signoff_id == signoff.id, SignOffParagraph.number == number))
    if paragraph is None:
        raise NotFound(gettext("No such paragraph in this sign-off."))
    if stance not in STANCES:
        raise ValidationFailed({"stance": gettext("Choose endorse, object or abstain.")})
    reason = (reason or "").strip()
    if stance == "object" and not reason:
        raise ValidationFailed({"reason": gettext("Say why your organisation objects.")})
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": gettext("At most %(max_reason)s characters.",
                                                  max_reason=MAX_REASON)})
    thread_id = None
    earlier = db.session.scalar(select(SignOffVote.thread_id).where(
        SignOffVote.paragraph_id == paragraph.id,
        SignOffVote.organisation_id == actor.organisation_id))
    if stance == "object" and open_thread and earlier is None:  # one thread per objection
        thread = start_thread(
            actor, topic, f"Objection to paragraph {number} of the draft response",
            f"{reason}\n\n> " + "\n> ".join(paragraph.body_markdown.splitlines()),
            paragraph_id=paragraph.id)
        thread_id = thread.id
    before = db.session.execute(select(SignOffVote.stance, SignOffVote.reason).where(
        SignOffVote.paragraph_id == paragraph.id,
        SignOffVote.organisation_id == actor.organisation_id)).first()
    if before is None or (before.stance, before.reason) != (stance, reason):
        db.session.add(SignOffVoteChange(
            paragraph_id=paragraph.id, organisation_id=actor.organisation_id,
            changed_by_id=actor.id, from_stance=before.stance if before else None,
            to_stance=stance, from_reason=before.reason if before else "", to_reason=reason))
    values = dict(paragraph_id=paragraph.id, organisation_id=actor.organisation_id,
                  cast_by_id=actor.id, stance=stance, reason=reason, updated_at=utcnow())
    # Two members of one organisation may vote at once: the database keeps one row.
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    changes = {k: v for k, v in values.items() if k not in ("paragraph_id", "organisation_id")}
    if thread_id is not None:
        values["thread_id"] = changes["thread_id"] = thread_id
    db.session.execute(dialect.insert(SignOffVote).values(**values).on_conflict_do_update(
        index_elements=["paragraph_id", "organisation_id"], set_=changes))
    vote = db.session.scalar(select(SignOffVote).where(
        SignOffVote.paragraph_id == paragraph.id,
        SignOffVote.organisation_id == actor.organisation_id)
        .execution_options(populate_existing=True))
    _publish_after_commit(topic, signoff)
    return vote


@unit_of_work
def cast_votes(actor: User, topic: Topic, choices: dict[int, tuple[str, str, bool]]) -> int:
    """One form for every paragraph: `choices` maps a paragraph number to (stance, reason,
    open a thread). Paragraphs left without a stance, or with the view already recorded, are
    skipped. All or nothing: a bad choice answers ValidationFailed with every bad field
    (`stance-N`, `reason-N`) and records none. Returns how many views were recorded."""
    actions.require(actions.vote_in_signoff(actor, topic))
    signoff = _require_open(topic)
    errors = {}
    for number, (stance, reason, _thread) in choices.items():
        if not stance:
            continue
        if stance not in STANCES:
            errors[f"stance-{number}"] = gettext("Choose endorse, object or abstain.")
        elif stance == "object" and not (reason or "").strip():
            errors[f"reason-{number}"] = gettext(
                "Say why your organisation objects to paragraph %(number)s.", number=number)
        elif len((reason or "").strip()) > MAX_REASON:
            errors[f"reason-{number}"] = gettext("At most %(max_reason)s characters.",
                                                  max_reason=MAX_REASON)
    if errors:
        raise ValidationFailed(errors)
    chosen = {n: c for n, c in choices.items() if c[0]}
    if not chosen:
        raise ValidationFailed({"stance": gettext("Choose a view on at least one paragraph.")})
    # The form comes back with the organisation's views filled in: those sent unchanged are
    # left as they were (and who cast them), so only a real change is recorded.
    recorded = {number: (stance, reason) for number, stance, reason in db.session.execute(
        select(SignOffParagraph.number, SignOffVote.stance, SignOffVote.reason)
        .join(SignOffVote, SignOffVote.paragraph_id == SignOffParagraph.id)
        .where(SignOffParagraph.signoff_id == signoff.id,
               SignOffVote.organisation_id == actor.organisation_id))}
    changed = {n: c for n, c in chosen.items()
               if recorded.get(n) != (c[0], (c[1] or "").strip()) or (c[0] == "object" and c[2])}
    for number, (stance, reason, open_thread) in sorted(changed.items()):
        cast_vote(actor, topic, number, stance, reason, open_thread)
    return len(changed)


def vote_history(signoff: SignOff) -> list[tuple[int, SignOffVoteChange]]:
    """Every view cast or changed, oldest first, with its paragraph number: who, when, from
    what to what. Facilitators read it on the sign-off page; the annex prints it."""
    rows = db.session.execute(
        select(SignOffParagraph.number, SignOffVoteChange)
        .join(SignOffParagraph, SignOffParagraph.id == SignOffVoteChange.paragraph_id)
        .where(SignOffParagraph.signoff_id == signoff.id)
        .order_by(SignOffVoteChange.changed_at, SignOffVoteChange.id)).all()
    return [(number, change) for number, change in rows]


@unit_of_work
def close_signoff(actor: User, topic: Topic, publish: bool = False,
                  submit: bool = True) -> SignOff:
    """Freeze the sign-off; with `publish`, the version signed off becomes the published summary
    and, unless `submit` is False, the topic moves to the submitted phase. Either way the
    sign-off's deadline stops being pending."""
    actions.require(actions.write_summary(actor, topic))
    signoff = _require_open(topic)
    signoff.closed_at = utcnow()
    signoff.organisation_count = len(group_organisations(topic.group_id))
    topic.phase_deadline = None
    if publish:
        summaries.publish_version(actor, topic, signoff.summary)
        if submit:
            phases.change_phase(actor, topic, "submitted", None)
    _publish_after_commit(topic, signoff)
    return signoff


# --- reading ----------------------------------------------------------------------------------

@dataclass
class ParagraphTally:
    paragraph: SignOffParagraph
    endorse: int = 0
    object: int = 0
    abstain: int = 0
    votes: list[SignOffVote] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.paragraph.number


@dataclass
class SignOffView:
    signoff: SignOff
    organisations: int
    paragraphs: list[ParagraphTally]
    waiting: list[Organisation]


def tally(signoff: SignOff) -> SignOffView:
    paragraphs = paragraphs_of(signoff)
    by_id = {p.id: ParagraphTally(p) for p in paragraphs}
    votes = db.session.scalars(select(SignOffVote).where(
        SignOffVote.paragraph_id.in_(list(by_id))).order_by(SignOffVote.id))
    voted: dict[int, int] = {}
    for vote in votes:
        row = by_id[vote.paragraph_id]
        setattr(row, vote.stance, getattr(row, vote.stance) + 1)
        row.votes.append(vote)
        voted[vote.organisation_id] = voted.get(vote.organisation_id, 0) + 1
    members = group_organisations(_group_id(signoff))
    count = signoff.organisation_count if signoff.organisation_count is not None else len(members)
    waiting = [] if not signoff.is_open else [
        o for o in members if voted.get(o.id, 0) < len(paragraphs)]
    return SignOffView(signoff, count, list(by_id.values()), waiting)


def _group_id(signoff: SignOff) -> int:
    return db.session.scalar(select(Topic.group_id).where(Topic.id == signoff.topic_id))


def signoff_view(viewer, topic: Topic) -> SignOffView:
    """The topic's latest sign-off, to whoever may see the topic (404 if none)."""
    signoff = current_signoff(topic)
    if signoff is None:
        raise NotFound(gettext("This topic has not been put to sign-off."))
    return tally(signoff)


def organisations_yet_to_vote(topic: Topic) -> list[int]:
    signoff = current_signoff(topic)
    if signoff is None or not signoff.is_open:
        return []
    return [o.id for o in tally(signoff).waiting]


def endorsement_count(signoff_id: int) -> dict[int, int]:
    """paragraph number -> organisations endorsing it."""
    return dict(db.session.execute(
        select(SignOffParagraph.number, func.count(SignOffVote.id))
        .join(SignOffVote, SignOffVote.paragraph_id == SignOffParagraph.id)
        .where(SignOffParagraph.signoff_id == signoff_id, SignOffVote.stance == "endorse")
        .group_by(SignOffParagraph.number)).all())


def _publish_after_commit(topic: Topic, signoff: SignOff) -> None:
    def publish():
        from forum.serializers import signoff_json

        live.publish_signoff(topic, signoff_json(tally(signoff), None))
    after_commit(publish)

