"""Working groups and memberships: create, change, join, add, approve, set roles, remove."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from flask_babel import gettext

from forum import live
from forum import permissions as perm
from forum.db import after_commit, unit_of_work
from forum.i18n import ROLE_NAMES, Message
from forum.errors import Conflict, NotFound, NotSignedIn, PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.models import JOIN_POLICIES, ROLE_RANK, ROLES, VISIBILITIES, Group, Membership, User
from forum.services.admin import audit
from forum.services.audit import log_moderation, notify
from forum.services.validation import require_text

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def _check_settings(visibility: str | None, join_policy: str | None) -> None:
    errors = {}
    if visibility is not None and visibility not in VISIBILITIES:
        errors["visibility"] = gettext("Choose public or private.")
    if join_policy is not None and join_policy not in JOIN_POLICIES:
        errors["join_policy"] = gettext("Choose open, request or invite.")
    if errors:
        raise ValidationFailed(errors)


@unit_of_work
def create_group(actor: User, slug: str, name: str, description: str = "",
                 visibility: str = "public", join_policy: str = "open",
                 premoderate: bool = False) -> Group:
    """Site admins create groups. Raises PermissionDenied, ValidationFailed, Conflict."""
    if not perm.can_create_group(actor):
        raise PermissionDenied(gettext("Only site administrators create working groups."))
    slug = (slug or "").strip()
    if not SLUG.match(slug):
        raise ValidationFailed({"slug": gettext("Lower-case letters, digits and '-', at most "
                                                "64.")})
    text = require_text({"name": name}, {"name": 120})
    if len(description or "") > 5000:
        raise ValidationFailed({"description": gettext("At most 5000 characters.")})
    _check_settings(visibility, join_policy)
    if db.session.scalar(select(Group.id).where(Group.slug == slug)) is not None:
        raise Conflict(gettext("A group with that slug exists."),
                       fields={"slug": gettext("Already taken.")})
    group = Group(slug=slug, name=text["name"], description=(description or "").strip(),
                  visibility=visibility, join_policy=join_policy, premoderate=bool(premoderate))
    db.session.add(group)
    db.session.flush()
    audit(actor, "create_group", "group", group.id, f"{slug} ({visibility}, {join_policy})")
    return group


@unit_of_work
def update_group(actor: User, group: Group, **changes) -> Group:
    """Site admins and the group's moderators change its settings."""
    if not perm.can_edit_group(actor, group):
        raise PermissionDenied(gettext("Only the group's moderators change its settings."))
    _check_settings(changes.get("visibility"), changes.get("join_policy"))
    if "name" in changes and changes["name"] is not None:
        group.name = require_text({"name": changes["name"]}, {"name": 120})["name"]
    if changes.get("description") is not None:
        if len(changes["description"]) > 5000:
            raise ValidationFailed({"description": gettext("At most 5000 characters.")})
        group.description = changes["description"].strip()
    became_private = changes.get("visibility") == "private" and not group.is_private
    for key in ("visibility", "join_policy", "premoderate"):
        if changes.get(key) is not None:
            setattr(group, key, changes[key])
    if became_private:
        after_commit(lambda: live.refresh_group(group.id))
    if actor.is_admin:
        audit(actor, "change_group", "group", group.id,
              ", ".join(f"{k}={v}" for k, v in changes.items() if v is not None))
    if "retention_months" in changes:
        months = changes["retention_months"]
        if months is not None and not 1 <= months <= 600:
            raise ValidationFailed({"retention_months": gettext("Between 1 and 600, or null "
                                                                "(keep).")})
        group.retention_months = months
    if "auto_hide_flag_count" in changes:
        count = changes["auto_hide_flag_count"]
        if count is not None and not 1 <= count <= 1000:
            raise ValidationFailed({"auto_hide_flag_count": gettext("Between 1 and 1000, or null "
                                                                    "(off).")})
        group.auto_hide_flag_count = count
    return group


def _adjust_member_count(group: Group, delta: int) -> None:
    if delta:
        db.session.execute(
            update(Group).where(Group.id == group.id)
            .values(member_count=Group.member_count + delta)
        )  # the ORM's synchronize_session also updates `group` in memory


def _membership(group: Group, user: User) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )


@unit_of_work
def join_group(actor: User, group: Group) -> str:
    """Join an open group or ask to join a request group; returns the resulting status."""
    if not perm.can_join_group(actor, group):
        raise NotSignedIn()
    existing = _membership(group, actor)
    if existing is not None:
        return "pending" if existing.role == "pending" else "member"
    if group.join_policy == "invite":
        raise PermissionDenied(gettext("This group is by invitation only."))
    role = "member" if group.join_policy == "open" else "pending"
    db.session.add(Membership(group_id=group.id, user_id=actor.id, role=role))
    _adjust_member_count(group, 1 if role == "member" else 0)
    perm.forget_cached_rights(actor)
    return role if role == "pending" else "member"


@unit_of_work
def set_member_role(actor: User, group: Group, member: User, role: str = "member"
                    ) -> tuple[Membership, bool]:
    """Add, approve or change a member's role. Returns (membership, created)."""
    if role not in ROLES:
        raise ValidationFailed({"role": gettext("Choose member, facilitator or moderator.")})
    if not perm.can_grant_role(actor, group, role):
        raise PermissionDenied(gettext("Only the group's moderators manage its members."))
    membership = _membership(group, member)
    if membership is not None and membership.role == role:
        return membership, False
    if (membership is not None and member.is_admin and not actor.is_admin
            and ROLE_RANK[role] < ROLE_RANK[membership.role]):
        raise PermissionDenied(gettext("A site administrator's role can only be lowered by "
                                       "an admin."))
    created = membership is None
    if created:
        membership = Membership(group_id=group.id, user_id=member.id, role=role)
        db.session.add(membership)
        _adjust_member_count(group, 1)
        action, text = "add_member", Message("You were added to %(group)s as %(role)s.",
                                             group=group.name, role=Message(ROLE_NAMES[role]))
    else:
        if membership.role == "pending":
            _adjust_member_count(group, 1)
            action, text = "approve_member", Message(
                "Your request to join %(group)s was approved.", group=group.name)
        else:
            action, text = "set_role", Message("Your role in %(group)s is now %(role)s.",
                                               group=group.name, role=Message(ROLE_NAMES[role]))
        membership.role = role
    db.session.flush()
    log_moderation(group.id, actor, action, "user", member.id, role)
    audit(actor, "grant_role", "user", member.id, f"{role} in {group.slug}")
    notify(member.id, "membership", text, f"/groups/{group.slug}", actor=actor,
           group_id=group.id)
    perm.forget_cached_rights(member)
    after_commit(lambda: live.refresh_access(member.id, group.id))
    return membership, created


def add_invited_member(group: Group, member: User, role: str) -> Membership:
    """Inside the invitation's unit of work: the invitee becomes a member (or is approved)."""
    membership = _membership(group, member)
    if membership is None:
        membership = Membership(group_id=group.id, user_id=member.id, role=role)
        db.session.add(membership)
    else:
        membership.role = role
    _adjust_member_count(group, 1)
    db.session.flush()
    perm.forget_cached_rights(member)
    after_commit(lambda: live.refresh_access(member.id, group.id))
    return membership


@unit_of_work
def remove_member(actor: User, group: Group, member: User) -> None:
    """Moderators remove members (never a site admin, unless an admin); anyone may leave."""
    if not perm.can_remove_member(actor, group, member):
        raise PermissionDenied(gettext("Only the group's moderators remove members."))
    membership = _membership(group, member)
    if membership is None:
        raise NotFound(gettext("That user is not in this group."))
    if member.is_admin and actor.id != member.id and not actor.is_admin:
        raise PermissionDenied(gettext("A site administrator can only be removed by an admin."))
    if membership.role != "pending":
        _adjust_member_count(group, -1)
    db.session.delete(membership)
    if actor.id != member.id:
        log_moderation(group.id, actor, "remove_member", "user", member.id)
    perm.forget_cached_rights(member)
    after_commit(lambda: live.refresh_access(member.id, group.id))
