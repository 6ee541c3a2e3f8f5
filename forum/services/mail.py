"""Notification mail: preferences, the outbox, digests, sending with retries, unsubscribing.

Mail is written to the outbox in the same transaction as the action, and sent later by a
background worker (or `flask mail send`), so a request never waits on SMTP and a restart loses
nothing. A sender claims a mail before sending it, so two workers never send the same one.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import or_, select, update
from flask_babel import gettext, ngettext

from forum.db import unit_of_work
from forum.errors import NotFound, ValidationFailed
from forum.extensions import db
from forum.i18n import speaking_to
from forum.models import (
    DEFAULT_MAIL_MODES,
    MAIL_MODES,
    NOTIFICATION_KINDS,
    MailPreference,
    Notification,
    OutgoingMail,
    User,
    utcnow,
)
from forum.permissions import delivery
from forum.services import reply_tokens

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
CLAIM = timedelta(minutes=5)


# --- preferences ------------------------------------------------------------------------------

def preferences(user: User) -> dict[str, str]:
    chosen = dict(db.session.execute(
        select(MailPreference.kind, MailPreference.mode).where(MailPreference.user_id == user.id)
    ).all())
    return {kind: chosen.get(kind, DEFAULT_MAIL_MODES[kind]) for kind in NOTIFICATION_KINDS}


@unit_of_work
def set_preferences(user: User, changes: dict[str, str]) -> dict[str, str]:
    errors = {kind: gettext("Unknown kind.") for kind in changes if kind not in NOTIFICATION_KINDS}
    errors.update({kind: gettext("Choose none, immediate or digest.")
                   for kind, mode in changes.items()
                   if kind in NOTIFICATION_KINDS and mode not in MAIL_MODES})
    if errors:
        raise ValidationFailed(errors)
    for kind, mode in changes.items():
        row = db.session.scalar(select(MailPreference).where(
            MailPreference.user_id == user.id, MailPreference.kind == kind))
        if row is None:
            db.session.add(MailPreference(user_id=user.id, kind=kind, mode=mode))
        else:
            row.mode = mode
    db.session.flush()
    return preferences(user)


# --- unsubscribe links ------------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_url(user: User, kind: str) -> str:
    token = _serializer().dumps({"u": user.id, "k": kind})
    return f"{current_app.config['PUBLIC_URL']}/unsubscribe/{token}"


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    try:
        data = _serializer().loads(token)
        user = db.session.get(User, int(data["u"]))
        kind = str(data["k"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(gettext("This unsubscribe link is not valid.")) from None
    if user is None or (kind != "all" and kind not in NOTIFICATION_KINDS):
        raise NotFound(gettext("This unsubscribe link is not valid."))
    return user, kind


def unsubscribe(token: str) -> tuple[User, str]:
    """Turn off mail of one kind (or all) for the link's owner; no sign-in needed."""
    user, kind = read_unsubscribe_token(token)
    kinds = NOTIFICATION_KINDS if kind == "all" else (kind,)
    set_preferences(user, {k: "none" for k in kinds})
    return user, kind


# --- queueing (inside the acting unit of work) ------------------------------------------------

def queue_notification_mail(notification: Notification) -> None:
    """Immediate mail for a notification, if its owner wants that kind immediately."""
    user = db.session.get(User, notification.user_id)
    if user is None or not user.email or not user.is_active:
        return
    mode = db.session.scalar(select(MailPreference.mode).where(
        MailPreference.user_id == user.id, MailPreference.kind == notification.kind)
    ) or DEFAULT_MAIL_MODES[notification.kind]
    if mode != "immediate":
        return
    base = current_app.config["PUBLIC_URL"]
    link = unsubscribe_url(user, notification.kind)
    offer = reply_tokens.notification_offer(user, notification)  # taking part by e-mail
    with speaking_to(user):  # the receiver's language, whoever's action queued it
        body = (gettext("Hello %(name)s,", name=user.display_name)
                + f"\n\n{notification.text}\n\n{base}/notifications/{notification.id}/open\n\n"
                + (f"{offer.text}\n\n" if offer else "") + "--\n"
                + gettext("You get this because of your notification settings. Stop these "
                          "mails: %(link)s", link=link) + "\n")
        subject = gettext("[Working Groups] %(text)s", text=notification.text[:120])
    db.session.add(OutgoingMail(user_id=user.id, to_address=user.email,
                                subject=subject,
                                body=body, unsubscribe_url=link,
                                notification_id=notification.id,
                                reply_to=offer.address if offer else None))
    notification.emailed_at = utcnow()


@unit_of_work
def queue_digests() -> int:
    """One digest per user of their un-mailed notifications of digest kinds that they may
    still see now (the others are marked mailed, unsent). Returns how many digests."""
    digest_kinds = {}
    for user_id, kind in db.session.execute(
            select(MailPreference.user_id, MailPreference.kind).where(
                MailPreference.mode == "digest")):
        digest_kinds.setdefault(user_id, set()).add(kind)
    default_digest = {k for k, m in DEFAULT_MAIL_MODES.items() if m == "digest"}
    conditions = [Notification.emailed_at.is_(None)]
    if not default_digest:
        conditions.append(Notification.user_id.in_(list(digest_kinds)))
    count = 0
    pending: dict[int, list[Notification]] = {}
    for notification in db.session.scalars(select(Notification).where(*conditions)
                                           .order_by(Notification.id)):
        kinds = digest_kinds.get(notification.user_id, set()) | default_digest
        if notification.kind in kinds:
            pending.setdefault(notification.user_id, []).append(notification)
    base = current_app.config["PUBLIC_URL"]
    for user_id, items in pending.items():
        user = db.session.get(User, user_id)
        if user is None or not user.is_active:
            continue
        now = utcnow()
        withheld = [n for n in items if not delivery.may_receive_notification(user_id, n)]
        for n in withheld:  # settled: they never go out, in this digest or a later one
            n.emailed_at = now
        items = [n for n in items if n not in withheld]
        if not items:
            continue
        link = unsubscribe_url(user, "all")
        lines = [f"- {n.text}\n  {base}/notifications/{n.id}/open" for n in items]
        # Taking part by e-mail: a section per thread, each with its own reply address.
        lines, reply_to = reply_tokens.digest_sections(user, items, lines)
        with speaking_to(user):
            body = (gettext("Hello %(name)s,", name=user.display_name) + "\n\n"
                    + gettext("What happened in your working groups:") + "\n\n"
                    + "\n".join(lines) + "\n\n--\n"
                    + gettext("Stop these mails: %(link)s", link=link) + "\n")
            subject = ngettext("[Working Groups] Your digest: %(num)d update",
                               "[Working Groups] Your digest: %(num)d updates", len(items))
        db.session.add(OutgoingMail(user_id=user.id, to_address=user.email,
                                    subject=subject,
                                    body=body, unsubscribe_url=link, reply_to=reply_to))
        now = utcnow()
        for n in items:
            n.emailed_at = now
        count += 1
    return count


# --- sending ----------------------------------------------------------------------------------

def _claim_next() -> OutgoingMail | None:
    """Claim one due mail for this sender, atomically (a conditional UPDATE)."""
    now = utcnow()
    candidate = db.session.scalar(
        select(OutgoingMail.id).where(
            OutgoingMail.sent_at.is_(None), OutgoingMail.dropped_reason.is_(None),
            OutgoingMail.send_after <= now,
            OutgoingMail.attempts < MAX_ATTEMPTS,
            or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now))
        .order_by(OutgoingMail.id).limit(1))
    if candidate is None:
        db.session.commit()
        return None
    claimed = db.session.execute(
        update(OutgoingMail).where(
            OutgoingMail.id == candidate, OutgoingMail.sent_at.is_(None),
            or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now))
        .values(claimed_until=now + CLAIM, attempts=OutgoingMail.attempts + 1)
    ).rowcount
    db.session.commit()
    if not claimed:
        return _claim_next()
    return db.session.get(OutgoingMail, candidate, populate_existing=True)


def _deliver(mail: OutgoingMail) -> None:
    url = current_app.config.get("MAIL_URL")
    message = EmailMessage()
    parts = urlsplit(url or "")
    sender = current_app.config.get("MAIL_FROM") or (
        "forum@" + (urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"))
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Message-ID"] = f"<outbox-{mail.id}@{sender.split('@')[-1]}>"
    reply_tokens.mark_outgoing(message, mail)  # Reply-To, loop guard, threading of answers
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.body)
    if not url:
        _write_to_mail_log(message)
        return
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, port or 465, timeout=30,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port or 25, timeout=30)
    with client:
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def _write_to_mail_log(message: EmailMessage) -> None:
    """Without MAIL_URL, mail goes to `instance/mail.log` (one file for every process), not
    into the terminal of `make run`."""
    from pathlib import Path

    path = Path(current_app.instance_path) / "mail.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:  # one write per mail: appends interleave whole
        handle.write(f"{message.as_string()}\n{'=' * 72}\n")
    log.debug("mail to %s (MAIL_URL unset, not sent) written to %s", message["To"], path)


def _why_not_deliver(mail: OutgoingMail) -> str | None:
    """Asked when the mail is about to leave, not when it was queued: may its receiver still
    see what it is about? A reason to drop it, or None."""
    if mail.notification_id is None:
        return None  # not about group content (an invitation, an account mail, a digest)
    notification = db.session.get(Notification, mail.notification_id)
    if notification is None:
        return "Its notification is gone."
    if mail.user_id is None or not delivery.may_receive_notification(mail.user_id,
                                                                     notification):
        return "The receiver may no longer see what it is about."
    return None


def send_due(limit: int = 100) -> int:
    """Send what is due; failures are retried later with exponential backoff. A mail whose
    receiver may no longer see what it is about is dropped: never sent, kept with the reason."""
    sent = 0
    for _ in range(limit):
        mail = _claim_next()
        if mail is None:
            break
        reason = _why_not_deliver(mail)
        if reason is not None:
            log.info("mail %s to %s dropped: %s", mail.id, mail.to_address, reason)
            mail.dropped_reason = reason
            mail.claimed_until = None
            db.session.commit()
            continue
        try:
            _deliver(mail)
        except Exception as exc:  # any SMTP or network failure: try again later
            log.warning("mail %s to %s failed (attempt %s): %s", mail.id, mail.to_address,
                        mail.attempts, exc)
            mail.last_error = str(exc)[:1000]
            mail.send_after = utcnow() + timedelta(minutes=2 ** min(mail.attempts, 10))
            mail.claimed_until = None
            db.session.commit()
            continue
        mail.sent_at = utcnow()
        db.session.commit()
        sent += 1
    return sent


def run_worker(app, interval: float = 5.0) -> None:
    """The background sender started by the server process."""
    import time

    while True:
        try:
            with app.app_context():
                send_due()
                db.session.remove()
        except Exception:
            log.exception("mail worker pass failed")
        time.sleep(interval)
