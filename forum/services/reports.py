"""The consultation-response report and the "what the group said" insights."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from forum import permissions as perm
from forum.errors import NotFound
from forum.extensions import db
from forum.models import Membership, Post, Thread, Topic
from forum.services.summaries import citations_of, latest_published
from forum.services.validation import refuse

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Report:
    filename: str
    content_type: str
    body: bytes


def _visible_threads_and_posts(topic: Topic) -> list[tuple[Thread, list[Post]]]:
    """Published threads and their visible posts: hidden, pending and rejected left out."""
    threads = list(db.session.scalars(
        select(Thread).where(Thread.topic_id == topic.id, Thread.pending.is_(False))
        .order_by(Thread.created_at, Thread.id)))
    posts = db.session.scalars(
        select(Post).where(Post.thread_id.in_([t.id for t in threads]),
                           Post.hidden.is_(False), Post.pending.is_(False),
                           Post.rejected.is_(False)).order_by(Post.id))
    by_thread: dict[int, list[Post]] = {}
    for post in posts:
        by_thread.setdefault(post.thread_id, []).append(post)
    return [(thread, by_thread.get(thread.id, [])) for thread in threads]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "topic"


def _name(post: Post) -> str:
    return post.author.display_name if post.author else "Former member"


def _day(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def build_report(actor, topic: Topic, fmt: str) -> Report:
    """Facilitators and moderators download the report as Markdown or CSV."""
    if not perm.can_download_report(actor, topic):
        refuse(actor, "Only the group's facilitators and moderators download reports.")
    threads = _visible_threads_and_posts(topic)
    try:
        summary = latest_published(topic)
    except NotFound:
        summary = None
    name = f"{_slug(topic.title)}-report"
    if fmt == "csv":
        return Report(f"{name}.csv", "text/csv; charset=utf-8", _csv(topic, threads))
    return Report(f"{name}.md", "text/markdown; charset=utf-8",
                  _markdown(topic, threads, summary).encode("utf-8"))


def _neutralise(value) -> str:
    """Spreadsheets run cells that begin with these characters as formulas."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _csv(topic: Topic, threads) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(["topic", "thread_id", "thread", "post_id", "reply_to", "author", "posted_at",
                     "agree", "disagree", "thanks", "text"])
    for thread, posts in threads:
        for post in posts:
            writer.writerow([_neutralise(v) for v in (
                topic.title, thread.id, thread.title, post.id, post.reply_to_id or "",
                _name(post), _day(post.created_at), post.agree_count, post.disagree_count,
                post.thanks_count, post.body_markdown)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _markdown(topic: Topic, threads, summary) -> str:
    lines = [f"# {topic.title}", "", f"Working group: {topic.group.name}  ",
             f"Status: {topic.status}", ""]
    if topic.response_deadline:
        lines += [f"Response deadline: {_day(topic.response_deadline)}", ""]
    lines += ["## Briefing", "", topic.briefing_markdown or "(none)", ""]
    lines += ["## Summary", ""]
    if summary is not None:
        cited = citations_of([summary.id]).get(summary.id, [])
        lines += [summary.body_markdown, "",
                  f"_Version {summary.version}, published {_day(summary.published_at)}"
                  + (f"; cites posts {', '.join(f'#{i}' for i in cited)}" if cited else "")
                  + "_", ""]
    else:
        lines += ["No summary has been published yet.", ""]
    lines += ["## What members said", ""]
    for thread, posts in threads:
        lines += [f"### {thread.title}", ""]
        for post in posts:
            reactions = (f"agree {post.agree_count} · disagree {post.disagree_count} · "
                         f"thanks {post.thanks_count}")
            lines += [f"**{_name(post)}**, {_day(post.created_at)} (post #{post.id}; "
                      f"{reactions})", ""]
            lines += ["> " + line if line else ">" for line in post.body_markdown.splitlines()]
            lines += [""]
    return "\n".join(lines) + "\n"


def insights(actor, topic: Topic, limit: int = 5) -> dict:
    """Participation and the posts a facilitator should read first."""
    if not perm.can_download_report(actor, topic):
        refuse(actor, "Only the group's facilitators and moderators see insights.")
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
            "unanswered_threads": list(unanswered)}
