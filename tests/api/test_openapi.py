"""The OpenAPI 3.1 document: valid, complete, and describing what the API really answers."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from forum.api import OPERATIONS


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_registered_operation_is_documented_with_its_errors(spec):
    for op in OPERATIONS:
        path = "/api/v1" + __import__("re").sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule)
        entry = spec["paths"][path][op.method.lower()]
        assert "400" in entry["responses"], path
        for status in op.errors:
            assert str(status) in entry["responses"], (path, status)


def test_no_untyped_object_anywhere(spec):
    def walk(node, where):
        if isinstance(node, dict):
            if node.get("type") == "object" and not (
                    node.get("properties") or node.get("additionalProperties")):
                raise AssertionError(f"bare object at {where}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(spec["components"]["schemas"], "components")


def test_responses_match_their_documented_schemas(world, api):
    from forum.api import schemas as s

    s.page_of(s.Group).model_validate(api.get("/groups", world.tokens["member"]).get_json())
    s.page_of(s.Post).model_validate(
        api.get(f"/threads/{world.threads['public'].id}/posts").get_json())
    s.Thread.model_validate(api.get(f"/threads/{world.threads['public'].id}").get_json())
    s.Topic.model_validate(api.get(f"/topics/{world.topics['public'].id}").get_json())
    s.Me.model_validate(api.get("/me", world.tokens["member"]).get_json())
    s.Error.model_validate(api.get("/threads/999999").get_json())
