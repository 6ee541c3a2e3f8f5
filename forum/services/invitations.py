"""Invitations: moderators invite by e-mail or username; a single-use link that expires.

An invitation by username never stores or shows the account's address: the moderator sees
the name they typed, and the mail goes to the address the account has when it is sent.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from forum import permissions as perm
from forum.db import unit_of_work
from forum.errors import Conflict, NotFound, ValidationFailed
from forum.extensions import db
from forum.i18n import Message, speaking_to
from forum.models import ROLES, Group, Invitation, OutgoingMail, User, utcnow
from forum.permissions import actions
from forum.services import groups as group_service
from forum.services.accounts import EMAIL, find_user
from forum.services.audit import notify
from forum.services.validation import refuse, single_line

LIFETIME = timedelta(days=14)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@unit_of_work
def invite(actor: User, group: Group, *, email: str | None = None, username: str | None = None,
           role: str = "member") -> tuple[Invitation, str]:
    """Invite someone; returns the invitation and its link (mailed, never stored)."""
    actions.require(actions.invite(actor, group))
    if role not in ROLES:
        raise ValidationFailed({"role": gettext("Choose member, facilitator or moderator.")})
    email, username = (email or "").strip(), (username or "").strip()
    if bool(email) == bool(username):
        raise ValidationFailed({"email": gettext("Give an e-mail address or a username (one "
                                                 "of them).")})
    user = None
    if username:
        single_line("username", username, 32)
        user = find_user(username)
        if user is None or user.erased_at is not None:
            raise ValidationFailed({"username": gettext("No account has that username.")})
    elif not EMAIL.fullmatch(email):
        raise ValidationFailed({"email": gettext("Enter a valid e-mail address.")})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(group_id=group.id, group=group, email=None if user else email,
                            user_id=user.id if user else None, role=role,
                            token_hash=_digest(token), invited_by_id=actor.id,
                            expires_at=utcnow() + LIFETIME)
    db.session.add(invitation)
    db.session.flush()
    link = f"{current_app.config['PUBLIC_URL']}/invitations/{token}"
    if user is not None:
        notify(user.id, "membership", Message("%(name)s invited you to %(group)s.",
                                              name=actor.display_name, group=group.name),
               "/invitations", actor=actor, group_id=None)
    with speaking_to(user):  # an invitation by address: en-GB until the person chooses
        subject = gettext("[Working Groups] You are invited to %(group)s", group=group.name)
        body = (gettext("Hello,") + "\n\n"
                + gettext("%(name)s invites you to the working group “%(group)s”.",
                          name=actor.display_name, group=group.name) + "\n\n"
                + gettext("Accept within 14 days (the link works once):") + f"\n{link}\n")
    db.session.add(OutgoingMail(
        user_id=user.id if user else None, to_address=user.email if user else email,
        subject=subject, body=body))
    return invitation, link


def list_invitations(actor: User, group: Group) -> list[Invitation]:
    actions.require(actions.see_invitations(actor, group))
    return list(db.session.scalars(select(Invitation).where(Invitation.group_id == group.id)
                                   .order_by(Invitation.id.desc())))


@unit_of_work
def revoke(actor: User, group: Group, invitation_id: int) -> None:
    actions.require(actions.revoke_invitation(actor, group))
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.group_id != group.id:
        raise NotFound(gettext("No such invitation."))
    if invitation.status != "open":
        raise Conflict(gettext("This invitation is already %(status)s.",
                               status=invitation.status))
    invitation.revoked_at = utcnow()


def find(token: str) -> Invitation:
    """The invitation behind a link; 404 for a link that never existed."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _digest(token or "")))
    if invitation is None:
        raise NotFound(gettext("This invitation link is not valid."))
    return invitation


def mine(actor: User) -> list[Invitation]:
    """Open invitations addressed to this account by username."""
    return [i for i in db.session.scalars(select(Invitation).where(
        Invitation.user_id == actor.id).order_by(Invitation.id.desc())) if i.status == "open"]


@unit_of_work
def accept(actor: User, token: str | None = None, invitation_id: int | None = None
           ) -> Invitation:
    """Accept once, before it expires: through the mailed link, or (for an invitation to this
    very account) from the list of one's invitations."""
    if not getattr(actor, "is_authenticated", False):
        refuse(actor, gettext("Sign in (or create an account) to accept the invitation."))
    if token is not None:
        invitation = find(token)
    else:
        invitation = db.session.get(Invitation, invitation_id or 0)
        if invitation is None or invitation.user_id != actor.id:
            raise NotFound(gettext("No such invitation."))
    if invitation.status != "open":
        raise Conflict({"accepted": "This invitation was already used.",
                        "expired": "This invitation has expired: ask for a new one.",
                        "revoked": "This invitation was withdrawn."}[invitation.status])
    if invitation.user_id is not None and invitation.user_id != actor.id:
        refuse(actor, gettext("This invitation is for another account."))
    role = perm.role_in(actor, invitation.group)
    if role in (None, "pending"):
        group_service.add_invited_member(invitation.group, actor, invitation.role)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = actor.id
    return invitation
