"""People: a member's public face and the composer's @ autocomplete."""

from __future__ import annotations

from flask import request
from flask_babel import gettext

from forum.api import operation, signed_in_user, viewer
from forum.api import schemas as s
from forum.errors import ValidationFailed
from forum.serializers import iso, user_ref
from forum.services import agenda, people, queries


def person_json(person, me) -> dict:
    organisation = person.organisation if person.organisation_id else None
    return {
        "username": person.username, "display_name": person.display_name,
        "organisation": {"id": organisation.id, "name": organisation.name}
        if organisation is not None else None,
        "joined_at": iso(person.created_at),
        "groups": [{"slug": g.slug, "name": g.name} for g in people.groups_of(person, me)],
    }


@operation("/users/<username>", "GET", summary="A member's name, organisation and groups",
           response=s.Person, errors=(404,))
def person(username: str):
    me = viewer()
    return person_json(people.get_person(username), me)


@operation("/users", "GET",
           summary="Up to ten members of a group whose username or display name starts with "
                   "prefix", response=s.PersonList, errors=(404,),
           query={"prefix": ("string", "The start of a username or display name"),
                  "group": ("string", "The group's slug (the caller must see it)",
                            {"required": True, "minLength": 1})})
def people_by_prefix():
    me = viewer()
    slug = request.args.get("group", "")
    if not slug:
        raise ValidationFailed({"group": gettext("Name a group.")})
    group = queries.get_group(slug, me)
    return {"items": [user_ref(u) for u in people.find_members(group,
                                                               request.args.get("prefix", ""))]}


@operation("/me/agenda", "GET", summary="What needs the caller, soonest due first",
           response=s.Agenda, errors=(401,), auth="required")
def my_agenda():
    return {"items": [{**item, "due_at": iso(item["due_at"])}
                      for item in agenda.agenda(signed_in_user())]}
