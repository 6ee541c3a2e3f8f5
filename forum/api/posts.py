"""Single posts: read, edit, revisions and reactions."""

from __future__ import annotations

from forum.api import PAGINATION, operation, page_args, page_json, signed_in_user, viewer
from forum.api import schemas as s
from forum.serializers import post_json, revision_json
from forum.services import consent, queries, summaries
from forum.services import posts as post_service


def _post_json(post, me):
    return post_json(post, me, queries.my_reactions(me, [post.id]).get(post.id, []),
                     cited=post.id in summaries.cited_post_set([post.id]))


@operation("/posts/<id:post_id>", "GET", summary="One post", response=s.Post, errors=(404,))
def post(post_id: int):
    me = viewer()
    return _post_json(queries.get_post(post_id, me), me)


@operation("/posts/<id:post_id>", "PATCH", summary="Edit a post (earlier versions are kept)",
           body=s.PostEdit, response=s.Post, errors=(401, 403, 404, 413), auth="required")
def edit_post(post_id: int, data: s.PostEdit):
    me = viewer()
    post = queries.get_post(post_id, me)
    return _post_json(post_service.edit_post(me, post, data.body, data.reason), me)


@operation("/posts/<id:post_id>/consent", "PUT",
           summary="How this post may be quoted outside the forum (its author only)",
           body=s.PostConsentSet, response=s.Post, errors=(401, 403, 404), auth="required")
def set_post_consent(post_id: int, data: s.PostConsentSet):
    me = viewer()
    post = queries.get_post(post_id, me)
    return _post_json(consent.set_post_consent(signed_in_user(), post, data.level), me)


@operation("/posts/<id:post_id>/revisions", "GET", summary="Earlier versions, newest first",
           response=s.page_of(s.Revision), errors=(401, 403, 404), query=PAGINATION)
def post_revisions(post_id: int):
    me = viewer()
    post = queries.get_post(post_id, me)
    page, per_page = page_args()
    return page_json(queries.list_revisions(post, me, page, per_page), revision_json)


@operation("/posts/<id:post_id>/reactions/<kind>", "PUT", summary="Add the caller's reaction",
           response=s.Post, errors=(401, 403, 404, 409), auth="required",
           path={"kind": {"type": "string", "enum": ["agree", "disagree", "thanks"]}})
def add_reaction(post_id: int, kind: str):
    me = viewer()
    post = queries.get_post(post_id, me)
    return _post_json(post_service.add_reaction(me, post, kind), me)


@operation("/posts/<id:post_id>/reactions/<kind>", "DELETE",
           summary="Remove the caller's reaction", status=204,
           errors=(401, 403, 404, 409), auth="required",
           path={"kind": {"type": "string", "enum": ["agree", "disagree", "thanks"]}})
def remove_reaction(post_id: int, kind: str):
    me = viewer()
    post_service.remove_reaction(me, queries.get_post(post_id, me), kind)
    return None
