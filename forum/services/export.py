"""Subject access: everything the forum holds about one person, as one JSON document."""

from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    ApiToken,
    Flag,
    Group,
    Membership,
    Notification,
    Post,
    PostRevision,
    Reaction,
    Thread,
    Topic,
    User,
)
from forum.permissions import delivery
from forum.serializers import iso
from forum.services import attachments, consent, events, mail, notifications


def export_user(user: User) -> dict:
    """Profile, memberships, posts with every revision (hidden, pending and rejected too),
    reactions, flags raised, notifications, mail preferences and token names. Other people
    appear only as the names the user could already see.

    An export is an exit: the person's own words always, but of a group they may no longer see
    (removed, or it turned private) nothing else: no thread or topic title they did not write,
    no notification about it (those carry other people's words)."""
    rows = db.session.execute(
        select(Group, Membership.role, Membership.created_at)
        .join(Group, Group.id == Membership.group_id).where(Membership.user_id == user.id)
        .order_by(Membership.id)).all()
    seen = delivery.visible_now(user, [group for group, _, _ in rows])
    memberships = [(group.slug, group.name if ok else None, role, since)
                   for (group, role, since), ok in zip(rows, seen)]
    rows = db.session.execute(
        select(Post, Thread, Topic).join(Thread, Thread.id == Post.thread_id)
        .join(Topic, Topic.id == Thread.topic_id).where(Post.author_id == user.id)
        .order_by(Post.id)).all()
    seen = delivery.visible_now(user, [x for _, thread, topic in rows for x in (thread, topic)])
    posts = [(post, thread.title if thread.author_id == user.id or seen[2 * i] else None,
              topic.title if seen[2 * i + 1] else None)
             for i, (post, thread, topic) in enumerate(rows)]
    revisions: dict[int, list[PostRevision]] = {}
    for revision in db.session.scalars(
            select(PostRevision).where(PostRevision.post_id.in_([p.id for p, _, _ in posts]))
            .order_by(PostRevision.id)):
        revisions.setdefault(revision.post_id, []).append(revision)
    return {
        "profile": {"username": user.username, "display_name": user.display_name,
                    "email": user.email, "is_admin": user.is_admin,
                    "created_at": iso(user.created_at)},
        "memberships": [{"group": slug, "group_name": name, "role": role,
                         "since": iso(since)} for slug, name, role, since in memberships],
        "posts": [{
            "id": post.id, "thread": thread_title, "topic": topic_title,
            "body_markdown": post.body_markdown, "created_at": iso(post.created_at),
            "edited_at": iso(post.edited_at), "hidden": post.hidden,
            "hidden_reason": post.hidden_reason, "pending": post.pending,
            "rejected": post.rejected,
            "revisions": [{"revision": r.revision, "body_markdown": r.body_markdown,
                           "written_at": iso(r.created_at), "replaced_at": iso(r.replaced_at),
                           "reason": r.reason} for r in revisions.get(post.id, [])],
        } for post, thread_title, topic_title in posts],
        "reactions": [{"post_id": r.post_id, "kind": r.kind, "created_at": iso(r.created_at)}
                      for r in db.session.scalars(select(Reaction).where(
                          Reaction.user_id == user.id).order_by(Reaction.post_id))],
        "flags_raised": [{"post_id": f.post_id, "reason": f.reason, "note": f.note,
                          "status": f.status, "created_at": iso(f.created_at)}
                         for f in db.session.scalars(select(Flag).where(
                             Flag.reporter_id == user.id).order_by(Flag.id))],
        "notifications": [{"kind": n.kind, "text": n.text, "url": n.url, "read": n.read,
                           "created_at": iso(n.created_at)}
                          for n in db.session.scalars(notifications.visible_to(user).order_by(
                              Notification.id))],
        "mail_preferences": mail.preferences(user),
        "organisation": user.organisation.name if user.organisation_id else None,
        "quoting": [{"group": group.slug, "level": level}
                    for group, level in consent.levels_in_my_groups(user)],
        "post_quoting_overrides": [{"post_id": post.id, "level": post.quote_consent}
                                   for post, *_rest in posts if post.quote_consent],
        "uploads": attachments.uploads_of(user),
        "event_answers": events.answers_of(user),
        "api_tokens": [{"name": t.name, "created_at": iso(t.created_at),
                        "revoked_at": iso(t.revoked_at)}
                       for t in db.session.scalars(select(ApiToken).where(
                           ApiToken.user_id == user.id).order_by(ApiToken.id))],
    }
