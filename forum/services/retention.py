"""Retention: the posts of archived topics go once a group's retention period has passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from forum.db import unit_of_work
from forum.extensions import db
from forum.markup import render_markdown
from forum.models import Group, Post, PostRevision, SearchEntry, Thread, Topic, utcnow
from forum.services import attachments
from forum.services.admin import audit

RETIRED = "_This post was removed under the group's retention policy._"


@dataclass
class Due:
    group: str
    topic_id: int
    topic: str
    posts: int


def due() -> list[Due]:
    """What a run would remove now: posts of topics archived longer than their group keeps."""
    found = []
    for group in db.session.scalars(select(Group).where(Group.retention_months.is_not(None))):
        cutoff = utcnow() - timedelta(days=30 * group.retention_months)
        for topic in db.session.scalars(select(Topic).where(
                Topic.group_id == group.id, Topic.status == "archived",
                Topic.updated_at < cutoff)):
            count = db.session.scalar(
                select(db.func.count(Post.id)).join(Thread, Thread.id == Post.thread_id)
                .where(Thread.topic_id == topic.id, Post.body_markdown != RETIRED))
            if count:
                found.append(Due(group.slug, topic.id, topic.title, count))
    return found


@unit_of_work
def apply() -> list[Due]:
    """Remove what is due (texts, revisions, search entries); threads keep their shape."""
    items = due()
    html = render_markdown(RETIRED)
    for item in items:
        post_ids = list(db.session.scalars(
            select(Post.id).join(Thread, Thread.id == Post.thread_id)
            .where(Thread.topic_id == item.topic_id)))
        db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(post_ids)))
        db.session.execute(delete(SearchEntry).where(SearchEntry.kind == "post",
                                                     SearchEntry.object_id.in_(post_ids)))
        db.session.execute(db.update(Post).where(Post.id.in_(post_ids))
                           .values(body_markdown=RETIRED, body_html=html))
        attachments.retire_topic(item.topic_id)
        audit(None, "retention", "topic", item.topic_id, f"{item.posts} posts removed")
    return items
