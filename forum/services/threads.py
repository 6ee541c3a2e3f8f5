"""Threads: start one with its first post, rename, lock, pin and move."""

from __future__ import annotations

from sqlalchemy import update

from forum import live
from forum import permissions as perm
from forum.db import after_commit, unit_of_work
from forum.errors import NotFound, PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.markup import render_markdown
from forum.models import Post, Thread, Topic, User, utcnow
from forum.permissions import actions
from forum.services import questions, search
from forum.services.audit import log_moderation
from forum.services.validation import check_body, refuse, require_text

_UNSET = object()


def is_held_for_review(actor: User, group) -> bool:
    """In a pre-moderated group, members' contributions wait for a moderator."""
    return group.premoderate and not perm.is_facilitator(actor, group)


@unit_of_work
def create_thread(actor: User, topic: Topic, title: str, body: str,
                  question_id: int | None = None) -> Thread:
    """Members start a thread with its first post. 409 unless the topic takes contributions."""
    actions.require(actions.start_thread(actor, topic))
    return start_thread(actor, topic, title, body,
                        question_id=questions.check_question(topic, question_id))


def start_thread(actor: User, topic: Topic, title: str, body: str, *,
                 question_id: int | None = None, paragraph_id: int | None = None) -> Thread:
    """Inside a unit of work whose rights and state checks are done: write thread and post."""
    title = require_text({"title": title}, {"title": 200})["title"]
    body = check_body("body", body or "")
    pending = is_held_for_review(actor, topic.group)
    now = utcnow()
    thread = Thread(topic_id=topic.id, topic=topic, author_id=actor.id, author=actor, title=title,
                    created_at=now, last_post_at=now, post_count=0 if pending else 1,
                    pending=pending, question_id=question_id, signoff_paragraph_id=paragraph_id)
    db.session.add(thread)
    db.session.flush()
    post = Post(thread_id=thread.id, thread=thread, author_id=actor.id, author=actor,
                body_markdown=body, body_html=render_markdown(body), created_at=now,
                pending=pending)
    db.session.add(post)
    if not pending:
        db.session.execute(
            update(Topic).where(Topic.id == topic.id).values(thread_count=Topic.thread_count + 1)
        )
    db.session.flush()
    thread.first_post = post
    search.index_thread(thread)
    search.index_post(post)
    after_commit(lambda: live.publish_thread(thread, "thread.created"))  # shaped by pending
    return thread


@unit_of_work
def update_thread(actor: User, thread: Thread, *, title: str | None = None,
                  locked: bool | None = None, pinned: bool | None = None,
                  topic_id: int | None = None, slow_mode_seconds: int | None = None,
                  question_id: int | None | object = _UNSET) -> Thread:
    """Authors rename their threads; moderators also lock, pin, move and slow them."""
    moderating = any(value is not None for value in (locked, pinned, topic_id, slow_mode_seconds))
    if moderating:
        actions.require(actions.moderate_thread(actor, thread))
    if title is not None:
        actions.require(actions.rename_thread(actor, thread))
    group_id = thread.topic.group_id
    if question_id is not _UNSET:
        if not perm.can_tag_question(actor, thread.author_id, thread.topic.group):
            refuse(actor, "Only the author or a facilitator says which question a thread answers.")
        thread.question_id = questions.check_question(thread.topic, question_id)
    if title is not None:
        thread.title = require_text({"title": title}, {"title": 200})["title"]
        search.retitle_thread(thread)
    for name, value in (("locked", locked), ("pinned", pinned)):
        if value is not None and getattr(thread, name) != value:
            setattr(thread, name, value)
            verb = {"locked": ("lock", "unlock"), "pinned": ("pin", "unpin")}[name]
            log_moderation(group_id, actor, verb[0] if value else verb[1], "thread", thread.id)
    if slow_mode_seconds is not None and slow_mode_seconds != thread.slow_mode_seconds:
        if not 0 <= slow_mode_seconds <= 86400:
            raise ValidationFailed({"slow_mode_seconds": "Between 0 and 86400 seconds."})
        thread.slow_mode_seconds = slow_mode_seconds
        log_moderation(group_id, actor, "slow_mode", "thread", thread.id,
                       f"{slow_mode_seconds} seconds" if slow_mode_seconds else "off")
    if topic_id is not None and topic_id != thread.topic_id:
        _move(actor, thread, topic_id)
    after_commit(lambda: live.publish_thread(thread, "thread.updated"))
    return thread


def _move(actor: User, thread: Thread, topic_id: int) -> None:
    destination = db.session.get(Topic, topic_id)
    if destination is None or not perm.can_see_topic(actor, destination):
        raise NotFound("No such destination topic.")
    if not perm.is_moderator(actor, destination.group):
        raise PermissionDenied("Moving needs moderator rights in both groups.")
    source = thread.topic
    delta = 0 if thread.pending else 1
    db.session.execute(update(Topic).where(Topic.id == source.id)
                       .values(thread_count=Topic.thread_count - delta))
    db.session.execute(update(Topic).where(Topic.id == destination.id)
                       .values(thread_count=Topic.thread_count + delta))
    thread.topic_id = destination.id
    thread.topic = destination
    thread.question_id = None  # the questions belong to the topic it left
    if destination.group_id != source.group_id:  # its followers are re-checked
        after_commit(lambda: live.refresh_thread(thread.id, source.group_id))
    db.session.flush()
    search.move_thread(thread)
    reason = f"from topic {source.id} to topic {destination.id}"
    log_moderation(source.group_id, actor, "move", "thread", thread.id, reason)
    if destination.group_id != source.group_id:
        log_moderation(destination.group_id, actor, "move", "thread", thread.id, reason)
