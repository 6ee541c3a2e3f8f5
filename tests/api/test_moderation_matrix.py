"""Every moderation action x caller x public/private group, against a literal table.

`other_mod` moderates a different group; `member` wrote the post being moderated (the author);
the pending post is the member's too. Expected statuses are written by hand from API.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from forum.extensions import db
from forum.services import groups, moderation
from tests import factories as f
from tests.matrix import rows, statuses

CALLERS = ("admin", "moderator", "other_mod", "facilitator", "member", "outsider", "anonymous")

TABLE = """
# method path                               body      vis  admin mod other fac mem out anon
POST   /posts/{post}/flags                   flag      pub  201 201 403 201 403 403 401
POST   /posts/{post}/flags                   flag      priv 201 201 404 201 403 404 404
GET    /groups/{slug}/moderation/queue       -         pub  200 200 403 403 403 403 401
GET    /groups/{slug}/moderation/queue       -         priv 200 200 404 403 403 404 404
GET    /groups/{slug}/moderation/log         -         pub  200 200 403 403 403 403 401
GET    /groups/{slug}/moderation/log         -         priv 200 200 404 403 403 404 404
POST   /flags/{flag}/resolve                 dismiss   pub  200 200 403 403 403 403 401
POST   /flags/{flag}/resolve                 dismiss   priv 200 200 404 403 403 404 404
POST   /posts/{post}/hide                    reason    pub  200 200 403 403 403 403 401
POST   /posts/{post}/hide                    reason    priv 200 200 404 403 403 404 404
POST   /posts/{post}/unhide                  -         pub  200 200 403 403 403 403 401
POST   /posts/{post}/unhide                  -         priv 200 200 404 403 403 404 404
POST   /posts/{pending}/approve              -         pub  200 200 404 404 403 404 404
POST   /posts/{pending}/approve              -         priv 200 200 404 404 403 404 404
POST   /posts/{pending}/reject               reason    pub  200 200 404 404 403 404 404
POST   /posts/{pending}/reject               reason    priv 200 200 404 404 403 404 404
PUT    /groups/{slug}/suspensions/member     suspend   pub  200 200 403 403 403 403 401
PUT    /groups/{slug}/suspensions/member     suspend   priv 200 200 404 403 403 404 404
DELETE /groups/{slug}/suspensions/troll      -         pub  204 204 403 403 403 403 401
DELETE /groups/{slug}/suspensions/troll      -         priv 204 204 404 403 403 404 404
PATCH  /threads/{thread}                     slow      pub  200 200 403 403 403 403 401
PATCH  /threads/{thread}                     slow      priv 200 200 404 403 403 404 404
PUT    /groups/{slug}/members/outsider       role      pub  201 201 403 403 403 403 401
PUT    /groups/{slug}/members/outsider       role      priv 201 201 404 403 403 404 404
"""

BODIES = {
    "-": None,
    "flag": {"reason": "spam"},
    "dismiss": {"action": "dismiss"},
    "reason": {"reason": "Breaks the group's rules"},
    "suspend": {"until": "2099-01-01T00:00:00Z", "reason": "Cooling off"},
    "slow": {"slow_mode_seconds": 30},
    "role": {"role": "member"},
}


def build_moderation_world():
    world = f.build_world()
    admin = f._here(world.users["admin"])
    world.users["other_mod"] = f.user("other_mod")
    world.tokens["other_mod"] = f.token("other_mod")
    elsewhere = f.group(admin, "elsewhere")
    f.member(admin, elsewhere, world.users["other_mod"], "moderator")
    troll = f.user("troll")
    reporter = f.user("reporter")
    world.extra = {}
    for vis in ("public", "private"):
        group = f._here(world.groups[vis])
        f.member(admin, group, troll)
        f.member(admin, group, reporter)
        moderation.suspend_member(admin, group, f._here(troll),
                                  datetime.now(timezone.utc) + timedelta(days=1), "trolling")
        flag = moderation.flag_post(f._here(reporter),
                                    f._here(world.posts[vis]), "spam")
        groups.update_group(admin, group, premoderate=True)
        pending = f.post(world.users["member"], world.threads[vis], "awaiting approval")
        groups.update_group(admin, f._here(world.groups[vis]), premoderate=False)
        world.extra[vis] = {"flag": flag.id, "pending": pending.id}
    db.session.remove()
    return world


@pytest.mark.parametrize("method,path,body,vis,expected", list(rows(TABLE, CALLERS)))
def test_moderation_status_per_caller(app, api, method, path, body, vis, expected):
    visibility = "public" if vis == "pub" else "private"

    def url_of(world):
        return path.format(
            slug=world.groups[visibility].slug, thread=world.threads[visibility].id,
            post=world.posts[visibility].id, flag=world.extra[visibility]["flag"],
            pending=world.extra[visibility]["pending"])

    assert statuses(app, api, build_moderation_world, CALLERS, method, url_of,
                    BODIES[body]) == expected
