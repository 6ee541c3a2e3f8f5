"""Moderation: flags, the review queue, hiding, pre-moderation decisions and suspensions.

Every action writes its moderation-log line in the same transaction as the change itself.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from forum import labels, live
from forum import permissions as perm
from forum.db import after_commit, unit_of_work
from forum.errors import Conflict, NotFound, ValidationFailed
from forum.extensions import db
from forum.i18n import Message
from forum.models import (
    FLAG_REASONS,
    Flag,
    Group,
    Post,
    Suspension,
    Thread,
    Topic,
    User,
    utcnow,
)
from forum.permissions import actions
from forum.services import search
from forum.services.audit import log_moderation, notify
from forum.services.posts import publish_new_post
from forum.services.validation import check_aware

MAX_NOTE = 1000
MAX_REASON = 1000


def _group_of(post: Post) -> Group:
    return post.thread.topic.group


def _require_moderator(actor: User, group: Group) -> None:
    actions.require(actions.moderate_group(actor, group))


def _reason(reason: str | None, *, required: bool = False) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed({"reason": gettext("Say why, for the author and the log.")})
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": gettext("At most %(max_reason)s characters.",
                                                  max_reason=MAX_REASON)})
    return reason


# --- flags ------------------------------------------------------------------------------------

@unit_of_work
def flag_post(actor: User, post: Post, reason: str, note: str | None = None) -> Flag:
    """Members flag others' posts; one open flag per member and post (409 for a second)."""
    if reason not in FLAG_REASONS:
        raise ValidationFailed({"reason": gettext("Choose spam, abusive, off topic or other.")})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed({"note": gettext("At most %(max_note)s characters.",
                                                max_note=MAX_NOTE)})
    actions.require(actions.flag(actor, post))
    flag = Flag(post_id=post.id, reporter_id=actor.id, reporter=actor, reason=reason, note=note)
    try:
        with db.session.begin_nested():
            db.session.add(flag)
            db.session.flush()
    except IntegrityError:
        raise Conflict(gettext("You have already flagged this post.")) from None
    _auto_hide(post)
    return flag


def _auto_hide(post: Post) -> None:
    group = _group_of(post)
    threshold = group.auto_hide_flag_count
    if not threshold or post.hidden:
        return
    reporters = db.session.scalar(
        select(func.count(func.distinct(Flag.reporter_id)))
        .where(Flag.post_id == post.id, Flag.status == "open")
    )
    if reporters >= threshold:
        _set_hidden(None, post, True, f"Hidden automatically after {reporters} flags")


@unit_of_work
def resolve_flag(actor: User, flag: Flag, action: str) -> Flag:
    """Dismiss or act on a flag: closes every open flag on that post. 409 if already closed."""
    if action not in ("dismiss", "hide"):
        raise ValidationFailed({"action": gettext("Choose dismiss or hide.")})
    post = db.session.get(Post, flag.post_id)
    _require_moderator(actor, _group_of(post))
    status = "dismissed" if action == "dismiss" else "actioned"
    closed = db.session.execute(
        update(Flag).where(Flag.post_id == post.id, Flag.status == "open")
        .values(status=status, resolved_by_id=actor.id, resolved_at=utcnow())
        .returning(Flag.id)
    ).all()
    if not closed:
        raise Conflict(gettext("These flags were already resolved."))
    db.session.refresh(flag)
    reasons = labels.flag_reason(flag.reason) + (f": {flag.note}" if flag.note else "")
    log_moderation(_group_of(post).id, actor, f"resolve_{action}", "post", post.id, reasons)
    if action == "hide" and not post.hidden:
        _set_hidden(actor, post, True,
                    f"Flagged as {labels.flag_reason(flag.reason).lower()}")
    return flag


# --- hide and unhide --------------------------------------------------------------------------

def _set_hidden(actor: User | None, post: Post, hidden: bool, reason: str) -> None:
    post.hidden = hidden
    post.hidden_reason = reason if hidden else None
    search.index_post(post)
    group = _group_of(post)
    if actor is not None:
        log_moderation(group.id, actor, "hide" if hidden else "unhide", "post", post.id, reason)
    else:
        from forum.models import ModerationAction

        db.session.add(ModerationAction(group_id=group.id, actor_id=None, action="auto_hide",
                                        target_type="post", target_id=post.id, reason=reason))
    if hidden and post.author_id:
        notify(post.author_id, "moderation",
               Message("A moderator hid your post in “%(thread)s”: %(reason)s",
                       thread=post.thread.title, reason=reason),
               f"/posts/{post.id}", actor=actor, group_id=group.id, post_id=post.id)
    event = "post.hidden" if hidden else "post.unhidden"
    after_commit(lambda: live.publish_visibility(post, event))


@unit_of_work
def hide_post(actor: User, post: Post, reason: str) -> Post:
    actions.require(actions.moderate_post(actor, post))
    reason = _reason(reason, required=True)
    if post.hidden:
        return post
    _set_hidden(actor, post, True, reason)
    return post


@unit_of_work
def unhide_post(actor: User, post: Post) -> Post:
    actions.require(actions.moderate_post(actor, post))
    if post.hidden:
        _set_hidden(actor, post, False, "")
    return post


# --- pre-moderation ---------------------------------------------------------------------------

def _require_pending(post: Post) -> None:
    if not post.pending:
        raise Conflict(gettext("This post is not awaiting approval."))


@unit_of_work
def approve_post(actor: User, post: Post, body: str | None = None,
                 reason: str | None = None) -> Post:
    """Publish a pending post (and its thread, if it is the first post); notifications fire now.
    With `body`, the moderator's edit is kept as a revision (the author's words stay in the
    history) and the post is published as edited."""
    from forum.services.posts import edit_post

    group = _group_of(post)
    actions.require(actions.moderate_post(actor, post))
    _require_pending(post)
    edited = body is not None and body.replace("\r\n", "\n") != post.body_markdown
    if edited:
        edit_post(actor, post, body.replace("\r\n", "\n"),
                  _reason(reason) or "Edited before approval")
    post.pending = False
    thread = post.thread
    search.index_post(post)
    thread_was_pending = thread.pending
    if thread.pending:
        thread.pending = False
        # Replies its moderators wrote while it waited count from now on; publish_new_post adds
        # the first post.
        thread.post_count = db.session.scalar(
            select(func.count(Post.id)).where(Post.thread_id == thread.id, Post.id != post.id,
                                              Post.pending.is_(False), Post.rejected.is_(False)))
        search.index_thread(thread)
        db.session.execute(update(Topic).where(Topic.id == thread.topic_id)
                           .values(thread_count=Topic.thread_count + 1))
        after_commit(lambda: live.publish_thread(thread, "thread.created"))
    log_moderation(group.id, actor, "approve", "post", post.id,
                   "Edited before approval" if edited else "")
    author = db.session.get(User, post.author_id) if post.author_id else None
    publish_new_post(post, author or actor, audience="public")
    if thread_was_pending:  # replies its moderators wrote while it waited, to the public now
        after_commit(lambda: live.publish_thread_posts(thread, exclude=post.id))
    return post


@unit_of_work
def reject_post(actor: User, post: Post, reason: str | None = None) -> Post:
    """Take a pending post out of view and tell its author why."""
    group = _group_of(post)
    actions.require(actions.moderate_post(actor, post))
    _require_pending(post)
    reason = _reason(reason)
    post.pending = False
    post.rejected = True
    search.index_post(post)
    thread = post.thread
    # A rejected first post takes its thread with it: it stays out of view, locked.
    thread_rejected = thread.pending
    if thread_rejected:
        thread.locked = True
    log_moderation(group.id, actor, "reject", "post", post.id, reason)
    if post.author_id:
        notify(post.author_id, "moderation",
               Message("Your post in “%(thread)s” was not approved: %(reason)s",
                       thread=thread.title, reason=reason) if reason else
               Message("Your post in “%(thread)s” was not approved.", thread=thread.title),
               f"/threads/{thread.id}" if not thread_rejected else f"/groups/{group.slug}",
               actor=actor, group_id=group.id)
    after_commit(lambda: live.publish_visibility(post, "post.rejected"))
    return post


def queue_items(actor: User, group: Group) -> list[dict]:
    """Open flags grouped by post, and pending posts; oldest first. For the group's moderators."""
    _require_moderator(actor, group)
    flags = db.session.scalars(
        select(Flag).join(Post, Post.id == Flag.post_id).join(Thread, Thread.id == Post.thread_id)
        .join(Topic, Topic.id == Thread.topic_id)
        .where(Topic.group_id == group.id, Flag.status == "open").order_by(Flag.id)
    ).all()
    pending = db.session.scalars(
        select(Post).join(Thread, Thread.id == Post.thread_id)
        .join(Topic, Topic.id == Thread.topic_id)
        .where(Topic.group_id == group.id, Post.pending.is_(True)).order_by(Post.id)
    ).all()
    by_post: dict[int, list[Flag]] = {}
    for flag in flags:
        by_post.setdefault(flag.post_id, []).append(flag)
    posts = {p.id: p for p in db.session.scalars(select(Post).where(Post.id.in_(by_post)))}
    items = [{"type": "flags", "post": posts[pid], "flags": fl, "since": fl[0].created_at}
             for pid, fl in by_post.items()]
    items += [{"type": "pending", "post": p, "flags": [], "since": p.created_at}
              for p in pending]
    return sorted(items, key=lambda item: item["since"])


# --- suspensions ------------------------------------------------------------------------------

@unit_of_work
def suspend_member(actor: User, group: Group, member: User, until: datetime,
                   reason: str) -> Suspension:
    """Suspend a member in one group until `until`: they still read but cannot contribute."""
    _require_moderator(actor, group)
    check_aware("until", until)
    if until <= datetime.now(UTC):
        raise ValidationFailed({"until": gettext("Choose a time in the future.")})
    reason = _reason(reason, required=True)
    actions.require(actions.suspend_member(actor, group, member))
    db.session.execute(
        update(Suspension).where(Suspension.group_id == group.id, Suspension.user_id == member.id,
                                 Suspension.lifted_at.is_(None)).values(lifted_at=utcnow())
    )
    suspension = Suspension(group_id=group.id, user_id=member.id, until=until, reason=reason,
                            created_by_id=actor.id)
    db.session.add(suspension)
    db.session.flush()
    log_moderation(group.id, actor, "suspend", "user", member.id,
                   f"until {until.astimezone(UTC):%Y-%m-%d %H:%M}Z: {reason}")
    notify(member.id, "moderation",
           Message("You are suspended in %(group)s until %(until)s: %(reason)s",
                   group=group.name, until=until, reason=reason),
           f"/groups/{group.slug}", actor=actor, group_id=group.id)
    perm.forget_cached_rights(member)
    return suspension


@unit_of_work
def lift_suspension(actor: User, group: Group, member: User) -> None:
    _require_moderator(actor, group)
    lifted = db.session.execute(
        update(Suspension).where(Suspension.group_id == group.id, Suspension.user_id == member.id,
                                 Suspension.lifted_at.is_(None),
                                 Suspension.until > datetime.now(UTC))
        .values(lifted_at=utcnow()).returning(Suspension.id)
    ).all()
    if not lifted:
        raise NotFound(gettext("That member is not suspended here."))
    log_moderation(group.id, actor, "lift", "user", member.id)
    perm.forget_cached_rights(member)


def current_suspensions(actor: User, group: Group) -> list[Suspension]:
    """Suspensions in force in the group, ending soonest first. For its moderators."""
    _require_moderator(actor, group)
    return list(db.session.scalars(
        select(Suspension).where(Suspension.group_id == group.id, Suspension.lifted_at.is_(None),
                                 Suspension.until > datetime.now(UTC))
        .order_by(Suspension.until)))


def suspended_user_ids(group: Group) -> dict[int, Suspension]:
    return {s.user_id: s for s in db.session.scalars(
        select(Suspension).where(Suspension.group_id == group.id, Suspension.lifted_at.is_(None),
                                 Suspension.until > datetime.now(UTC)))}


def member_card(actor: User, group: Group, member: User, limit: int = 10) -> dict:
    """For the group's moderators: a member's recent posts, flags on their posts and flags they
    raised, and the moderation actions about them or their posts."""
    from forum.models import ModerationAction

    _require_moderator(actor, group)
    in_group = (select(Post.id).join(Thread, Thread.id == Post.thread_id)
                .join(Topic, Topic.id == Thread.topic_id).where(Topic.group_id == group.id))
    posts = list(db.session.scalars(
        select(Post).where(Post.author_id == member.id, Post.id.in_(in_group))
        .order_by(Post.id.desc()).limit(limit)))
    flags_on = list(db.session.scalars(
        select(Flag).join(Post, Post.id == Flag.post_id)
        .where(Post.author_id == member.id, Post.id.in_(in_group))
        .order_by(Flag.id.desc()).limit(limit)))
    flags_by = list(db.session.scalars(
        select(Flag).where(Flag.reporter_id == member.id, Flag.post_id.in_(in_group))
        .order_by(Flag.id.desc()).limit(limit)))
    their_posts = select(Post.id).where(Post.author_id == member.id)
    past = list(db.session.scalars(
        select(ModerationAction).where(
            ModerationAction.group_id == group.id,
            ((ModerationAction.target_type == "user") & (ModerationAction.target_id == member.id))
            | ((ModerationAction.target_type == "post")
               & ModerationAction.target_id.in_(their_posts)))
        .order_by(ModerationAction.id.desc()).limit(limit)))
    return {"member": member, "posts": posts, "flags_on": flags_on, "flags_by": flags_by,
            "actions": past, "suspension": suspended_user_ids(group).get(member.id)}


def describe_targets(entries) -> dict[tuple[str, int], str]:
    """(target_type, target_id) -> words naming it: a member's name, a thread's or a post's
    thread title, a topic's title. For the log page (its readers are the group's moderators)."""
    wanted: dict[str, set[int]] = {}
    for e in entries:
        wanted.setdefault(e.target_type, set()).add(e.target_id)
    names: dict[tuple[str, int], str] = {}
    if wanted.get("user"):
        for u in db.session.scalars(select(User).where(User.id.in_(wanted["user"]))):
            names[("user", u.id)] = (gettext("Former member") if u.erased_at
                                     else u.display_name)
            names[("username", u.id)] = u.username
    if wanted.get("thread"):
        for t in db.session.scalars(select(Thread).where(Thread.id.in_(wanted["thread"]))):
            names[("thread", t.id)] = gettext("“%(title)s”", title=t.title)
    if wanted.get("post"):
        rows = db.session.execute(
            select(Post.id, Thread.title, User.display_name, User.erased_at)
            .join(Thread, Thread.id == Post.thread_id)
            .outerjoin(User, User.id == Post.author_id).where(Post.id.in_(wanted["post"])))
        for post_id, title, author, erased in rows:
            who = gettext("Former member") if erased or author is None else author
            names[("post", post_id)] = gettext("%(who)s’s post in “%(title)s”", who=who,
                                               title=title)
    if wanted.get("topic"):
        for t in db.session.scalars(select(Topic).where(Topic.id.in_(wanted["topic"]))):
            names[("topic", t.id)] = gettext("“%(title)s”", title=t.title)
    return names
