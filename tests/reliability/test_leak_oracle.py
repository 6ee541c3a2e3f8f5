"""The private-data leak oracle: a private group full of a marker, swept from outside.

As an outsider, an anonymous visitor and a removed ex-member, every API read, page, search,
notification list, report and the OpenAPI document must never show the marker, and every answer
about a private thing must be indistinguishable from the answer about an absent one.
"""

from __future__ import annotations

import re

from tests import factories as f
from tests.web.test_auth import sign_in

MARK = "ZQXMARK"
ABSENT = 999_999


def _private_world(world, api):
    admin = world.users["admin"]
    group = f.group(admin, "closed-circle", visibility="private", join_policy="invite")
    f.member(admin, group, world.users["moderator"], "moderator")
    f.member(admin, group, world.users["member"], "member")
    f.member(admin, group, world.users["facilitator"], "facilitator")
    t = api.post("/groups/closed-circle/topics", world.tokens["facilitator"],
                 {"title": f"{MARK} topic", "briefing": f"{MARK} briefing",
                  "questions": [f"{MARK} question"]}).get_json()
    th = api.post(f"/topics/{t['id']}/threads", world.tokens["member"],
                  {"title": f"{MARK} thread", "body": f"{MARK} first @outsider"}).get_json()
    reply = api.post(f"/threads/{th['id']}/posts", world.tokens["member"],
                     {"body": f"{MARK} reply @pending"}).get_json()
    api.post(f"/posts/{reply['id']}/hide", world.tokens["moderator"], {"reason": f"{MARK} why"})
    api.patch("/groups/closed-circle", world.tokens["moderator"], {"premoderate": True})
    api.post(f"/threads/{th['id']}/posts", world.tokens["member"], {"body": f"{MARK} pending"})
    api.post(f"/topics/{t['id']}/summary", world.tokens["facilitator"],
             {"body": f"{MARK} summary", "publish": True})
    api.post(f"/topics/{t['id']}/signoff", world.tokens["facilitator"], {})
    api.delete("/groups/closed-circle/members/member", world.tokens["moderator"])  # ex-member
    return {"slug": "closed-circle", "topic": t["id"], "thread": th["id"], "post": reply["id"]}


PATHS = [
    "/api/v1/groups/{slug}", "/api/v1/groups/{slug}/topics", "/api/v1/groups/{slug}/members",
    "/api/v1/groups/{slug}/moderation/queue", "/api/v1/groups/{slug}/moderation/log",
    "/api/v1/groups/{slug}/invitations", "/api/v1/topics/{topic}",
    "/api/v1/topics/{topic}/threads", "/api/v1/topics/{topic}/summary",
    "/api/v1/topics/{topic}/summary/versions", "/api/v1/topics/{topic}/report?format=csv",
    "/api/v1/topics/{topic}/insights", "/api/v1/threads/{thread}",
    "/api/v1/threads/{thread}/posts", "/api/v1/posts/{post}", "/api/v1/posts/{post}/revisions",
    "/api/v1/topics/{topic}/questions", "/api/v1/topics/{topic}/signoff",
    "/api/v1/topics/{topic}/summary/coverage", "/api/v1/topics/{topic}/response?format=md",
    "/api/v1/topics/{topic}/response?format=csv", "/topics/{topic}/signoff",
    "/topics/{topic}/response",
    "/groups/{slug}", "/groups/{slug}/members", "/groups/{slug}/moderation", "/topics/{topic}",
    "/topics/{topic}/summary/edit", "/threads/{thread}", "/posts/{post}", "/posts/{post}/history",
]
SWEEPS = ["/api/v1/groups?per_page=100", f"/api/v1/search?q={MARK}", "/api/v1/notifications",
          "/api/v1/openapi.json", "/", f"/search?q={MARK}", "/notifications"]


def _viewers(world, app):
    anonymous = app.test_client()
    outsider = app.test_client()
    sign_in(outsider, "outsider")
    ex_member = app.test_client()
    sign_in(ex_member, "member")
    return {"anonymous": anonymous, "outsider": outsider, "ex-member": ex_member}


def _comparable(response) -> tuple:
    """Status, body and headers, less what differs between any two requests (the date, and
    the CSRF token, which carries a timestamp)."""
    ignored = {"Date", "Set-Cookie"}
    headers = sorted((k, v) for k, v in response.headers.items() if k not in ignored)
    body = re.sub(rb'name="csrf_token" value="[^"]+"', b"", response.get_data())
    return response.status_code, body, headers


def test_private_group_leaks_nothing_and_looks_absent(world, api, app):
    ids = _private_world(world, api)
    absent = {"slug": "no-such-group", "topic": ABSENT, "thread": ABSENT, "post": ABSENT}
    for who, client in _viewers(world, app).items():
        for path in PATHS:
            private = client.get(path.format(**ids))
            assert MARK not in private.get_data(as_text=True), (who, path)
            assert private.status_code in (302, 303, 401, 404), (who, path, private.status_code)
            other = client.get(path.format(**absent))
            assert _comparable(private) == _comparable(other), (who, path)
        for path in SWEEPS:
            body = client.get(path).get_data(as_text=True)
            echoed = 1 if path.startswith("/search") else 0  # the page repeats the query typed
            assert body.count(MARK) == echoed, (who, path)
    assert MARK not in api.get("/me/export", world.tokens["outsider"]).get_data(as_text=True)
