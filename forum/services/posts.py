"""Posts: reply, edit (keeping every earlier version) and react."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from forum import live
from forum import permissions as perm
from forum.db import after_commit, run, unit_of_work
from forum.errors import ValidationFailed
from forum.extensions import db
from forum.i18n import Message
from forum.markup import MENTION, plain_text, quoted_post_ids, render_markdown
from forum.models import REACTION_KINDS, Post, PostRevision, Reaction, Thread, User, utcnow
from forum.permissions import actions
from forum.services import drafts, following, questions, reading, search
from forum.services.audit import log_moderation, notify
from forum.services.threads import is_held_for_review
from forum.services.validation import check_body


@unit_of_work
def create_post(actor: User, thread: Thread, body: str, reply_to: int | None = None,
                question_id: int | None = None) -> Post:
    """Members reply. 409 if the thread is locked (moderators excepted) or the topic closed."""
    actions.require(actions.reply(actor, thread))
    body = check_body("body", body or "")
    question_id = questions.check_question(thread.topic, question_id)
    if reply_to is not None:
        parent = db.session.get(Post, reply_to)
        if parent is None or parent.thread_id != thread.id or not perm.can_see_post(actor, parent):
            raise ValidationFailed({"reply_to": gettext("Reply to a post of this thread.")})
    pending = is_held_for_review(actor, thread.topic.group)
    now = utcnow()
    post = Post(thread_id=thread.id, thread=thread, author_id=actor.id, author=actor,
                reply_to_id=reply_to, body_markdown=body, body_html=render_markdown(body),
                created_at=now, pending=pending, question_id=question_id)
    db.session.add(post)
    db.session.flush()
    search.index_post(post, new=True)
    drafts.discard_reply_draft(actor, thread)
    following.keep_hearing(actor, thread)
    reading.advance(actor, thread, post.id)  # one has read what one answers
    if pending:  # only its author and the moderators hear of it now
        after_commit(lambda: live.publish_post(post, "post.created"))
    else:
        publish_new_post(post, actor)
    return post


_THREADS = Thread.__table__
_COUNT_A_NEW_POST = (
    update(_THREADS).where(_THREADS.c.id == bindparam("thread"))
    .values(post_count=_THREADS.c.post_count + 1,
            last_post_at=bindparam("at", type_=_THREADS.c.last_post_at.type))
    .returning(_THREADS.c.post_count))


def publish_new_post(post: Post, actor: User, audience: str = "all") -> None:
    """Count a post that has become public, notify those it concerns, and announce it live.

    `audience="public"` announces it only to those who could not see it yet (an approval).
    """
    thread = post.thread
    count = run(_COUNT_A_NEW_POST, {"thread": thread.id, "at": post.created_at}).scalar_one()
    # As the database has them now, without marking the thread changed (no second UPDATE).
    set_committed_value(thread, "post_count", count)
    set_committed_value(thread, "last_post_at", post.created_at)
    _notify_about_post(post, actor)
    after_commit(lambda: live.publish_post(post, "post.created", audience))


def _notify_about_post(post: Post, actor: User) -> None:
    """reply, quote and mention notifications, and `post` for those watching: one per person
    per post, only to those who see it, none to those who muted the thread (or its topic or
    group, the most specific level winning)."""
    thread = post.thread
    group = thread.topic.group
    url = f"/posts/{post.id}"
    excerpt = plain_text(post.body_html)[:140]
    name = actor.display_name
    targets: dict[int, tuple[str, Message]] = {}
    for handle in dict.fromkeys(MENTION.findall(post.body_markdown)):
        user = db.session.scalar(select(User).where(User.username_key == handle.lower()))
        if user is not None and perm.can_see_post(user, post):
            targets.setdefault(user.id, ("mention", Message(
                "%(name)s mentioned you: %(excerpt)s", name=name, excerpt=excerpt)))
    for quoted_id in quoted_post_ids(post.body_markdown):
        quoted = db.session.get(Post, quoted_id)
        if quoted is not None and quoted.author_id and quoted.thread.topic.group_id == group.id:
            targets.setdefault(quoted.author_id, ("quote", Message(
                "%(name)s quoted you: %(excerpt)s", name=name, excerpt=excerpt)))
    if post.reply_to_id is not None:
        parent = db.session.get(Post, post.reply_to_id)
        if parent is not None and parent.author_id:
            targets.setdefault(parent.author_id, ("reply", Message(
                "%(name)s replied: %(excerpt)s", name=name, excerpt=excerpt)))
    levels = following.levels_for_thread(thread)
    for user_id, level in levels.items():
        if level == "watching":
            targets.setdefault(user_id, ("post", Message(
                "%(name)s posted in %(thread)s: %(excerpt)s", name=name, thread=thread.title,
                excerpt=excerpt)))
    for user_id, (kind, text) in targets.items():
        if levels.get(user_id) != "muted":
            notify(user_id, kind, text, url, actor=actor, group_id=group.id, post_id=post.id)


@unit_of_work
def edit_post(actor: User, post: Post, body: str, reason: str | None = None) -> Post:
    """Authors and moderators edit; the version replaced is kept as a revision."""
    actions.require(actions.edit_post(actor, post))
    body = check_body("body", body or "")
    if reason is not None and len(reason) > 500:
        raise ValidationFailed({"reason": gettext("At most 500 characters.")})
    if body == post.body_markdown:
        return post
    db.session.add(PostRevision(
        post_id=post.id, revision=post.revision, body_markdown=post.body_markdown,
        body_html=post.body_html, created_at=post.edited_at or post.created_at,
        editor_id=actor.id, reason=reason,
    ))
    post.body_markdown = body
    post.body_html = render_markdown(body)
    post.edited_at = utcnow()
    post.revision += 1
    search.index_post(post)
    if actor.id != post.author_id:
        log_moderation(post.thread.topic.group_id, actor, "edit_post", "post", post.id,
                       reason or "")
    if not post.pending:
        after_commit(lambda: live.publish_post(post, "post.updated"))
    return post


def _check_reaction(actor: User, post: Post, kind: str) -> None:
    if kind not in REACTION_KINDS:
        raise ValidationFailed({"kind": gettext("Choose agree, disagree or thanks.")})
    actions.require(actions.react(actor, post))


def _insert_ignore(table):
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing()


def _bump(post: Post, kind: str, delta: int) -> None:
    column = getattr(Post, f"{kind}_count")
    db.session.execute(update(Post).where(Post.id == post.id).values({column: column + delta}))
    db.session.refresh(post, [f"{kind}_count"])


@unit_of_work
def add_reaction(actor: User, post: Post, kind: str) -> Post:
    """Idempotent: a second identical reaction changes nothing."""
    _check_reaction(actor, post, kind)
    inserted = db.session.execute(
        _insert_ignore(Reaction.__table__).values(post_id=post.id, user_id=actor.id, kind=kind,
                                                  created_at=utcnow())
        .returning(Reaction.__table__.c.post_id)
    ).first()  # a row only when this call added the reaction (rowcount is not reliable here)
    if inserted is not None:
        _bump(post, kind, 1)
        after_commit(lambda: live.publish_reactions(post))
    return post


@unit_of_work
def remove_reaction(actor: User, post: Post, kind: str) -> Post:
    if kind not in REACTION_KINDS:
        raise ValidationFailed({"kind": gettext("Choose agree, disagree or thanks.")})
    actions.require(actions.react(actor, post))
    removed = db.session.execute(
        delete(Reaction).where(Reaction.post_id == post.id, Reaction.user_id == actor.id,
                               Reaction.kind == kind)
    ).rowcount
    if removed:
        _bump(post, kind, -1)
        after_commit(lambda: live.publish_reactions(post))
    return post
