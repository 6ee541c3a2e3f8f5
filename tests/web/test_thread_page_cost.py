"""The thread page costs the same number of queries for 1 post as for 50, for 1 reader as for
50 (read positions cost one query), and its HTML stays under 100 KB for 50 posts."""

from __future__ import annotations

from forum.extensions import db
from forum.models import Thread
from tests import factories as f
from tests.api.test_query_counts import QueryCounter
from tests.web.test_auth import sign_in


def _grow(world, n: int) -> None:
    """n posts by n authors, each of their own organisation, who have all read the thread; one
    reaction on each post; the member has read none of it."""
    from forum.services import organisations, posts, reading

    admin, member = f._here(world.users["admin"]), world.users["member"]
    thread = world.threads["public"]
    for i in range(n):
        someone = f.user(f"reader{i}")
        f.member(admin, world.groups["public"], someone)
        org = organisations.create_organisation(f._here(admin), f"Organisation {i}")
        organisations.set_member_organisation(f._here(admin), f._here(someone), org)
        post = f.post(someone, thread, f"Point {i}: interpreting must be **funded** as core "
                      f"provision, says @member. See https://example.org/{i}")
        posts.add_reaction(f._here(member), f._here(post), "agree")
        reading.mark_read(f._here(someone), f._here(thread), f._here(post).id)
    db.session.remove()


def _thread_page(app, world, who: str) -> tuple[int, str]:
    client = app.test_client()
    sign_in(client, who)
    url = f"/threads/{world.threads['public'].id}"
    client.get(url)  # warm caches (static hashes, templates)
    with QueryCounter(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_thread_page_queries_do_not_grow_with_posts_or_readers(sqlite_only_app):
    from tests.conftest import _clean

    app = sqlite_only_app
    counts = {}
    for n in (1, 48):
        _clean(app)
        world = f.build_world()
        _grow(world, n)
        for who in ("member", "moderator"):
            counts[(who, n)], html = _thread_page(app, world, who)
            assert html.count('<article class="post') == n + 2
    for who in ("member", "moderator"):
        assert counts[(who, 1)] == counts[(who, 48)], counts


def test_thread_page_of_50_posts_stays_under_100_kb(sqlite_only_app):
    world = f.build_world()
    _grow(world, 48)
    _, html = _thread_page(sqlite_only_app, world, "moderator")  # every control shown
    assert html.count('<article class="post') == 50
    assert "Organisation 47" in html  # the author line names the organisation
    size = len(html.encode())
    assert size < 100 * 1024, size
    assert db.session.get(Thread, world.threads["public"].id).post_count == 50
