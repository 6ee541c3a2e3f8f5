"""The private-data leak oracle: a private group full of a marker, swept from outside.

As an outsider, an anonymous visitor and a removed ex-member, every API read, page, search,
notification list, report and the OpenAPI document must never show the marker, and every answer
about a private thing must be indistinguishable from the answer about an absent one.

Then every exit (notification rows and page, immediate mail, digest, export, printable and
downloaded response, report, topic page, search) after every state change that shrinks an
audience once the content exists (removal, a move into a private group, a group turned private,
pending approval, hiding); the run prints how many exits × state changes it covered.
"""

from __future__ import annotations

import re

import pytest

from forum.extensions import db
from tests import factories as f
from tests.api.test_mail import run, smtp  # noqa: F401  (the SMTP fixture)
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


def _without_query_echo(body: str, query: str) -> str:
    """The search page repeats what was typed (the title, the box, "no results for"): only
    what it found may not carry the marker."""
    for echo in (f'value="{query}"', f"Search: {query} ·", f"“{query}”", f"{query}</"):
        body = body.replace(echo, "")
    return re.sub(r'\?next=[^"]*"', '"', body)  # "Sign in" comes back to this search


def _comparable(response) -> tuple:
    """Status, body and headers, less what differs between any two requests (the date, and
    the CSRF token, which carries a timestamp, the request id, new for every request, and the
    sign-in link's way back to the very path asked for)."""
    ignored = {"Date", "Set-Cookie", "X-Request-ID", "Content-Length"}  # the body is compared
    headers = sorted((k, v) for k, v in response.headers.items() if k not in ignored)
    body = re.sub(rb'name="csrf_token" value="[^"]+"', b"", response.get_data())
    body = re.sub(rb'\?next=[^"]*"', b'"', body)  # "Sign in" comes back to the path asked for
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
            if path.startswith("/search"):
                body = _without_query_echo(body, MARK)
            assert MARK not in body, (who, path)
    assert MARK not in api.get("/me/export", world.tokens["outsider"]).get_data(as_text=True)


# --- every exit, after every state change that shrinks an audience (#15) -----------------------
#
# Content that a receiver could see when it was written (so it was notified, mailed, indexed and
# cited) must not leave for them, or for anyone outside, once the audience has shrunk. Each state
# change builds that content, then changes the state, then sweeps every exit.

EXIT_MARK = "ZQXAFTER"
EXITS = ("notification rows", "notification page", "immediate mail", "digest mail", "export",
         "printable response", "response md", "response csv", "report", "topic page",
         "search api", "search page")
CHANGES = ("member removal", "thread moved into private", "group turned private",
           "pending approval", "post hidden")
COVERED: set[tuple[str, str]] = set()


class _CoverageReport:
    """Prints, at the end of the run, how much of exits × state changes the oracle swept."""

    def pytest_terminal_summary(self, terminalreporter):
        if COVERED:
            exits = len({e for e, _ in COVERED})
            changes = len({c for _, c in COVERED})
            terminalreporter.write_line(
                f"leak oracle: {exits} exits × {changes} state changes covered "
                f"({len(COVERED)} of {len(EXITS) * len(CHANGES)} pairs)")


@pytest.fixture(scope="module", autouse=True)
def _print_coverage(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("leak-oracle-coverage"):
        manager.register(_CoverageReport(), "leak-oracle-coverage")
    yield


def _after_world(world, api, change: str) -> dict:
    """A group with a topic, a thread whose posts mention the receiver (one mailed at once, one
    kept for the digest), and a published summary quoting them; the receiver could see all of
    it. Then `change` shrinks the audience."""
    admin, mod = world.users["admin"], world.tokens["moderator"]
    receiver = f.user("receiver")
    token = f.token("receiver")
    private = change == "member removal"
    group = f.group(admin, "oracle", visibility="private" if private else "public",
                    join_policy="invite")
    f.member(admin, group, world.users["moderator"], "moderator")
    f.member(admin, group, world.users["facilitator"], "facilitator")
    if change != "group turned private":  # there the receiver reads a public group from outside
        f.member(admin, group, receiver, "facilitator")  # facilitators also get the report
    topic = api.post("/groups/oracle/topics", world.tokens["facilitator"],
                     {"title": "Oracle topic", "briefing": "Briefing"}).get_json()["id"]
    title = "Neutral title" if change == "post hidden" else f"{EXIT_MARK} title"
    if change == "pending approval":
        starter = f.user("starter")
        f.member(admin, group, starter)
        api.patch("/groups/oracle", mod, {"premoderate": True})
        thread = api.post(f"/topics/{topic}/threads", f.token("starter"),
                          {"title": title, "body": "Opening words"}).get_json()
        assert thread["pending"] is True
    else:
        thread = api.post(f"/topics/{topic}/threads", mod,
                          {"title": title, "body": "Opening words"}).get_json()
    posts = [api.post(f"/threads/{thread['id']}/posts", mod,
                      {"body": f"{EXIT_MARK} at once @receiver"}).get_json()["id"]]
    api.patch("/me/mail-preferences", token, {"mention": "digest"})
    posts.append(api.post(f"/threads/{thread['id']}/posts", mod,
                          {"body": f"{EXIT_MARK} for the digest @receiver"}).get_json()["id"])
    if change != "pending approval":  # a summary cannot cite what awaits approval
        r = api.post(f"/topics/{topic}/summary", world.tokens["facilitator"],
                     {"body": f"We heard [[post:{posts[0]}]] and [[post:{posts[1]}]].",
                      "publish": True, "cited_post_ids": posts})
        assert r.status_code == 201
        # Not vacuous: before the change the receiver did get the words.
        assert EXIT_MARK in api.get("/notifications", token).get_data(as_text=True)
        assert EXIT_MARK in api.get(f"/topics/{topic}/response?format=md", token).get_data(
            as_text=True)
    else:
        assert EXIT_MARK in api.get(f"/search?q={EXIT_MARK}", mod).get_data(as_text=True)
    if change == "member removal":
        assert api.delete("/groups/oracle/members/receiver", mod).status_code == 204
    elif change == "thread moved into private":
        r = api.patch(f"/threads/{thread['id']}", mod, {"topic_id": world.topics["private"].id})
        assert r.status_code == 200
    elif change == "group turned private":
        assert api.patch("/groups/oracle", mod, {"visibility": "private"}).status_code == 200
    elif change == "post hidden":
        for post in posts:
            assert api.post(f"/posts/{post}/hide", mod, {"reason": "hidden"}).status_code == 200
    db.session.remove()  # the sender runs in this context: no read left open from the setup
    return {"topic": topic, "token": token}


@pytest.mark.parametrize("change", CHANGES)
def test_no_exit_delivers_content_after_its_audience_shrank(world, api, app, smtp, change):  # noqa: F811
    ids = _after_world(world, api, change)
    topic, token = ids["topic"], ids["token"]
    receiver = app.test_client()
    sign_in(receiver, "receiver")
    outsider = app.test_client()
    sign_in(outsider, "outsider")
    readers = {"receiver": receiver, "anonymous": app.test_client(), "outsider": outsider}

    def pages(*paths, who=tuple(readers)) -> list[tuple[str, str]]:
        return [(name, readers[name].get(path).get_data(as_text=True))
                for path in paths for name in who]

    smtp.messages.clear()
    run(app, "mail", "send")
    immediate = [("receiver", c) for to, c in smtp.messages if "receiver@example.org" in to]
    smtp.messages.clear()
    run(app, "mail", "digest")
    digest = [("receiver", c) for to, c in smtp.messages if "receiver@example.org" in to]
    sweeps = {
        "notification rows": [("receiver", api.get("/notifications?per_page=100", token)
                               .get_data(as_text=True))],
        "notification page": pages("/notifications", who=("receiver",)),
        "immediate mail": immediate,
        "digest mail": digest,
        "export": [("receiver", api.get("/me/export", token).get_data(as_text=True))],
        "printable response": pages(f"/topics/{topic}/response"),
        "response md": pages(f"/api/v1/topics/{topic}/response?format=md"),
        "response csv": pages(f"/api/v1/topics/{topic}/response?format=csv"),
        "report": pages(f"/api/v1/topics/{topic}/report?format=md",
                        f"/api/v1/topics/{topic}/report?format=csv", who=("receiver",)),
        "topic page": pages(f"/topics/{topic}"),
        "search api": pages(f"/api/v1/search?q={EXIT_MARK}"),
        "search page": [(who, _without_query_echo(body, EXIT_MARK))
                        for who, body in pages(f"/search?q={EXIT_MARK}")],
    }
    assert set(sweeps) == set(EXITS)
    for exit_name, answers in sweeps.items():
        for who, body in answers:
            assert EXIT_MARK not in body, (change, exit_name, who)
        COVERED.add((exit_name, change))
