"""The doors for mail received at the reply addresses: `flask mail receive` (one message on
standard input, as an MTA's pipe gives it) and `flask mail serve` (an SMTP listener). Each only
translates between its transport and `forum.services.inbound`."""

from __future__ import annotations

import asyncio
import logging
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from forum.cli import mail_cli

log = logging.getLogger(__name__)
EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and tries again later


@mail_cli.command("receive")
@click.option("--sender", default=None,
              help="The envelope sender, if the MTA passes it (Postfix: ${sender}).")
@click.option("--recipient", default=None,
              help="The envelope recipient, if the MTA passes it (Postfix: ${original_recipient}"
                   "); otherwise the message's Delivered-To, X-Original-To, To and Cc say it.")
@with_appcontext
def mail_receive(sender: str | None, recipient: str | None):
    """Read one RFC 5322 message on standard input and post it (exit 0 when handled, 75 when it
    should be retried because the database is out of reach)."""
    from forum.extensions import db
    from forum.services import inbound

    raw = sys.stdin.buffer.read(inbound.MAX_MESSAGE_BYTES + 1)
    try:
        outcomes = inbound.receive_message(raw, recipient=recipient, sender=sender)
    except inbound.RETRY_ERRORS as error:
        db.session.rollback()
        click.echo(f"4.3.0 the forum's database is out of reach, try again later: "
                   f"{error.__class__.__name__}", err=True)
        sys.exit(EX_TEMPFAIL)
    for outcome in outcomes:
        click.echo(f"{outcome.status}" + (f": {outcome.detail}" if outcome.detail else ""))


class ReplyListener:
    """aiosmtpd handler: 550 at RCPT for an address that is not one of ours, 451 when the
    database is out of reach (the sending MTA retries), 250 once the message is handled."""

    def __init__(self, app: Flask):
        self.app = app

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        from forum.services import inbound

        with self.app.app_context():
            known = inbound.accepts_address(address)
        if not known:
            return "550 5.1.1 No such reply address here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self._receive, envelope)
        except Exception as error:  # the sending MTA keeps it and retries
            from forum.services import inbound

            if not isinstance(error, inbound.RETRY_ERRORS):
                log.exception("inbound mail could not be handled")
            return "451 4.3.0 The forum cannot take this message now: try again later"
        return "250 2.0.0 Handled"

    def _receive(self, envelope) -> None:
        from forum.extensions import db
        from forum.services import inbound

        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        with self.app.app_context():
            try:
                for recipient in envelope.rcpt_tos:
                    inbound.receive_message(raw, recipient=recipient,
                                            sender=envelope.mail_from or "")
            finally:
                db.session.remove()


def listener(app: Flask, host: str, port: int):
    """An aiosmtpd controller for the reply addresses (started by the caller)."""
    from aiosmtpd.controller import Controller

    from forum.services import inbound

    return Controller(ReplyListener(app), hostname=host, port=port,
                      data_size_limit=inbound.MAX_MESSAGE_BYTES, decode_data=False,
                      ready_timeout=10)


@mail_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def mail_serve(host: str, port: int):
    """Accept replies over SMTP (put it behind the MTA that receives MAIL_REPLY_DOMAIN)."""
    import signal
    import threading

    app = current_app._get_current_object()
    if not app.config.get("MAIL_REPLY_DOMAIN"):
        click.echo("MAIL_REPLY_DOMAIN is unset: every address will be refused (550).", err=True)
    controller = listener(app, host, port)
    controller.start()
    click.echo(f"taking replies by SMTP on {host}:{port}")
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    try:
        stopped.wait()
    finally:
        controller.stop()
