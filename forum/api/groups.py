"""Groups, membership and joining."""

from __future__ import annotations

from forum.api import PAGINATION, operation, page_args, page_json, signed_in_user, viewer
from forum.api import schemas as s
from forum.serializers import group_json, membership_json, topic_json
from forum.services import groups as group_service
from forum.services import queries, reading
from forum.services import topics as topic_service


@operation("/groups", "GET", summary="Groups visible to the caller", response=s.page_of(s.Group),
           query=PAGINATION)
def groups():
    page, per_page = page_args()
    me = viewer()
    return page_json(queries.list_groups(me, page, per_page), lambda g: group_json(g, me))


@operation("/groups", "POST", summary="Create a working group (site admin)", body=s.GroupCreate,
           response=s.Group, status=201, errors=(401, 403, 409), auth="required")
def create_group(data: s.GroupCreate):
    me = signed_in_user()
    group = group_service.create_group(me, **data.model_dump())
    return group_json(group, me)


@operation("/groups/<slug>", "GET", summary="One group", response=s.Group, errors=(404,))
def group(slug: str):
    me = viewer()
    return group_json(queries.get_group(slug, me), me)


@operation("/groups/<slug>", "PATCH", summary="Change a group's settings", body=s.GroupUpdate,
           response=s.Group, errors=(401, 403, 404), auth="required")
def update_group(slug: str, data: s.GroupUpdate):
    me = viewer()
    group = queries.get_group(slug, me)
    signed_in_user()
    group = group_service.update_group(me, group, **data.model_dump(exclude_unset=True))
    return group_json(group, me)


@operation("/groups/<slug>/join", "POST", summary="Join an open group or ask to join",
           response=s.JoinResult, errors=(401, 403, 404), auth="required")
def join_group(slug: str):
    group = queries.get_group_to_join(slug, viewer())
    return {"status": group_service.join_group(signed_in_user(), group)}


@operation("/groups/<slug>/members", "GET", summary="Members of a group",
           response=s.page_of(s.Membership), errors=(404,), query=PAGINATION)
def group_members(slug: str):
    group = queries.get_group(slug, viewer())
    page, per_page = page_args()
    return page_json(queries.list_members(group, page, per_page), membership_json)


@operation("/groups/<slug>/members/<username>", "PUT",
           summary="Add, approve or set the role of a member", body=s.MemberSet,
           response=s.Membership, errors=(401, 403, 404), auth="required",
           also={201: "Added to the group"})
def set_member(slug: str, username: str, data: s.MemberSet):
    me = viewer()
    group = queries.get_group(slug, me)
    actor = signed_in_user()
    membership, created = group_service.set_member_role(actor, group,
                                                        queries.get_user(username), data.role)
    return membership_json(membership), 201 if created else 200


@operation("/groups/<slug>/members/<username>", "DELETE", summary="Remove a member (or leave)",
           status=204, errors=(401, 403, 404), auth="required")
def remove_member(slug: str, username: str):
    me = viewer()
    group = queries.get_group_to_leave(slug, me)
    group_service.remove_member(signed_in_user(), group, queries.get_user(username))
    return None


@operation("/groups/<slug>/topics", "GET", summary="Topics of a group",
           response=s.page_of(s.Topic), errors=(404,), query=PAGINATION)
def group_topics(slug: str):
    me = viewer()
    group = queries.get_group(slug, me)
    page, per_page = page_args()
    result = queries.list_topics(group, me, page, per_page)
    unread = reading.topic_unread(me, result.items)
    return page_json(result, lambda t: topic_json(t, me, unread=unread))


@operation("/groups/<slug>/topics", "POST", summary="Open an informed-conversation topic",
           body=s.TopicCreate, response=s.Topic, status=201, errors=(401, 403, 404),
           auth="required")
def create_topic(slug: str, data: s.TopicCreate):
    me = viewer()
    group = queries.get_group(slug, me)
    topic = topic_service.create_topic(signed_in_user(), group, **data.model_dump())
    return topic_json(topic, me)
