"""What needs me: the things waiting for a member's answer, soonest due first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_babel import gettext
from sqlalchemy import exists, func, select

from forum import permissions as perm
from forum.extensions import db
from forum.models import (
    Flag,
    Group,
    Invitation,
    Post,
    SignOff,
    SignOffParagraph,
    SignOffVote,
    Summary,
    Thread,
    Topic,
    User,
)
from forum.permissions import actions

DEADLINE_WINDOW = timedelta(days=14)
_FAR = datetime.max.replace(tzinfo=timezone.utc)


def _item(kind: str, title: str, url: str, due_at: datetime | None, group: Group) -> dict:
    return {"kind": kind, "title": title, "url": url, "due_at": due_at,
            "group": {"slug": group.slug, "name": group.name}}


def agenda(user: User) -> list[dict]:
    """For a signed-in member: open sign-offs their organisation has not finished, response
    deadlines within 14 days where they have not posted, invitations waiting for them, review
    queues of groups they moderate, summaries to draft in groups they facilitate."""
    now = datetime.now(timezone.utc)
    roles = {gid: role for gid, role in perm.group_roles(user).items() if role != "pending"}
    groups = {g.id: g for g in db.session.scalars(select(Group).where(Group.id.in_(roles)))
              } if roles else {}
    items: list[dict] = []
    if groups:
        items += _signoffs(user, groups)
        items += _deadlines(user, groups, now)
        items += _reviews(user, groups)
        items += _summaries(user, groups)
    items += _invitations(user, now)
    return sorted(items, key=lambda i: (i["due_at"] or _FAR, i["title"]))


def _signoffs(user: User, groups: dict[int, Group]) -> list[dict]:
    if user.organisation_id is None:
        return []
    rows = db.session.execute(
        select(SignOff, Topic).join(Topic, Topic.id == SignOff.topic_id)
        .where(Topic.group_id.in_(groups), SignOff.closed_at.is_(None))).all()
    items = []
    for signoff, topic in rows:
        if actions.vote_in_signoff(user, topic) is not True:
            continue
        left = db.session.scalar(
            select(func.count(SignOffParagraph.id)).where(
                SignOffParagraph.signoff_id == signoff.id,
                ~exists().where(SignOffVote.paragraph_id == SignOffParagraph.id,
                                SignOffVote.organisation_id == user.organisation_id)))
        if left:
            items.append(_item("signoff_vote", gettext("Sign-off: %(title)s", title=topic.title),
                               f"/topics/{topic.id}/signoff", signoff.closes_at,
                               groups[topic.group_id]))
    return items


def _deadlines(user: User, groups: dict[int, Group], now: datetime) -> list[dict]:
    posted = exists().where(Post.author_id == user.id, Post.thread_id == Thread.id,
                            Thread.topic_id == Topic.id)
    topics = db.session.scalars(
        select(Topic).where(Topic.group_id.in_(groups), Topic.status == "open",
                            Topic.response_deadline.is_not(None),
                            Topic.response_deadline > now,
                            Topic.response_deadline <= now + DEADLINE_WINDOW, ~posted))
    return [_item("deadline", gettext("Responses close: %(title)s", title=t.title),
                  f"/topics/{t.id}", t.response_deadline, groups[t.group_id]) for t in topics]


def _reviews(user: User, groups: dict[int, Group]) -> list[dict]:
    moderated = [gid for gid, g in groups.items() if perm.can_moderate_group(user, g)]
    if not moderated:
        return []
    in_group = (select(Topic.group_id).join(Thread, Thread.topic_id == Topic.id))
    flagged = set(db.session.scalars(
        in_group.join(Post, Post.thread_id == Thread.id).join(Flag, Flag.post_id == Post.id)
        .where(Topic.group_id.in_(moderated), Flag.status == "open").distinct()))
    waiting = set(db.session.scalars(
        in_group.join(Post, Post.thread_id == Thread.id)
        .where(Topic.group_id.in_(moderated), Post.pending.is_(True),
               Post.rejected.is_(False)).distinct()))
    return [_item("review", gettext("Review queue: %(group)s", group=groups[gid].name),
                  f"/groups/{groups[gid].slug}/moderation", None, groups[gid])
            for gid in sorted(flagged | waiting)]


def _summaries(user: User, groups: dict[int, Group]) -> list[dict]:
    facilitated = [gid for gid, g in groups.items() if perm.is_facilitator(user, g)]
    if not facilitated:
        return []
    published = exists().where(Summary.topic_id == Topic.id, Summary.published.is_(True))
    topics = db.session.scalars(select(Topic).where(
        Topic.group_id.in_(facilitated), Topic.phase == "drafting", ~published))
    return [_item("summary_draft", gettext("Draft the summary: %(title)s", title=t.title),
                  f"/topics/{t.id}/summary/edit", t.phase_deadline, groups[t.group_id])
            for t in topics]


def _invitations(user: User, now: datetime) -> list[dict]:
    rows = db.session.scalars(select(Invitation).where(
        Invitation.user_id == user.id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now))
    return [_item("invitation", gettext("Invitation to %(group)s", group=i.group.name),
                  "/invitations", i.expires_at, i.group) for i in rows]
