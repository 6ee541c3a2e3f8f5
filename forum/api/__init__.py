"""The JSON API under /api/v1: one module per resource, registered through `operation`."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from flask import Blueprint, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json, to_json
from flask_babel import gettext

from forum.errors import BadRequest, CsrfFailed, NotSignedIn, ValidationFailed
from forum.services.validation import check_no_nul

bp = Blueprint("api", __name__, url_prefix="/api/v1")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Operation:
    """One documented endpoint: the view and everything the OpenAPI document says about it."""

    rule: str
    method: str
    name: str
    summary: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    query: dict[str, tuple[str, str]] = field(default_factory=dict)
    auth: str = "optional"
    produces: str = "application/json"
    form: dict[str, str] | None = None  # multipart/form-data fields: name -> description
    path: dict[str, dict] = field(default_factory=dict)  # path parameter -> JSON Schema
    also: dict[int, str] = field(default_factory=dict)  # other success statuses -> meaning


OPERATIONS: list[Operation] = []

# A query parameter: (type, description) or (type, description, further JSON Schema).
PAGINATION = {
    "page": ("integer", "Page number, from 1.", {"minimum": 1, "maximum": 10_000_000}),
    # Clamped rather than refused (API.md): any whole number is accepted.
    "per_page": ("integer", "Items per page: default 20; below 1 counts as 1, above 100 as 100.",
                 {"default": 20}),
}


def operation(rule: str, method: str, *, summary: str, body: type[BaseModel] | None = None,
              response: type[BaseModel] | None = None, status: int = 200,
              errors: tuple[int, ...] = (), query: dict | None = None, auth: str = "optional",
              produces: str = "application/json", limits: tuple = (),
              form: dict[str, str] | None = None, path: dict[str, dict] | None = None,
              also: dict[int, str] | None = None):
    """Register a view on the API blueprint and in the OpenAPI document in one place.

    The view receives the validated body as `data` and returns a JSON-able value (answered
    with `status`) or a ready Response. `limits` are rate limits from forum.ratelimits.
    `path` gives path parameters' JSON Schema where it is narrower than a string (enums);
    `also` documents success statuses other than `status` (a PUT that may create: 201).
    """

    def decorator(fn):
        name = fn.__name__
        documented = set(errors) | {400} | ({429} if limits else set())
        OPERATIONS.append(Operation(rule, method, name, summary, body, response, status,
                                    tuple(sorted(documented)), query or {}, auth, produces,
                                    form, path or {}, also or {}))

        @functools.wraps(fn)
        def view(**kwargs):
            if body is not None:
                kwargs["data"] = parse_body(body)
            result = fn(**kwargs)
            if result is None:
                return "", 204
            if isinstance(result, (dict, list)):
                return jsonify(result), status
            return result

        for limit in limits:
            view = limit(view)
        bp.add_url_rule(rule, endpoint=name, view_func=view, methods=[method])
        return fn

    return decorator


def _field_name(location: tuple) -> str:
    return ".".join(str(part) for part in location) or "body"


def parse_body(model: type[BaseModel]) -> BaseModel:
    """Validate the JSON body against `model`; an empty body counts as {}."""
    raw = _whole_numbers(request.get_data(cache=True) or b"{}")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors(include_url=False):
            if error["type"] == "json_invalid":
                raise BadRequest(gettext("The body is not valid JSON.")) from None
            if error["type"] in ("model_type", "model_attributes_type") and not error["loc"]:
                raise BadRequest(gettext("The body must be a JSON object.")) from None
            message = gettext("This field is required.") if error["type"] == "missing" \
                else error["msg"]
            fields.setdefault(_field_name(error["loc"]), message)
        raise ValidationFailed(fields) from None


def _integral(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    return value


def _whole_numbers(raw: bytes) -> bytes:
    """JSON Schema counts 410.0 as an integer: pass it on as 410 (410.5 stays bad input), and
    leave everything else to the strict JSON validation."""
    if b"." not in raw and b"e" not in raw.lower():
        return raw
    try:
        return to_json(_integral(from_json(raw)))
    except ValueError:
        return raw  # not JSON: the validation says so


def page_args() -> tuple[int, int]:
    """page and per_page from the query string: bad values are 400, per_page clamped to 1..100."""
    errors = {}
    values = {}
    for name, default in (("page", 1), ("per_page", 20)):
        raw = request.args.get(name)
        if raw is None or raw == "":
            values[name] = default
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            errors[name] = gettext("Must be a whole number.")
    if errors:
        raise ValidationFailed(errors)
    if values["page"] < 1 or values["page"] > 10_000_000:
        raise ValidationFailed({"page": gettext("Must be between 1 and 10000000.")})
    return values["page"], min(max(values["per_page"], 1), 100)


def page_json(page, serialise) -> dict:
    return {"items": [serialise(item) for item in page.items], "page": page.page,
            "per_page": page.per_page, "total": page.total}


def whole_list_json(items: list) -> dict:
    """A short list served whole, in the contract's list envelope."""
    return {"items": items, "page": 1, "per_page": max(len(items), 1), "total": len(items)}


def viewer():
    """The signed-in user, or the anonymous user (never None)."""
    return current_user._get_current_object()


def signed_in_user():
    user = viewer()
    if not user.is_authenticated:
        raise NotSignedIn()
    return user


@bp.before_request
def _refuse_unstorable_path_and_query():
    """A NUL in a path or query value, or a query parameter given twice, is bad input (400)
    before it reaches a query; JSON bodies get the same check from the schemas."""
    check_no_nul([*(request.view_args or {}).items(), *request.args.items(multi=True)])
    repeated = sorted({name for name in request.args if len(request.args.getlist(name)) > 1})
    if repeated:  # every parameter of this API takes one value: which one was meant?
        raise ValidationFailed({name: gettext("Give this parameter once.") for name in repeated})


@bp.before_request
def _authenticate_and_check_csrf():
    if request.headers.get("Authorization") is not None:
        if not current_user.is_authenticated:
            raise NotSignedIn(gettext("The API token is missing, invalid or revoked."))
        g.auth_via_token = True
        return
    if request.method not in SAFE_METHODS and current_user.is_authenticated:
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except (CSRFError, Exception):  # flask-wtf raises ValidationError subclasses
            raise CsrfFailed() from None


def register(app) -> None:
    from forum.api import (  # noqa: F401  (routes)
        admin,
        attachments,
        consultations,
        conversations,
        events,
        groups,
        invitations,
        locales,
        me,
        moderation,
        notifications,
        openapi,
        people,
        posts,
        reading,
        search,
        threads,
        topics,
        translations,
    )

    app.register_blueprint(bp)
