"""From questions to a signed-off, printable response through the pages, without JavaScript."""

from __future__ import annotations

import re

from forum.extensions import db
from forum.services import organisations
from tests import factories as f
from tests.web.test_auth import csrf_from, sign_in


def _org_world(world):
    admin = f._here(world.users["admin"])
    org = organisations.create_organisation(admin, "Riverside Advice", "the Midlands")
    organisations.set_member_organisation(f._here(admin), f._here(world.users["member"]), org)
    db.session.remove()


def _token(client, path):
    return csrf_from(client.get(path).get_data(as_text=True))


def test_a_facilitator_takes_a_topic_from_questions_to_a_printable_response(world, client):
    _org_world(world)
    slug = world.groups["public"].slug
    sign_in(client, "facilitator")
    new = f"/groups/{slug}/topics/new"
    r = client.post(new, data={"csrf_token": _token(client, new), "title": "Transport plan",
                               "briefing": "The council's plan.", "status": "open",
                               "questions": "1. Who is left out?\nQ2. What should change?"})
    assert r.status_code == 303
    topic_url = r.headers["Location"]
    topic_id = int(topic_url.rsplit("/", 1)[1])
    page = client.get(topic_url).get_data(as_text=True)
    assert "<li id=\"q1\" dir=\"auto\">Who is left out?</li>" in page
    assert "What should change?" in page
    member = client.application.test_client()
    sign_in(member, "member")
    page = member.get(topic_url).get_data(as_text=True)
    question_2 = re.search(r'<option value="(\d+)">2\. What should change', page).group(1)
    r = member.post(topic_url, data={"csrf_token": csrf_from(page), "title": "Buses",
                                     "body": "Rural buses stop at six", "question_id": question_2})
    assert r.status_code == 303
    page = member.get(topic_url).get_data(as_text=True)
    assert page.index("Question 2: <bdi>What should change?</bdi>") < page.index("Buses")
    post_id = int(re.search(r"/threads/(\d+)", r.headers["Location"]).group(1))  # thread id
    first_post = db.session.scalar(db.text(f"select id from posts where thread_id={post_id}"))
    editor = f"/topics/{topic_id}/summary/edit"
    page = client.get(editor).get_data(as_text=True)
    assert "Not cited yet" in page and "Question 1: <bdi>Who is left out?</bdi>" in page
    assert "Riverside Advice" in page  # no post of this organisation is cited yet
    client.post(editor, data={"csrf_token": csrf_from(page),
                              "body": f"Buses end too early [[post:{first_post}]].\n\n"
                                      "Nobody asked the villages."})
    page = client.get(editor).get_data(as_text=True)
    r = client.post(f"/topics/{topic_id}/signoff/open", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/topics/{topic_id}/signoff")
    signoff_url = f"/topics/{topic_id}/signoff"
    page = member.get(signoff_url).get_data(as_text=True)
    assert "You speak for <strong>Riverside Advice</strong>" in page
    views = {"csrf_token": csrf_from(page), "stance-1": "endorse", "stance-2": "object",
             "reason-2": ""}
    r = member.post(signoff_url, data=views)  # one form for every paragraph
    text = r.get_data(as_text=True)
    assert r.status_code == 400 and "Say why your organisation objects to paragraph 2." in text
    assert 'name="stance-1" value="endorse" checked' in text  # every choice comes back
    assert 'name="stance-2" value="object" checked' in text
    r = member.post(signoff_url, data={**views, "reason-2": "Villages were asked"})
    assert r.status_code == 303
    page = client.get(signoff_url).get_data(as_text=True)
    assert "Riverside Advice</strong> objects: Villages were asked" in page
    r = client.post(f"/topics/{topic_id}/signoff/close", data={"csrf_token": csrf_from(page),
                                                               "publish": "1"})
    assert r.status_code == 303
    page = client.get(topic_url).get_data(as_text=True)
    assert page.count("Endorsed by 1 of 1 member organisation.") == 1
    assert "Endorsed by 0 of 1 member organisation." in page
    printable = client.get(f"/topics/{topic_id}/response")
    text = printable.get_data(as_text=True)
    assert printable.status_code == 200 and '<sup class="fn"><a href="#fn-1">[1]</a></sup>' in text
    assert "Annex: dissent" in text and "<bdi>A member organisation in the Midlands</bdi> objected" in text
    assert "Riverside Advice" not in text.split("<article", 1)[1]  # anonymised by default
    r = client.post(topic_url.replace(f"/topics/{topic_id}", f"/topics/{topic_id}/phase"),
                    data={"csrf_token": _token(client, topic_url), "phase": "submitted"})
    assert r.status_code == 303
    assert "Submitted" in client.get(topic_url).get_data(as_text=True)


def test_members_say_how_they_may_be_quoted_per_group_and_per_post(world, client):
    sign_in(client, "member")
    page = client.get("/profile").get_data(as_text=True)
    group = world.groups["public"]
    assert f'id="consent-{group.id}"' in page
    client.post("/profile/consent", data={"csrf_token": csrf_from(page),
                                          f"consent-{group.id}": "attributable"})
    page = client.get("/profile").get_data(as_text=True)
    assert re.search(rf'id="consent-{group.id}"[^>]*>\s*<option value="attributable" selected',
                     page)
    post = world.posts["public"].id
    page = client.get(f"/posts/{post}/edit").get_data(as_text=True)
    assert "How this post may be quoted" in page
    client.post(f"/posts/{post}/consent", data={"csrf_token": csrf_from(page),
                                                "level": "not_quoted"})
    page = client.get(f"/posts/{post}/edit").get_data(as_text=True)
    assert '<option value="not_quoted" selected>' in page


def test_site_admins_manage_organisations_on_a_page(world, client):
    sign_in(client, "admin")
    url = "/admin/organisations"
    client.post(url, data={"csrf_token": _token(client, url), "name": "Hill Carers",
                           "region": "Wales"})
    client.post(url, data={"csrf_token": _token(client, url), "username": "member",
                           "organisation_id": str(db.session.scalar(db.text(
                               "select id from organisations where name='Hill Carers'")))})
    page = client.get(url).get_data(as_text=True)
    assert ('<td dir="auto">Hill Carers</td><td dir="auto">Wales</td>' in page
            and '<td dir="auto">member</td>' in page)
    other = client.application.test_client()
    sign_in(other, "member")
    assert other.get(url).status_code == 403
