"""Domain objects as the contract shapes them: used by the API, live events and exports alike."""

from __future__ import annotations

from datetime import UTC, datetime

from forum import permissions as perm
from forum.models import Group, Membership, Post, PostRevision, Summary, Thread, Topic, User
from forum.permissions import actions
from forum.services import reading


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def topic_json(topic: Topic, viewer: perm.Viewer, *, with_can: bool = True,
               unread: dict[int, int] | None = None) -> dict:
    """`unread`: topic_id -> unread count precomputed for a page (reading.topic_unread);
    without it a personal payload asks for this one topic."""
    data = {
        "id": topic.id, "group": {"slug": topic.group.slug, "name": topic.group.name},
        "title": topic.title, "briefing_markdown": topic.briefing_markdown,
        "briefing_html": topic.briefing_html, "status": topic.status,
        "event_at": iso(topic.event_at), "response_deadline": iso(topic.response_deadline),
        "thread_count": topic.thread_count, "has_summary": topic.has_summary,
        "phase": topic.phase, "phase_deadline": iso(topic.phase_deadline),
    }
    if with_can:
        data["can"] = actions.topic_can(viewer, topic)
        if unread is None:
            unread = reading.topic_unread(viewer, [topic])
        data["unread_count"] = unread.get(topic.id) if _signed_in(viewer) else None
    return data


def _signed_in(viewer: perm.Viewer) -> bool:
    return viewer is not None and bool(getattr(viewer, "is_authenticated", False))


def thread_json(thread: Thread, viewer: perm.Viewer, *, with_can: bool = True,
                positions: reading.Reading | None = None) -> dict:
    """`positions`: the caller's read positions precomputed for a page (reading.thread_reading);
    without them a personal payload asks for this one thread. Live events (`with_can=False`)
    go to a whole audience and carry none."""
    data = {
        "id": thread.id, "topic_id": thread.topic_id, "title": thread.title,
        "author": user_ref(thread.author), "created_at": iso(thread.created_at),
        "last_post_at": iso(thread.last_post_at), "post_count": thread.post_count,
        "locked": thread.locked, "pinned": thread.pinned, "pending": thread.pending,
        "slow_mode_seconds": thread.slow_mode_seconds,
        "slow_mode_until": iso(thread.slow_mode_until) if thread.slow_mode_until else None,
        "question_id": thread.question_id,
        "signoff_paragraph_id": thread.signoff_paragraph_id,
    }
    if with_can:
        data["can"] = actions.thread_can(viewer, thread)
        if positions is None:
            positions = reading.thread_reading(viewer, [thread])
        last_read, unread = positions.get(thread.id, (None, None))
        data["last_read_post_id"] = last_read
        data["unread_count"] = unread if _signed_in(viewer) else None
    first_post = getattr(thread, "first_post", None)
    if first_post is not None:
        data["first_post"] = post_json(first_post, viewer, [], with_can=with_can)
    return data


def post_json(post: Post, viewer: perm.Viewer, my_reactions: list[str] | None = None,
              group: Group | None = None, cited: bool = False, *,
              with_can: bool = True, can: dict | None = None) -> dict:
    """`with_can=False` for payloads shared by a whole audience (live events); `can` when the
    caller asked for a whole page at once (actions.post_can_for_page)."""
    group = group or post.thread.topic.group
    if with_can and can is None:
        can = actions.post_can(viewer, post)
    return post_for_reader(post_fields(post, cited), post, viewer, group, my_reactions,
                           can if with_can else None)


def post_fields(post: Post, cited: bool = False) -> dict:
    """What a post's JSON says whoever reads it: the same for every reader of a kept page."""
    return {
        "id": post.id, "thread_id": post.thread_id, "author": user_ref(post.author),
        "body_markdown": post.body_markdown, "body_html": post.body_html,
        "created_at": iso(post.created_at), "edited_at": iso(post.edited_at),
        "hidden": post.hidden, "pending": post.pending, "reply_to": post.reply_to_id,
        "reactions": post.reaction_counts(), "my_reactions": [],
        "cited": cited, "question_id": post.question_id, "quote_consent": post.quote_consent,
    }


def post_for_reader(fields: dict, post: Post, viewer: perm.Viewer, group: Group,
                    my_reactions: list[str] | None, can: dict | None) -> dict:
    """post_fields as this reader sees them: a hidden post's words only for those who may read
    them, their own reactions, and (unless None) what they can do with it."""
    data = dict(fields)
    if not perm.can_see_post_body(viewer, post, group):
        data["body_markdown"] = data["body_html"] = None
    data["my_reactions"] = list(my_reactions or [])
    if can is not None:
        data["can"] = can
    return data


def revision_json(revision: PostRevision) -> dict:
    return {
        "revision": revision.revision, "body_markdown": revision.body_markdown,
        "body_html": revision.body_html, "created_at": iso(revision.created_at),
        "replaced_at": iso(revision.replaced_at), "editor": user_ref(revision.editor),
        "reason": revision.reason,
    }


def summary_json(summary: Summary, cited_post_ids: list[int],
                 stale_post_ids: list[int] | None = None) -> dict:
    return {
        "topic_id": summary.topic_id, "version": summary.version,
        "body_markdown": summary.body_markdown, "body_html": summary.body_html,
        "author": user_ref(summary.author), "published_at": iso(summary.published_at),
        "cited_post_ids": cited_post_ids, "published": summary.published,
        "stale_post_ids": list(stale_post_ids or []),
    }


def me_json(user: User, csrf_token: str | None) -> dict:
    return {
        "username": user.username, "display_name": user.display_name, "email": user.email,
        "is_admin": user.is_admin, "csrf_token": csrf_token,
        "organisation": organisation_json(user.organisation) if user.organisation_id else None,
        "locale": user.locale, "timezone": user.timezone,
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
        # Only an address the moderator typed: never the invited account's own.
        "email": invitation.email if invitation.user_id is None else None,
        "username": invitation.user.username if invitation.user else None,
        "role": invitation.role, "status": invitation.status,
        "created_at": iso(invitation.created_at), "expires_at": iso(invitation.expires_at),
    }


def organisation_json(organisation, member_count: int | None = None) -> dict:
    data = {"id": organisation.id, "name": organisation.name, "region": organisation.region}
    if member_count is not None:
        data["member_count"] = member_count
    return data


def question_json(question) -> dict:
    return {"id": question.id, "number": question.number, "text": question.text}


def signoff_json(view, viewer: perm.Viewer | None, group: Group | None = None) -> dict:
    """The tallies (what the live event carries); given the group, also the paragraphs' text,
    the caller's organisation's votes and, for members of the group, the objections."""
    signoff = view.signoff
    data = {
        "topic_id": signoff.topic_id, "summary_version": signoff.summary.version,
        "status": "open" if signoff.is_open else "closed",
        "opened_at": iso(signoff.opened_at), "closes_at": iso(signoff.closes_at),
        "closed_at": iso(signoff.closed_at), "organisations": view.organisations,
        "waiting": len(view.waiting),
        "paragraphs": [{"number": p.number, "endorse": p.endorse, "object": p.object,
                        "abstain": p.abstain} for p in view.paragraphs],
    }
    if group is None:
        return data
    organisation_id = getattr(viewer, "organisation_id", None)
    member = perm.is_member(viewer, group)
    for row, tally in zip(data["paragraphs"], view.paragraphs):
        row["body_markdown"] = tally.paragraph.body_markdown
        row["body_html"] = tally.paragraph.body_html
        mine = next((v for v in tally.votes if v.organisation_id == organisation_id), None)
        row["my_vote"] = vote_json(mine) if mine is not None and organisation_id else None
        row["objections"] = [
            {"organisation": v.organisation.name, "reason": v.reason, "thread_id": v.thread_id}
            for v in tally.votes if v.stance == "object"] if member else []
    return data


def vote_json(vote) -> dict:
    return {"stance": vote.stance, "reason": vote.reason, "thread_id": vote.thread_id,
            "organisation": vote.organisation.name, "cast_by": user_ref(vote.cast_by),
            "updated_at": iso(vote.updated_at)}


def translation_json(version, stale: bool, original_changed_at: datetime | None) -> dict:
    """A version of a briefing or summary in another language (services.translations)."""
    from forum.services.translations import dir_of, language_of

    return {
        "topic_id": version.topic_id, "kind": version.kind, "locale": version.locale,
        "lang": language_of(version.locale), "dir": dir_of(version.locale),
        "body_markdown": version.body_markdown, "body_html": version.body_html,
        "source_version": version.source_version, "original_changed": stale,
        "original_changed_at": iso(original_changed_at) if stale else None,
        "author": user_ref(version.author), "updated_at": iso(version.updated_at),
    }
