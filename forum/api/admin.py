"""Site administrators: accounts and the audit log."""

from __future__ import annotations

from forum.api import PAGINATION, operation, page_args, signed_in_user, whole_list_json
from forum.api import schemas as s
from forum.serializers import iso, me_json, organisation_json, user_ref
from forum.services import admin, queries
from forum.services import organisations as organisations_service


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


@operation("/admin/organisations", "GET",
           summary="Member organisations, with the number of accounts speaking for each",
           response=s.page_of(s.Organisation), errors=(401, 403), auth="required")
def organisations():
    rows = organisations_service.list_organisations(signed_in_user())
    items = [organisation_json(o, n) for o, n in rows]
    return whole_list_json(items)


@operation("/admin/organisations", "POST", summary="Add a member organisation",
           body=s.OrganisationCreate, response=s.Organisation, status=201,
           errors=(401, 403, 409), auth="required")
def create_organisation(data: s.OrganisationCreate):
    return organisation_json(organisations_service.create_organisation(
        signed_in_user(), data.name, data.region), 0)


@operation("/admin/organisations/<id:organisation_id>", "PATCH",
           summary="Rename an organisation or change its region", body=s.OrganisationUpdate,
           response=s.Organisation, errors=(401, 403, 404, 409), auth="required")
def update_organisation(organisation_id: int, data: s.OrganisationUpdate):
    actor = signed_in_user()
    organisation = organisations_service.get_organisation(actor, organisation_id)
    return organisation_json(organisations_service.update_organisation(
        actor, organisation, data.name, data.region))


@operation("/admin/organisations/<id:organisation_id>", "DELETE",
           summary="Remove an organisation (its accounts stay, speaking for none)", status=204,
           errors=(401, 403, 404), auth="required")
def delete_organisation(organisation_id: int):
    actor = signed_in_user()
    organisations_service.delete_organisation(
        actor, organisations_service.get_organisation(actor, organisation_id))
    return None


@operation("/admin/users/<username>/organisation", "PUT",
           summary="Say which organisation an account speaks for (null: none)",
           body=s.OrganisationAssign, response=s.Me, errors=(401, 403, 404), auth="required")
def set_user_organisation(username: str, data: s.OrganisationAssign):
    actor = signed_in_user()
    admin._require_admin(actor)
    organisation = (organisations_service.get_organisation(actor, data.organisation_id)
                    if data.organisation_id is not None else None)
    user = organisations_service.set_member_organisation(
        actor, queries.get_user(username), organisation)
    return me_json(user, None)
