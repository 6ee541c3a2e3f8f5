"""Rights: roles, visibility and the listing filters; `can_<verb>_<noun>(user, obj) -> bool`.

These answer "who may see what" and the role-only rights. An action whose answer also depends
on state (reply, start a thread, edit, react, flag, moderate a post) lives whole in `actions`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_login import AnonymousUserMixin
from sqlalchemy import Select, bindparam, false, or_, select

from forum.db import run
from forum.models import ROLE_RANK, Group, Membership, Post, Suspension, Thread, Topic, User


class AnonymousUser(AnonymousUserMixin):
    id = None
    username = None
    is_admin = False


Viewer = User | AnonymousUser | None


# --- what we know of a user, loaded once per request ------------------------------------------

def _signed_in(user: Viewer) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and user.id is not None


_ROLES = select(Membership.group_id, Membership.role).where(
    Membership.user_id == bindparam("user"))
_SUSPENSIONS = select(Suspension.group_id, Suspension.until).where(
    Suspension.user_id == bindparam("user"), Suspension.lifted_at.is_(None),
    Suspension.until > bindparam("now"))


def group_roles(user: Viewer) -> dict[int, str]:
    """group_id -> role for the user's memberships, pending included; cached on the user."""
    if not _signed_in(user):
        return {}
    roles = user.__dict__.get("_group_roles")
    if roles is None:
        roles = dict(run(_ROLES, {"user": user.id}).all())
        user.__dict__["_group_roles"] = roles
    return roles


def _suspended_groups(user: Viewer) -> dict[int, datetime]:
    if not _signed_in(user):
        return {}
    cached = user.__dict__.get("_suspensions")
    if cached is None:
        rows = run(_SUSPENSIONS, {"user": user.id, "now": datetime.now(UTC)})
        cached = {}
        for group_id, until in rows:
            cached[group_id] = max(until, cached.get(group_id, until))
        user.__dict__["_suspensions"] = cached
    return cached


class StandIn:
    """Nobody in particular, holding one role in one group: asked in place of a whole audience
    (a live room's readers). It has no account (id 0 is nobody's), so it is never an author, and
    it arrives with its roles and suspensions cached, so no question about it reaches the
    database."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_admin = False
    id = 0
    username = None
    display_name = None
    organisation_id = None
    erased_at = None

    def __init__(self, group: Group, role: str):
        self.__dict__["_group_roles"] = {group.id: role}
        self.__dict__["_suspensions"] = {}

    def get_id(self) -> None:
        return None


def forget_cached_rights(user: Viewer) -> None:
    """Drop the cached roles and suspensions after a service changed them."""
    if user is not None:
        user.__dict__.pop("_group_roles", None)
        user.__dict__.pop("_suspensions", None)


def role_in(user: Viewer, group: Group) -> str | None:
    """The user's membership role in the group ("pending" included), or None."""
    return group_roles(user).get(group.id)


def _rank(user: Viewer, group: Group) -> int:
    return ROLE_RANK.get(role_in(user, group) or "", 0)


def is_admin(user: Viewer) -> bool:
    return _signed_in(user) and bool(user.is_admin)


def is_member(user: Viewer, group: Group) -> bool:
    return is_admin(user) or _rank(user, group) >= ROLE_RANK["member"]


def is_facilitator(user: Viewer, group: Group) -> bool:
    return is_admin(user) or _rank(user, group) >= ROLE_RANK["facilitator"]


def is_moderator(user: Viewer, group: Group) -> bool:
    return is_admin(user) or _rank(user, group) >= ROLE_RANK["moderator"]


def is_suspended(user: Viewer, group: Group) -> bool:
    return group.id in _suspended_groups(user)


def _is_author(user: Viewer, author_id: int | None) -> bool:
    return _signed_in(user) and author_id is not None and author_id == user.id


# --- groups -----------------------------------------------------------------------------------

def can_see_group(user: Viewer, group: Group) -> bool:
    return not group.is_private or is_member(user, group)


def can_create_group(user: Viewer) -> bool:
    return is_admin(user)


def can_edit_group(user: Viewer, group: Group) -> bool:
    return is_moderator(user, group)


def can_join_group(user: Viewer, group: Group) -> bool:
    """Asking is open to anyone signed in; invite-only groups refuse (403) in the service."""
    return _signed_in(user)


def can_manage_members(user: Viewer, group: Group) -> bool:
    return is_moderator(user, group)


def can_remove_member(user: Viewer, group: Group, member: User) -> bool:
    return can_manage_members(user, group) or (_signed_in(user) and user.id == member.id)


def can_grant_role(user: Viewer, group: Group, role: str) -> bool:
    """Moderators may grant up to moderator; nobody grants more than that in a group."""
    return can_manage_members(user, group) and role in ROLE_RANK


# --- topics -----------------------------------------------------------------------------------

def can_see_topic(user: Viewer, topic: Topic) -> bool:
    return can_see_group(user, topic.group)


def can_see_summary_drafts(user: Viewer, topic: Topic) -> bool:
    return is_facilitator(user, topic.group)


def can_download_report(user: Viewer, topic: Topic) -> bool:
    return is_facilitator(user, topic.group)


def can_see_response(user: Viewer, topic: Topic, published: bool) -> bool:
    """The exported response: everyone who sees the topic once published; drafts for
    facilitators."""
    return can_see_topic(user, topic) and (published or can_see_summary_drafts(user, topic))


def can_manage_organisations(user: Viewer) -> bool:
    return is_admin(user)


# --- threads ----------------------------------------------------------------------------------

def can_see_thread(user: Viewer, thread: Thread) -> bool:
    group = thread.topic.group
    if not can_see_group(user, group):
        return False
    return not thread.pending or _is_author(user, thread.author_id) or is_moderator(user, group)


# --- posts ------------------------------------------------------------------------------------

def can_see_post(user: Viewer, post: Post) -> bool:
    thread = post.thread
    if not can_see_thread(user, thread):
        return False
    if post.rejected:
        return is_moderator(user, thread.topic.group)
    return not post.pending or _is_author(user, post.author_id) or is_moderator(
        user, thread.topic.group
    )


def can_see_post_body(user: Viewer, post: Post, group: Group) -> bool:
    return not post.hidden or _is_author(user, post.author_id) or is_moderator(user, group)


def can_set_post_consent(user: Viewer, post: Post) -> bool:
    """Only the author says how their own words may leave the forum."""
    return _is_author(user, post.author_id)


def can_tag_question(user: Viewer, author_id: int | None, group: Group) -> bool:
    """Tag a thread or post with the question it answers: its author or a facilitator."""
    return is_facilitator(user, group) or (
        _is_author(user, author_id) and not is_suspended(user, group))


def can_set_group_consent(user: Viewer, group: Group) -> bool:
    return _signed_in(user) and _rank(user, group) >= ROLE_RANK["member"]


def can_see_revisions(user: Viewer, post: Post) -> bool:
    return _is_author(user, post.author_id) or is_moderator(user, post.thread.topic.group)


def can_moderate_group(user: Viewer, group: Group) -> bool:
    """Review flags and pending posts, hide, suspend, read the moderation log."""
    return is_moderator(user, group)


# --- listing filters: narrow a select() to what the user may see ------------------------------

def visible_groups(query: Select, user: Viewer) -> Select:
    if is_admin(user):
        return query
    member_of = [gid for gid, role in group_roles(user).items() if ROLE_RANK[role] >= 1]
    return query.where(or_(Group.visibility == "public", Group.id.in_(member_of) if member_of
                           else false()))


def visible_threads(query: Select, user: Viewer, group: Group) -> Select:
    """Threads of one group's topic: pending ones only for their author and moderators."""
    if is_moderator(user, group):
        return query
    if _signed_in(user):
        return query.where(or_(Thread.pending.is_(False), Thread.author_id == user.id))
    return query.where(Thread.pending.is_(False))


def post_listing_class(user: Viewer, group: Group) -> tuple:
    """Readers to whom `visible_posts` gives the same list: the group's moderators, each
    signed-in reader (their own pending posts are theirs alone), everyone else. Change both
    together."""
    if is_moderator(user, group):
        return ("moderators", group.id)
    if _signed_in(user):
        return ("reader", user.id)
    return ("everyone",)


def visible_posts(query: Select, user: Viewer, group: Group) -> Select:
    """Posts of one group's thread: rejected never, pending only for their author and moderators."""
    if is_moderator(user, group):
        return query.where(Post.rejected.is_(False))
    query = query.where(Post.rejected.is_(False))
    if _signed_in(user):
        return query.where(or_(Post.pending.is_(False), Post.author_id == user.id))
    return query.where(Post.pending.is_(False))
