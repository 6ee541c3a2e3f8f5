"""Real-browser scenarios: live updates, moderation, summaries, keyboard use, no-JS use, axe."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot, sign_in


def _thread_url(page) -> str:
    return re.sub(r"[?#].*$", "", page.url)


def test_member_joins_starts_a_thread_and_another_reader_sees_replies_live(site, new_page):
    base = site["base"]
    alice = new_page()
    sign_in(alice, base, "visitor", "live-password-1")
    alice.goto(f"{base}/groups/health-strategy")
    alice.get_by_role("button", name="Join this group").click()
    alice.get_by_text("Welcome to the group.").wait_for()
    alice.get_by_role("link", name=re.compile("Consultation: access to interpreting")).click()
    alice.get_by_label("Title").fill("Live thread from the browser")
    alice.get_by_label("Opening post").fill("Opening words")
    alice.get_by_role("button", name="Start thread").click()
    alice.get_by_role("heading", name="Live thread from the browser").wait_for()
    thread_url = _thread_url(alice)

    bob = new_page()
    sign_in(bob, base, "amina")
    bob.goto(thread_url)
    # Presence shows both readers; typing is announced to the other.
    bob.locator("#presence").filter(has_text="visitor").wait_for()
    alice.get_by_label("Your reply").fill("typing something")
    bob.locator("#typing").filter(has_text="visitor is typing").wait_for()
    alice.get_by_role("button", name="Post reply").click()
    live_post = bob.locator("article.post", has_text="typing something")
    live_post.wait_for()
    # The reader's own controls come with the live post: the server's, copied from a template.
    live_post.get_by_role("link", name="Reply").wait_for()
    post_id = live_post.get_attribute("id").split("-")[1]
    assert live_post.locator(f"button[formaction='/posts/{post_id}/react/agree']").count() == 1
    assert live_post.get_by_role("link", name="Flag").count() == 1
    screenshot(bob, "thread-live")

    # A moderator hides the reply: it collapses for the reader without a reload.
    moderator = new_page()
    sign_in(moderator, base, "grace")
    moderator.goto(thread_url)
    article = moderator.locator("article.post", has_text="typing something")
    article.get_by_label("Reason for hiding").fill("test")
    article.get_by_role("button", name="Hide").click()
    bob.locator("article.post.hidden", has_text="This post was hidden by a moderator.").wait_for()
    assert bob.locator("article.post", has_text="typing something").count() == 0


def test_facilitator_previews_cites_publishes_and_downloads_the_report(site, new_page):
    base = site["base"]
    page = new_page()
    sign_in(page, base, "samir")
    page.goto(f"{base}/topics/1/summary/edit")
    box = page.get_by_label("Summary", exact=True)
    box.fill("Members asked for face-to-face interpreting ")
    page.locator("button.cite").first.click()
    assert "[[post:" in box.input_value()
    page.get_by_role("button", name="Preview").click()
    page.locator(".preview a.post-ref").first.wait_for()
    screenshot(page, "summary-editor")
    page.get_by_label("Publish now (members are notified)").check()
    page.get_by_role("button", name="Save version").click()
    page.get_by_text("Saved as a new version.").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download report (CSV, for spreadsheets)").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.goto(f"{base}/topics/1")
    page.locator("#summary", has_text="Members asked for face-to-face interpreting").wait_for()


def test_new_summary_banner_appears_on_an_open_topic_page(site, new_page):
    base = site["base"]
    reader = new_page()
    sign_in(reader, base, "priya")
    reader.goto(f"{base}/topics/2")
    reader.wait_for_timeout(500)
    writer = new_page()
    sign_in(writer, base, "samir")
    writer.goto(f"{base}/topics/2/summary/edit")
    writer.get_by_label("Summary", exact=True).fill("Carers told us about outreach.")
    writer.get_by_label("Publish now (members are notified)").check()
    writer.get_by_role("button", name="Save version").click()
    reader.locator("#summary-banner", has_text="new summary").wait_for()


def test_keyboard_only_reply(site, new_page):
    base = site["base"]
    page = new_page()
    sign_in(page, base, "tomasz")
    page.goto(f"{base}/threads/1")
    page.locator("#body").focus()
    page.keyboard.type("Replying with the keyboard only")
    page.keyboard.press("Tab")  # Preview
    page.keyboard.press("Tab")  # Post reply
    page.keyboard.press("Enter")
    page.locator("article.post", has_text="Replying with the keyboard only").wait_for()


def test_without_javascript_a_member_reads_posts_reacts_and_flags(site, new_page):
    base = site["base"]
    page = new_page(javascript=False, width=320)
    sign_in(page, base, "kwame")
    page.goto(f"{base}/threads/1")
    page.get_by_label("Your reply").fill("No JavaScript here")
    page.get_by_role("button", name="Post reply").click()
    post = page.locator("article.post", has_text="No JavaScript here")
    post.wait_for()
    first = page.locator("article.post").first
    first.get_by_role("button", name=re.compile("^Thanks")).click()
    page.locator("article.post").first.locator("button[aria-pressed=true]").first.wait_for()
    page.locator("article.post").first.get_by_role("link", name="Flag").click()
    page.get_by_role("button", name="Send to moderators").click()
    page.get_by_text("the moderators will look at this post").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 330  # no sideways scroll
    screenshot(page, "thread-320px-no-js")


@pytest.mark.parametrize("path,who", [
    ("/", None), ("/login", None), ("/groups/health-strategy", None), ("/topics/1", None),
    ("/threads/1", "amina"), ("/search?q=interpreting", None), ("/notifications", "amina"),
    ("/groups/health-strategy/moderation", "grace"), ("/topics/1/summary/edit", "samir"),
    ("/groups/health-strategy/members", "grace"), ("/profile", "amina"), ("/tokens", "amina"),
    ("/admin", "admin"), ("/signup", None), ("/password/forgot", None),
    ("/topics/2", "samir"), ("/topics/1/response", None), ("/admin/organisations", "admin"),
    ("/posts/1/edit", "amina"),
])
def test_axe_finds_no_violations(site, new_page, path, who):
    from axe_playwright_python.sync_playwright import Axe

    base = site["base"]
    page = new_page()
    if who:
        sign_in(page, base, who)
    page.goto(base + path)
    results = Axe().run(page)
    violations = results.response["violations"]
    assert violations == [], "\n".join(
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in violations)
