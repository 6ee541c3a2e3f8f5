"""Bounded queries: a list answers with the same number of SQL statements for 1 item as for 50."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from forum.extensions import db
from tests import factories as f
from tests.web.test_auth import sign_in


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def grow(world, n: int) -> None:
    """Give the public group n threads, n posts in its thread, n flags and n notifications."""
    admin, member = world.users["admin"], world.users["member"]
    thread = world.threads["public"]
    for i in range(n):
        someone = f.user(f"extra{i}")
        f.member(admin, world.groups["public"], someone)
        f.thread(someone, world.topics["public"], f"thread {i}")
        post = f.post(someone, thread, f"post {i} @member")
        from forum.services import moderation, posts

        posts.add_reaction(f._here(member), f._here(post), "agree")
        moderation.flag_post(f._here(member), f._here(post), "spam")
        f.group(admin, f"group-{i}")
        f.topic(admin, world.groups["public"], f"topic {i}")
    db.session.remove()


ENDPOINTS = [
    ("/api/v1/groups?per_page=100", "member"),
    ("/api/v1/groups/public-group/topics?per_page=100", "member"),
    ("/api/v1/topics/{topic}/threads?per_page=100", "member"),
    ("/api/v1/threads/{thread}/posts?per_page=100", "member"),
    ("/api/v1/notifications?per_page=100", "member"),
    ("/api/v1/groups/public-group/members?per_page=100", "member"),
    ("/api/v1/groups/public-group/moderation/queue?per_page=100", "moderator"),
    ("/api/v1/groups/public-group/moderation/log?per_page=100", "moderator"),
    ("/api/v1/search?q=post", "member"),
    ("/", "member"),
    ("/groups/public-group", "member"),
    ("/topics/{topic}", "member"),
    ("/threads/{thread}", "moderator"),
    ("/groups/public-group/moderation", "moderator"),
    ("/notifications", "member"),
]


def _count(app, world, path, who) -> int:
    client = app.test_client()
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {world.tokens[who]}"}
    else:
        sign_in(client, who)
        headers = {}
    url = path.format(topic=world.topics["public"].id, thread=world.threads["public"].id)
    client.get(url, headers=headers)  # warm caches (static hashes, templates)
    with QueryCounter(db.engine) as counter:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return counter.count


@pytest.mark.parametrize("path,who", ENDPOINTS, ids=[p for p, _ in ENDPOINTS])
def test_queries_do_not_grow_with_the_items_on_the_page(sqlite_only_app, path, who):
    from tests.conftest import _clean

    app = sqlite_only_app
    world = f.build_world()
    grow(world, 1)
    small = _count(app, world, path, who)
    _clean(app)
    world = f.build_world()
    grow(world, 50)
    large = _count(app, world, path, who)
    assert 0 < small
    assert large == small, f"{path}: {small} queries for 1 item, {large} for 50"
