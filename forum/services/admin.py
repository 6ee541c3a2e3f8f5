"""Site administration: disabling and re-enabling accounts, and the append-only audit log."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select, update

from forum import live
from forum.db import after_commit, unit_of_work
from forum.extensions import db
from forum.models import ApiToken, AuditEntry, User, utcnow
from forum.permissions import actions
from forum.services.queries import Page, _paginate
from forum.services.validation import refuse


def audit(actor: User | None, action: str, target_type: str, target_id: int,
          details: str = "") -> None:
    """Append one line to the site audit log, inside the acting unit of work."""
    db.session.add(AuditEntry(actor_id=actor.id if actor else None, action=action,
                              target_type=target_type, target_id=target_id,
                              details=details[:2000]))


def _require_admin(actor: User) -> None:
    actions.require(actions.administer(actor))


@unit_of_work
def disable_account(actor: User, user: User, reason: str = "") -> User:
    """A disabled account cannot sign in; its sessions, tokens and live connections stop."""
    _require_admin(actor)
    if user.id == actor.id:
        refuse(actor, gettext("You cannot disable your own account."))
    user.disabled = True
    user.session_version += 1
    audit(actor, "disable_account", "user", user.id, reason)
    after_commit(lambda: live.disconnect_user(user.id))
    return user


@unit_of_work
def enable_account(actor: User, user: User) -> User:
    _require_admin(actor)
    user.disabled = False
    audit(actor, "enable_account", "user", user.id)
    return user


def list_audit(actor: User, page: int = 1, per_page: int = 20) -> Page[AuditEntry]:
    _require_admin(actor)
    return _paginate(select(AuditEntry).order_by(AuditEntry.id.desc()), page, per_page)


@unit_of_work
def revoke_all_tokens(user: User) -> None:
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                              ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
