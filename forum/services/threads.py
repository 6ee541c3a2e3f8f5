"""Threads: start one with its first post, rename, lock, pin and move."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from flask_babel import gettext

from forum import live
from forum import permissions as perm
from forum.db import after_commit, unit_of_work
from forum.errors import NotFound, PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.markup import render_markdown
from forum.models import Post, Thread, Topic, User, utcnow
from forum.permissions import actions
from forum.services import drafts, following, questions, reading, search
from forum.services.audit import log_moderation
from forum.services.validation import check_aware, check_body, refuse, require_text

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
    search.index_thread(thread, new=True)
    search.index_post(post, new=True)
    drafts.discard_thread_draft(actor, topic)
    following.keep_hearing(actor, thread)
    reading.advance(actor, thread, post.id)
    if not pending:  # mentions and watchers hear of a first post as of a reply
        from forum.services.posts import _notify_about_post

        _notify_about_post(post, actor)
    after_commit(lambda: live.publish_thread(thread, "thread.created"))  # shaped by pending
    return thread


@unit_of_work
def update_thread(actor: User, thread: Thread, *, title: str | None = None,
                  locked: bool | None = None, pinned: bool | None = None,
                  topic_id: int | None = None, slow_mode_seconds: int | None = None,
                  question_id: int | None | object = _UNSET,
                  slow_mode_until: datetime | None | object = _UNSET,
                  reason: str | None = None) -> Thread:
    """Authors rename their threads; moderators also lock, pin, move (with a reason for the log)
    and slow them (until an end time, or until turned off)."""
    moderating = any(value is not None for value in (locked, pinned, topic_id, slow_mode_seconds))
    moderating = moderating or slow_mode_until is not _UNSET
    if moderating:
        actions.require(actions.moderate_thread(actor, thread))
    if title is not None:
        actions.require(actions.rename_thread(actor, thread))
    group_id = thread.topic.group_id
    if question_id is not _UNSET:
        if not perm.can_tag_question(actor, thread.author_id, thread.topic.group):
            refuse(actor, gettext("Only the author or a facilitator says which question a "
                                  "thread answers."))
        thread.question_id = questions.check_question(thread.topic, question_id)
    if title is not None:
        thread.title = require_text({"title": title}, {"title": 200})["title"]
        search.retitle_thread(thread)
    for name, value in (("locked", locked), ("pinned", pinned)):
        if value is not None and getattr(thread, name) != value:
            setattr(thread, name, value)
            verb = {"locked": ("lock", "unlock"), "pinned": ("pin", "unpin")}[name]
            log_moderation(group_id, actor, verb[0] if value else verb[1], "thread", thread.id)
    if slow_mode_until is not _UNSET and slow_mode_until is not None:
        check_aware("slow_mode_until", slow_mode_until)
        if slow_mode_until <= datetime.now(UTC):
            raise ValidationFailed({"slow_mode_until": gettext("Choose a time in the future.")})
    seconds = thread.slow_mode_seconds if slow_mode_seconds is None else slow_mode_seconds
    until = thread.slow_mode_until if slow_mode_until is _UNSET else slow_mode_until
    if seconds != thread.slow_mode_seconds or until != thread.slow_mode_until:
        if not 0 <= seconds <= 86400:
            raise ValidationFailed({"slow_mode_seconds": gettext("Between 0 and 86400 seconds.")})
        thread.slow_mode_seconds = seconds
        thread.slow_mode_until = until if seconds else None
        log_moderation(group_id, actor, "slow_mode", "thread", thread.id,
                       slow_mode_words(seconds, thread.slow_mode_until))
    if topic_id is not None and topic_id != thread.topic_id:
        _move(actor, thread, topic_id, reason)
    after_commit(lambda: live.publish_thread(thread, "thread.updated"))
    return thread


def slow_mode_words(seconds: int, until: datetime | None) -> str:
    """The log's sentence for a slow-mode change."""
    if not seconds:
        return "Slow mode off"
    pace = f"one reply every {seconds // 60} minutes" if seconds % 60 == 0 and seconds >= 120 \
        else f"one reply every {seconds} seconds"
    if until is None:
        return f"Slow mode: {pace}, until turned off"
    return f"Slow mode: {pace}, until {until.astimezone(UTC):%d %b %Y %H:%M} UTC"


def _move(actor: User, thread: Thread, topic_id: int, why: str | None = None) -> None:
    destination = db.session.get(Topic, topic_id)
    if destination is None or not perm.can_see_topic(actor, destination):
        raise NotFound(gettext("No such destination topic."))
    if not perm.is_moderator(actor, destination.group):
        raise PermissionDenied(gettext("Moving needs moderator rights in both groups."))
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
    reason = f"From “{source.title}” to “{destination.title}”"
    if (why or "").strip():
        reason += f": {why.strip()[:1000]}"
    log_moderation(source.group_id, actor, "move", "thread", thread.id, reason)
    if destination.group_id != source.group_id:
        log_moderation(destination.group_id, actor, "move", "thread", thread.id, reason)


def move_destinations(actor: User, thread: Thread) -> list[Topic]:
    """Topics a moderator may move this thread to: every other topic of the groups they
    moderate (site admins: every group), by group then title."""
    from sqlalchemy import select

    from forum.models import Group

    actions.require(actions.moderate_thread(actor, thread))
    topics = db.session.scalars(
        select(Topic).join(Group, Group.id == Topic.group_id)
        .where(Topic.id != thread.topic_id).order_by(Group.name, Topic.title))
    return [t for t in topics if perm.is_moderator(actor, t.group)]


@unit_of_work
def split_thread(actor: User, thread: Thread, post_ids: list[int], title: str,
                 reason: str = "") -> Thread:
    """Moderators move a run of replies (never the opening post) into a new thread of the same
    topic. The posts keep their ids, revisions and citations; counters, search and the log
    follow; the new thread is announced live and the old one updated."""
    from sqlalchemy import func, select

    actions.require(actions.moderate_thread(actor, thread))
    title = require_text({"title": title}, {"title": 200})["title"]
    wanted = sorted(set(post_ids))
    if not wanted:
        raise ValidationFailed({"post_ids": gettext("Choose the replies to move.")})
    posts = list(db.session.scalars(select(Post).where(Post.thread_id == thread.id,
                                                       Post.id.in_(wanted)).order_by(Post.id)))
    opening = db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == thread.id))
    if len(posts) != len(wanted) or opening in wanted:
        raise ValidationFailed({"post_ids": gettext("Choose replies of this thread (not its "
                                                    "first post).")})
    first = posts[0]
    published = [p for p in posts if not p.pending and not p.rejected]
    new = Thread(topic_id=thread.topic_id, topic=thread.topic, author_id=first.author_id,
                 author=first.author, title=title, created_at=first.created_at,
                 last_post_at=max(p.created_at for p in posts),
                 post_count=len(published), pending=thread.pending,
                 question_id=thread.question_id)
    db.session.add(new)
    db.session.flush()
    for post in posts:
        post.thread_id = new.id
        post.thread = new
    db.session.flush()
    thread.post_count = max(0, thread.post_count - len(published))
    thread.last_post_at = db.session.scalar(
        select(func.max(Post.created_at)).where(Post.thread_id == thread.id)) or thread.created_at
    if not new.pending:
        db.session.execute(update(Topic).where(Topic.id == thread.topic_id)
                           .values(thread_count=Topic.thread_count + 1))
    new.first_post = first
    search.index_thread(new)
    for post in posts:
        search.index_post(post)
    why = f"{len(posts)} repl{'ies' if len(posts) != 1 else 'y'} from “{thread.title}” " \
          f"into “{new.title}”" + (f": {reason.strip()[:1000]}" if reason.strip() else "")
    log_moderation(thread.topic.group_id, actor, "split", "thread", new.id, why)
    after_commit(lambda: live.publish_thread(new, "thread.created"))
    after_commit(lambda: live.publish_thread(thread, "thread.updated"))
    return new


@unit_of_work
def merge_threads(actor: User, source: Thread, target: Thread, reason: str = "") -> Thread:
    """Moderators move every post of `source` into `target` (a thread of the same group) and
    remove the emptied thread. Posts keep their ids, revisions and citations; counters, search
    and the log follow; the target is updated live."""
    from sqlalchemy import func, select

    from forum.models import SearchEntry

    actions.require(actions.moderate_thread(actor, source))
    actions.require(actions.moderate_thread(actor, target))
    if source.id == target.id:
        raise ValidationFailed({"into": gettext("Choose another thread.")})
    if source.topic.group_id != target.topic.group_id:
        raise ValidationFailed({"into": gettext("Merge threads of the same group only.")})
    posts = list(db.session.scalars(select(Post).where(Post.thread_id == source.id)))
    for post in posts:
        post.thread_id = target.id
        post.thread = target
    db.session.flush()
    target.post_count += source.post_count
    target.last_post_at = db.session.scalar(
        select(func.max(Post.created_at)).where(Post.thread_id == target.id))
    if not source.pending:
        db.session.execute(update(Topic).where(Topic.id == source.topic_id)
                           .values(thread_count=Topic.thread_count - 1))
    for post in posts:
        search.index_post(post)
    db.session.execute(SearchEntry.__table__.delete().where(
        SearchEntry.kind == "thread", SearchEntry.object_id == source.id))
    why = f"“{source.title}” ({len(posts)} posts) into “{target.title}”" + (
        f": {reason.strip()[:1000]}" if reason.strip() else "")
    log_moderation(target.topic.group_id, actor, "merge", "thread", target.id, why)
    source_topic = source.topic
    db.session.delete(source)
    db.session.flush()
    after_commit(lambda: live.publish_thread(target, "thread.updated"))
    after_commit(lambda: live.publish_topic(source_topic))
    return target
