"""The consultation-response report and the "what the group said" insights."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Membership, Post, Thread, Topic
from forum.permissions import actions
from forum.services import response


@dataclass
class Report:
    filename: str
    content_type: str
    body: bytes


def build_report(actor, topic: Topic, fmt: str) -> Report:
    """Facilitators and moderators download the whole debate as Markdown or CSV."""
    return _export(response.report(actor, topic), "report", fmt, response.report_csv)


def build_response(actor, topic: Topic, fmt: str) -> Report:
    """The final response (summary, endorsements, footnotes, dissent) as Markdown or CSV."""
    return _export(response.final_response(actor, topic), "response", fmt,
                   response.response_csv)


def _export(doc: response.ResponseDocument, kind: str, fmt: str, as_csv) -> Report:
    name = f"{response.slug(doc.topic.title)}-{kind}"
    if fmt == "csv":
        return Report(f"{name}.csv", "text/csv; charset=utf-8", as_csv(doc))
    return Report(f"{name}.md", "text/markdown; charset=utf-8",
                  response.to_markdown(doc).encode("utf-8"))


def insights(actor, topic: Topic, limit: int = 5) -> dict:
    """Participation and the posts a facilitator should read first."""
    actions.require(actions.see_insights(actor, topic))
    visible = (select(Post.id).join(Thread, Thread.id == Post.thread_id)
               .where(Thread.topic_id == topic.id, Thread.pending.is_(False),
                      Post.hidden.is_(False), Post.pending.is_(False), Post.rejected.is_(False)))
    base = select(Post).where(Post.id.in_(visible))
    members = db.session.scalar(select(func.count(Membership.id)).where(
        Membership.group_id == topic.group_id, Membership.role != "pending")) or 0
    posters = db.session.scalar(
        select(func.count(func.distinct(Post.author_id))).where(
            Post.id.in_(visible),
            Post.author_id.in_(select(Membership.user_id).where(
                Membership.group_id == topic.group_id, Membership.role != "pending")))) or 0
    agreed = db.session.scalars(
        base.where(Post.agree_count > 0).order_by(Post.agree_count.desc(), Post.id).limit(limit))
    divisive = db.session.scalars(
        base.where(Post.agree_count > 0, Post.disagree_count > 0)
        .order_by(func.min(Post.agree_count, Post.disagree_count).desc()
                  if db.engine.dialect.name == "sqlite"
                  else func.least(Post.agree_count, Post.disagree_count).desc(),
                  (Post.agree_count + Post.disagree_count).desc(), Post.id).limit(limit))
    replies = (select(Post.reply_to_id.label("post_id"), func.count().label("replies"))
               .where(Post.id.in_(visible), Post.reply_to_id.is_not(None))
               .group_by(Post.reply_to_id).subquery())
    replied = db.session.execute(
        select(Post, replies.c.replies).join(replies, replies.c.post_id == Post.id)
        .where(Post.id.in_(visible))
        .order_by(replies.c.replies.desc(), Post.id).limit(limit)).all()
    unanswered = db.session.scalars(
        select(Thread).where(Thread.topic_id == topic.id, Thread.pending.is_(False),
                             Thread.post_count <= 1).order_by(Thread.created_at).limit(limit))
    return {"members": members, "posters": posters, "most_agreed": list(agreed),
            "most_divisive": list(divisive), "most_replied": replied,
            "unanswered_threads": list(unanswered), **_breakdown(topic, visible)}


def _breakdown(topic: Topic, visible) -> dict:
    """Posts per question (with the unanswered ones) and per member organisation."""
    from forum.models import Organisation, User
    from forum.services.organisations import group_organisations
    from forum.services.questions import list_questions

    qs = list_questions(topic)
    question_of = func.coalesce(Post.question_id, Thread.question_id)
    per_question = dict(db.session.execute(
        select(question_of, func.count(Post.id)).join(Thread, Thread.id == Post.thread_id)
        .where(Post.id.in_(visible)).group_by(question_of)).all())
    threads_per_question = dict(db.session.execute(
        select(Thread.question_id, func.count(Thread.id))
        .where(Thread.topic_id == topic.id, Thread.pending.is_(False))
        .group_by(Thread.question_id)).all())
    by_question = [{"question": q, "posts": per_question.get(q.id, 0),
                    "threads": threads_per_question.get(q.id, 0)} for q in qs]
    per_org = dict(db.session.execute(
        select(User.organisation_id, func.count(Post.id)).join(User, User.id == Post.author_id)
        .where(Post.id.in_(visible), User.organisation_id.is_not(None))
        .group_by(User.organisation_id)).all())
    posters_per_org = dict(db.session.execute(
        select(User.organisation_id, func.count(func.distinct(Post.author_id)))
        .join(User, User.id == Post.author_id)
        .where(Post.id.in_(visible), User.organisation_id.is_not(None))
        .group_by(User.organisation_id)).all())
    orgs: list[Organisation] = group_organisations(topic.group_id)
    by_organisation = sorted(
        ({"organisation": o, "posts": per_org.get(o.id, 0),
          "posters": posters_per_org.get(o.id, 0)} for o in orgs),
        key=lambda row: (-row["posts"], row["organisation"].name))
    return {"by_question": by_question,
            "unanswered_questions": [row["question"] for row in by_question if not row["posts"]],
            "by_organisation": by_organisation,
            "silent_organisations": [row["organisation"] for row in by_organisation
                                     if not row["posts"]]}
