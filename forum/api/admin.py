"""Site administrators: accounts and the audit log."""

from __future__ import annotations

from forum.api import PAGINATION, operation, page_args, signed_in_user
from forum.api import schemas as s
from forum.api.serializers import iso, user_ref
from forum.services import admin, queries


def _account(user) -> dict:
    return {"username": user.username, "display_name": user.display_name,
            "disabled": user.disabled, "approved": user.approved}


@operation("/admin/users/<username>/disable", "POST",
           summary="Disable an account: sign-in, sessions, tokens and live connections stop",
           body=s.DisableAccount, response=s.AccountState, errors=(401, 403, 404),
           auth="required")
def disable_user(username: str, data: s.DisableAccount):
    actor = signed_in_user()
    admin._require_admin(actor)
    return _account(admin.disable_account(actor, queries.get_user(username), data.reason))


@operation("/admin/users/<username>/enable", "POST", summary="Re-enable an account",
           response=s.AccountState, errors=(401, 403, 404), auth="required")
def enable_user(username: str):
    actor = signed_in_user()
    admin._require_admin(actor)
    return _account(admin.enable_account(actor, queries.get_user(username)))


@operation("/admin/audit", "GET", summary="The site audit log, newest first (append-only)",
           response=s.page_of(s.AuditEntry), errors=(401, 403), auth="required",
           query=PAGINATION)
def audit_log():
    actor = signed_in_user()
    page, per_page = page_args()
    result = admin.list_audit(actor, page, per_page)
    return {"items": [{"id": e.id, "action": e.action,
                       "actor": user_ref(e.actor) if e.actor_id else {
                           "username": None, "display_name": "System"},
                       "target_type": e.target_type, "target_id": e.target_id,
                       "details": e.details, "created_at": iso(e.created_at)}
                      for e in result.items],
            "page": result.page, "per_page": result.per_page, "total": result.total}


@operation("/admin/users/<username>/erase", "POST",
           summary="Erase an account on the person's request", body=s.Erasure, status=204,
           errors=(401, 403, 404), auth="required")
def erase_user(username: str, data: s.Erasure):
    from forum.services import erasure

    actor = signed_in_user()
    admin._require_admin(actor)
    erasure.erase_account(actor, queries.get_user(username), data.keep_posts)
    return None
