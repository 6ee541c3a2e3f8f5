"""In a real browser: a facilitator takes a topic from open questions to a signed-off, exported
response; sign-off tallies reach a watching member live."""

from __future__ import annotations

import re

from tests.browser.conftest import screenshot, sign_in


def test_from_questions_to_a_signed_off_printable_response(site, new_page):
    base = site["base"]
    samir = new_page()
    sign_in(samir, base, "samir")
    samir.goto(f"{base}/groups/health-strategy/topics/new")
    samir.get_by_label("Title").fill("Social care workforce: call for evidence")
    samir.get_by_label("Briefing").fill("The Department asks how to grow the care workforce.")
    samir.get_by_label(re.compile("^Consultation questions")).fill(
        "1. What stops people joining care work?\n2. What would keep them?")
    samir.get_by_role("button", name="Save").click()
    samir.get_by_role("heading", name="Consultation questions").wait_for()
    topic_url = samir.url

    amina = new_page()
    sign_in(amina, base, "amina")
    amina.goto(topic_url)
    amina.get_by_label("Title").fill("Pay is the barrier")
    amina.get_by_label("Which question does it answer?").select_option(
        label="1. What stops people joining care work?")
    amina.get_by_label("Opening post").fill("Carers in Bradford earn less than in retail.")
    amina.get_by_role("button", name="Start thread").click()
    first_post = amina.locator("article.post").first.get_attribute("id").split("-")[1]

    samir.goto(f"{topic_url}/summary/edit")
    samir.locator("aside", has_text="Not cited yet").get_by_text(
        "Question 2: What would keep them?").wait_for()
    samir.get_by_label("Summary", exact=True).fill(
        f"Pay is the first barrier [[post:{first_post}]].\n\nTraining should be free.")
    samir.get_by_role("button", name="Save version").click()
    samir.get_by_text("Saved as a new version.").wait_for()
    samir.get_by_role("button", name="Put to sign-off").click()
    samir.get_by_role("heading", name="Sign-off of the response").wait_for()
    signoff_url = samir.url

    # Amina watches the sign-off; Priya's organisation endorses paragraph 1 on her own page.
    amina.goto(signoff_url)
    tally = amina.locator("[data-paragraph='1'] .count-endorse")
    assert tally.text_content() == "0"
    amina.wait_for_timeout(300)  # the socket subscribes to the topic room
    priya = new_page()
    sign_in(priya, base, "priya")
    priya.goto(signoff_url)
    paragraph = priya.locator("[data-paragraph='1']")
    paragraph.get_by_label("Endorse", exact=True).check()
    priya.get_by_role("button", name="Record our views").click()  # one form for every paragraph
    priya.get_by_text("Your organisation's view on 1 paragraph is recorded.").wait_for()
    amina.locator("[data-paragraph='1'] .count-endorse", has_text="1").wait_for()
    # Amina's organisation objects to paragraph 2, opening a thread about it.
    second = amina.locator("[data-paragraph='2']")
    second.get_by_label("Object", exact=True).check()
    second.get_by_label("Reason (needed for an objection)").fill("Free training is not enough")
    second.get_by_label("Open a thread about my objection").check()
    amina.get_by_role("button", name="Record our views").click()
    amina.locator(".objection", has_text="Free training is not enough").wait_for()
    screenshot(amina, "signoff")

    samir.goto(signoff_url)
    samir.get_by_role("button", name="Close sign-off").click()  # publishes and submits
    samir.get_by_text("Sign-off closed.").wait_for()
    samir.get_by_role("heading", name="Every view, as cast and changed").wait_for()
    samir.goto(topic_url)
    samir.locator("#topic-phase", has_text="Submitted").wait_for()  # moved on by itself
    samir.get_by_text("Endorsed by 1 of 4 member organisations.").wait_for()
    samir.get_by_role("link", name="Printable response").click()
    samir.get_by_role("heading", name="Annex: dissent").wait_for()
    text = samir.locator("article.response").inner_text()
    assert "Bradford Carers Network objected: Free training is not enough" in text
    assert "Amina K, Bradford Carers Network (Bradford Carers Network)" in text  # attributable
    samir.emulate_media(media="print")
    assert samir.locator("header.site").is_hidden()
    screenshot(samir, "printable-response")
