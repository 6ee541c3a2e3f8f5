"""People: a member's public face and finding members by the start of their name."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from flask_babel import gettext

from forum import permissions as perm
from forum.errors import NotFound, ValidationFailed
from forum.extensions import db
from forum.models import Group, Membership, User

MAX_MATCHES = 10


def get_person(username: str) -> User:
    """An account others may look at: NotFound for an erased or not yet approved one."""
    user = db.session.scalar(select(User).where(User.username_key == username.strip().lower()))
    if user is None or user.erased_at is not None or not user.approved:
        raise NotFound(gettext("No such person."))
    return user


def groups_of(person: User, viewer: perm.Viewer) -> list[Group]:
    """The groups the person belongs to (pending requests left out) that the viewer may see."""
    groups = db.session.scalars(
        select(Group).join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == person.id, Membership.role != "pending")
        .order_by(Group.name, Group.id))
    return [g for g in groups if perm.can_see_group(viewer, g)]


def groups_in_common(person: User, viewer: perm.Viewer) -> list[Group]:
    """The visible groups both belong to (none for an anonymous viewer)."""
    mine = {gid for gid, role in perm.group_roles(viewer).items() if role != "pending"}
    return [g for g in groups_of(person, viewer) if g.id in mine]


def _like_prefix(prefix: str) -> str:
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def find_members(group: Group, prefix: str) -> list[User]:
    """At most ten members of a group the caller sees (the door looked it up for them) whose
    username or display name starts with `prefix`, case-insensitively."""
    prefix = (prefix or "").strip().lstrip("@")
    if len(prefix) > 80:
        raise ValidationFailed({"prefix": gettext("At most 80 characters.")})
    pattern = _like_prefix(prefix)
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id, Membership.role != "pending",
               User.erased_at.is_(None), User.disabled.is_(False),
               or_(User.username_key.like(pattern, escape="\\"),
                   func.lower(User.display_name).like(pattern, escape="\\")))
        .order_by(User.username_key).limit(MAX_MATCHES)))
