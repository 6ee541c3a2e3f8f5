"""Real browser (issue 20): a facilitator adds a briefing PDF and arranges an event; a member
answers, downloads the briefing and the event's .ics."""

from __future__ import annotations

import re
from pathlib import Path

from icalendar import Calendar

from tests.browser.conftest import screenshot, sign_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_member_answers_an_event_and_downloads_the_briefing_and_the_ics(site, new_page,
                                                                         tmp_path):
    base = site["base"]
    fac = new_page()
    sign_in(fac, base, "samir")
    fac.goto(f"{base}/groups/health-strategy")
    fac.get_by_role("link", name=re.compile("Carers' strategy refresh")).click()
    topic_url = re.sub(r"[?#].*$", "", fac.url)
    briefing = tmp_path / "carers-briefing.pdf"
    briefing.write_bytes(PDF)
    fac.locator("#topic-file").set_input_files(str(briefing))
    fac.get_by_role("button", name="Upload").click()
    fac.get_by_text("Added to the briefing pack.").wait_for()
    fac.locator("summary", has_text="Arrange an event").click()
    fac.get_by_label("Title").first.fill("Carers' listening session")
    fac.locator("#event-starts").fill("2030-03-04T10:00")
    fac.locator("#event-ends").fill("2030-03-04T12:30")
    fac.get_by_label("Place", exact=True).fill("Bradford Central Library")
    fac.get_by_label("Places (empty: no limit)").fill("20")
    fac.get_by_role("button", name="Arrange event").click()
    fac.get_by_role("heading", name="Carers' listening session").wait_for()

    member = new_page(javascript=False)  # plain forms: no script needed
    sign_in(member, base, "amina")
    member.goto(topic_url)
    row = member.locator("#documents tr", has_text="carers-briefing.pdf")
    assert "PDF" in row.inner_text()
    event = member.locator("#events li", has_text="Carers' listening session")
    event.get_by_role("button", name="Going", exact=True).click()
    member.get_by_text("You are going.").first.wait_for()
    with member.expect_download() as pdf_download:
        member.locator("#documents").get_by_role("link", name="carers-briefing.pdf").click()
    assert Path(pdf_download.value.path()).read_bytes() == PDF
    member.locator("#events").get_by_role("link", name="Carers' listening session").click()
    member.get_by_text("1 going of 20 places").wait_for()
    screenshot(member, "event-page")
    with member.expect_download() as ics_download:
        member.get_by_role("link", name="Add to my calendar (.ics)").click()
    calendar = Calendar.from_ical(Path(ics_download.value.path()).read_bytes())
    (item,) = calendar.walk("VEVENT")
    assert item.decoded("dtstart").strftime("%Y-%m-%dT%H:%MZ") == "2030-03-04T10:00Z"
    assert str(item["location"]) == "Bradford Central Library"
