"""Notification mail through a real SMTP server (aiosmtpd): immediate, digest, unsubscribe."""

from __future__ import annotations

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller

from forum.extensions import db
from forum.models import OutgoingMail


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        headers = "".join(f"{k}: {v}\n" for k, v in message.items())
        self.messages.append((envelope.rcpt_tos, headers + message.get_content()))
        return "250 OK"


@pytest.fixture
def smtp(app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    yield inbox
    app.config["MAIL_URL"] = None
    controller.stop()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_immediate_mail_goes_out_from_the_outbox_with_a_working_unsubscribe(world, api, app,
                                                                             smtp, client):
    run(app, "mail", "send")  # the membership mails of the world's setup
    smtp.messages.clear()
    thread = world.threads["public"]
    api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"], {"body": "@member see"})
    assert smtp.messages == []  # the request did not wait for SMTP
    assert "sent 1 mails" in run(app, "mail", "send")
    (to, content), = smtp.messages
    assert to == ["member@example.org"] and "mentioned you" in content
    assert "List-Unsubscribe:" in content
    link = re.search(r"(/unsubscribe/[\w.-]+)", content).group(1)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 200
    assert api.get("/me/mail-preferences", world.tokens["member"]).get_json()["mention"] == "none"
    api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"], {"body": "@member again"})
    assert "sent 0 mails" in run(app, "mail", "send")
    assert "sent 0 mails" in run(app, "mail", "send")  # nothing is ever sent twice


def test_digest_collects_notifications_into_one_mail(world, api, app, smtp):
    run(app, "mail", "send")
    smtp.messages.clear()
    r = api.patch("/me/mail-preferences", world.tokens["member"],
                  {"mention": "digest", "reply": "digest"})
    assert r.get_json()["mention"] == "digest"
    thread = world.threads["public"]
    for i in range(3):
        api.post(f"/threads/{thread.id}/posts", world.tokens["moderator"],
                 {"body": f"@member point {i}"})
    run(app, "mail", "send")
    assert smtp.messages == []
    assert "queued 1 digests" in run(app, "mail", "digest")
    (to, content), = smtp.messages
    assert content.count("mentioned you") == 3 and to == ["member@example.org"]
    assert "queued 0 digests" in run(app, "mail", "digest")


def test_failed_sends_are_kept_and_retried_later(world, api, app):
    app.config["MAIL_URL"] = "smtp://127.0.0.1:9"  # nothing listens there
    try:
        run(app, "mail", "send")
        mail = db.session.scalars(db.select(OutgoingMail)).first()
        db.session.refresh(mail)
        assert mail.sent_at is None and mail.attempts == 1 and mail.last_error
        assert mail.send_after > mail.created_at
    finally:
        app.config["MAIL_URL"] = None


def test_a_forged_unsubscribe_link_is_404(app, client):
    assert client.get("/unsubscribe/not-a-token").status_code == 404


def test_bad_preferences_are_400(world, api):
    r = api.patch("/me/mail-preferences", world.tokens["member"], {"mention": "hourly"})
    assert r.status_code == 400 and "mention" in r.get_json()["error"]["fields"]
