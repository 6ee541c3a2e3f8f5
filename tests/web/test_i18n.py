"""Every visible word passes through the catalogue: pages and mail rendered in a pseudo-locale
show no plain English; every catalogue compiles; API errors follow Accept-Language."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from forum import i18n
from forum.extensions import db
from tests.i18n_pseudo import build
from tests.web.test_auth import sign_in

TRANSLATIONS = Path(__file__).resolve().parents[2] / "forum" / "translations"
HEADERS = {"Accept-Language": i18n.PSEUDO}


def pseudo_headers() -> dict:
    return dict(HEADERS)  # a fresh dict: the API helper adds Authorization to what it is given
URL = re.compile(r"(https?://|/)[^\s]*")
SKIP_TAGS = {"script", "style", "template", "code", "time", "bdi", "textarea", "pre", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@pytest.fixture(scope="session")
def pseudo_dir(tmp_path_factory):
    return build(tmp_path_factory.mktemp("pseudo"))


@pytest.fixture
def pseudo(app, pseudo_dir):
    """The app also speaks the pseudo-locale for this test."""
    babel = app.extensions["babel"]
    directory = str(pseudo_dir)
    babel.translation_directories.append(directory)
    app.config["I18N_PSEUDO_DIR"] = directory
    yield
    babel.translation_directories.remove(directory)
    app.config.pop("I18N_PSEUDO_DIR", None)


class Visible(HTMLParser):
    """Text a reader sees, outside user content (dir=auto, <bdi>, post bodies), code, times
    and untranslatable choices (translate=no)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        a = dict(attrs)
        inside = bool(self.stack) and self.stack[-1][1]
        skip = (inside or tag in SKIP_TAGS or a.get("dir") == "auto"
                or a.get("translate") == "no" or "body" in (a.get("class") or "").split())
        self.stack.append((tag, skip))
        if not skip and a.get("aria-label"):
            self.texts.append(a["aria-label"])

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not (bool(self.stack) and self.stack[-1][1]) and data.strip():
            self.texts.append(data)


def user_strings() -> list[str]:
    """What members wrote or chose (names, titles, organisations): shown as it is."""
    from forum.models import Group, Organisation, Post, Thread, Topic, User

    values: set[str] = set()
    for column in (User.display_name, User.email, Group.name, Group.description, Topic.title,
                   Thread.title, Organisation.name, Organisation.region, Post.body_markdown):
        values.update(v for v in db.session.scalars(db.select(column)) if v)
    db.session.remove()
    return sorted(values, key=len, reverse=True)


def leftovers(text: str, known: list[str]) -> list[str]:
    """Runs of plain ASCII letters left once URLs, @handles and members' words are removed:
    pseudo-translated text has none."""
    found = []
    for line in text.splitlines():
        line = html.unescape(line)
        for value in known:
            line = line.replace(value, " ")
        line = URL.sub(" ", line)
        line = re.sub(r"@\w+|#\d+|\b\d+\b", " ", line)
        if re.search(r"[A-Za-z]{2,}", line):
            found.append(line.strip())
    return found


def untranslated_on(page: str, known: list[str]) -> list[str]:
    parser = Visible()
    parser.feed(page)
    out = []
    for text in parser.texts:
        out += leftovers(text, known)
    return out


def pages(world) -> list[tuple[str | None, str]]:
    public = world.groups["public"].slug
    topic, thread = world.topics["public"].id, world.threads["public"].id
    post = world.posts["public"].id
    return [
        (None, "/"), (None, "/login"), (None, "/signup"), (None, "/password/forgot"),
        (None, f"/groups/{public}"), (None, f"/threads/{thread}"), (None, "/nowhere"),
        ("member", "/"), ("member", f"/groups/{public}"), ("member", f"/groups/{public}/members"),
        ("member", f"/topics/{topic}"), ("member", f"/threads/{thread}"),
        ("member", "/search?q=public"), ("member", "/notifications"), ("member", "/profile"),
        ("member", "/tokens"), ("member", "/invitations"), ("member", f"/posts/{post}/edit"),
        ("member", f"/posts/{post}/history"),
        ("moderator", f"/groups/{public}/moderation"),
        ("moderator", f"/groups/{public}/moderation/log"),
        ("moderator", f"/groups/{public}/members"), ("moderator", f"/threads/{thread}"),
        ("facilitator", f"/topics/{topic}"), ("facilitator", f"/topics/{topic}/edit"),
        ("facilitator", f"/topics/{topic}/summary/edit"),
        ("facilitator", f"/topics/{topic}/signoff"), ("facilitator", f"/topics/{topic}/response"),
        ("facilitator", f"/groups/{public}/topics/new"),
        ("admin", "/admin"), ("admin", "/admin/organisations"),
    ]


def _activity(world, api):
    """Something on every page: a reply and a mention for the member, a flag to moderate,
    a published summary."""
    thread, post = world.threads["public"].id, world.posts["public"].id
    api.post(f"/threads/{thread}/posts", world.tokens["facilitator"],
             json={"body": "A reply for @member", "reply_to": post})
    api.post(f"/posts/{post}/flags", world.tokens["moderator"], json={"reason": "spam"})
    api.post(f"/topics/{world.topics['public'].id}/summary", world.tokens["facilitator"],
             json={"body": "We agreed.", "publish": True})


def test_every_main_page_is_pseudo_translated(world, app, pseudo, api):
    _activity(world, api)
    known = user_strings()
    clients = {}
    problems = {}
    for persona, path in pages(world):
        if persona not in clients:
            clients[persona] = app.test_client()
            if persona:
                sign_in(clients[persona], persona)
        page = clients[persona].get(path, headers=pseudo_headers()).get_data(as_text=True)
        assert 'lang="en-XA"' in page, path
        missed = untranslated_on(page, known)
        if missed:
            problems[f"{persona or 'visitor'} {path}"] = sorted(set(missed))[:15]
    assert not problems, "\n".join(f"{where}: {missed}" for where, missed in problems.items())


def test_every_mail_is_pseudo_translated_in_the_recipients_language(world, app, pseudo, api):
    from forum.models import OutgoingMail, User
    from forum.services import mail

    for user in db.session.scalars(db.select(User)):
        user.locale = i18n.PSEUDO  # the recipients' own language, whoever acts
    db.session.execute(db.delete(OutgoingMail))  # the world's own mail was in en-GB
    db.session.commit()
    # immediate notification mail (a reply), a digest, an invitation, e-mail change, reset
    api.patch("/me/mail-preferences", world.tokens["member"], json={"reply": "immediate",
                                                                   "mention": "digest"})
    _activity(world, api)
    mail.queue_digests()
    api.post("/me/email", world.tokens["member"], json={"email": "new@example.org"})
    from forum.services import accounts, invitations, queries

    accounts.request_password_reset("member")
    group = queries.get_group(world.groups["public"].slug, world.users["moderator"])
    invitations.invite(world.users["moderator"], group, username="outsider", role="member")
    known = user_strings()
    mails = list(db.session.scalars(db.select(OutgoingMail)))
    assert len(mails) >= 4
    problems = {}
    for m in mails:
        missed = leftovers(m.subject, known) + leftovers(m.body, known)
        if m.user_id is None:  # to an address: en-GB until the person chooses
            continue
        if missed:
            problems[m.subject] = missed
    assert not problems, problems


def test_api_errors_follow_accept_language_and_keep_their_code(world, app, pseudo, api):
    r = api.get("/threads/999999", headers=pseudo_headers())
    assert r.status_code == 404
    error = r.get_json()["error"]
    assert error["code"] == "not_found" and error["message"].startswith("[!! ")
    r = api.patch("/me", world.tokens["member"], json={"locale": "xx"}, headers=pseudo_headers())
    error = r.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"]["locale"].startswith("[!! ")
    english = api.get("/threads/999999").get_json()["error"]
    assert english["code"] == "not_found" and not english["message"].startswith("[!!")


def test_every_catalogue_compiles(tmp_path):
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parts[-3])
        # fuzzy entries are suggestions, never compiled: only checked ones must be right
        errors = [(m.id, err) for m, err in catalog.check() if not m.fuzzy]
        assert not errors, (po, errors[:5])
        with (tmp_path / "messages.mo").open("wb") as f:
            write_mo(f, catalog)


LANGUAGES = [language.code for language in i18n.LANGUAGES if language.code != i18n.DEFAULT]


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_catalogue_is_fully_translated(code):
    po = TRANSLATIONS / code.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and (not m.string or (
        m.pluralizable and not all(m.string)) or m.fuzzy)]
    assert not missing, f"{len(missing)} of {len(catalog)} messages untranslated in {code}"


def test_an_english_page_downloads_no_fonts_and_the_language_parts_stay_small(client):
    """Script-aware font stacks name installed fonts only; the footer switcher adds well under
    the 5 KB an English reader may be asked to carry (the live script's words are fetched only
    by pages that speak live)."""
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "forum.css").read_text()
    assert "@font-face" not in css and ".woff" not in css
    physical = re.findall(r"(?:margin|padding|border)-(?:left|right)|(?<![\w-])(?:left|right)\s*:"
                          r"|(?:text-align|float)\s*:\s*(?:left|right)", css)
    assert not physical, physical  # logical properties turn with the page (rtl)
    page = client.get("/").get_data(as_text=True)
    footer = page[page.index("<footer"):page.index("</footer>")]
    assert len(footer.encode()) < 2000 and "ui-strings" not in page


def test_live_script_words_come_from_the_catalogue(world, app, pseudo, client):
    r = client.get("/ui-strings.json", headers=pseudo_headers())
    strings = r.get_json()
    assert strings["new_post"].startswith("[!! ") and "{name}" in strings["new_post"]
    assert set(strings["phases"]) == {"discussion", "drafting", "signoff", "submitted"}
    assert "Accept-Language" in r.headers["Vary"]
