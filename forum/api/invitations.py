"""Invitations to a group."""

from __future__ import annotations

from forum.api import operation, signed_in_user, viewer, whole_list_json
from forum.api import schemas as s
from forum.serializers import invitation_json
from forum.services import invitations, queries


@operation("/groups/<slug>/invitations", "POST",
           summary="Invite by e-mail address or username; a single-use link is mailed",
           body=s.InvitationCreate, response=s.Invitation, status=201,
           errors=(401, 403, 404), auth="required")
def invite(slug: str, data: s.InvitationCreate):
    group = queries.get_group(slug, viewer())
    invitation, _link = invitations.invite(signed_in_user(), group, email=data.email,
                                           username=data.username, role=data.role)
    return invitation_json(invitation)


@operation("/groups/<slug>/invitations", "GET", summary="The group's invitations, newest first",
           response=s.page_of(s.Invitation), errors=(401, 403, 404), auth="required")
def list_invitations(slug: str):
    group = queries.get_group(slug, viewer())
    items = [invitation_json(i) for i in invitations.list_invitations(signed_in_user(), group)]
    return whole_list_json(items)


@operation("/groups/<slug>/invitations/<id:invitation_id>", "DELETE",
           summary="Withdraw an open invitation", status=204, errors=(401, 403, 404, 409),
           auth="required")
def revoke_invitation(slug: str, invitation_id: int):
    group = queries.get_group(slug, viewer())
    invitations.revoke(signed_in_user(), group, invitation_id)
    return None


@operation("/invitations/<token>/accept", "POST",
           summary="Accept an invitation through its link (once, before it expires)",
           response=s.Invitation, errors=(401, 403, 404, 409), auth="required")
def accept_invitation(token: str):
    return invitation_json(invitations.accept(signed_in_user(), token=token))
