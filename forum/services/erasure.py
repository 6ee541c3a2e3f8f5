"""Erasure of an account (UK GDPR): personal data goes, threads keep their shape.

Posts stay under "Former member" or are removed, as the person chooses; mentions of them in
others' posts and in notifications stop naming them (whole @mentions only: erasing "al" leaves
"Also" and "@alice" alone); their reactions, tokens, memberships, preferences, unsent mail and
the addresses of invitations to them are deleted. The logs keep the action, not the person.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import delete, func, select, update
from flask_babel import gettext

from forum import live
from forum.db import after_commit, unit_of_work
from forum.extensions import db
from forum.markup import render_markdown
from forum.models import (
    ApiToken,
    Flag,
    Group,
    Invitation,
    MailPreference,
    Membership,
    Notification,
    OutgoingMail,
    Post,
    PostRevision,
    QuoteConsent,
    Reaction,
    User,
    utcnow,
)
from forum.services import attachments, events, search
from forum.services.admin import audit
from forum.services.posts import MENTION
from forum.services.validation import refuse

REMOVED = "_This post was removed at its author's request._"


@unit_of_work
def erase_account(actor: User, user: User, keep_posts: bool = True) -> None:
    if not (actor.id == user.id or actor.is_admin):
        refuse(actor, gettext("Only the person themself or a site administrator erases an "
                              "account."))
    if user.erased_at is not None:
        return
    old_username, old_name, old_email = user.username, user.display_name, user.email
    _forget_mentions(user.id, old_username, old_name)
    own_posts = list(db.session.scalars(select(Post).where(Post.author_id == user.id)))
    if not keep_posts:
        db.session.execute(delete(PostRevision).where(
            PostRevision.post_id.in_([p.id for p in own_posts])))
        for post in own_posts:
            post.body_markdown = REMOVED
            post.body_html = render_markdown(REMOVED)
            search.index_post(post)
    _drop_reactions(user)
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)):
        if membership.role != "pending":
            db.session.execute(update(Group).where(Group.id == membership.group_id)
                               .values(member_count=Group.member_count - 1))
        db.session.delete(membership)
    db.session.execute(update(Flag).where(Flag.reporter_id == user.id).values(note=""))
    for model in (ApiToken, MailPreference, Notification, QuoteConsent):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(OutgoingMail).where(OutgoingMail.user_id == user.id,
                                                  OutgoingMail.sent_at.is_(None)))
    _forget_invitation_addresses(user.id, old_email)
    attachments.erase_uploads(user.id)
    events.forget_person(user.id)
    user.username = user.username_key = f"former-{user.id}"
    user.email = ""
    user.organisation_id = None
    user.display_name = "Former member"
    user.password_hash = "!erased:" + secrets.token_hex(8)
    user.is_admin = False
    user.disabled = True
    user.session_version += 1
    user.erased_at = utcnow()
    audit(actor, "erase_account", "user", user.id,
          "posts kept as former member" if keep_posts else "posts removed")
    after_commit(lambda: live.disconnect_user(user.id))


def _without_mentions(text: str, username: str) -> str:
    """`text` with each whole @mention of `username` (as posts read mentions, a sentence's
    closing full stop allowed) replaced; every other word, however alike, left as it is."""
    key = username.lower()

    def swap(match: re.Match) -> str:
        handle = match.group(1)
        bare = handle.rstrip(".")
        if handle.lower() == key:
            return "@former-member"
        if bare.lower() == key:
            return "@former-member" + handle[len(bare):]
        return match.group(0)

    return MENTION.sub(swap, text)


def _forget_mentions(user_id: int, username: str, display_name: str) -> None:
    """@username in others' words, and the person's name where a notification names them as
    its actor, stop naming them."""
    needle = f"%@{username}%"
    for post in db.session.scalars(select(Post).where(Post.body_markdown.ilike(needle))):
        changed = _without_mentions(post.body_markdown, username)
        if changed != post.body_markdown:
            post.body_markdown = changed
            post.body_html = render_markdown(changed)
            search.index_post(post)
    for revision in db.session.scalars(
            select(PostRevision).where(PostRevision.body_markdown.ilike(needle))):
        changed = _without_mentions(revision.body_markdown, username)
        if changed != revision.body_markdown:
            revision.body_markdown = changed
            revision.body_html = render_markdown(changed)
    for note in db.session.scalars(select(Notification).where(
            (Notification.actor_id == user_id) | Notification.text.ilike(needle))):
        text = note.text
        # Notifications about someone's action open with their name ("Al replied: ...").
        if note.actor_id == user_id and display_name and text.startswith(display_name):
            text = "A former member" + text[len(display_name):]
        note.text = _without_mentions(text, username)


def _forget_invitation_addresses(user_id: int, email: str) -> None:
    """Invitations to the person, by account or by their address, keep no address (and an
    invitation mailed to the address but not sent yet is not sent)."""
    condition = Invitation.user_id == user_id
    if email:
        condition = condition | (func.lower(Invitation.email) == email.lower())
        db.session.execute(delete(OutgoingMail).where(
            func.lower(OutgoingMail.to_address) == email.lower(), OutgoingMail.sent_at.is_(None)))
    db.session.execute(update(Invitation).where(condition).values(email=None))


def _drop_reactions(user: User) -> None:
    for post_id, kind in db.session.execute(
            select(Reaction.post_id, Reaction.kind).where(Reaction.user_id == user.id)).all():
        column = getattr(Post, f"{kind}_count")
        db.session.execute(update(Post).where(Post.id == post_id).values({column: column - 1}))
    db.session.execute(delete(Reaction).where(Reaction.user_id == user.id))
