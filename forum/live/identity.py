"""Who a live connection is: how it signed in at connect, and whether that still holds.

A connection signs in like an HTTP request: with the session cookie (whose "id:version" stops
working after a sign-out everywhere, a password change or reset, a disabled or erased account)
or with an API token (`auth={"token": ...}` or a Bearer header; it stops working once revoked).
Each event asks the same functions HTTP asks (`forum.auth.user_for_session`,
`accounts.user_for_token`), so a connection never outlives the sign-in it was made with.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user

from forum import permissions as perm
from forum.auth import bearer_token, user_for_session


@dataclass(frozen=True)
class Identity:
    user_id: int | None = None
    session_id: str | None = None  # the session's "id:version"
    token: str | None = None  # kept in this process's memory only, never in shared state
    token_id: int | None = None


ANONYMOUS = Identity()

# Per process: sid -> how that connection signed in (events reach only the process holding it).
_identities: dict[str, Identity] = {}


def identify(auth) -> Identity | None:
    """At connect: a token (in `auth`, else a Bearer header) wins over the session cookie;
    None when a token is given but not valid (the connection is refused)."""
    from forum.services import accounts

    token = None
    if isinstance(auth, dict) and auth.get("token") is not None:
        token = str(auth.get("token"))
    else:
        token = bearer_token()
    if token is not None:
        user = accounts.user_for_token(token)
        if user is None:
            return None
        return Identity(user.id, token=token, token_id=accounts.token_id_for(user, token))
    if not current_user.is_authenticated:  # loaded from the cookie by `user_for_session`
        return ANONYMOUS  # no session, or one that no longer stands: a reader of public rooms
    return Identity(current_user.id, session_id=current_user.get_id())


def remember(sid: str, identity: Identity) -> None:
    _identities[sid] = identity


def forget(sid: str) -> Identity:
    return _identities.pop(sid, ANONYMOUS)


def user_id_of(sid: str) -> int | None:
    return _identities.get(sid, ANONYMOUS).user_id


def viewer(sid: str) -> perm.Viewer | None:
    """The connection's user as HTTP would load them now; anonymous stays anonymous. None when
    the sign-in it was made with no longer holds (the caller disconnects it)."""
    from forum.services.accounts import user_for_token

    identity = _identities.get(sid)
    if identity is None:
        return None  # not connected through this process (already disconnected)
    if identity.user_id is None:
        return perm.AnonymousUser()
    if identity.token is not None:
        user = user_for_token(identity.token)
    else:
        user = user_for_session(identity.session_id)
    if user is None or user.id != identity.user_id:
        return None
    perm.forget_cached_rights(user)  # roles may have changed since the last event
    return user
