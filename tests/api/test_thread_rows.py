"""The posts API reads the thread whose posts it lists as a plain row (thread_rows): every rule
must answer for the row exactly as for the ORM thread, whoever reads and whatever the state."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum import permissions as perm
from forum.extensions import db
from forum.models import Post, Thread, User
from forum.permissions import actions
from forum.services import post_rows, thread_rows

READERS = ("admin", "moderator", "facilitator", "member", "pending", "outsider", None)


def _answers(reader, thread, posts) -> dict:
    group = thread.topic.group
    return {
        "see": perm.can_see_thread(reader, thread),
        "reply": actions.reply(reader, thread, with_pace=False),
        "listing": perm.post_listing_class(reader, group),
        "posts": [(actions.post_can(reader, post), perm.can_see_post_body(reader, post, group))
                  for post in posts],
    }


@pytest.mark.parametrize("state", ["open", "locked", "pending", "concluded topic", "drafting",
                                   "private group", "premoderated group"])
def test_every_rule_answers_a_thread_row_as_it_answers_the_thread(world, state):
    thread = db.session.get(Thread, world.threads["private" if "private" in state
                                                 else "public"].id)
    if state == "locked":
        thread.locked = True
    elif state == "pending":
        thread.pending = True
    elif state == "concluded topic":
        thread.topic.status = "concluded"
    elif state == "drafting":
        thread.topic.phase = "drafting"
    elif state == "premoderated group":
        thread.topic.group.premoderate = True
    hidden = db.session.get(Post, world.posts["public" if "private" not in state
                                              else "private"].id)
    hidden.hidden = True
    db.session.commit()
    ids = list(db.session.scalars(select(Post.id).where(Post.thread_id == thread.id)))
    row = thread_rows.read_thread(thread.id)
    assert type(row).__name__ == "ThreadRow" and row.topic.group.id == thread.topic.group.id
    for name in READERS:
        reader = db.session.get(User, world.users[name].id) if name else perm.AnonymousUser()
        expected = _answers(reader, thread, post_rows.read_posts(ids, thread))
        assert _answers(reader, row, post_rows.read_posts(ids, row)) == expected, (name, state)


def test_a_missing_thread_reads_as_none(world):
    assert thread_rows.read_thread(2**31 - 1) is None
