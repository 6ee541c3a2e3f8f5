"""Accounts: creation, sign-in, sign-out and personal API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext
from sqlalchemy import bindparam, select, update

from forum import live
from forum.db import after_commit, unit_of_work
from forum.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.i18n import speaking_to
from forum.models import ApiToken, User, utcnow
from forum.services.validation import single_line

USERNAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{1,31}$")
_ADDRESS = (r"[^@\s\u0000-\u001f\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
            r"\u3000\ufeff]")  # no spaces, no control characters (they would forge headers)
EMAIL = re.compile(rf"^{_ADDRESS}{{1,64}}@{_ADDRESS}{{1,189}}\.{_ADDRESS}{{2,}}$")
MIN_PASSWORD = 10
COMMON_PASSWORDS = frozenset({
    "password123", "password1234", "1234567890", "12345678910", "qwertyuiop", "qwerty1234",
    "iloveyou123", "abc1234567", "passw0rd123", "letmein1234", "welcome123", "welcome1234",
    "administrator", "1q2w3e4r5t", "0987654321", "qwerty12345", "password12", "1111111111",
    "football123", "monkey12345", "changeme123", "trustno1234",
})

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password-xx")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed({"password": gettext("Use at least %(min_password)s "
                                                    "characters.", min_password=MIN_PASSWORD)})
    if len(password) > 1024:
        raise ValidationFailed({"password": gettext("At most 1024 characters.")})
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or (username and lowered == username.lower()):
        raise ValidationFailed({"password": gettext("This password is too easy to guess.")})


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username_key == username.strip().lower()))


@unit_of_work
def create_user(username: str, email: str, password: str, *, display_name: str | None = None,
                is_admin: bool = False, approved: bool = True,
                password_hash: str | None = None) -> User:
    """Create an account. Callers: CLI, sign-up page, seeding. Raises ValidationFailed, Conflict.

    `password_hash` lets bulk seeding reuse one hash instead of paying the KDF per account.
    """
    username = (username or "").strip()
    email = (email or "").strip()
    display_name = single_line("display_name", display_name, 80, required=False)
    errors = {}
    if not USERNAME.fullmatch(username):
        errors["username"] = gettext(
            "2-32 letters, digits, '_', '.' or '-', not starting with '.' or '-'.")
    if not EMAIL.fullmatch(email):
        errors["email"] = gettext("Enter a valid e-mail address.")
    if errors:
        raise ValidationFailed(errors)
    if password_hash is None:
        check_password_rules(password, username)
        password_hash = hash_password(password)
    if find_user(username) is not None:
        raise Conflict(gettext("That username is taken."),
                       fields={"username": gettext("That username is taken.")})
    user = User(
        username=username, username_key=username.lower(), email=email,
        display_name=display_name or username,
        password_hash=password_hash, is_admin=is_admin, approved=approved,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (constant work whether or not they exist)."""
    return sign_in(username, password)[0]


def sign_in(username: str, password: str) -> tuple[User | None, str | None]:
    """(the active user, None) for the right credentials, else (None, why not). Only someone
    who gave the right password hears that the account waits for approval or is disabled;
    anyone else hears the same words whether or not the account exists."""
    wrong = gettext("Wrong username or password.")
    user = find_user(username or "")
    try:
        if user is None:
            _hasher.verify(_DUMMY_HASH, password or "")
            return None, wrong
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None, wrong
    if user.erased_at is not None:
        return None, wrong
    if not user.approved:
        return None, gettext("Your account is waiting for a site administrator's approval: "
                             "you can sign in once it is approved.")
    if user.disabled:
        return None, gettext("This account has been disabled by a site administrator.")
    return user, None


@unit_of_work
def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie issued so far stops working."""
    db.session.execute(
        update(User).where(User.id == user.id).values(session_version=User.session_version + 1)
    )
    user_id = user.id  # API tokens go on working, as over HTTP
    after_commit(lambda: live.disconnect_user(user_id, sessions_only=True))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@unit_of_work
def create_token(username: str, name: str = "") -> str:
    """Create a personal API token and return it; only its hash is kept."""
    user = find_user(username)
    if user is None:
        raise NotFound(gettext("No user called %(username)s.", username=repr(username)))
    token = "wgf_" + secrets.token_urlsafe(32)
    name = single_line("name", (name or "")[:80], 80, required=False)
    db.session.add(ApiToken(user_id=user.id, name=name, token_hash=_digest(token)))
    return token


def list_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())))


@unit_of_work
def change_password(user: User, new_password: str) -> None:
    """Set a new password; every session of the account ends (sign in again)."""
    check_password_rules(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    user_id = user.id
    after_commit(lambda: live.disconnect_user(user_id, sessions_only=True))


_UNCHANGED = object()


@unit_of_work
def update_profile(user: User, display_name: str | None = None, *, locale=_UNCHANGED,
                   timezone=_UNCHANGED) -> User:
    """Display name, language and time zone; a language or zone of None forgets the choice."""
    from forum import i18n

    if display_name is not None:
        user.display_name = single_line("display_name", display_name, 80)
    if locale is not _UNCHANGED:
        code = i18n.supported(locale) if locale else None
        if locale and (code is None or code == i18n.PSEUDO):
            raise ValidationFailed({"locale": gettext(
                "Choose one of the languages the forum speaks.")})
        user.locale = code
    if timezone is not _UNCHANGED:
        if timezone and not i18n.valid_timezone(timezone):
            raise ValidationFailed({"timezone": gettext(
                "Choose a time zone such as Europe/London.")})
        user.timezone = timezone or None
    return user


@unit_of_work
def change_own_password(user: User, current: str, new_password: str) -> None:
    """Needs the current password; ends every other session and revokes every API token."""
    try:
        _hasher.verify(user.password_hash, current or "")
    except (VerificationError, InvalidHashError):
        raise PermissionDenied(gettext("The current password is wrong."),
                               fields={"current_password": gettext("Wrong password.")}) from None
    user_id = user.id  # its API tokens are revoked too
    after_commit(lambda: live.disconnect_user(user_id))
    change_password(user, new_password)
    _revoke_tokens(user)


def _revoke_tokens(user: User) -> None:
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                              ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


@unit_of_work
def reset_password(user: User, new_password: str) -> None:
    """Set a forgotten password through a mailed reset link (caller: the reset page, after
    `user_for_reset_token`). Whoever held the account loses it: every session ends, every API
    token is revoked and, after commit, every live connection is closed."""
    change_password(user, new_password)
    _revoke_tokens(user)
    user_id = user.id
    after_commit(lambda: live.disconnect_user(user_id))


@unit_of_work
def approve_user(actor: User, user: User) -> None:
    """Site admins approve self-registered accounts."""
    if not actor.is_admin:
        raise PermissionDenied(gettext("Only site administrators approve accounts."))
    user.approved = True
    from forum.services.admin import audit

    audit(actor, "approve_account", "user", user.id)


def pending_accounts() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.approved.is_(False), User.disabled.is_(False))
        .order_by(User.id)))


# --- e-mail address change, confirmed by mail -------------------------------------------------

def _email_serializer():
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-change")


@unit_of_work
def request_email_change(user: User, new_email: str) -> None:
    """Mail a confirmation link (24 hours) to the new address; nothing changes until it is used."""
    from flask import current_app

    from forum.models import OutgoingMail

    new_email = (new_email or "").strip()
    if not EMAIL.fullmatch(new_email):
        raise ValidationFailed({"email": gettext("Enter a valid e-mail address.")})
    token = _email_serializer().dumps({"u": user.id, "e": new_email, "old": user.email})
    link = f"{current_app.config['PUBLIC_URL']}/email/confirm/{token}"
    with speaking_to(user):
        subject = gettext("[Working Groups] Confirm your new e-mail address")
        body = (gettext("Hello %(name)s,", name=user.display_name) + "\n\n"
                + gettext("Confirm this address for your account within 24 hours:")
                + f"\n\n{link}\n")
    db.session.add(OutgoingMail(user_id=user.id, to_address=new_email, subject=subject,
                                body=body))


@unit_of_work
def confirm_email_change(token: str) -> User:
    from itsdangerous import BadSignature

    try:
        data = _email_serializer().loads(token, max_age=86400)
        user = db.session.get(User, int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(gettext("This confirmation link is not valid or has expired.")) from None
    if user is None or user.email != data.get("old"):
        raise NotFound(gettext("This confirmation link is not valid or has expired."))
    user.email = data["e"]
    return user


# --- password reset by mail -------------------------------------------------------------------

def _reset_serializer():
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user: User) -> str:
    # Part of the current hash: the link dies as soon as the password changes (single use).
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


@unit_of_work
def request_password_reset(login: str) -> None:
    """Mail a one-hour, single-use reset link if the account exists; say nothing either way."""
    from flask import current_app

    from forum.models import OutgoingMail

    login = (login or "").strip()
    user = find_user(login) or db.session.scalar(
        select(User).where(User.email == login).order_by(User.id).limit(1))
    if user is None or not user.is_active:
        return
    token = _reset_serializer().dumps({"u": user.id, "f": _fingerprint(user)})
    link = f"{current_app.config['PUBLIC_URL']}/password/reset/{token}"
    with speaking_to(user):
        subject = gettext("[Working Groups] Reset your password")
        body = (gettext("Hello %(name)s,", name=user.display_name) + "\n\n"
                + gettext("Someone (we hope you) asked to reset your password. This link works "
                          "once, for one hour:") + f"\n\n{link}\n\n"
                + gettext("If it was not you, ignore this mail: your password stays as it is.")
                + "\n")
    db.session.add(OutgoingMail(user_id=user.id, to_address=user.email, subject=subject,
                                body=body))


def user_for_reset_token(token: str) -> User:
    from itsdangerous import BadSignature

    try:
        data = _reset_serializer().loads(token, max_age=3600)
        user = db.session.get(User, int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(gettext("This reset link is not valid or has expired.")) from None
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        raise NotFound(gettext("This reset link is not valid or has expired."))
    return user


def token_id_for(user: User, token: str) -> int | None:
    """The id of one of the user's tokens, given the token itself (live connections keep it)."""
    return db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id,
                                                       ApiToken.token_hash == _digest(token)))


_TOKEN_OWNER = select(User).join(ApiToken, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None))


def user_for_token(token: str) -> User | None:
    """The active owner of a live token, or None."""
    if not token or len(token) > 200:
        return None
    user = db.session.scalar(_TOKEN_OWNER, {"digest": _digest(token)})
    if user is None or not user.is_active:
        return None
    return user


@unit_of_work
def revoke_token(user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound()
    token.revoked_at = utcnow()
    after_commit(lambda: live.disconnect_token(user.id, token_id))
