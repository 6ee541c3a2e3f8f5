"""Every member in their own language (#18), in a real browser: an Urdu reader's day right to
left, a Polish visitor's footer switcher, a Bengali briefing read first."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.support import Translations

from tests.browser.conftest import ARTIFACTS
from tests.live.conftest import ROOT, make_users

CATALOGUES = Path(ROOT) / "forum" / "translations"
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def _say(code: str, msgid: str) -> str:
    return Translations.load(str(CATALOGUES), [code]).gettext(msgid)


def _run(env: dict, code: str, *args) -> dict:
    """Python in the site's own app context (a child process, like make_users)."""
    script = ("import json, sys\nfrom forum import create_app\napp = create_app()\n"
              "with app.app_context():\n" + "\n".join("    " + line for line in code.splitlines())
              + "\n")
    done = subprocess.run([sys.executable, "-c", script, *map(json.dumps, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def readers(site):
    """An Urdu and a Bengali member of health-strategy, their accounts in their languages."""
    make_users(site["env"], {"ayesha": False, "rahim": False})
    _run(site["env"], """\
from forum.extensions import db
from forum.models import Group, User
from forum.services import accounts, groups
from sqlalchemy import select
health = db.session.scalar(select(Group).where(Group.slug == "health-strategy"))
for name, code in (("ayesha", "ur"), ("rahim", "bn")):
    user = db.session.scalar(select(User).where(User.username == name))
    accounts.update_profile(user, locale=code)
    groups.join_group(user, health)
print(json.dumps({}))""")
    return {"password": "live-password-1"}


def _context(browser, locale: str, javascript: bool = True):
    context = browser.new_context(locale=locale, java_script_enabled=javascript,
                                  viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _sign_in(page, base, username, password):
    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/")


def _axe_clean(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    assert violations == [], "\n".join(
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in violations)


def _right_to_left(page) -> None:
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ur"
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"


def test_urdu_reader_signs_in_reads_replies_and_reads_mail_in_urdu_right_to_left(
        site, browser, readers):
    base = site["base"]
    context, page = _context(browser, "ur")
    try:
        page.goto(f"{base}/login")
        _right_to_left(page)
        _sign_in(page, base, "ayesha", readers["password"])
        _right_to_left(page)
        page.goto(f"{base}/threads/1")
        _right_to_left(page)
        assert page.get_by_role("button", name=_say("ur", "Post reply")).count() == 1
        _axe_clean(page)
        page.screenshot(path=str(ARTIFACTS / "urdu-thread-rtl.png"), full_page=True)
        page.locator("#body").fill("ترجمانی کی سہولت ضروری ہے۔ Telephone is not enough.")
        page.get_by_role("button", name=_say("ur", "Post reply")).click()
        page.locator("article.post", has_text="ترجمانی کی سہولت ضروری ہے").wait_for()
        _right_to_left(page)

        # Someone mentions her: the mail queued for her is written in Urdu.
        mail = _run(site["env"], """\
from forum.extensions import db
from forum.models import OutgoingMail, Thread, User
from forum.services import posts
from sqlalchemy import select
samir = db.session.scalar(select(User).where(User.username == "samir"))
ayesha = db.session.scalar(select(User).where(User.username == "ayesha"))
posts.create_post(samir, db.session.get(Thread, 1), "Thank you @ayesha, noted.")
db.session.remove()
row = db.session.scalar(select(OutgoingMail).where(OutgoingMail.user_id == ayesha.id)
                        .order_by(OutgoingMail.id.desc()).limit(1))
print(json.dumps({"subject": row.subject, "body": row.body}))""")
        greeting = _say("ur", "Hello %(name)s,").split("%(name)s")[0].strip()
        assert greeting and greeting in mail["body"] and ARABIC_SCRIPT.search(mail["subject"])
        assert "Hello" not in mail["body"]
        page.set_content(
            '<!doctype html><html lang="ur" dir="rtl"><head><meta charset="utf-8">'
            "<title>mail</title></head><body><main><h1></h1><pre></pre></main></body></html>")
        page.locator("h1").evaluate("(el, text) => el.textContent = text", mail["subject"])
        page.locator("pre").evaluate("(el, text) => el.textContent = text", mail["body"])
        _right_to_left(page)
        page.screenshot(path=str(ARTIFACTS / "urdu-mail-rtl.png"), full_page=True)
    finally:
        context.close()


def test_polish_visitor_switches_language_from_the_footer_without_script(site, browser):
    context, page = _context(browser, "en-GB", javascript=False)
    try:
        page.goto(site["base"] + "/")
        assert page.get_attribute("html", "lang") == "en-GB"
        page.locator("#footer-locale").select_option("pl")
        page.locator("footer form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == "pl"
        assert page.get_attribute("html", "dir") == "ltr"
        label = page.locator("label[for=footer-locale]").inner_text().strip()
        assert label == _say("pl", "Language") != "Language"
        page.goto(site["base"] + "/groups/health-strategy")
        assert page.get_attribute("html", "lang") == "pl"
    finally:
        context.close()


def test_facilitator_adds_a_bengali_briefing_and_a_bengali_reader_sees_it_first(
        site, browser, readers):
    base = site["base"]
    context, page = _context(browser, "en-GB")
    try:
        _sign_in(page, base, "samir", "working-groups-demo")
        page.goto(f"{base}/topics/2")
        page.get_by_role("link", name="Versions in other languages").click()
        page.locator("#kind").select_option("briefing")
        page.locator("#locale").select_option("bn")
        page.locator("#body").fill("এই পরামর্শ **কেয়ারারদের** কৌশল নিয়ে।")
        page.get_by_role("button", name="Save version").click()
        page.locator("#briefing .body[lang=bn]").wait_for()
    finally:
        context.close()
    for how in ("accept-language", "account"):
        context, page = _context(browser, "bn" if how == "accept-language" else "en-GB")
        try:
            if how == "account":
                _sign_in(page, base, "rahim", readers["password"])
            page.goto(f"{base}/topics/2")
            version = page.locator("#briefing .body").first
            assert version.get_attribute("lang") == "bn"
            assert "কেয়ারারদের" in version.inner_text()
            _axe_clean(page)
            page.locator("#briefing a[href*='original=1']").first.click()
            page.wait_for_url(re.compile(r"original=1"))
            original = page.locator("#briefing .body").first
            assert original.get_attribute("lang") is None
            assert "কেয়ারারদের" not in original.inner_text()
            assert page.locator("#briefing a[href*='version=bn']").count() == 1
            if how == "account":
                page.screenshot(path=str(ARTIFACTS / "bengali-briefing-original.png"),
                                full_page=True)
        finally:
            context.close()
