"""Rate limits: 429 in the contract's shape with Retry-After; failed sign-ins throttled."""

from __future__ import annotations

import re

import pytest

from forum.extensions import limiter


@pytest.fixture
def limits_on(sqlite_only_app):
    """Small limits for this test (the rest of the suite runs with limits far out of reach)."""
    app = sqlite_only_app
    saved = dict(app.config)
    app.config.update(RATELIMIT_POSTS="3 per minute", RATELIMIT_FLAGS="2 per hour",
                      RATELIMIT_LOGIN_USER="3 per 15 minutes", RATELIMIT_LOGIN_IP="50 per minute")
    limiter.reset()
    yield app
    limiter.reset()
    app.config.clear()
    app.config.update(saved)


@pytest.fixture
def lworld(limits_on):
    from tests.factories import build_world

    return build_world()


def test_posting_over_the_limit_answers_429_with_retry_after(lworld, limits_on):
    from tests.factories import Api

    api = Api(limits_on.test_client())
    thread = lworld.threads["public"].id
    statuses = [api.post(f"/threads/{thread}/posts", lworld.tokens["member"],
                         {"body": f"post {i}"}).status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    r = api.post(f"/threads/{thread}/posts", lworld.tokens["member"], {"body": "again"})
    assert r.get_json()["error"]["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) > 0
    # The limit is per user: another member still posts.
    assert api.post(f"/threads/{thread}/posts", lworld.tokens["facilitator"],
                    {"body": "mine"}).status_code == 201


def _attempt(client, username, password):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


def test_failed_sign_ins_are_throttled_per_account(lworld, limits_on):
    from tests.factories import PASSWORD

    client = limits_on.test_client()
    statuses = [_attempt(client, "member", "wrong-password").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # Another account from the same address is not locked by it.
    assert _attempt(limits_on.test_client(), "facilitator", PASSWORD).status_code == 303
