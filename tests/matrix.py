"""The machinery shared by the permission-matrix tests: literal tables and one runner."""

from __future__ import annotations

import pytest

from tests.conftest import _clean


def rows(table: str, callers: tuple[str, ...]):
    """pytest params (method, path, body, vis, {caller: status}) from a literal table."""
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        method, path, body, vis, *statuses = line.split()
        yield pytest.param(method, path, body, vis, dict(zip(callers, map(int, statuses))),
                           id=f"{method} {path} {body} {vis}")


def statuses(app, api, build, callers, method: str, url_of, body) -> dict[str, int]:
    """Each caller's status; a fresh world per caller for changes, one world for reads."""
    got = {}
    world = None
    for caller in callers:
        if world is None or method != "GET":
            _clean(app)
            world = build()
        response = api(method, url_of(world), world.tokens.get(caller), body)
        got[caller] = response.status_code
        if response.status_code >= 400:
            error = response.get_json()["error"]
            assert error["code"] and error["message"], (caller, error)
    return got
