"""From debate to response (issue 11) through the API: questions, citations that stay true,
consent to quote, sign-off by member organisations, phases and the exports."""

from __future__ import annotations

import csv
import io

import pytest

from forum.extensions import db
from forum.services import consent, organisations
from tests import factories as f

ANON_NAME = "Zephyrine Quillfeather"     # an anonymised member: never in any export
SECRET = "Ultraviolet-Pangolin-Ledger"   # a not-to-be-quoted member's words


@pytest.fixture
def wg(app):
    """A working group with questions, three organisations and members with each consent."""
    admin = f.user("admin", admin=True)
    group = f.group(admin, "health-wg")
    people = {}
    for name in ("fac", "ann", "bob", "cat", "dee", "eve", "fay", "solo", "outsider"):
        people[name] = f.user(name)
    for name in ("ann", "bob", "cat", "dee", "eve", "fay", "solo"):
        f.member(admin, group, people[name])
    f.member(admin, group, people["fac"], "facilitator")
    admin = f._here(admin)
    north = organisations.create_organisation(admin, "Northern Carers Network", "the North West")
    coast = organisations.create_organisation(admin, "Coastal Advice Trust", "the South West")
    hidden_org = organisations.create_organisation(admin, "Zeta Quiet Org", "Wales")
    for name, org in (("ann", north), ("bob", north), ("cat", north), ("dee", coast),
                      ("eve", hidden_org), ("fay", coast)):
        organisations.set_member_organisation(f._here(admin), f._here(people[name]), org)
    eve = f._here(people["eve"])
    eve.display_name = ANON_NAME
    db.session.commit()
    consent.set_group_consent(f._here(people["dee"]), f._here(group), "attributable")
    consent.set_group_consent(f._here(people["fay"]), f._here(group), "not_quoted")
    tokens = {name: f.token(name) for name in [*people, "admin"]}
    db.session.remove()
    return {"group": group, "tokens": tokens, "orgs": {"north": north.id, "coast": coast.id}}


def _topic(api, wg, questions=("How should services reach carers?", "What should change first?"),
           status="open"):
    r = api.post("/groups/health-wg/topics", wg["tokens"]["fac"],
                 {"title": "Carers strategy", "briefing": "The draft strategy.",
                  "status": status, "questions": list(questions)})
    assert r.status_code == 201, r.get_json()
    topic = r.get_json()
    qs = api.get(f"/topics/{topic['id']}/questions").get_json()["items"]
    return topic, qs


def _thread(api, wg, topic, who, body, question_id=None, title="A thread"):
    r = api.post(f"/topics/{topic['id']}/threads", wg["tokens"][who],
                 {"title": title, "body": body, "question_id": question_id})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _reply(api, wg, thread, who, body, question_id=None):
    r = api.post(f"/threads/{thread['id']}/posts", wg["tokens"][who],
                 {"body": body, "question_id": question_id})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _downloads(api, wg, topic, kinds=("report", "response")) -> dict[str, str]:
    token = wg["tokens"]["fac"]
    out = {}
    for kind in kinds:
        for fmt in ("md", "csv"):
            r = api.get(f"/topics/{topic['id']}/{kind}?format={fmt}", token)
            assert r.status_code == 200, (kind, fmt, r.get_data(as_text=True))
            out[f"{kind}.{fmt}"] = r.data.decode("utf-8-sig")
    return out


# --- questions ---------------------------------------------------------------------------------

def test_questions_are_numbered_editable_until_answered_and_tag_threads(wg, api):
    fac = wg["tokens"]["fac"]
    topic, qs = _topic(api, wg, status="upcoming")
    assert [(q["number"], q["text"]) for q in qs] == [
        (1, "How should services reach carers?"), (2, "What should change first?")]
    r = api.put(f"/topics/{topic['id']}/questions", fac,
                {"questions": ["Who is missed?", "What works?", "What next?"]})
    assert [q["number"] for q in r.get_json()["items"]] == [1, 2, 3]
    assert api.put(f"/topics/{topic['id']}/questions", wg["tokens"]["ann"],
                   {"questions": ["mine"]}).status_code == 403
    api.patch(f"/topics/{topic['id']}", fac, {"status": "open"})
    qs = api.get(f"/topics/{topic['id']}/questions").get_json()["items"]
    thread = _thread(api, wg, topic, "ann", "Outreach through GPs", qs[1]["id"])
    assert thread["question_id"] == qs[1]["id"]
    r = api.put(f"/topics/{topic['id']}/questions", fac, {"questions": ["changed"]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "conflict"
    other, other_qs = _topic(api, wg)
    r = api.post(f"/topics/{topic['id']}/threads", wg["tokens"]["ann"],
                 {"title": "x", "body": "y", "question_id": other_qs[0]["id"]})
    assert r.status_code == 400 and "question_id" in r.get_json()["error"]["fields"]
    # The author retags their thread; a stranger to it may not.
    r = api.patch(f"/threads/{thread['id']}", wg["tokens"]["ann"], {"question_id": qs[0]["id"]})
    assert r.status_code == 200 and r.get_json()["question_id"] == qs[0]["id"]
    assert api.patch(f"/threads/{thread['id']}", wg["tokens"]["bob"],
                     {"question_id": None}).status_code == 403


def test_the_report_follows_the_questions_order(wg, api):
    topic, qs = _topic(api, wg)
    # Answers to question 2 come first in time; the report still puts question 1 first.
    t2 = _thread(api, wg, topic, "dee", "Answer to the second", qs[1]["id"], "Second first")
    _thread(api, wg, topic, "dee", "Answer to the first", qs[0]["id"], "First later")
    _reply(api, wg, t2, "dee", "This one answers the first too", qs[0]["id"])
    _thread(api, wg, topic, "dee", "Untagged thoughts", None, "Loose")
    files = _downloads(api, wg, topic, kinds=("report",))
    md = files["report.md"]
    q1 = md.index("### Question 1: How should services reach carers?")
    q2 = md.index("### Question 2: What should change first?")
    other = md.index("### Other contributions")
    assert q1 < q2 < other
    assert q1 < md.index("Answer to the first") < q2
    assert q1 < md.index("This one answers the first too") < q2
    assert q2 < md.index("Answer to the second") < other
    assert other < md.index("Untagged thoughts")
    rows = list(csv.DictReader(io.StringIO(files["report.csv"])))
    assert [r["question"] for r in rows] == ["1", "1", "2", ""]


# --- citations that stay true -------------------------------------------------------------------

def test_a_citation_turns_stale_when_the_post_is_edited_or_hidden(wg, api):
    topic, _qs = _topic(api, wg)
    thread = _thread(api, wg, topic, "dee", "Carers need respite")
    kept = _reply(api, wg, thread, "ann", "Transport is the barrier")
    edited = _reply(api, wg, thread, "bob", "Interpreters matter most")
    hidden = _reply(api, wg, thread, "cat", "Funding is short")
    body = (f"Members agreed [[post:{kept['id']}]] and [[post:{edited['id']}]].\n\n"
            f"Some said [[post:{hidden['id']}]].")
    r = api.post(f"/topics/{topic['id']}/summary", wg["tokens"]["fac"],
                 {"body": body, "publish": True})
    assert r.status_code == 201 and r.get_json()["stale_post_ids"] == []
    api.patch(f"/posts/{edited['id']}", wg["tokens"]["bob"],
              {"body": "Interpreters and advocates matter most"})
    api.post(f"/posts/{hidden['id']}/hide", wg["tokens"]["fac"], {"reason": "x"})
    # fac is a facilitator, not a moderator: the hide is refused; an admin hides it.
    api.post(f"/posts/{hidden['id']}/hide", wg["tokens"]["admin"], {"reason": "personal data"})
    summary = api.get(f"/topics/{topic['id']}/summary", wg["tokens"]["ann"]).get_json()
    assert sorted(summary["stale_post_ids"]) == sorted([edited["id"], hidden["id"]])
    coverage = api.get(f"/topics/{topic['id']}/summary/coverage", wg["tokens"]["fac"]).get_json()
    states = {c["post_id"]: c["state"] for c in coverage["citations"]}
    assert states == {kept["id"]: "current", edited["id"]: "edited", hidden["id"]: "hidden"}
    assert [c["number"] for c in coverage["citations"]] == [1, 2, 3]
    md = _downloads(api, wg, topic)["response.md"]
    assert "[^1]" in md and "[^3]:" in md
    assert "The cited post has changed since it was cited." in md
    assert "hidden by a moderator" in md and "Funding is short" not in md
    assert "Interpreters and advocates matter most" in md  # the words as they stand now
    assert api.get(f"/topics/{topic['id']}/summary/coverage",
                   wg["tokens"]["ann"]).status_code == 403


def test_coverage_lists_threads_questions_and_organisations_not_cited(wg, api):
    topic, qs = _topic(api, wg)
    t1 = _thread(api, wg, topic, "ann", "North view", qs[0]["id"], "T1")
    _thread(api, wg, topic, "dee", "Coast view", qs[1]["id"], "T2")
    api.post(f"/topics/{topic['id']}/summary", wg["tokens"]["fac"],
             {"body": "Draft", "publish": False, "cited_post_ids": [t1["first_post"]["id"]]})
    coverage = api.get(f"/topics/{topic['id']}/summary/coverage", wg["tokens"]["fac"]).get_json()
    assert coverage["uncited_threads"] != [] and t1["id"] not in coverage["uncited_threads"]
    assert coverage["uncited_questions"] == [qs[1]["id"]]
    names = {o["name"] for o in coverage["uncited_organisations"]}
    assert "Northern Carers Network" not in names and "Coastal Advice Trust" in names


# --- consent to quote ---------------------------------------------------------------------------

def test_an_anonymised_member_is_named_nowhere_and_unquotable_words_never_leave(wg, api):
    topic, qs = _topic(api, wg)
    thread = _thread(api, wg, topic, "dee", "Named view from the coast", qs[0]["id"])
    anon = _reply(api, wg, thread, "eve", "Rural carers are invisible to services")
    secret = _reply(api, wg, thread, "fay", f"My own story: {SECRET}")
    body = f"Rural carers [[post:{anon['id']}]]. Personal stories [[post:{secret['id']}]]."
    api.post(f"/topics/{topic['id']}/summary", wg["tokens"]["fac"],
             {"body": body, "publish": True, "cited_post_ids": [thread["first_post"]["id"]]})
    files = _downloads(api, wg, topic)
    printable = api.client.get(f"/topics/{topic['id']}/response")
    assert printable.status_code == 200
    page = printable.get_data(as_text=True)
    for name, text in [*files.items(), ("printable page", page)]:
        assert ANON_NAME not in text and "eve" not in text.split(), name
        assert "Zeta Quiet Org" not in text, name
        assert SECRET not in text, name
    assert "Rural carers are invisible to services" in files["response.md"]
    assert "A member organisation in Wales" in files["response.md"]
    # The attributable member is named with their organisation.
    assert "dee (Coastal Advice Trust)" in files["report.md"]
    assert "1 further post not quoted at their authors' request" in files["report.md"]
    assert "The author asked not to be quoted." in files["response.md"]
    rows = list(csv.DictReader(io.StringIO(files["response.csv"])))
    assert {r["consent"] for r in rows} == {  # in words, not codes
        "Quoted by name and organisation", "Quoted without name or organisation",
        "Not to be quoted"}
    assert all(r["author"] != ANON_NAME for r in rows)


def test_a_post_may_override_the_members_standing_answer(wg, api):
    topic, _qs = _topic(api, wg)
    thread = _thread(api, wg, topic, "dee", "Quote me by name normally")
    shy = _reply(api, wg, thread, "dee", "But not this sensitive one")
    r = api.put(f"/posts/{shy['id']}/consent", wg["tokens"]["dee"], {"level": "not_quoted"})
    assert r.status_code == 200 and r.get_json()["quote_consent"] == "not_quoted"
    assert api.put(f"/posts/{shy['id']}/consent", wg["tokens"]["ann"],
                   {"level": "attributable"}).status_code == 403
    assert api.put(f"/posts/{shy['id']}/consent", wg["tokens"]["dee"],
                   {"level": "loud"}).status_code == 400
    md = _downloads(api, wg, topic, kinds=("report",))["report.md"]
    assert "Quote me by name normally" in md and "But not this sensitive one" not in md
    consents = api.get("/me/consents", wg["tokens"]["eve"]).get_json()["items"]
    assert consents == [{"group": {"slug": "health-wg", "name": "Health Wg"},
                         "level": "anonymised"}]
    r = api.put("/me/consents/health-wg", wg["tokens"]["eve"], {"level": "attributable"})
    assert r.status_code == 200 and r.get_json()["level"] == "attributable"
    assert api.put("/me/consents/health-wg", wg["tokens"]["outsider"],
                   {"level": "attributable"}).status_code == 403


# --- sign-off -----------------------------------------------------------------------------------

def _signoff_ready(api, wg):
    topic, _qs = _topic(api, wg)
    thread = _thread(api, wg, topic, "dee", "Respite first")
    body = (f"# Our response\n\nRespite care comes first [[post:{thread['first_post']['id']}]]."
            "\n\nTransport must be funded.\n\nInterpreters in every clinic.")
    api.post(f"/topics/{topic['id']}/summary", wg["tokens"]["fac"],
             {"body": body, "publish": False})
    r = api.post(f"/topics/{topic['id']}/signoff", wg["tokens"]["fac"], {})
    assert r.status_code == 201, r.get_json()
    return topic, r.get_json()


def test_one_organisation_of_three_members_casts_one_vote_per_paragraph(wg, api):
    topic, so = _signoff_ready(api, wg)
    assert [p["number"] for p in so["paragraphs"]] == [1, 2, 3]
    assert so["paragraphs"][0]["body_markdown"].startswith("# Our response")
    assert so["organisations"] == 3 and so["status"] == "open"
    url = f"/topics/{topic['id']}/signoff/paragraphs"
    t = wg["tokens"]
    assert api.put(f"{url}/1/vote", t["ann"], {"stance": "endorse"}).status_code == 200
    r = api.put(f"{url}/1/vote", t["bob"], {"stance": "object"})
    assert r.status_code == 400 and "reason" in r.get_json()["error"]["fields"]
    r = api.put(f"{url}/1/vote", t["bob"], {"stance": "object", "reason": "Too narrow"})
    assert r.get_json()["cast_by"]["username"] == "bob"
    api.put(f"{url}/2/vote", t["cat"], {"stance": "abstain"})
    api.put(f"{url}/1/vote", t["dee"], {"stance": "endorse"})
    state = api.get(f"/topics/{topic['id']}/signoff", t["cat"]).get_json()
    p1, p2, p3 = state["paragraphs"]
    assert (p1["endorse"], p1["object"], p1["abstain"]) == (1, 1, 0)  # north: bob's objection
    assert (p2["endorse"], p2["object"], p2["abstain"]) == (0, 0, 1)
    assert p1["my_vote"]["stance"] == "object" and p1["my_vote"]["cast_by"]["username"] == "bob"
    assert p1["objections"] == [{"organisation": "Northern Carers Network",
                                 "reason": "Too narrow", "thread_id": None}]
    assert state["waiting"] == 3
    # Without an organisation, or outside the group, no voice.
    assert api.put(f"{url}/1/vote", t["solo"], {"stance": "endorse"}).status_code == 403
    assert api.put(f"{url}/9/vote", t["ann"], {"stance": "endorse"}).status_code == 404
    assert api.put(f"{url}/1/vote", t["ann"], {"stance": "maybe"}).status_code == 400


def test_an_objection_can_open_a_thread_and_closing_freezes_and_publishes(wg, api):
    topic, _so = _signoff_ready(api, wg)
    url = f"/topics/{topic['id']}/signoff/paragraphs"
    t = wg["tokens"]
    r = api.put(f"{url}/3/vote", t["eve"], {"stance": "object", "reason": "Interpreters are "
                "not enough without advocates", "open_thread": True})
    thread_id = r.get_json()["thread_id"]
    thread = api.get(f"/threads/{thread_id}", t["ann"]).get_json()
    assert thread["title"] == "Objection to paragraph 3 of the draft response"
    assert thread["signoff_paragraph_id"] is not None
    for who, paragraphs in (("ann", (1, 2, 3)), ("dee", (1, 2))):
        for n in paragraphs:
            api.put(f"{url}/{n}/vote", t[who], {"stance": "endorse"})
    assert api.post(f"/topics/{topic['id']}/signoff/close", t["ann"], {}).status_code == 403
    r = api.post(f"/topics/{topic['id']}/signoff/close", t["fac"], {"publish": True})
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    assert api.put(f"{url}/1/vote", t["ann"], {"stance": "abstain"}).status_code == 409
    published = api.get(f"/topics/{topic['id']}/summary", t["ann"]).get_json()
    assert published["published"] is True
    md = _downloads(api, wg, topic)["response.md"]
    assert md.count("Endorsed by 2 of 3 member organisations.") == 2
    assert "Endorsed by 1 of 3 member organisations." in md  # paragraph 3
    assert "## Annex: dissent" in md
    assert ("Paragraph 3: A member organisation in Wales objected: Interpreters are not enough "
            "without advocates") in md
    assert "Zeta Quiet Org" not in md
    page = api.client.get(f"/topics/{topic['id']}").get_data(as_text=True)
    assert "Endorsed by 2 of 3 member organisations." in page


# --- phases -------------------------------------------------------------------------------------

def test_phases_close_new_threads_slow_replies_and_are_announced(wg, api):
    topic, _qs = _topic(api, wg)
    thread = _thread(api, wg, topic, "ann", "Before drafting")
    t = wg["tokens"]
    assert api.post(f"/topics/{topic['id']}/phase", t["ann"],
                    {"phase": "drafting"}).status_code == 403
    r = api.post(f"/topics/{topic['id']}/phase", t["fac"],
                 {"phase": "drafting", "deadline": "2030-01-01T09:00:00Z"})
    assert r.status_code == 200 and r.get_json()["phase"] == "drafting"
    assert r.get_json()["phase_deadline"] == "2030-01-01T09:00:00Z"
    r = api.post(f"/topics/{topic['id']}/threads", t["bob"], {"title": "late", "body": "x"})
    assert r.status_code == 409
    _reply(api, wg, thread, "bob", "One more thought")
    r = api.post(f"/threads/{thread['id']}/posts", t["bob"], {"body": "and another"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 60
    _reply(api, wg, thread, "fac", "Facilitators are not slowed")
    _reply(api, wg, thread, "fac", "Not at all")
    kinds = [n["kind"] for n in api.get("/notifications", t["cat"]).get_json()["items"]]
    assert "conversation" in kinds
    log = api.get("/groups/health-wg/moderation/log", t["admin"]).get_json()["items"]
    assert any(e["action"] == "phase" and e["reason"] == "Discussion → Drafting the response"
               for e in log)
    assert api.post(f"/topics/{topic['id']}/phase", t["fac"],
                    {"phase": "signoff"}).status_code == 409
    assert api.post(f"/topics/{topic['id']}/phase", t["fac"],
                    {"phase": "submitted"}).status_code == 409
    api.post(f"/topics/{topic['id']}/summary", t["fac"], {"body": "Done", "publish": True})
    r = api.post(f"/topics/{topic['id']}/phase", t["fac"], {"phase": "submitted"})
    assert r.status_code == 200 and r.get_json()["phase"] == "submitted"


def test_deadline_reminders_go_once_to_those_with_something_to_do(wg, api, app):
    topic, _qs = _topic(api, wg)
    t = wg["tokens"]
    thread = _thread(api, wg, topic, "dee", "Respite first")
    api.post(f"/topics/{topic['id']}/summary", t["fac"],
             {"body": f"One [[post:{thread['first_post']['id']}]]\n\nTwo", "publish": False})
    from datetime import datetime, timedelta, timezone
    soon = (datetime.now(timezone.utc) + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    api.post(f"/topics/{topic['id']}/signoff", t["fac"], {"closes_at": soon})
    for n in (1, 2):
        api.put(f"/topics/{topic['id']}/signoff/paragraphs/{n}/vote", t["dee"],
                {"stance": "endorse"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    # north (ann, bob, cat) and eve's org have not voted; coast (dee, fay) has.
    assert result.output.startswith("sent 4 reminders")

    def reminded(who):
        items = api.get("/notifications", t[who]).get_json()["items"]
        return [n for n in items if "give your organisation's view" in n["text"]]
    assert len(reminded("ann")) == 1 and reminded("fay") == [] and reminded("solo") == []
    assert runner.invoke(args=["reminders", "send"]).output.startswith("sent 0 reminders")


# --- privacy and organisations ------------------------------------------------------------------

def test_a_private_groups_questions_signoff_and_response_are_absent_to_outsiders(world, api):
    topic = world.topics["private"].id
    fac = world.tokens["facilitator"]
    api.post(f"/topics/{topic}/summary", fac, {"body": "Private words", "publish": True})
    for path in (f"/topics/{topic}/questions", f"/topics/{topic}/signoff",
                 f"/topics/{topic}/response", f"/topics/{topic}/summary/coverage"):
        for who in ("outsider", None):
            r = api.get(path, world.tokens[who] if who else None)
            assert r.status_code == 404, (path, who)
    assert api.get(f"/topics/{topic}/response", world.tokens["member"]).status_code == 200
    assert api.client.get(f"/topics/{topic}/response").status_code == 404


def test_site_admins_keep_the_organisations(wg, api):
    t = wg["tokens"]
    r = api.post("/admin/organisations", t["admin"], {"name": "Valley Voices", "region": "Wales"})
    assert r.status_code == 201
    org = r.get_json()
    assert api.post("/admin/organisations", t["admin"],
                    {"name": "valley voices"}).status_code == 409
    assert api.post("/admin/organisations", t["ann"], {"name": "Mine"}).status_code == 403
    assert api.get("/admin/organisations", t["ann"]).status_code == 403
    r = api.put("/admin/users/solo/organisation", t["admin"], {"organisation_id": org["id"]})
    assert r.status_code == 200
    assert api.get("/me", t["solo"]).get_json()["organisation"] == {
        "id": org["id"], "name": "Valley Voices", "region": "Wales"}
    listed = {o["name"]: o["member_count"] for o in
              api.get("/admin/organisations", t["admin"]).get_json()["items"]}
    assert listed["Valley Voices"] == 1 and listed["Northern Carers Network"] == 3
    assert api.delete(f"/admin/organisations/{org['id']}", t["admin"]).status_code == 204
    assert api.get("/me", t["solo"]).get_json()["organisation"] is None


def test_a_citation_turns_stale_when_its_author_erases_their_account(wg, api):
    topic, _qs = _topic(api, wg)
    thread = _thread(api, wg, topic, "dee", "Respite first")
    eve = _reply(api, wg, thread, "eve", "Words of a person who will leave")
    api.post(f"/topics/{topic['id']}/summary", wg["tokens"]["fac"],
             {"body": f"As one said [[post:{eve['id']}]].", "publish": True})
    r = api.post("/admin/users/eve/erase", wg["tokens"]["admin"], {"keep_posts": True})
    assert r.status_code == 204
    summary = api.get(f"/topics/{topic['id']}/summary").get_json()
    assert summary["stale_post_ids"] == [eve["id"]]
    md = _downloads(api, wg, topic, kinds=("response",))["response.md"]
    assert "[^1]: A former member" in md and "erased their account" in md
    assert "Words of a person who will leave" not in md
