"""Who is calling: session cookies (with a per-user session version) and Bearer tokens."""

from __future__ import annotations

from flask import request

from forum.extensions import db, login_manager
from forum.models import User
from forum.permissions import AnonymousUser


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def user_for_session(session_id: str | None) -> User | None:
    """The active user a session's "id:version" names, while that version still stands.

    HTTP asks this on every request and a live connection on every event, so a sign-out
    everywhere, a password change or a disabled account ends both at once.
    """
    user_id, _, version = (session_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None  # signed out elsewhere, disabled, or password changed
    return user


def init_login(app) -> None:
    login_manager.init_app(app)
    login_manager.anonymous_user = AnonymousUser
    login_manager.login_view = "web.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_from_session(session_id: str):
        if request.headers.get("Authorization"):
            return None  # an explicit token wins over a cookie
        return user_for_session(session_id)

    @login_manager.request_loader
    def load_from_token(_request):
        token = bearer_token()
        if token is None:
            return None
        from forum.services.accounts import user_for_token

        return user_for_token(token)
