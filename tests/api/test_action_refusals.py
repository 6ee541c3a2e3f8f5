"""Every persona x state for each guarded action: the sentence `can` gives is the one the door
answers with and the one the page shows.

The sentences and statuses are written out by hand, from what a person in that position should
be told; they are never derived from forum.permissions, which is what this test checks.
"""

from __future__ import annotations

import html
import re

import pytest

from tests import factories as f
from tests.web.test_auth import sign_in

PERSONAS = ("anonymous", "outsider", "pending", "member", "suspended", "removed",
            "facilitator", "moderator", "admin")
UNTIL = "2030-01-01T09:00:00Z"
SUSPENDED = "You are suspended in this group until 1 January 2030, 09:00 UTC: you cannot {}."
WAITING = ("Your request to join this group is waiting for a moderator: you can {} once it is "
           "accepted.")


def _people(world, api):
    """The world's personas plus a suspended member and a member since removed, each the author
    of a reply in the public thread."""
    admin = world.users["admin"]
    tokens = dict(world.tokens)
    for name in ("suspended", "removed"):
        person = f.user(name)
        tokens[name] = f.token(name)
        f.member(admin, world.groups["public"], person)
    thread = world.threads["public"].id
    own = {}
    for name in ("member", "suspended", "removed"):
        r = api.post(f"/threads/{thread}/posts", tokens[name], {"body": f"{name} says"})
        assert r.status_code == 201, r.get_json()
        own[name] = r.get_json()["id"]
    mod = tokens["moderator"]
    assert api.put("/groups/public-group/suspensions/suspended", mod,
                   {"until": UNTIL, "reason": "cool off"}).status_code == 200
    assert api.delete("/groups/public-group/members/removed", mod).status_code == 204
    tokens["anonymous"] = None
    return tokens, own


def _message(response):
    return response.get_json()["error"]["message"]


# --- reply --------------------------------------------------------------------------------------

def _row(sign_in_, join_, waiting_, suspended_, member_, facilitator_, moderator_, admin_):
    return {"anonymous": sign_in_, "outsider": join_, "pending": waiting_, "member": member_,
            "suspended": suspended_, "removed": join_, "facilitator": facilitator_,
            "moderator": moderator_, "admin": admin_}


def _who(doing):
    return ((401, f"Sign in to {doing}."), (403, f"Join the group to {doing}."),
            (403, WAITING.format(doing)), (403, SUSPENDED.format(doing)))


LOCKED = (409, "This thread is locked.")
CONCLUDED = (409, "This topic is concluded: it takes no new contributions.")
SLOWED = (429, "The group's moderators have slowed replies in this thread: you may post again "
               "in 10 minutes.")
DRAFTING_PACE = (429, "The topic is being drafted, so replies are slowed: you may post again in "
                      "2 minutes.")
OK = (201, True)

REPLY = {
    "open": _row(*_who("reply"), OK, OK, OK, OK),
    "locked": _row(*_who("reply"), LOCKED, LOCKED, OK, OK),
    "concluded": _row(*_who("reply"), CONCLUDED, CONCLUDED, CONCLUDED, CONCLUDED),
    "slow mode": _row(*_who("reply"), SLOWED, SLOWED, OK, OK),
    "drafting": _row(*_who("reply"), DRAFTING_PACE, OK, OK, OK),
}


def _set_state(api, world, tokens, state):
    thread, topic = world.threads["public"].id, world.topics["public"].id
    for name in ("facilitator", "moderator", "admin"):  # everyone who may post has just posted
        assert api.post(f"/threads/{thread}/posts", tokens[name], {"body": "earlier"}
                        ).status_code == 201
    mod, fac = tokens["moderator"], tokens["facilitator"]
    change = {
        "open": lambda: None,
        "locked": lambda: api.patch(f"/threads/{thread}", mod, {"locked": True}),
        "concluded": lambda: api.patch(f"/topics/{topic}", fac, {"status": "concluded"}),
        "slow mode": lambda: api.patch(f"/threads/{thread}", mod, {"slow_mode_seconds": 600}),
        "drafting": lambda: api.post(f"/topics/{topic}/phase", fac, {"phase": "drafting"}),
    }[state]()
    assert change is None or change.status_code == 200, change.get_json()


@pytest.mark.parametrize("state", list(REPLY))
def test_reply_tells_each_persona_why_not_in_every_state(world, api, client, state):
    tokens, _own = _people(world, api)
    _set_state(api, world, tokens, state)
    thread = world.threads["public"].id
    for persona in PERSONAS:
        status, verdict = REPLY[state][persona]
        seen = api.get(f"/threads/{thread}", tokens[persona]).get_json()["can"]["reply"]
        assert seen == verdict, (state, persona)
        answer = api.post(f"/threads/{thread}/posts", tokens[persona], {"body": "hello"})
        assert answer.status_code == status, (state, persona, answer.get_json())
        if verdict is not True:
            assert _message(answer) == verdict, (state, persona)
            if status == 429:
                assert int(answer.headers["Retry-After"]) > 60


@pytest.mark.parametrize("state", ["open", "locked", "slow mode"])
def test_the_thread_page_shows_the_same_sentence_where_the_reply_box_would_be(world, api, app,
                                                                             state):
    tokens, _own = _people(world, api)
    _set_state(api, world, tokens, state)
    thread = world.threads["public"].id
    for persona in ("anonymous", "outsider", "pending", "member", "suspended", "moderator"):
        client = app.test_client()
        if persona != "anonymous":
            sign_in(client, persona)
        page = client.get(f"/threads/{thread}")
        assert page.status_code == 200
        text = html.unescape(page.get_data(as_text=True))
        status, verdict = REPLY[state][persona]
        if verdict is True:
            assert 'id="reply-heading"' in text, (state, persona)
        else:
            assert verdict in text, (state, persona)
            assert 'id="reply-heading"' not in text
    anonymous = html.unescape(app.test_client().get(f"/threads/{thread}").get_data(as_text=True))
    assert re.search(r'<a href="/login\?next=/threads/\d+">Sign in to reply\.</a>', anonymous)


# --- start a thread -----------------------------------------------------------------------------

NEW_THREADS_CLOSED = (409, "This topic is in its drafting the response phase: it takes replies, "
                           "not new threads.")
START = {
    "open": _row(*_who("start a thread"), OK, OK, OK, OK),
    "concluded": _row(*_who("start a thread"), CONCLUDED, CONCLUDED, CONCLUDED, CONCLUDED),
    "drafting": _row(*_who("start a thread"), NEW_THREADS_CLOSED, NEW_THREADS_CLOSED,
                     NEW_THREADS_CLOSED, NEW_THREADS_CLOSED),
}


@pytest.mark.parametrize("state", list(START))
def test_starting_a_thread_tells_each_persona_why_not(world, api, app, state):
    tokens, _own = _people(world, api)
    _set_state(api, world, tokens, state)
    topic = world.topics["public"].id
    for persona in PERSONAS:
        status, verdict = START[state][persona]
        seen = api.get(f"/topics/{topic}", tokens[persona]).get_json()["can"]["start_thread"]
        assert seen == verdict, (state, persona)
        listed = api.get("/groups/public-group/topics", tokens[persona]).get_json()["items"]
        assert [t["can"]["start_thread"] for t in listed if t["id"] == topic] == [verdict]
        answer = api.post(f"/topics/{topic}/threads", tokens[persona],
                          {"title": "A new one", "body": "Its first post"})
        assert answer.status_code == status, (state, persona, answer.get_json())
        if verdict is not True:
            assert _message(answer) == verdict
    client = app.test_client()
    sign_in(client, "outsider")
    page = html.unescape(client.get(f"/topics/{topic}").get_data(as_text=True))
    assert START[state]["outsider"][1] in page


# --- the post's own actions ---------------------------------------------------------------------

EDIT_OTHERS = (403, "Only the post's author or a moderator edits a post.")
NOT_A_MODERATOR = (403, "Only the group's moderators hide, approve or reject posts.")
OWN_FLAG = (403, "You cannot flag your own post.")
OK200 = (200, True)


def test_a_post_says_who_may_edit_react_flag_and_moderate_it(world, api):
    tokens, own = _people(world, api)
    post = own["member"]
    expected = {  # persona: (edit, react, flag, moderate) on the member's reply
        "anonymous": ((401, "Sign in to edit your posts."), (401, "Sign in to react."),
                      (401, "Sign in to flag a post."), (401, "Sign in to moderate.")),
        "outsider": (EDIT_OTHERS, (403, "Join the group to react."),
                     (403, "Join the group to flag posts."), NOT_A_MODERATOR),
        "pending": (EDIT_OTHERS, (403, WAITING.format("react")),
                    (403, WAITING.format("flag posts")), NOT_A_MODERATOR),
        "member": (OK200, OK200, OWN_FLAG, NOT_A_MODERATOR),
        "suspended": (EDIT_OTHERS, (403, SUSPENDED.format("react")),
                      (403, SUSPENDED.format("flag posts")), NOT_A_MODERATOR),
        "facilitator": (EDIT_OTHERS, OK200, (201, True), NOT_A_MODERATOR),
        "moderator": (OK200, OK200, (201, True), OK200),
    }
    for persona, (edit, react, flag, moderate) in expected.items():
        token = tokens[persona]
        seen = api.get(f"/posts/{post}", token).get_json()["can"]
        assert seen == {"edit": edit[1], "react": react[1], "flag": flag[1],
                        "moderate": moderate[1]}, persona
        listed = api.get(f"/threads/{world.threads['public'].id}/posts", token).get_json()
        assert [p["can"] for p in listed["items"] if p["id"] == post] == [seen]
        attempts = (
            (edit, api.patch(f"/posts/{post}", token, {"body": f"edited by {persona}"})),
            (react, api.put(f"/posts/{post}/reactions/agree", token)),
            (flag, api.post(f"/posts/{post}/flags", token, {"reason": "other"})),
        )
        for (status, verdict), answer in attempts:
            assert answer.status_code == status, (persona, answer.get_json())
            if verdict is not True:
                assert _message(answer) == verdict, persona
    hide = api.post(f"/posts/{post}/hide", tokens["member"], {"reason": "x"})
    assert (hide.status_code, _message(hide)) == NOT_A_MODERATOR


def test_a_removed_or_suspended_author_may_no_longer_edit_their_old_post(world, api, app):
    tokens, own = _people(world, api)
    for name, sentence in (("removed", "Join the group to edit your posts."),
                           ("suspended", SUSPENDED.format("edit your posts"))):
        post = own[name]
        assert api.get(f"/posts/{post}", tokens["member"]).get_json()["can"]["edit"] == (
            "Only the post's author or a moderator edits a post.")
        answer = api.patch(f"/posts/{post}", tokens[name], {"body": "rewritten"})
        assert (answer.status_code, _message(answer)) == (403, sentence)
        client = app.test_client()
        sign_in(client, name)
        page = client.post(f"/posts/{post}/edit", data={"body": "rewritten by page"})
        assert page.status_code in (400, 403)
    bodies = [p["body_markdown"] for p in api.get(
        f"/threads/{world.threads['public'].id}/posts", tokens["moderator"]).get_json()["items"]]
    assert "removed says" in bodies and "suspended says" in bodies
    assert not any("rewritten" in body for body in bodies)


def test_a_removed_author_may_no_longer_rename_their_thread(world, api):
    tokens, _own = _people(world, api)
    topic = world.topics["public"].id
    r = api.post(f"/topics/{topic}/threads", tokens["member"], {"title": "Mine", "body": "x"})
    thread = r.get_json()["id"]
    assert api.delete("/groups/public-group/members/member", tokens["moderator"]
                      ).status_code == 204
    answer = api.patch(f"/threads/{thread}", tokens["member"], {"title": "Renamed"})
    assert (answer.status_code, _message(answer)) == (403, "Join the group to rename your thread.")
    assert api.get(f"/threads/{thread}", tokens["moderator"]).get_json()["title"] == "Mine"


def test_hidden_and_pending_posts_take_no_reactions_and_say_why(world, api):
    tokens, own = _people(world, api)
    post = own["member"]
    assert api.post(f"/posts/{post}/hide", tokens["moderator"], {"reason": "rude"}
                    ).status_code == 200
    sentence = "This post was hidden by a moderator: it takes no reactions."
    assert api.get(f"/posts/{post}", tokens["facilitator"]).get_json()["can"]["react"] == sentence
    answer = api.put(f"/posts/{post}/reactions/thanks", tokens["facilitator"])
    assert (answer.status_code, _message(answer)) == (409, sentence)
