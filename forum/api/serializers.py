"""Resource -> JSON, shaped by the viewer's rights. The API and live events both call these."""

from __future__ import annotations

from datetime import datetime, timezone

from forum import permissions as perm
from forum.models import Group, Membership, Post, PostRevision, Summary, Thread, Topic, User


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_ref(user: User | None) -> dict:
    if user is None or user.erased_at is not None:
        return {"username": None, "display_name": "Former member"}
    return {"username": user.username, "display_name": user.display_name}


def group_json(group: Group, viewer: perm.Viewer) -> dict:
    return {
        "id": group.id, "slug": group.slug, "name": group.name,
        "description": group.description, "visibility": group.visibility,
        "join_policy": group.join_policy, "premoderate": group.premoderate,
        "member_count": group.member_count, "my_role": perm.role_in(viewer, group),
        "auto_hide_flag_count": group.auto_hide_flag_count,
        "retention_months": group.retention_months,
    }


def membership_json(membership: Membership) -> dict:
    return {**user_ref(membership.user), "role": membership.role}


def topic_json(topic: Topic, viewer: perm.Viewer) -> dict:
    return {
        "id": topic.id, "group": {"slug": topic.group.slug, "name": topic.group.name},
        "title": topic.title, "briefing_markdown": topic.briefing_markdown,
        "briefing_html": topic.briefing_html, "status": topic.status,
        "event_at": iso(topic.event_at), "response_deadline": iso(topic.response_deadline),
        "thread_count": topic.thread_count, "has_summary": topic.has_summary,
    }


def thread_json(thread: Thread, viewer: perm.Viewer) -> dict:
    data = {
        "id": thread.id, "topic_id": thread.topic_id, "title": thread.title,
        "author": user_ref(thread.author), "created_at": iso(thread.created_at),
        "last_post_at": iso(thread.last_post_at), "post_count": thread.post_count,
        "locked": thread.locked, "pinned": thread.pinned, "pending": thread.pending,
        "slow_mode_seconds": thread.slow_mode_seconds,
    }
    first_post = getattr(thread, "first_post", None)
    if first_post is not None:
        data["first_post"] = post_json(first_post, viewer, [])
    return data


def post_json(post: Post, viewer: perm.Viewer, my_reactions: list[str] | None = None,
              group: Group | None = None, cited: bool = False) -> dict:
    group = group or post.thread.topic.group
    show_body = perm.can_see_post_body(viewer, post, group)
    return {
        "id": post.id, "thread_id": post.thread_id, "author": user_ref(post.author),
        "body_markdown": post.body_markdown if show_body else None,
        "body_html": post.body_html if show_body else None,
        "created_at": iso(post.created_at), "edited_at": iso(post.edited_at),
        "hidden": post.hidden, "pending": post.pending, "reply_to": post.reply_to_id,
        "reactions": post.reaction_counts(), "my_reactions": list(my_reactions or []),
        "cited": cited,
    }


def revision_json(revision: PostRevision) -> dict:
    return {
        "revision": revision.revision, "body_markdown": revision.body_markdown,
        "body_html": revision.body_html, "created_at": iso(revision.created_at),
        "replaced_at": iso(revision.replaced_at), "editor": user_ref(revision.editor),
        "reason": revision.reason,
    }


def summary_json(summary: Summary, cited_post_ids: list[int]) -> dict:
    return {
        "topic_id": summary.topic_id, "version": summary.version,
        "body_markdown": summary.body_markdown, "body_html": summary.body_html,
        "author": user_ref(summary.author), "published_at": iso(summary.published_at),
        "cited_post_ids": cited_post_ids, "published": summary.published,
    }


def me_json(user: User, csrf_token: str | None) -> dict:
    return {
        "username": user.username, "display_name": user.display_name, "email": user.email,
        "is_admin": user.is_admin, "csrf_token": csrf_token,
    }


def notification_json(notification) -> dict:
    return {
        "id": notification.id, "kind": notification.kind,
        "created_at": iso(notification.created_at), "read": notification.read,
        "url": notification.url, "text": notification.text,
    }


def flag_json(flag) -> dict:
    return {
        "id": flag.id, "post_id": flag.post_id, "reporter": user_ref(flag.reporter),
        "reason": flag.reason, "note": flag.note, "status": flag.status,
        "created_at": iso(flag.created_at),
    }


def moderation_entry_json(entry) -> dict:
    actor = user_ref(entry.actor) if entry.actor_id else {"username": None,
                                                           "display_name": "Automatic"}
    return {
        "id": entry.id, "action": entry.action, "actor": actor,
        "target_type": entry.target_type, "target_id": entry.target_id, "reason": entry.reason,
        "created_at": iso(entry.created_at),
    }


def suspension_json(suspension, user) -> dict:
    return {**user_ref(user), "until": iso(suspension.until), "reason": suspension.reason}


def invitation_json(invitation) -> dict:
    return {
        "id": invitation.id, "group": {"slug": invitation.group.slug,
                                       "name": invitation.group.name},
        "email": invitation.email,
        "username": invitation.user.username if invitation.user else None,
        "role": invitation.role, "status": invitation.status,
        "created_at": iso(invitation.created_at), "expires_at": iso(invitation.expires_at),
    }
