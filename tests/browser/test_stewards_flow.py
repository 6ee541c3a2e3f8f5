"""Stewards' work in a real browser, through the pages only (set-up data through the services):
a moderator clears a mixed queue, moves a thread, slows another until a set time, suspends a
member and lifts it; a facilitator cites five posts found with the editor's filters, compares
two versions, runs a sign-off in which an organisation changes its view, closes and publishes;
the members and log tables read properly at 320 px (screenshots in test-artifacts/)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid

from tests.browser.conftest import screenshot, sign_in
from tests.live.conftest import ROOT

PRELUDE = """
import json
from sqlalchemy import select
from forum import create_app
from forum.extensions import db
from forum.models import Organisation, User
from forum.services import (accounts, consent, groups, moderation, organisations, posts,
                            threads, topics)
app = create_app()
ctx = app.app_context()
ctx.push()
def person(name):
    return db.session.scalar(select(User).where(User.username == name))
admin = person("admin")
u = {n: person(n) for n in ("samir", "grace", "amina", "tomasz", "priya", "kwame")}
def new_group(slug, name):
    g = groups.create_group(admin, slug, name, "Set up for a browser test.", "public", "open")
    for n, role in (("samir", "facilitator"), ("grace", "moderator"), ("amina", "member"),
                    ("tomasz", "member"), ("priya", "member"), ("kwame", "member")):
        groups.set_member_role(admin, g, u[n], role)
    for n in ("amina", "tomasz"):
        consent.set_group_consent(u[n], g, "attributable")
    return g
out = {}
"""


def _setup(site, code: str, **values) -> dict:
    """Run `code` after PRELUDE in a child process on the site's database; it fills `out`."""
    script = PRELUDE + f"values = json.loads({json.dumps(json.dumps(values))})\n" + code + \
        "\nprint(json.dumps(out))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=site["env"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _local_input(page, days: int) -> str:
    """A `datetime-local` value `days` from now in the browser's own zone."""
    return page.evaluate(
        """(days) => { const d = new Date(Date.now() + days * 86400000);
             const p = (n) => String(n).padStart(2, "0");
             return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T` +
                    `${p(d.getHours())}:${p(d.getMinutes())}`; }""", days)


MODERATION_SETUP = """
g = new_group(values["slug"], "Stewards test " + values["mark"])
here = topics.create_topic(u["samir"], g, "Day services " + values["mark"], "Briefing.", "open")
there = topics.create_topic(u["samir"], g, "Transport " + values["mark"], "Briefing.", "open")
moving = threads.create_thread(u["amina"], here, "Buses to day centres " + values["mark"],
                               "The 42 bus no longer stops at the day centre.")
to_hide = posts.create_post(u["priya"], moving, "Buy cheap watches at example.test")
to_keep = posts.create_post(u["kwame"], moving, "Hackney runs a volunteer car scheme.")
moderation.flag_post(u["tomasz"], to_hide, "spam", "advert")
moderation.flag_post(u["amina"], to_keep, "off_topic")
slowed = threads.create_thread(u["tomasz"], here, "Heated words " + values["mark"],
                               "Opening of a heated thread.")
groups.update_group(admin, g, premoderate=True)
pending = posts.create_post(u["amina"], slowed, "Teh council should fund more places.")
groups.update_group(admin, g, premoderate=False)
out.update(slug=g.slug, here=here.id, there=there.id, moving=moving.id, slowed=slowed.id,
           to_hide=to_hide.id, to_keep=to_keep.id, pending=pending.id)
"""


def test_a_moderator_clears_the_queue_moves_slows_suspends_and_lifts(site, new_page):
    base = site["base"]
    mark = uuid.uuid4().hex[:6]
    ids = _setup(site, MODERATION_SETUP, slug=f"stewards-{mark}", mark=mark)
    slug = ids["slug"]
    grace = new_page()
    sign_in(grace, base, "grace")
    kwame = new_page()
    sign_in(kwame, base, "kwame")

    # The queue: oldest first, with counts by reason in words.
    grace.goto(f"{base}/groups/{slug}/moderation")
    counts = grace.locator("#queue-counts")
    assert "1 post awaiting approval" in counts.inner_text()
    assert "Spam: 1" in counts.inner_text() and "off_topic" not in counts.inner_text()
    order = grace.locator("article.queue-item").evaluate_all("(els) => els.map((e) => e.id)")
    assert order == [f"queue-post-{ids['to_hide']}", f"queue-post-{ids['to_keep']}",
                     f"queue-post-{ids['pending']}"]

    # Edit, then approve: the post is published with the edited words.
    item = grace.locator(f"#queue-post-{ids['pending']}")
    item.get_by_text("Edit, then approve").click()
    item.get_by_label("Text to publish").fill("The council should fund more places.")
    item.get_by_label("Reason for the edit (shown in the post’s history)").fill("Typo")
    item.get_by_role("button", name="Approve as edited").click()
    grace.get_by_text("Edited and approved.").wait_for()
    kwame.goto(f"{base}/threads/{ids['slowed']}")
    published = kwame.locator(f"#post-{ids['pending']}")
    assert "The council should fund more places." in published.inner_text()
    assert "Teh council" not in published.inner_text()

    # Hide one flagged post, dismiss the other flag: the queue is empty.
    grace.locator(f"#queue-post-{ids['to_hide']}").get_by_role(
        "button", name="Hide the post").click()
    grace.locator(f"#queue-post-{ids['to_hide']}").wait_for(state="detached")
    grace.locator(f"#queue-post-{ids['to_keep']}").get_by_role("button", name="Dismiss").click()
    grace.get_by_text("Nothing to review.").wait_for()
    kwame.goto(f"{base}/threads/{ids['moving']}")
    hidden = kwame.locator(f"#post-{ids['to_hide']}")
    assert "This post was hidden by a moderator." in hidden.inner_text()
    assert "cheap watches" not in hidden.inner_text()
    assert "volunteer car scheme" in kwame.locator(f"#post-{ids['to_keep']}").inner_text()

    # Move a thread to another topic, with a reason.
    grace.goto(f"{base}/threads/{ids['moving']}")
    grace.get_by_role("link", name="Move, slow, split or merge").click()
    grace.get_by_label("Destination").select_option(label=f"Stewards test {mark}: Transport {mark}")
    grace.get_by_label("Reason (kept in the moderation log)").first.fill("About transport")
    grace.get_by_role("button", name="Move the thread").click()
    grace.get_by_text(f"Moved to “Transport {mark}”.").wait_for()
    kwame.goto(f"{base}/topics/{ids['there']}")
    kwame.get_by_role("link", name=f"Buses to day centres {mark}").wait_for()
    kwame.goto(f"{base}/topics/{ids['here']}")
    assert kwame.get_by_role("link", name=f"Buses to day centres {mark}").count() == 0

    # Slow another thread until a set time: its author, who posted a moment ago, is told.
    grace.goto(f"{base}/threads/{ids['slowed']}/moderation")
    grace.get_by_label("One reply per member every").select_option(label="5 minutes")
    grace.get_by_label(re.compile("^Until \\(your time")).fill(_local_input(grace, 2))
    grace.get_by_role("button", name="Set slow mode").click()
    grace.locator("#slow-now", has_text="every 300 seconds, until").wait_for()
    tomasz = new_page()
    sign_in(tomasz, base, "tomasz")
    tomasz.goto(f"{base}/threads/{ids['slowed']}")
    tomasz.locator("#reply").get_by_text(
        "The group's moderators have slowed replies in this thread: you may post again in"
    ).wait_for()
    assert tomasz.get_by_role("button", name="Post reply").count() == 0

    # Suspend a member from the members page's duration picker, then lift it from the list.
    grace.goto(f"{base}/groups/{slug}/members")
    row = grace.locator("#members tr", has_text="@amina")
    row.get_by_label("For", exact=True).select_option(label="1 day")
    row.get_by_label("Reason (sent to the member)").fill("Cooling off")
    row.get_by_role("button", name="Suspend").click()
    grace.get_by_text("Suspended Amina K, Bradford Carers Network.").wait_for()
    grace.locator("#members tr", has_text="@amina").get_by_text("Suspended until").wait_for()
    amina = new_page()
    sign_in(amina, base, "amina")
    amina.goto(f"{base}/topics/{ids['here']}")
    amina.get_by_text(re.compile("You are suspended in this group until .*: you cannot start "
                                 "a thread")).wait_for()
    assert amina.get_by_role("button", name="Start thread").count() == 0

    grace.goto(f"{base}/groups/{slug}/suspensions")
    listed = grace.locator("#suspensions tr", has_text="Amina K")
    assert "Cooling off" in listed.inner_text()
    listed.get_by_role("button", name=re.compile("^Lift the suspension of Amina K")).click()
    grace.get_by_text("Lifted the suspension of Amina K, Bradford Carers Network.").wait_for()
    grace.get_by_text("Nobody is suspended in this group.").wait_for()
    amina.reload()
    amina.get_by_role("button", name="Start thread").wait_for()
    assert amina.get_by_text("You are suspended").count() == 0

    # The log says it all in words, with names.
    grace.goto(f"{base}/groups/{slug}/moderation/log")
    log = grace.locator("table").inner_text()
    for words in ("About transport", "Cooling off", "Grace O (Moderator)", "Amina K"):
        assert words in log, words
    assert "user #" not in log and "off_topic" not in log


SIGNOFF_SETUP = """
g = new_group(values["slug"], "Carers response " + values["mark"])
bradford = db.session.scalar(select(Organisation).where(
    Organisation.name == "Bradford Carers Network"))
hamza = accounts.create_user("hamza" + values["mark"], values["mark"] + "@example.org",
                             "live-password-1", display_name="Hamza R, Bradford Carers Network")
groups.set_member_role(admin, g, hamza, "member")
organisations.set_member_organisation(admin, hamza, bradford)
topic = topics.create_topic(u["samir"], g, "Reaching carers " + values["mark"], "Briefing.",
                            "open")
offline = threads.create_thread(u["amina"], topic, "Carers who are not online",
                                "Libraries and GP surgeries reach carers who are never online.")
radio = posts.create_post(u["tomasz"], offline,
                          "Polish carers listen to community radio on Sunday mornings.")
leaflets = posts.create_post(u["priya"], offline,
                             "Leaflets in maternity clinics worked for Leicester families.")
first = threads.create_thread(u["kwame"], topic, "What should come first",
                              "Respite breaks matter most to carers over seventy.")
transport = posts.create_post(u["amina"], first,
                              "Transport to appointments is the next need we hear about.")
posts.create_post(u["tomasz"], first, "Advice in Polish about benefits would help at once.")
out.update(topic=topic.id, hamza=hamza.username,
           cited=[offline.first_post.id, radio.id, leaflets.id, first.first_post.id, transport.id])
"""


def test_a_facilitator_cites_compares_runs_the_signoff_and_submits(site, new_page):
    base = site["base"]
    mark = uuid.uuid4().hex[:6]
    ids = _setup(site, SIGNOFF_SETUP, slug=f"response-{mark}", mark=mark)
    topic_url = f"{base}/topics/{ids['topic']}"
    samir = new_page()
    sign_in(samir, base, "samir")
    samir.goto(f"{topic_url}/summary/edit")
    box = samir.get_by_label("Summary", exact=True)

    def find_and_cite(words: str, author: str, post_id: int) -> None:
        samir.get_by_label("Words", exact=True).fill(words)
        samir.get_by_label("Author", exact=True).fill(author)
        samir.get_by_role("button", name="Find posts").click()
        found = samir.locator("ul.citable li")
        samir.wait_for_function(
            "(id) => { const items = document.querySelectorAll('ul.citable li');"
            " return items.length === 1 && items[0].id === 'citable-' + id; }", arg=post_id)
        assert found.count() == 1
        found.get_by_role("button", name="Cite").click()

    def write(text: str) -> None:
        box.evaluate("(b) => b.setSelectionRange(b.value.length, b.value.length)")
        box.press_sequentially(text)

    cited = ids["cited"]
    box.fill("Carers who are not online are reached through trusted places: libraries ")
    find_and_cite("libraries", "", cited[0])
    write(", community radio ")
    find_and_cite("radio", "Tomasz", cited[1])
    write(" and clinic leaflets ")
    find_and_cite("leaflets", "", cited[2])
    write(".\n\nRespite should come first ")
    find_and_cite("respite", "", cited[3])
    write(", then transport ")
    find_and_cite("transport", "Amina", cited[4])
    write(".")
    draft = box.input_value()
    assert all(f"[[post:{n}]]" in draft for n in cited), draft
    samir.get_by_role("button", name="Save version").click()
    samir.get_by_text("Saved as a new version.").wait_for()
    cited_list = samir.locator("h2#cited-heading + *")
    assert cited_list.locator("li").count() == 5
    assert "community radio" in cited_list.inner_text()  # the cited words, beside the link

    # A second version, then the difference between the two.
    box = samir.get_by_label("Summary", exact=True)
    box.fill(box.input_value().replace("Respite should come first", "Respite must come first"))
    samir.get_by_role("button", name="Save version").click()
    samir.get_by_text("Saved as a new version.").wait_for()
    samir.get_by_label("Compare the latest version with version").select_option("1")
    samir.get_by_role("button", name="Compare").click()
    samir.get_by_role("heading", name="What changed from version 1 to version 2").wait_for()
    diff = samir.locator("#diff")
    assert "must" in diff.locator("ins").all_inner_texts()
    assert "should" in diff.locator("del").all_inner_texts()
    screenshot(samir, "summary-version-diff")

    # Sign-off: Bradford endorses, then another of its members changes the view.
    samir.goto(f"{topic_url}/summary/edit")
    samir.get_by_role("button", name="Put to sign-off").click()
    samir.get_by_role("heading", name="Sign-off of the response").wait_for()
    signoff_url = samir.url
    amina = new_page()
    sign_in(amina, base, "amina")
    amina.goto(signoff_url)
    for number in (1, 2):
        amina.locator(f"[data-paragraph='{number}']").get_by_label(
            "Endorse", exact=True).check()
    amina.get_by_role("button", name="Record our views").click()
    amina.get_by_text("Your organisation's views on 2 paragraphs are recorded.").wait_for()
    hamza = new_page()
    sign_in(hamza, base, ids["hamza"], "live-password-1")
    hamza.goto(signoff_url)
    second = hamza.locator("[data-paragraph='2']")
    assert "Endorse" in second.locator("legend").inner_text()  # now: endorse, by Amina
    second.get_by_label("Object", exact=True).check()
    hamza.get_by_role("button", name="Record our views").click()
    hamza.locator("[data-paragraph='2'] .error").wait_for()  # an objection needs a reason
    second = hamza.locator("[data-paragraph='2']")
    assert second.get_by_label("Object", exact=True).is_checked()  # the choice is kept
    second.get_by_label("Reason (needed for an objection)").fill("Respite and transport "
                                                                  "are equal needs")
    hamza.get_by_role("button", name="Record our views").click()
    # Only the paragraph he changed is recorded; paragraph 1 stays Amina's endorsement.
    hamza.get_by_text("Your organisation's view on 1 paragraph is recorded.").wait_for()
    hamza.locator(".objection", has_text="Respite and transport are equal needs").wait_for()
    assert "by Amina K" in hamza.locator("[data-paragraph='1'] legend").inner_text()

    samir.goto(signoff_url)
    history = samir.locator("#vote-history tbody tr")
    assert history.count() == 3
    change = history.nth(2).inner_text()
    assert "Hamza R" in change and "Bradford Carers Network" in change
    assert re.search(r"Endorse\s+Object: Respite and transport are equal needs", change), change
    screenshot(samir, "signoff-vote-history")
    samir.get_by_role("button", name="Close sign-off").click()
    samir.get_by_text("Sign-off closed.").wait_for()
    samir.goto(topic_url)
    samir.locator("#topic-phase", has_text="Submitted").wait_for()
    samir.locator("#summary", has_text="Respite must come first").wait_for()


TABLES_SETUP = """
from datetime import UTC, datetime, timedelta
g = new_group(values["slug"], "Narrow screens " + values["mark"])
topic = topics.create_topic(u["samir"], g, "Interpreting budgets " + values["mark"], "Briefing.",
                            "open")
thread = threads.create_thread(u["amina"], topic, "Budgets", "Telephone interpreting breaks down.")
reply = posts.create_post(u["priya"], thread, "Unrelated advertisement")
flag = moderation.flag_post(u["tomasz"], reply, "off_topic", "not about interpreting")
moderation.resolve_flag(u["grace"], flag, "hide")
threads.update_thread(u["grace"], thread, slow_mode_seconds=300,
                      slow_mode_until=datetime.now(UTC) + timedelta(days=1))
moderation.suspend_member(u["grace"], g, u["kwame"], datetime.now(UTC) + timedelta(days=3),
                          "Repeated personal remarks after two warnings")
out.update(slug=g.slug)
"""

CRAMPED_CELLS = """() => Array.from(document.querySelectorAll("table td, table th"))
    .filter((cell) => cell.offsetParent !== null && cell.scrollWidth > cell.clientWidth + 1)
    .map((cell) => cell.getAttribute("data-label") + ": " + cell.textContent.trim().slice(0, 60)
                   + " (" + cell.scrollWidth + " > " + cell.clientWidth + ")")"""


def test_members_and_log_tables_read_properly_at_320px(site, new_page):
    from axe_playwright_python.sync_playwright import Axe

    base = site["base"]
    mark = uuid.uuid4().hex[:6]
    slug = _setup(site, TABLES_SETUP, slug=f"narrow-{mark}", mark=mark)["slug"]
    page = new_page(width=320)
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, base, "grace")
    for path, name in ((f"/groups/{slug}/members", "members-320px"),
                       (f"/groups/{slug}/moderation/log", "moderation-log-320px")):
        page.goto(base + path)
        page.locator("table tbody tr").first.wait_for()
        screenshot(page, name)
        assert page.evaluate(CRAMPED_CELLS) == [], name
        assert page.evaluate("document.documentElement.scrollWidth") <= 330, name
        violations = Axe().run(page).response["violations"]
        assert violations == [], "\n".join(
            f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})"
            for v in violations)
