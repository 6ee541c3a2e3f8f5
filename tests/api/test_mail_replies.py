"""Taking part by e-mail: real RFC 5322 messages through `flask mail receive` and the SMTP
listener become posts (only the new words), or are refused with one explanation to the token's
person, or dropped in silence; duplicates post once; an outage asks the MTA to retry."""

from __future__ import annotations

import email
import email.policy
import os
import smtplib
import socket
import subprocess
import sys
import uuid
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import InboundMail, OutgoingMail, Post, User, utcnow
from forum.services import mail as mail_service
from forum.services import reply_tokens
from tests import factories as f

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "forum.example.org"


@pytest.fixture
def replies_on(app):
    app.config["MAIL_REPLY_DOMAIN"] = DOMAIN
    yield app
    app.config["MAIL_REPLY_DOMAIN"] = None


def address_for(user, thread, kind="thread", issued=None) -> str:
    token = reply_tokens.make_token(kind, user.id, thread.id, issued)
    return f"reply+{token}@{DOMAIN}"


def letter(name: str, reply_to: str, from_address: str = "member@example.org",
           message_id: str | None = None, extra_headers: bytes = b"") -> bytes:
    raw = (FIXTURES / name).read_bytes()
    message_id = message_id or f"<{uuid.uuid4().hex}@mail.example.net>"
    raw = (raw.replace(b"{{REPLY_TO}}", reply_to.encode())
           .replace(b"{{FROM_ADDRESS}}", from_address.encode())
           .replace(b"{{MESSAGE_ID}}", message_id.encode()))
    return extra_headers + raw


def plain_letter(reply_to: str, body: str = "A reply sent by mail.",
                 from_address: str = "member@example.org", headers: dict | None = None,
                 message_id: str | None = None) -> bytes:
    lines = {"From": f"Member <{from_address}>", "To": reply_to, "Subject": "Re: thread",
             "Message-ID": message_id or f"<{uuid.uuid4().hex}@mail.example.net>",
             "Date": "Fri, 5 Jan 2024 10:12:31 +0100", "MIME-Version": "1.0",
             "Content-Type": "text/plain; charset=utf-8", **(headers or {})}
    head = "".join(f"{k}: {v}\r\n" for k, v in lines.items() if v is not None)
    return (head + "\r\n" + body.replace("\n", "\r\n") + "\r\n").encode("utf-8")


def receive(app, raw: bytes, *args: str):
    result = app.test_cli_runner().invoke(args=["mail", "receive", *args], input=raw)
    db.session.remove()  # read what the command committed, not this session's snapshot
    return result


def posts_in(thread) -> list[Post]:
    db.session.commit()  # end this session's read snapshot: see what the doors committed
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id)
                                   .order_by(Post.id)))


def outbox_to(address: str) -> list[OutgoingMail]:
    db.session.commit()
    return list(db.session.scalars(select(OutgoingMail).where(
        func.lower(OutgoingMail.to_address) == address.lower()).order_by(OutgoingMail.id)))


def answers(user_id: int) -> list[OutgoingMail]:
    """Explanations and confirmations: mail answering a received mail."""
    db.session.commit()
    return list(db.session.scalars(select(OutgoingMail).where(
        OutgoingMail.user_id == user_id, OutgoingMail.in_reply_to.is_not(None))))


def _member(world):
    return db.session.get(User, world.users["member"].id)


# --- reply addresses in the mail we send ------------------------------------------------------

def test_notification_mail_carries_a_reply_address_and_says_who_will_read(world, api, app,
                                                                          replies_on):
    thread = world.threads["public"]
    api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"], {"body": "@member see"})
    mail = outbox_to("member@example.org")[-1]
    assert mail.reply_to.startswith("reply+") and mail.reply_to.endswith("@" + DOMAIN)
    local = mail.reply_to.split("@")[0]
    assert len(local) <= 64 and local == local.lower()
    token = reply_tokens.read_address(mail.reply_to)
    assert (token.kind, token.user_id, token.target_id) == ("thread", world.users["member"].id,
                                                            thread.id)
    assert "Reply to this mail to post your answer" in mail.body
    assert "Everyone can read it" in mail.body
    private = world.threads["private"]
    api.post(f"/threads/{private.id}/posts", world.tokens["moderator"], {"body": "@member look"})
    mail = outbox_to("member@example.org")[-1]
    assert "Only the members of Private Group can read it." in mail.body


def test_the_sent_mail_has_the_reply_to_header_and_a_loop_guard(world, api, app, replies_on):
    sent = []
    app.config["MAIL_URL"] = None
    original = mail_service._write_to_mail_log
    mail_service._write_to_mail_log = sent.append
    try:
        api.post(f"/threads/{world.threads['public'].id}/posts", world.tokens["moderator"],
                 {"body": "@member header check"})
        mail_service.send_due()
    finally:
        mail_service._write_to_mail_log = original
    message = [m for m in sent if "header check" in m.get_content()][-1]
    assert message["Reply-To"].startswith("reply+")
    assert message["X-Forum-Loop"] and message["Auto-Submitted"] == "auto-generated"


def test_replies_are_off_while_the_domain_is_unset(world, api, app):
    api.post(f"/threads/{world.threads['public'].id}/posts", world.tokens["moderator"],
             {"body": "@member no domain"})
    mail = outbox_to("member@example.org")[-1]
    assert mail.reply_to is None and "reply+" not in mail.body


def test_the_digest_has_a_reply_address_per_thread(world, api, app, replies_on):
    api.patch("/me/mail-preferences", world.tokens["member"], {"mention": "digest"})
    for key in ("public", "private"):
        api.post(f"/threads/{world.threads[key].id}/posts", world.tokens["moderator"],
                 {"body": f"@member digest {key}"})
    app.test_cli_runner().invoke(args=["mail", "digest"])
    db.session.remove()
    digest = [m for m in outbox_to("member@example.org") if "digest" in m.subject][-1]
    assert digest.body.count("To answer in “") == 2
    assert digest.body.count("reply+") == 2 and digest.reply_to is None


# --- a reply from each client becomes a post with only the new words -------------------------

CLIENTS = {
    "gmail_en.eml": (["I agree with the second point: the deadline should move to March.",
                      "- the survey closes first\n- then we draft"], ["wrote:", "Hello Member"]),
    "outlook_en.eml": (["We can live with the wording in paragraph 3."],
                       ["Policy Officer", "From:", "Sent:", "ready for review"]),
    "outlook_pl_iso8859-2.eml": (["Zgadzam się z propozycją. Termin w marcu jest dla nas dobry."],
                                 ["Original Message", "Wysłano", "treść oryginału"]),
    "apple_mail.eml": (['Fine by me. One small change: please say "members" rather than "users".'],
                       ["Sent from my iPhone", "wrote:", "Naming"]),
    "thunderbird_en.eml": (["Here is my view:\n\n    indented example line\n    second line\n\n"
                            + "The rest is fine."], ["Brussels", "wrote:", "Views please"]),
    "k9_en.eml": (["Agreed, let's keep it short."], ["K-9", "wrote:", "Short?"]),
    "gmail_pl.eml": (["Zgadzam się z drugim punktem. Proszę przesunąć termin na marzec."],
                     ["napisał", "Witaj"]),
    "thunderbird_pl.eml": (["Popieram wersję z akapitem 2. Żółć gęślą jaźń - wszystkie znaki"],
                           ["pisze:", "Witaj"]),
    "gmail_ur.eml": (["میں اس تجویز سے متفق ہوں۔"], ["نے لکھا", "اصل پیغام"]),
    "gmail_bn.eml": (["আমি এই প্রস্তাবের সাথে একমত।"], ["লিখেছেন", "মূল বার্তা"]),
    "gmail_pa.eml": (["ਮੈਂ ਇਸ ਪ੍ਰਸਤਾਵ ਨਾਲ ਸਹਿਮਤ ਹਾਂ।"], ["ਨੇ ਲਿਖਿਆ", "ਮੂਲ ਸੁਨੇਹਾ"]),
    "gmail_ar_windows-1256.eml": (["أوافق على هذا الاقتراح."], ["كتب", "الرسالة الأصلية"]),
    "html_only_gmail.eml": (["I **support** this & the [plan](https://example.org/plan)."],
                            ["Example Association", "the original words", "tracker"]),
    "html_only_outlook.eml": (["We will send our comments by Friday."],
                              ["From:", "the original words"]),
}


@pytest.mark.parametrize("fixture", sorted(CLIENTS))
def test_a_reply_from_each_client_becomes_a_post_with_only_the_new_words(world, app, replies_on,
                                                                         fixture):
    thread = world.threads["public"]
    before = len(posts_in(thread))
    result = receive(app, letter(fixture, address_for(world.users["member"], thread)))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("posted"), result.output
    post = posts_in(thread)[-1]
    assert len(posts_in(thread)) == before + 1 and post.author_id == world.users["member"].id
    wanted, unwanted = CLIENTS[fixture]
    for words in wanted:
        assert words in post.body_markdown
    for words in unwanted:
        assert words not in post.body_markdown
    assert answers(world.users["member"].id) == []  # nothing to explain


def test_html_mail_is_never_trusted_as_html(world, app, replies_on):
    thread = world.threads["public"]
    receive(app, letter("html_only_gmail.eml", address_for(world.users["member"], thread)))
    post = posts_in(thread)[-1]
    assert "<script" not in post.body_html and "alert(\"x\")" not in post.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; stays text." in post.body_html
    assert "<strong>support</strong>" in post.body_html


def test_attachments_are_left_out_with_a_note_back(world, app, replies_on):
    thread = world.threads["public"]
    result = receive(app, letter("with_attachment.eml", address_for(world.users["member"], thread)))
    assert result.output.startswith("posted")
    assert posts_in(thread)[-1].body_markdown == "Our position paper is attached."
    (note,) = answers(world.users["member"].id)
    assert note.to_address == "member@example.org" and "position-paper.pdf" in note.body


def test_the_same_message_twice_posts_once(world, app, replies_on):
    thread = world.threads["public"]
    raw = letter("gmail_en.eml", address_for(world.users["member"], thread),
                 message_id="<same-one@mail.example.net>")
    before = len(posts_in(thread))
    assert receive(app, raw).output.startswith("posted")
    assert receive(app, raw).output.startswith("duplicate")
    assert len(posts_in(thread)) == before + 1


def test_pre_moderation_applies_to_mail_as_to_pages(app, replies_on):
    admin = f.user("admin", admin=True)
    group = f.group(admin, "held", premoderate=True)
    person = f.user("member")
    f.member(admin, group, person)
    thread = f.thread(admin, f.topic(admin, group))
    result = receive(app, plain_letter(address_for(person, thread), "Held for review"))
    assert result.output.startswith("posted")
    assert posts_in(thread)[-1].pending is True


# --- refusing safely --------------------------------------------------------------------------

def _refused_with_one_explanation(world, thread, result, sentence: str):
    assert result.exit_code == 0, result.output
    assert result.output.startswith("refused"), result.output
    assert all("mail" not in p.body_markdown for p in posts_in(thread)[2:])
    (answer,) = answers(world.users["member"].id)
    assert answer.to_address == "member@example.org"
    assert sentence in answer.body
    return answer


def test_a_bad_token_posts_nothing_and_answers_nobody(world, app, replies_on):
    thread = world.threads["public"]
    good = address_for(world.users["member"], thread)
    bad = good.replace(good[6:10], "aaaa" if good[6:10] != "aaaa" else "bbbb")
    before = len(posts_in(thread))
    result = receive(app, plain_letter(bad))
    assert result.exit_code == 0 and result.output.startswith("unknown_recipient")
    assert len(posts_in(thread)) == before and answers(world.users["member"].id) == []
    other = receive(app, plain_letter(f"someone@{DOMAIN}"))
    assert other.exit_code == 0 and other.output.startswith("unknown_recipient")


def test_an_expired_token_is_refused_with_an_explanation(world, app, replies_on):
    thread = world.threads["public"]
    old = (utcnow() - timedelta(days=91)).date()
    before = len(posts_in(thread))
    result = receive(app, plain_letter(address_for(world.users["member"], thread, issued=old)))
    assert len(posts_in(thread)) == before
    _refused_with_one_explanation(world, thread, result, "has expired")


def test_a_sender_who_is_not_the_tokens_person_is_answered_at_the_persons_own_address(
        world, app, replies_on):
    thread = world.threads["public"]
    before = len(posts_in(thread))
    result = receive(app, plain_letter(address_for(world.users["member"], thread),
                                       from_address="attacker@evil.example"))
    assert len(posts_in(thread)) == before
    _refused_with_one_explanation(world, thread, result, "attacker@evil.example")
    assert outbox_to("attacker@evil.example") == []
    # the same person writing with their address in capitals is the same person
    upper = receive(app, plain_letter(address_for(world.users["member"], thread),
                                      from_address="MEMBER@Example.ORG"))
    assert upper.output.startswith("posted")


def test_a_disabled_account_is_refused_and_an_erased_one_is_dropped(world, app, replies_on):
    thread = world.threads["public"]
    member = _member(world)
    member.disabled = True
    db.session.commit()
    before = len(posts_in(thread))
    result = receive(app, plain_letter(address_for(member, thread)))
    assert len(posts_in(thread)) == before
    _refused_with_one_explanation(world, thread, result, "disabled")
    outsider = db.session.get(User, world.users["outsider"].id)
    from forum.services import erasure

    erasure.erase_account(outsider, outsider)
    result = receive(app, plain_letter(address_for(outsider, thread),
                                       from_address="outsider@example.org"))
    assert result.output.startswith("dropped")
    assert answers(outsider.id) == []


def test_a_thread_the_person_may_no_longer_see_is_refused(world, app, replies_on):
    from forum.services import groups

    thread = world.threads["private"]
    admin = db.session.get(User, world.users["admin"].id)
    group = db.session.get(type(world.groups["private"]), world.groups["private"].id)
    groups.remove_member(admin, group, _member(world))
    before = len(posts_in(thread))
    result = receive(app, plain_letter(address_for(world.users["member"], thread)))
    assert len(posts_in(thread)) == before
    _refused_with_one_explanation(world, thread, result, "may no longer see it")


def test_a_locked_thread_answers_with_the_permissions_sentence(world, app, api, replies_on):
    thread = world.threads["public"]
    r = api.patch(f"/threads/{thread.id}", world.tokens["moderator"], {"locked": True})
    assert r.status_code == 200, r.get_json()
    before = len(posts_in(thread))
    result = receive(app, plain_letter(address_for(world.users["member"], thread)))
    assert len(posts_in(thread)) == before
    _refused_with_one_explanation(world, thread, result, "This thread is locked.")


def test_explanations_go_at_most_once_an_hour(world, app, replies_on):
    thread = world.threads["public"]
    address = address_for(world.users["member"], thread)
    for _ in range(3):
        result = receive(app, plain_letter(address, from_address="someone@else.example"))
        assert result.output.startswith("refused")
    assert len(answers(world.users["member"].id)) == 1


def test_the_mail_posting_limit_counts_posts_made_by_mail(world, app, replies_on):
    app.config["RATELIMIT_POSTS"] = "2 per minute"
    try:
        thread = world.threads["public"]
        address = address_for(world.users["member"], thread)
        outcomes = [receive(app, plain_letter(address, f"Post {i}")).output for i in range(3)]
    finally:
        app.config["RATELIMIT_POSTS"] = "100000 per minute"
    assert [o.split(":")[0].strip() for o in outcomes] == ["posted", "posted", "refused"]
    assert "too often" in answers(world.users["member"].id)[0].body


SILENT = {
    "out of office": {"Auto-Submitted": "auto-replied", "Subject": "Out of Office: Re: thread"},
    "vacation subject": {"Subject": "Automatic reply: Re: thread"},
    "precedence bulk": {"Precedence": "bulk"},
    "precedence list": {"Precedence": "list"},
    "x-autoreply": {"X-Autoreply": "yes"},
    "bounce return path": {"Return-Path": "<>"},
    "mailer-daemon": {"From": "Mail Delivery System <MAILER-DAEMON@mx.example.net>"},
    "report": {"Content-Type": 'multipart/report; report-type=delivery-status; boundary="b"'},
    "loop header": {"X-Forum-Loop": "127.0.0.1"},
    "answer to our answer": {"In-Reply-To": "<outbox-9.auto@127.0.0.1>",
                             "References": "<outbox-9.auto@127.0.0.1>"},
    "our own message": {"Message-ID": "<outbox-12@127.0.0.1>"},
}


@pytest.mark.parametrize("case", sorted(SILENT))
def test_auto_replies_bounces_and_loops_are_dropped_without_reply(world, app, replies_on, case):
    thread = world.threads["public"]
    before = len(posts_in(thread))
    raw = plain_letter(address_for(world.users["member"], thread), headers=SILENT[case])
    result = receive(app, raw)
    assert result.exit_code == 0 and result.output.startswith("dropped"), result.output
    assert len(posts_in(thread)) == before and answers(world.users["member"].id) == []


def test_a_bounce_by_envelope_sender_is_dropped(world, app, replies_on):
    thread = world.threads["public"]
    result = receive(app, plain_letter(address_for(world.users["member"], thread)),
                     "--sender", "")
    assert result.output.startswith("dropped")


def test_auto_submitted_no_is_a_person_writing(world, app, replies_on):
    thread = world.threads["public"]
    raw = plain_letter(address_for(world.users["member"], thread), headers={"Auto-Submitted": "no"})
    assert receive(app, raw).output.startswith("posted")


# --- retries: the database out of reach -------------------------------------------------------

def _subprocess_env(app, database_url: str) -> dict:
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url, "SECRET_KEY": app.config["SECRET_KEY"],
                "MAIL_REPLY_DOMAIN": DOMAIN, "FORUM_INSTANCE_PATH": app.config["INSTANCE_PATH"],
                "RATELIMIT_ENABLED": "false"})
    env.pop("REDIS_URL", None)
    return env


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_outage_gives_75_and_the_retried_message_posts_once(world, app, replies_on):
    thread = world.threads["public"]
    raw = plain_letter(address_for(world.users["member"], thread), "Retried after an outage")
    out_of_reach = f"postgresql://postgres@127.0.0.1:{_closed_port()}/forum"
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "receive"]
    down = subprocess.run(command, check=False, input=raw, cwd=ROOT, capture_output=True, timeout=60,
                          env=_subprocess_env(app, out_of_reach))
    assert down.returncode == 75, down.stderr.decode()
    assert b"try again later" in down.stderr
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    url = url.render_as_string(hide_password=False) if hasattr(url, "render_as_string") else url
    for expected in ("posted", "duplicate"):  # the MTA retries; a second retry changes nothing
        up = subprocess.run(command, check=False, input=raw, cwd=ROOT, capture_output=True, timeout=60,
                            env=_subprocess_env(app, str(url)))
        assert up.returncode == 0, up.stderr.decode()
        assert up.stdout.decode().startswith(expected)
    db.session.remove()
    assert [p.body_markdown for p in posts_in(thread)].count("Retried after an outage") == 1


# --- the SMTP listener ------------------------------------------------------------------------

@pytest.fixture
def smtp_listener(replies_on):
    from forum.mail_doors import listener

    controllers = []

    def start(the_app):
        port = _closed_port()
        controller = listener(the_app, "127.0.0.1", port)
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for controller in controllers:
        controller.stop()


def test_the_smtp_listener_posts_refuses_unknown_addresses_and_asks_to_retry(
        world, app, smtp_listener):
    thread = world.threads["public"]
    port = smtp_listener(app)
    address = address_for(world.users["member"], thread)
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("member@example.org", [f"reply+nothing@{DOMAIN}"], b"Subject: x\r\n\r\nx")
        assert refused.value.recipients[f"reply+nothing@{DOMAIN}"][0] == 550
        raw = letter("outlook_en.eml", address)
        assert client.sendmail("member@example.org", [address], raw) == {}
    db.session.remove()
    assert "paragraph 3" in posts_in(thread)[-1].body_markdown

    from forum import create_app

    broken = create_app({
        "TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"], "MAIL_REPLY_DOMAIN": DOMAIN,
        "SQLALCHEMY_DATABASE_URI":
            f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/forum",
        "INSTANCE_PATH": app.config["INSTANCE_PATH"], "SOCKETIO_ASYNC_MODE": "threading"})
    down_port = smtp_listener(broken)
    raw = plain_letter(address, "Sent while the database was away")
    with smtplib.SMTP("127.0.0.1", down_port, timeout=30) as client:
        with pytest.raises(smtplib.SMTPDataError) as retry:
            client.sendmail("member@example.org", [address], raw)
        assert retry.value.smtp_code == 451
    for _ in range(2):  # the sending MTA retries (twice: the second changes nothing)
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            assert client.sendmail("member@example.org", [address], raw) == {}
    db.session.remove()
    bodies = [p.body_markdown for p in posts_in(thread)]
    assert bodies.count("Sent while the database was away") == 1


def test_the_smtp_listener_drops_a_bounce_with_an_empty_envelope_sender(world, app,
                                                                       smtp_listener):
    thread = world.threads["public"]
    port = smtp_listener(app)
    address = address_for(world.users["member"], thread)
    before = len(posts_in(thread))
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        assert client.sendmail("", [address], plain_letter(address)) == {}
    db.session.remove()
    assert len(posts_in(thread)) == before
    assert db.session.scalar(select(InboundMail.outcome)) == "dropped"


# --- sign-off by mail -------------------------------------------------------------------------

@pytest.fixture
def signoff_world(app, api, replies_on):
    from forum.services import organisations

    admin = f.user("admin", admin=True)
    group = f.group(admin, "health-wg")
    people = {name: f.user(name) for name in ("fac", "ann", "bob", "solo")}
    for name in ("ann", "bob", "solo"):
        f.member(admin, group, people[name])
    f.member(admin, group, people["fac"], "facilitator")
    north = organisations.create_organisation(f._here(admin), "Northern Carers Network", "NW")
    for name in ("ann", "bob"):
        organisations.set_member_organisation(f._here(admin), f._here(people[name]), north)
    tokens = {name: f.token(name) for name in people}
    topic = api.post("/groups/health-wg/topics", tokens["fac"],
                     {"title": "Carers strategy", "briefing": "Draft", "status": "open"}).get_json()
    api.post(f"/topics/{topic['id']}/summary", tokens["fac"],
             {"body": "One.\n\nTwo.\n\nThree.", "publish": False})
    signoff = api.post(f"/topics/{topic['id']}/signoff", tokens["fac"], {}).get_json()
    db.session.remove()
    return {"people": people, "tokens": tokens, "topic": topic, "signoff": signoff}


def _signoff_address(person, signoff_world):
    from forum.models import SignOff

    signoff = db.session.scalars(select(SignOff)).one()
    return f"reply+{reply_tokens.make_token('signoff', person.id, signoff.id)}@{DOMAIN}"


def _stances(api, signoff_world):
    state = api.get(f"/topics/{signoff_world['topic']['id']}/signoff",
                    signoff_world["tokens"]["ann"]).get_json()
    return state


def test_the_signoff_reminder_carries_a_signoff_reply_address(signoff_world, app):
    from datetime import datetime

    from forum.models import Topic
    from forum.services import phases

    topic = db.session.get(Topic, signoff_world["topic"]["id"])
    topic.phase_deadline = datetime.now(UTC) + timedelta(hours=10)
    db.session.commit()
    phases.send_reminders()
    db.session.remove()
    mail = [m for m in outbox_to("ann@example.org") if "organisation's view" in m.subject][-1]
    token = reply_tokens.read_address(mail.reply_to)
    assert token.kind == "signoff" and token.user_id == signoff_world["people"]["ann"].id
    assert "endorse all" in mail.body and "Northern Carers Network" in mail.body
    solo = [m for m in outbox_to("solo@example.org") if "organisation's view" in m.subject]
    assert all(m.reply_to is None for m in solo)  # no organisation: no voice, no address


def test_endorse_all_by_mail_votes_every_paragraph_and_confirms(signoff_world, app, api):
    ann = signoff_world["people"]["ann"]
    raw = plain_letter(_signoff_address(ann, signoff_world),
                       "Endorse all\n\nOn Fri, Jan 5, 2024 at 9:58 AM Forum <x@y> wrote:\n> 1 object: no",
                       from_address="ann@example.org")
    result = receive(app, raw)
    assert result.output.startswith("voted: 3 recorded, 0 refused"), result.output
    paragraphs = api.get(f"/topics/{signoff_world['topic']['id']}/signoff",
                         signoff_world["tokens"]["bob"]).get_json()["paragraphs"]
    assert [p["endorse"] for p in paragraphs] == [1, 1, 1]
    (confirmation,) = answers(ann.id)
    assert "paragraph 3: endorse" in confirmation.body and confirmation.to_address == "ann@example.org"


def test_votes_line_by_line_with_refusals_explained(signoff_world, app, api):
    bob = signoff_world["people"]["bob"]
    raw = plain_letter(_signoff_address(bob, signoff_world),
                       "1 endorse\n2 object: the transport costs are missing\n3 abstain\n"
                       "4 endorse\n2 object",
                       from_address="bob@example.org")
    result = receive(app, raw)
    assert result.output.startswith("voted: 3 recorded, 2 refused"), result.output
    paragraphs = api.get(f"/topics/{signoff_world['topic']['id']}/signoff",
                         signoff_world["tokens"]["ann"]).get_json()["paragraphs"]
    assert paragraphs[0]["endorse"] == 1 and paragraphs[2]["abstain"] == 1
    assert paragraphs[1]["objections"][0]["reason"] == "the transport costs are missing"
    (confirmation,) = answers(bob.id)
    assert "Not recorded:" in confirmation.body
    assert "No such paragraph in this sign-off." in confirmation.body
    assert "Say why your organisation objects." in confirmation.body


def test_a_member_without_an_organisation_gets_the_sentence_why(signoff_world, app):
    solo = signoff_world["people"]["solo"]
    raw = plain_letter(_signoff_address(solo, signoff_world), "endorse all",
                       from_address="solo@example.org")
    result = receive(app, raw)
    assert "0 recorded, 3 refused" in result.output
    (confirmation,) = answers(solo.id)
    assert "Not recorded:" in confirmation.body


def test_a_parsed_message_keeps_its_encoded_characters():
    raw = (FIXTURES / "thunderbird_pl.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert "Żółć gęślą jaźń" in message.get_content()
