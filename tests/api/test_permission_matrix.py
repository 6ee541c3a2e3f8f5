"""Every foundation endpoint x caller x public/private group, against a literal table.

The expected statuses are written out by hand from API.md's Roles section; they are never
derived from forum.permissions, which is what this test checks. The groups are `request` groups;
the thread, its first post and the reply are the member's.
"""

from __future__ import annotations

import pytest

from tests.factories import build_world
from tests.matrix import rows, statuses

CALLERS = ("admin", "moderator", "facilitator", "member", "pending", "outsider", "anonymous")

TABLE = """
# method path                               body                      vis  admin mod fac mem pend out anon
GET    /groups/{slug}                        -                         pub  200 200 200 200 200 200 200
GET    /groups/{slug}                        -                         priv 200 200 200 200 404 404 404
GET    /groups/{slug}/topics                 -                         pub  200 200 200 200 200 200 200
GET    /groups/{slug}/topics                 -                         priv 200 200 200 200 404 404 404
GET    /topics/{topic}                       -                         pub  200 200 200 200 200 200 200
GET    /topics/{topic}                       -                         priv 200 200 200 200 404 404 404
GET    /topics/{topic}/threads               -                         pub  200 200 200 200 200 200 200
GET    /topics/{topic}/threads               -                         priv 200 200 200 200 404 404 404
GET    /threads/{thread}                     -                         pub  200 200 200 200 200 200 200
GET    /threads/{thread}                     -                         priv 200 200 200 200 404 404 404
GET    /threads/{thread}/posts               -                         pub  200 200 200 200 200 200 200
GET    /threads/{thread}/posts               -                         priv 200 200 200 200 404 404 404
GET    /posts/{post}                         -                         pub  200 200 200 200 200 200 200
GET    /posts/{post}                         -                         priv 200 200 200 200 404 404 404
GET    /posts/{post}/revisions               -                         pub  200 200 403 200 403 403 401
GET    /posts/{post}/revisions               -                         priv 200 200 403 200 404 404 404
GET    /me                                   -                         pub  200 200 200 200 200 200 401
POST   /groups                               new-group                 pub  201 403 403 403 403 403 401
PATCH  /groups/{slug}                        describe                  pub  200 200 403 403 403 403 401
PATCH  /groups/{slug}                        describe                  priv 200 200 403 403 404 404 404
POST   /groups/{slug}/join                   -                         pub  200 200 200 200 200 200 401
POST   /groups/{slug}/join                   -                         priv 200 200 200 200 200 200 404
PUT    /groups/{slug}/members/outsider       role-member               pub  201 201 403 403 403 403 401
PUT    /groups/{slug}/members/outsider       role-member               priv 201 201 403 403 404 404 404
PUT    /groups/{slug}/members/member         role-facilitator          pub  200 200 403 403 403 403 401
PUT    /groups/{slug}/members/member         role-facilitator          priv 200 200 403 403 404 404 404
DELETE /groups/{slug}/members/member         -                         pub  204 204 403 204 403 403 401
DELETE /groups/{slug}/members/member         -                         priv 204 204 403 204 403 404 404
POST   /groups/{slug}/topics                 new-topic                 pub  201 201 201 403 403 403 401
POST   /groups/{slug}/topics                 new-topic                 priv 201 201 201 403 404 404 404
PATCH  /topics/{topic}                       retitle                   pub  200 200 200 403 403 403 401
PATCH  /topics/{topic}                       retitle                   priv 200 200 200 403 404 404 404
POST   /topics/{topic}/threads               new-thread                pub  201 201 201 201 403 403 401
POST   /topics/{topic}/threads               new-thread                priv 201 201 201 201 404 404 404
PATCH  /threads/{thread}                     retitle                   pub  200 200 403 200 403 403 401
PATCH  /threads/{thread}                     retitle                   priv 200 200 403 200 404 404 404
PATCH  /threads/{thread}                     lock                      pub  200 200 403 403 403 403 401
PATCH  /threads/{thread}                     lock                      priv 200 200 403 403 404 404 404
PATCH  /threads/{thread}                     pin                       pub  200 200 403 403 403 403 401
PATCH  /threads/{thread}                     pin                       priv 200 200 403 403 404 404 404
POST   /threads/{thread}/posts               reply                     pub  201 201 201 201 403 403 401
POST   /threads/{thread}/posts               reply                     priv 201 201 201 201 404 404 404
PATCH  /posts/{post}                         edit                      pub  200 200 403 200 403 403 401
PATCH  /posts/{post}                         edit                      priv 200 200 403 200 404 404 404
PUT    /posts/{post}/reactions/agree         -                         pub  200 200 200 200 403 403 401
PUT    /posts/{post}/reactions/agree         -                         priv 200 200 200 200 404 404 404
DELETE /posts/{post}/reactions/agree         -                         pub  204 204 204 204 403 403 401
DELETE /posts/{post}/reactions/agree         -                         priv 204 204 204 204 404 404 404
"""

BODIES = {
    "-": None,
    "new-group": {"slug": "made-here", "name": "Made here", "description": "d",
                  "visibility": "public", "join_policy": "open"},
    "describe": {"description": "New description"},
    "role-member": {"role": "member"},
    "role-facilitator": {"role": "facilitator"},
    "new-topic": {"title": "A new topic", "briefing": "Read this"},
    "retitle": {"title": "A new title"},
    "new-thread": {"title": "New thread", "body": "Opening words"},
    "lock": {"locked": True},
    "pin": {"pinned": True},
    "reply": {"body": "A reply"},
    "edit": {"body": "Edited words"},
}


@pytest.mark.parametrize("method,path,body,vis,expected", list(rows(TABLE, CALLERS)))
def test_status_per_caller(app, api, method, path, body, vis, expected):
    visibility = "public" if vis == "pub" else "private"

    def url_of(world):
        return path.format(
            slug=world.groups[visibility].slug, topic=world.topics[visibility].id,
            thread=world.threads[visibility].id, post=world.threads[visibility].first_post.id)

    assert statuses(app, api, build_world, CALLERS, method, url_of, BODIES[body]) == expected
