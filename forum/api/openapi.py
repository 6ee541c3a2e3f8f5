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


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, name in _PARAM.findall(rule):
        schema = ({"type": "integer", "minimum": 1, "maximum": MAX_ID} if converter == "id"
                  else {"type": "string"})
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return "/api/v1" + _PARAM.sub(r"{\2}", rule), params


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
        path, params = _path(op.rule)
        for name, (kind, text) in op.query.items():
            params.append({"name": name, "in": "query", "required": False,
                           "description": text, "schema": {"type": kind}})
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
        for status in sorted(set(op.errors) | {405, 413, 429, 503}):
            responses[str(status)] = {
                "description": ERROR_TEXT.get(status, "Error"),
                "content": {"application/json": {"schema": ref(s.Error, "serialization")}},
            }
        entry = {"operationId": op.name, "summary": op.summary, "parameters": params,
                 "responses": responses}
        if op.form:
            entry["requestBody"] = {"required": True, "content": {"multipart/form-data": {
                "schema": {"type": "object", "required": list(op.form), "properties": {
                    name: {"type": "string", "format": "binary", "description": text}
                    for name, text in op.form.items()}}}}}
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": ref(op.body, "validation")}}}
        if op.auth == "required":
            entry["security"] = [{"bearer": []}, {"cookie": []}]
        paths.setdefault(path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Working Groups forum API", "version": "1.0.0",
                 "description": "JSON API of the Working Groups forum (see API.md)."},
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
