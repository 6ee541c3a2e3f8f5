"""The OpenAPI 3.1 document, generated from the registered operations and their schemas."""

from __future__ import annotations

import re

from flask import current_app
from pydantic.json_schema import models_json_schema

from forum.api import OPERATIONS, operation
from forum.api import schemas as s
from forum.services.validation import MAX_ID

ERROR_TEXT = {
    400: "Bad input (`bad_request` or `validation_failed` with `fields`)",
    401: "Not signed in (`not_signed_in`)",
    403: "Signed in but not allowed (`forbidden`, or `csrf_failed`)",
    404: "Absent, or invisible to the caller (`not_found`)",
    405: "Method not allowed (`method_not_allowed`)",
    409: "The current state forbids it (`conflict`)",
    413: "Too large (`too_large`)",
    429: "Rate limited (`rate_limited`), with Retry-After",
    503: "Briefly unavailable (`unavailable`), with Retry-After",
}
_HEADER = {"schema": {"type": "string"}}
_ERROR_HEADERS = {
    405: {"Allow": {**_HEADER, "description": "The methods the path answers"}},
    429: {"Retry-After": {**_HEADER, "description": "Seconds to wait"}},
    503: {"Retry-After": {**_HEADER, "description": "Seconds to wait"}},
}
_DOCUMENT_SCHEMA = {
    "type": "object", "required": ["openapi", "info", "paths"],
    "properties": {
        "openapi": {"type": "string"},
        "info": {"type": "object", "additionalProperties": True},
        "paths": {"type": "object", "additionalProperties": {"type": "object",
                                                             "additionalProperties": True}},
        "components": {"type": "object", "additionalProperties": True},
    },
}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")

# Tags are the API's modules (one per resource).
TAGS = {
    "admin": "Site administration: accounts, organisations, the audit log",
    "attachments": "Documents in a topic's briefing pack and evidence attached to posts",
    "consultations": "Questions, phases, sign-off and the consultation response",
    "conversations": "Summaries, reports and insights of an informed conversation",
    "events": "Meetings of a topic and who is coming",
    "groups": "Working groups, their members and topics",
    "invitations": "Invitations into a group",
    "locales": "The languages the forum speaks",
    "me": "The signed-in caller's own account",
    "moderation": "Flags, hiding, pending posts, splitting and merging, suspensions",
    "notifications": "The caller's notifications",
    "openapi": "This document",
    "people": "Members' public profiles",
    "posts": "Posts, their revisions and reactions",
    "reading": "Read positions, following, drafts and previews",
    "search": "Full-text search",
    "threads": "Threads and their posts",
    "topics": "Informed-conversation topics and their threads",
}
_ANYONE = ("Anyone may call it, anonymous callers included; a private group and everything in "
           "it answers 404 to all but its members.")
_SIGNED_IN = "A signed-in caller (Bearer token, or session cookie with X-CSRFToken) may call it."
# Who may call an operation, where more is to be said than "anyone" or "signed in".
WHO = {
    "admin": "Site administrators only.",
    "upload_topic_attachment": "The topic's facilitators (and moderators) only.",
    "upload_post_attachment": "The post's author only.",
    "delete_attachment": "The uploader or a moderator of the group.",
    "write_summary": "The topic's facilitators.",
    "summary_versions": "The topic's facilitators and the group's moderators.",
    "topic_report": "The topic's facilitators and the group's moderators.",
    "topic_insights": "The topic's facilitators and the group's moderators.",
    "set_topic_questions": "The topic's facilitators.",
    "set_topic_phase": "The topic's facilitators.",
    "open_signoff": "The topic's facilitators.",
    "close_signoff": "The topic's facilitators.",
    "cast_vote": "A member who speaks for a member organisation.",
    "signoff_history": "The topic's facilitators.",
    "summary_coverage": "The topic's facilitators.",
    "create_event": "The topic's facilitators.",
    "update_event": "The topic's facilitators.",
    "delete_event": "The topic's facilitators.",
    "attendees": "The topic's facilitators.",
    "minutes": "The topic's facilitators, once the event has started.",
    "rsvp": "Members of the group.",
    "create_group": "Site administrators.",
    "update_group": "The group's moderators.",
    "join_group": "A signed-in caller who is not yet a member.",
    "set_member": "The group's moderators.",
    "remove_member": "The group's moderators, or the member themself (leaving).",
    "create_topic": "The group's facilitators.",
    "update_topic": "The topic's facilitators.",
    "invite": "The group's moderators.",
    "list_invitations": "The group's moderators.",
    "revoke_invitation": "The group's moderators.",
    "accept_invitation": "The signed-in person the invitation was sent to.",
    "flag_post": "Members of the group.",
    "resolve_flag": "The group's moderators.",
    "moderation_queue": "The group's moderators.",
    "moderation_log": "The group's moderators.",
    "hide_post": "The group's moderators.",
    "unhide_post": "The group's moderators.",
    "approve_post": "The group's moderators.",
    "reject_post": "The group's moderators.",
    "split_thread": "The group's moderators.",
    "merge_threads": "The group's moderators (of both threads' groups).",
    "suspend_member": "The group's moderators.",
    "lift_suspension": "The group's moderators.",
    "edit_post": "The post's author or the group's moderators.",
    "post_revisions": "The post's author or the group's moderators (401 anonymous, 403 others).",
    "set_post_consent": "The post's author.",
    "add_reaction": "Members of the group.",
    "remove_reaction": "Members of the group.",
    "update_thread": "The group's moderators; the thread's author may change its title.",
    "create_post": "Members of the group (409 when the thread is locked, 403 when suspended).",
    "create_thread": "Members of the group, while the topic is open.",
}
# Create answers link to the reads (and changes) of what they made, for clients and for
# schemathesis's stateful phase: source -> {target: {parameter: runtime expression}}.
LINKS = {
    "create_group": {p: {"slug": "$response.body#/slug"} for p in (
        "group", "update_group", "group_topics", "group_members", "create_topic")},
    "create_topic": {p: {"topic_id": "$response.body#/id"} for p in (
        "topic", "update_topic", "topic_threads", "create_thread", "topic_events")},
    "create_thread": {**{p: {"thread_id": "$response.body#/id"} for p in (
        "thread", "update_thread", "thread_posts", "create_post")},
        "post": {"post_id": "$response.body#/first_post/id"}},
    "split_thread": {p: {"thread_id": "$response.body#/id"} for p in ("thread", "thread_posts")},
    "create_post": {p: {"post_id": "$response.body#/id"} for p in (
        "post", "edit_post", "post_revisions", "flag_post")},
    "flag_post": {"resolve_flag": {"flag_id": "$response.body#/id"}},
    "create_event": {p: {"event_id": "$response.body#/id"} for p in (
        "event", "update_event", "rsvp", "delete_event")},
    "invite": {"revoke_invitation": {"slug": "$request.path.slug",
                                     "invitation_id": "$response.body#/id"}},
    "create_organisation": {p: {"organisation_id": "$response.body#/id"} for p in (
        "update_organisation", "delete_organisation")},
    "upload_topic_attachment": {p: {"attachment_id": "$response.body#/id"} for p in (
        "attachment", "delete_attachment")},
    "upload_post_attachment": {p: {"attachment_id": "$response.body#/id"} for p in (
        "attachment", "delete_attachment")},
    "write_summary": {"topic_summary": {"topic_id": "$request.path.topic_id"}},
    "open_signoff": {"topic_signoff": {"topic_id": "$request.path.topic_id"}},
}
SIGNED_IN = [{"bearer": []}, {"cookie": []}]


def _path(op) -> tuple[str, list[dict]]:
    params = []
    for converter, name in _PARAM.findall(op.rule):
        schema = ({"type": "integer", "minimum": 1, "maximum": MAX_ID} if converter == "id"
                  else {"type": "string", "minLength": 1})
        schema.update(op.path.get(name, {}))
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return "/api/v1" + _PARAM.sub(r"{\2}", op.rule), params


def _query(name: str, spec: tuple) -> dict:
    kind, text, *extra = spec
    schema = {"type": kind, **(extra[0] if extra else {})}
    required = schema.pop("required", False)
    if kind == "integer" and name not in ("page", "per_page", "after"):
        schema.setdefault("minimum", 1)
        schema.setdefault("maximum", MAX_ID)
    return {"name": name, "in": "query", "required": required, "description": text,
            "schema": schema}


def _tag(op) -> str:
    view = current_app.view_functions.get(f"api.{op.name}")
    module = getattr(view, "__module__", "") or ""
    return module.rsplit(".", 1)[-1] if module.startswith("forum.api.") else "openapi"


def _description(op, tag: str) -> str:
    who = WHO.get(op.name) or WHO.get(tag) or (_SIGNED_IN if op.auth == "required" else _ANYONE)
    return f"{op.summary.rstrip('.')}. {who}"


def _links(op) -> dict:
    by_name = {o.name for o in OPERATIONS}
    links = {}
    for target, parameters in LINKS.get(op.name, {}).items():
        if target in by_name:
            key = "".join(part.capitalize() for part in target.split("_"))
            links[key] = {"operationId": target, "parameters": parameters}
    return links


def _body_required(model) -> bool:
    """A body with a required field must be sent (an empty one answers 400); one whose fields
    are all optional may be left out (it counts as {})."""
    return any(f.is_required() for f in model.model_fields.values())


def build_document() -> dict:
    models = {s.Error}
    for op in OPERATIONS:
        models.update(m for m in (op.body, op.response) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    keyed = [(m, "validation" if m in {op.body for op in OPERATIONS} else "serialization")
             for m in ordered]
    refs, schema = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    components = schema.get("$defs", {})

    def ref(model, mode):
        return refs[(model, mode)]

    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path, params = _path(op)
        params.extend(_query(name, spec) for name, spec in op.query.items())
        responses: dict[str, dict] = {}
        if op.status == 204:
            responses["204"] = {"description": "Done; no body"}
        elif op.response is not None:
            content_schema = ref(op.response, "serialization")
            responses[str(op.status)] = {"description": "Success",
                                         "content": {op.produces: {"schema": content_schema}}}
        elif op.produces != "application/json":  # a download
            types = [kind.strip() for kind in op.produces.split(",")]
            if len(types) == 1:
                types.append("text/csv")
            responses[str(op.status)] = {"description": "A file", "content": {
                kind: {"schema": {"type": "string"}} for kind in types}}
        else:  # the document itself
            responses[str(op.status)] = {"description": "This document", "content": {
                op.produces: {"schema": _DOCUMENT_SCHEMA}}}
        success = responses[str(op.status)]
        for status, text in op.also.items():
            responses[str(status)] = {**success, "description": text}
        if op.status != 204 and (links := _links(op)):
            success["links"] = links
        for status in sorted(set(op.errors) | {405, 413, 429, 503}):
            responses[str(status)] = {
                "description": ERROR_TEXT.get(status, "Error"),
                "content": {"application/json": {"schema": ref(s.Error, "serialization")}},
            }
            if status in _ERROR_HEADERS:
                responses[str(status)]["headers"] = _ERROR_HEADERS[status]
        tag = _tag(op)
        entry = {"operationId": op.name, "summary": op.summary,
                 "description": _description(op, tag), "tags": [tag], "parameters": params,
                 "responses": responses,
                 "security": SIGNED_IN if op.auth == "required" else [*SIGNED_IN, {}]}
        if op.form:
            entry["requestBody"] = {"required": True, "content": {"multipart/form-data": {
                "schema": {"type": "object", "required": list(op.form), "properties": {
                    name: {"type": "string", "format": "binary", "description": text}
                    for name, text in op.form.items()}}}}}
        if op.body is not None:
            entry["requestBody"] = {"required": _body_required(op.body), "content": {
                "application/json": {"schema": ref(op.body, "validation")}}}
        paths.setdefault(path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Working Groups forum API", "version": "1.0.0",
                 "description": "JSON API of the Working Groups forum (see API.md).",
                 "contact": {"name": "The forum's site administrators",
                             "url": current_app.config["PUBLIC_URL"]},
                 "license": {"name": "All rights reserved (the forum's own terms)",
                             "url": current_app.config["PUBLIC_URL"]}},
        "tags": [{"name": name, "description": TAGS.get(name, f"The {name} module")}
                 for name in sorted({tag for ops in paths.values() for entry in ops.values()
                                     for tag in entry["tags"]})],
        "servers": [{"url": current_app.config["PUBLIC_URL"]}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "Personal API token (`flask tokens create NAME`)"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session",
                           "description": "Browser session; state changes need X-CSRFToken"},
            },
        },
    }


@operation("/openapi.json", "GET", summary="This contract as OpenAPI 3.1")
def openapi():
    cache = current_app.extensions.setdefault("forum_openapi", {})
    if "document" not in cache:
        cache["document"] = build_document()
    return cache["document"]
