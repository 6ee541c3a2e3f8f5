"""Stewards' tools through the API (#17): edit-then-approve, split and merge, and exports that
speak in words, never in internal codes."""

from __future__ import annotations

import re

from tests.api.test_consultation_response import (  # noqa: F401 (wg is a fixture)
    _downloads,
    _reply,
    _thread,
    _topic,
    wg,
)

CODES = re.compile(r"\b(signoff|off_topic|drafting)\b")


def test_a_moderator_approves_a_pending_post_as_edited_and_the_authors_words_stay_in_history(
        world, api):
    slug = world.groups["public"].slug
    mod = world.tokens["moderator"]
    api.patch(f"/groups/{slug}", mod, {"premoderate": True})
    r = api.post(f"/threads/{world.threads['public'].id}/posts", world.tokens["member"],
                 {"body": "Call me on 07700 900123"})
    post_id = r.get_json()["id"]
    assert api.post(f"/posts/{post_id}/approve", world.tokens["member"],
                    {"body": "x"}).status_code == 403
    r = api.post(f"/posts/{post_id}/approve", mod,
                 {"body": "Call me (number removed)", "reason": "Personal data"})
    assert r.status_code == 200, r.get_json()
    post = r.get_json()
    assert post["pending"] is False and post["body_markdown"] == "Call me (number removed)"
    history = api.get(f"/posts/{post_id}/revisions", mod).get_json()["items"]
    assert any(h["body_markdown"] == "Call me on 07700 900123" for h in history)
    # Without a body, approving is as before.
    r = api.post(f"/threads/{world.threads['public'].id}/posts", world.tokens["member"],
                 {"body": "As written"})
    approved = api.post(f"/posts/{r.get_json()['id']}/approve", mod).get_json()
    assert approved["body_markdown"] == "As written"


def test_a_moderator_splits_replies_into_a_new_thread_then_merges_it_back(world, api):
    mod, member = world.tokens["moderator"], world.tokens["member"]
    thread = world.threads["public"]
    replies = [api.post(f"/threads/{thread.id}/posts", member, {"body": f"aside {n}"})
               .get_json()["id"] for n in (1, 2)]
    url = f"/threads/{thread.id}/split"
    assert api.post(url, member, {"post_ids": replies, "title": "Asides"}).status_code == 403
    assert api.post(url, mod, {"post_ids": [], "title": "Asides"}).status_code == 400
    r = api.post(url, mod, {"post_ids": replies, "title": "Asides", "reason": "Off the point"})
    assert r.status_code == 201, r.get_json()
    new = r.get_json()
    assert new["title"] == "Asides" and new["post_count"] == 2
    posts = api.get(f"/threads/{new['id']}/posts", mod).get_json()["items"]
    assert [p["id"] for p in posts] == replies  # the posts keep their ids
    r = api.post(f"/threads/{new['id']}/merge", mod, {"into_thread_id": thread.id})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["id"] == thread.id
    assert api.get(f"/threads/{new['id']}", mod).status_code == 404
    ids = [p["id"] for p in api.get(f"/threads/{thread.id}/posts", mod).get_json()["items"]]
    assert set(replies) <= set(ids)
    log = api.get(f"/groups/{world.groups['public'].slug}/moderation/log", mod).get_json()
    assert {"split", "merge"} <= {e["action"] for e in log["items"]}
    assert api.post(f"/threads/{thread.id}/merge", mod,
                    {"into_thread_id": "x"}).status_code == 400


def _visible_text(page: str) -> str:
    """The printable page as a reader sees it: no scripts, no link targets."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.DOTALL)
    return re.sub(r'\s(href|src|action|id|class|data-[\w-]+)="[^"]*"', " ", page)


def test_the_printable_response_and_both_exports_carry_no_internal_code(wg, api):  # noqa: F811
    t = wg["tokens"]
    topic, qs = _topic(api, wg)
    thread = _thread(api, wg, topic, "dee", "Respite comes first for carers", qs[0]["id"])
    aside = _reply(api, wg, thread, "ann", "Buses stop at six in the villages")
    api.post(f"/posts/{aside['id']}/flags", t["bob"], {"reason": "off_topic"})
    assert api.post(f"/topics/{topic['id']}/phase", t["fac"],
                    {"phase": "drafting"}).status_code == 200
    body = (f"Respite first [[post:{thread['first_post']['id']}]].\n\n"
            f"Transport matters [[post:{aside['id']}]].")
    api.post(f"/topics/{topic['id']}/summary", t["fac"], {"body": body, "publish": False})
    assert api.post(f"/topics/{topic['id']}/signoff", t["fac"], {}).status_code == 201
    url = f"/topics/{topic['id']}/signoff/paragraphs"
    api.put(f"{url}/1/vote", t["ann"], {"stance": "endorse"})
    api.put(f"{url}/1/vote", t["bob"], {"stance": "object", "reason": "Too narrow"})  # changed
    api.put(f"{url}/2/vote", t["dee"], {"stance": "abstain"})
    history = api.get(f"/topics/{topic['id']}/signoff/history", t["fac"]).get_json()["items"]
    assert [(h["from_stance"], h["to_stance"]) for h in history if h["paragraph"] == 1] == [
        (None, "endorse"), ("endorse", "object")]
    r = api.post(f"/topics/{topic['id']}/signoff/close", t["fac"], {"publish": True})
    assert r.status_code == 200, r.get_json()
    shown = api.get(f"/topics/{topic['id']}", t["fac"]).get_json()
    assert shown["phase"] == "submitted" and shown["phase_deadline"] is None
    files = _downloads(api, wg, topic)
    printable = api.client.get(f"/topics/{topic['id']}/response",
                               headers={"Authorization": f"Bearer {t['fac']}"})
    assert printable.status_code == 200
    page = _visible_text(printable.get_data(as_text=True))
    for name, text in [*files.items(), ("printable page", page)]:
        assert not CODES.findall(text), (name, CODES.findall(text))
    assert "Respite comes first for carers" in files["response.md"]  # quoted as consent allows
    assert "Submitted" in files["response.md"] or "Submitted" in files["report.md"]
    assert "views changed during sign-off" in files["response.md"]
    assert "changed from Endorse to Object (Too narrow)" in files["response.md"]
