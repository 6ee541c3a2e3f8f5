"""Moderators' and facilitators' work through the pages, without JavaScript, on both databases
(#17): the queue, moving, slow mode with an end time, suspensions, the log in words, split and
merge; citing with the evidence in view, versions and their difference, one sign-off form that
keeps every choice, vote changes kept, closing moves the topic to submitted, insights."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ModerationAction, Post, SearchEntry, SignOffVoteChange, Thread, Topic
from forum.permissions import actions
from forum.services import consent, organisations, posts, questions, summaries
from forum.services import threads as thread_service
from tests import factories as f
from tests.web.test_auth import csrf_from, sign_in

CODES = ("signoff", "off_topic", "not_quoted", "drafting", "attributable", "anonymised",
         "resolve_hide", "slow_mode", "stale:")


def _client(app, username):
    c = app.test_client()
    sign_in(c, username)
    return c


def _post(c, path, data, page=None):
    token = csrf_from(c.get(page or path).get_data(as_text=True))
    return c.post(path, data={"csrf_token": token, **data})


def _fresh():
    """End the test's read snapshot so it sees what the pages committed."""
    db.session.remove()
    return db.session


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


# --- moderation ------------------------------------------------------------------------------

def test_a_moderator_edits_then_approves_and_the_queue_counts_by_reason(app, world):
    admin = f._here(world.users["admin"])
    grp = f.group(admin, "held", premoderate=True)
    f.member(admin, grp, world.users["moderator"], "moderator")
    f.member(admin, grp, world.users["member"])
    f.member(admin, grp, world.users["outsider"])
    tpc = f.topic(admin, grp)
    thr = f.thread(world.users["moderator"], tpc, "Open thread", "Welcome")
    bad = f.post(world.users["outsider"], thr, "Buy cheap watches")
    f.post(world.users["member"], thr, "Pay is too low, idiots")
    from forum.services import moderation

    moderation.approve_post(f._here(world.users["moderator"]), f._here(bad))
    moderation.flag_post(f._here(world.users["member"]), f._here(bad), "off_topic")
    db.session.remove()
    mod = _client(app, "moderator")
    queue = mod.get("/groups/held/moderation").get_data(as_text=True)
    assert "Off topic: 1" in queue and "off_topic" not in _main(queue)
    assert "1 post awaiting approval" in queue and "Flagged post" in queue
    pending_id = int(re.search(r'action="/posts/(\d+)/approve-edited"', queue).group(1))
    r = _post(mod, f"/posts/{pending_id}/approve-edited",
              {"body": "Pay is too low", "reason": "Removed an insult"}, "/groups/held/moderation")
    assert r.status_code == 303
    post = _fresh().get(Post, pending_id)
    assert not post.pending and post.body_markdown == "Pay is too low"
    reader = _client(app, "outsider")
    page = reader.get(f"/threads/{thr.id}").get_data(as_text=True)
    assert "Pay is too low" in page and "idiots" not in page
    history = mod.get(f"/posts/{pending_id}/history").get_data(as_text=True)
    assert "idiots" in history  # the author's words stay in the history
    log = mod.get("/groups/held/moderation/log").get_data(as_text=True)
    assert "Approved a post" in log and "Edited before approval" in log
    assert "user #" not in log and "post #" not in log


def test_a_moderator_moves_a_thread_with_a_reason_and_slows_another_until_a_time(app, world):
    admin = f._here(world.users["admin"])
    grp = world.groups["public"]
    other = f.topic(admin, grp, "Housing")
    thr = world.threads["public"]
    mod = _client(app, "moderator")
    tools = f"/threads/{thr.id}/moderation"
    page = mod.get(tools).get_data(as_text=True)
    assert "Housing" in page and "Move the thread" in page
    r = _post(mod, tools, {"tool": "move", "topic_id": str(other.id),
                           "reason": "It is about housing"})
    assert r.status_code == 303
    assert _fresh().get(Thread, thr.id).topic_id == other.id
    assert db.session.scalar(select(SearchEntry.topic_id).where(
        SearchEntry.kind == "thread", SearchEntry.object_id == thr.id)) == other.id
    log = mod.get(f"/groups/{grp.slug}/moderation/log").get_data(as_text=True)
    assert "Moved a thread" in log and "to “Housing”: It is about housing" in log
    member = f._here(world.users["member"])
    f.post(member, _fresh().get(Thread, thr.id), "One reply")
    # Slow mode for an hour, until a time 30 minutes from now in the moderator's zone.
    until = datetime.now(UTC) + timedelta(minutes=30)
    local = until.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London"))
    r = _post(mod, tools, {"tool": "slow", "slow_mode_seconds": "3600",
                           "slow_mode_until": local.strftime("%Y-%m-%dT%H:%M"),
                           "tz": "Europe/London"})
    assert r.status_code == 303
    stored = _fresh().get(Thread, thr.id)
    assert stored.slow_mode_seconds == 3600
    assert abs((stored.slow_mode_until - until.replace(second=0, microsecond=0))
               .total_seconds()) < 61
    member = f._here(world.users["member"])
    assert actions.reply(member, db.session.get(Thread, thr.id)) is not True
    stored = db.session.get(Thread, thr.id)
    stored.slow_mode_until = datetime.now(UTC) - timedelta(seconds=1)  # the end time passes
    db.session.commit()
    assert actions.reply(f._here(member), db.session.get(Thread, thr.id)) is True
    page = mod.get(f"/groups/{grp.slug}/moderation/log").get_data(as_text=True)
    assert "Slow mode: one reply every 60 minutes, until" in page


def test_a_moderator_suspends_from_a_members_row_lists_and_lifts(app, world):
    slug = world.groups["public"].slug
    mod = _client(app, "moderator")
    members = mod.get(f"/groups/{slug}/members").get_data(as_text=True)
    assert 'name="duration"' in members and "1 month" in members
    r = _post(mod, f"/groups/{slug}/suspensions",
              {"username": "member", "duration": "1w", "reason": "Cooling off",
               "next": f"/groups/{slug}/members"}, f"/groups/{slug}/members")
    assert r.status_code == 303
    listing = mod.get(f"/groups/{slug}/suspensions").get_data(as_text=True)
    assert "Cooling off" in listing and "member" in listing
    card = mod.get(f"/groups/{slug}/members/member/card").get_data(as_text=True)
    assert "Suspended until" in card and "Suspended a member" in card
    # Until a date, typed in the moderator's zone.
    r = _post(mod, f"/groups/{slug}/suspensions",
              {"username": "member", "lift": "1"}, f"/groups/{slug}/suspensions")
    assert "Nobody is suspended" in mod.get(f"/groups/{slug}/suspensions").get_data(as_text=True)
    r = _post(mod, f"/groups/{slug}/suspensions",
              {"username": "member", "duration": "date", "until": "2099-01-02T10:00",
               "tz": "Asia/Karachi", "reason": "Long break"}, f"/groups/{slug}/members")
    listing = mod.get(f"/groups/{slug}/suspensions").get_data(as_text=True)
    assert '<time datetime="2099-01-02T05:00:00Z"' in listing
    log = mod.get(f"/groups/{slug}/moderation/log").get_data(as_text=True)
    assert "Lifted a suspension" in log and "user #" not in log
    assert 'dir="auto">member<' not in log  # a role in words, not its code
    assert re.search(r'href="/groups/public-group/members/member/card">member<', log)


def test_split_and_merge_keep_posts_counters_search_citations_and_log(app, world):
    fac = f._here(world.users["facilitator"])
    thr = world.threads["public"]
    tpc = world.topics["public"]
    replies = [f.post(world.users["member"], thr, f"Reply {n}") for n in range(3)]
    summaries.write_summary(f._here(fac), f._here(tpc), f"See [[post:{replies[1].id}]]", True)
    db.session.remove()
    mod = _client(app, "moderator")
    before = db.session.get(Thread, thr.id).post_count
    threads_before = db.session.get(Topic, tpc.id).thread_count
    r = _post(mod, f"/threads/{thr.id}/moderation",
              {"tool": "split", "post_ids": [str(replies[1].id), str(replies[2].id)],
               "title": "Side discussion", "reason": "Off the point"})
    assert r.status_code == 303
    new_id = int(r.headers["Location"].rsplit("/", 1)[1])
    new = _fresh().get(Thread, new_id)
    assert new.post_count == 2 and db.session.get(Thread, thr.id).post_count == before - 2
    assert db.session.get(Topic, tpc.id).thread_count == threads_before + 1
    assert db.session.scalar(select(SearchEntry.thread_id).where(
        SearchEntry.kind == "post", SearchEntry.object_id == replies[1].id)) == new_id
    cites = summaries.citations(summaries.latest_published(db.session.get(Topic, tpc.id)))
    assert [c.state for c in cites] == ["current"] and cites[0].post.thread_id == new_id
    r = _post(mod, f"/threads/{new_id}/moderation", {"tool": "merge", "into": str(thr.id)})
    assert r.status_code == 303
    assert _fresh().get(Thread, new_id) is None
    assert db.session.get(Thread, thr.id).post_count == before
    assert db.session.get(Topic, tpc.id).thread_count == threads_before
    assert db.session.scalar(select(func.count()).select_from(Post).where(
        Post.thread_id == thr.id)) == before
    actions_logged = set(db.session.scalars(select(ModerationAction.action)))
    assert {"split", "merge"} <= actions_logged


# --- facilitation ----------------------------------------------------------------------------

def _consultation(world):
    """A topic with two questions, posts by two organisations (one anonymised, one named)."""
    admin = f._here(world.users["admin"])
    grp = f._here(world.groups["public"])
    north = organisations.create_organisation(admin, "Northern Carers", "the North West")
    south = organisations.create_organisation(f._here(admin), "Southern Advice", "the South")
    organisations.set_member_organisation(f._here(admin), f._here(world.users["member"]), north)
    organisations.set_member_organisation(f._here(admin), f._here(world.users["outsider"]), south)
    f.member(admin, grp, world.users["outsider"])
    consent.set_group_consent(f._here(world.users["outsider"]), f._here(grp), "attributable")
    tpc = f.topic(world.users["facilitator"], grp, "Care workforce")
    from forum.services import topics

    topics.update_topic(f._here(world.users["facilitator"]), f._here(tpc),
                        questions=questions.parse_lines("Q1 What stops people?\n2) What keeps them?"))
    qs = questions.list_questions(f._here(tpc))
    t1 = thread_service.create_thread(f._here(world.users["member"]), f._here(tpc), "Pay",
                                      "Carers earn less than in retail", qs[0].id)
    r1 = f.post(world.users["outsider"], t1, "Training costs put people off")
    posts.add_reaction(f._here(world.users["facilitator"]), f._here(r1), "agree")
    posts.add_reaction(f._here(world.users["moderator"]), f._here(r1), "disagree")
    db.session.remove()
    return db.session.get(Topic, tpc.id), t1, r1, qs


def test_the_editor_lists_filters_and_cites_posts_with_their_words(app, world):
    tpc, t1, r1, _qs = _consultation(world)
    fac = _client(app, "facilitator")
    editor = f"/topics/{tpc.id}/summary/edit"
    page = fac.get(editor).get_data(as_text=True)
    assert "Question 1: <bdi>What stops people?</bdi>" in page
    assert "Carers earn less than in retail" in page and "Training costs put people off" in page
    assert "A member organisation in the North West" in page  # anonymised by default
    assert "(<bdi>Southern Advice</bdi>)" in page  # attributable
    found = fac.get(editor + "?q=training&reactions=divisive").get_data(as_text=True)
    assert "Training costs" in found and "Carers earn less" not in found
    found = fac.get(editor + "?organisation=Southern+Advice").get_data(as_text=True)
    assert "Training costs" in found and "Carers earn less" not in found
    # "Cite" without the script: the draft comes back with the citation, unsaved.
    r = _post(fac, editor + "?q=training", {"body": "Training matters.", "cite": str(r1.id)},
              editor)
    assert r.status_code == 200
    assert f"Training matters. [[post:{r1.id}]]</textarea>" in r.get_data(as_text=True)
    first = db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == t1.id))
    # Pasting a post's link cites it too.
    r = _post(fac, editor, {"body": f"Pay first http://localhost/posts/{first}\n\n"
                                    f"Training [[post:{r1.id}]]"})
    assert r.status_code == 303
    latest = summaries.latest_version(_fresh().get(Topic, tpc.id))
    assert f"[[post:{first}]]" in latest.body_markdown
    assert sorted(summaries.citations_of([latest.id])[latest.id]) == sorted([first, r1.id])
    page = fac.get(editor).get_data(as_text=True)
    assert "Cited in the latest version" in page and "<q>Training costs put people off</q>" in page


def test_versions_open_and_show_their_difference(app, world):
    tpc, *_ = _consultation(world)
    fac = _client(app, "facilitator")
    editor = f"/topics/{tpc.id}/summary/edit"
    _post(fac, editor, {"body": "Pay is low.\n\nTraining is dear."})
    _post(fac, editor, {"body": "Pay is far too low.\n\nHousing too."})
    one = fac.get(f"/topics/{tpc.id}/summary/versions/1").get_data(as_text=True)
    assert "Version 1 of the summary" in one and "Pay is low." in one
    diff = fac.get(f"/topics/{tpc.id}/summary/versions/2?against=1").get_data(as_text=True)
    assert "Pay is <ins>far too</ins> low." in diff
    assert "<del>Training is dear.</del>" in diff and "<ins>Housing too.</ins>" in diff
    member = _client(app, "member")
    assert member.get(f"/topics/{tpc.id}/summary/versions/1").status_code == 403


def test_signoff_one_form_keeps_choices_records_changes_and_submits(app, world):
    tpc, _t1, r1, _qs = _consultation(world)
    fac = _client(app, "facilitator")
    editor = f"/topics/{tpc.id}/summary/edit"
    _post(fac, editor, {"body": f"Pay first [[post:{r1.id}]].\n\nTraining free.\n\nMore hours."})
    r = _post(fac, f"/topics/{tpc.id}/signoff/open", {"closes_at": "2099-01-01T17:00"}, editor)
    assert r.status_code == 303
    signoff_url = f"/topics/{tpc.id}/signoff"
    north = _client(app, "member")
    # An objection without a reason: nothing is recorded and every choice comes back.
    r = _post(north, signoff_url, {"stance-1": "endorse", "stance-2": "object", "reason-2": "",
                                   "stance-3": "abstain", "reason-3": "Not our field"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Say why your organisation objects to paragraph 2." in page
    assert re.search(r'name="stance-1" value="endorse" checked', page)
    assert re.search(r'name="stance-2" value="object" checked', page)
    assert "Not our field</textarea>" in page
    assert db.session.scalar(select(func.count()).select_from(SignOffVoteChange)) == 0
    r = _post(north, signoff_url, {"stance-1": "endorse", "stance-2": "object",
                                   "reason-2": "Too vague", "stance-3": "abstain"})
    assert r.status_code == 303
    # Another member of the same organisation changes its view: the change is kept.
    admin = f._here(world.users["admin"])
    colleague = f.user("colleague")
    f.member(admin, world.groups["public"], colleague)
    organisations.set_member_organisation(
        f._here(admin), f._here(colleague),
        f._here(world.users["member"]).organisation)
    db.session.remove()
    other = _client(app, "colleague")
    r = _post(other, signoff_url, {"stance-1": "object", "reason-1": "We changed our mind"})
    assert r.status_code == 303
    page = fac.get(signoff_url).get_data(as_text=True)
    history = page[page.index('id="vote-history"'):]
    assert "colleague" in history and "Endorse" in history and "We changed our mind" in history
    r = _post(fac, f"/topics/{tpc.id}/signoff/close", {"publish": "1", "submit": "1"},
              signoff_url)
    assert r.status_code == 303
    topic = _fresh().get(Topic, tpc.id)
    assert topic.phase == "submitted" and topic.phase_deadline is None
    printable = fac.get(f"/topics/{tpc.id}/response").get_data(as_text=True)
    assert "Annex: views changed during sign-off" in printable
    assert "changed from Endorse to Object (We changed our mind)" in printable
    assert "Training costs put people off" in printable  # the cited words, consent allowing
    md = fac.get(f"/api/v1/topics/{tpc.id}/response?format=md").get_data(as_text=True)
    csv = fac.get(f"/api/v1/topics/{tpc.id}/response?format=csv").get_data(as_text=True)
    report = fac.get(f"/api/v1/topics/{tpc.id}/report?format=csv").get_data(as_text=True)
    for text in (_main(printable), md, csv, report):
        assert not [code for code in CODES if code in text], text[:400]
    assert "stage: Submitted" in md and "Training costs put people off" in md
    topic_page = fac.get(f"/topics/{tpc.id}").get_data(as_text=True)
    assert "<q>Training costs put people off</q>" in topic_page


def test_insights_per_question_and_organisation(app, world):
    tpc, _t1, _r1, qs = _consultation(world)
    fac = _client(app, "facilitator")
    page = fac.get(f"/topics/{tpc.id}/insights").get_data(as_text=True)
    by_question = page[page.index('id="by-question"'):page.index('id="unanswered-questions"')]
    assert "What stops people?</td><td data-label=\"Threads\">1</td><td data-label=\"Posts\">2" \
        in by_question
    unanswered = page[page.index('id="unanswered-questions"'):]
    assert "What keeps them?" in unanswered.split("</ul>")[0]
    by_org = page[page.index('id="by-organisation"'):]
    assert "Northern Carers" in by_org and "Southern Advice" in by_org
    divisive = page[page.index('id="divisive"'):]
    assert "Pay" in divisive.split("</ul>")[0]
    assert _client(app, "member").get(f"/topics/{tpc.id}/insights").status_code == 403


def test_pasted_question_numbering_is_dropped():
    assert questions.parse_lines("Q2 What now?\n3) Why?\nQuestion 4 - How?\n5. When?") == [
        "What now?", "Why?", "How?", "When?"]
