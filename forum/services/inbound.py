"""Taking part by e-mail: a message received at a reply address becomes a post (or sign-off votes)
through the same services as the pages, or is refused with one explanation to the token's person.

Both doors (`flask mail receive` on an MTA's pipe, `flask mail serve` over SMTP) hand the raw
bytes to `receive_message`. It raises a database error (`RETRY_ERRORS`) when the message should be
retried later; anything else is handled: posted, voted, refused (with an explanation queued to the
person at their own address, at most one an hour) or dropped in silence (auto-replies, bounces,
loops, addresses that are not ours). The same Message-ID at the same address is handled once.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from flask import current_app
from flask_babel import gettext
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from forum import permissions as perm
from forum.db import unit_of_work
from forum.errors import ForumError
from forum.extensions import db
from forum.i18n import speaking_to
from forum.models import InboundMail, OutgoingMail, SignOff, Thread, Topic, User, utcnow
from forum.services import mail_text, reply_tokens
from forum.services.reply_tokens import BadToken, ReplyToken

log = logging.getLogger(__name__)

# The database is out of reach: the MTA keeps the message and tries again (75 / 451).
RETRY_ERRORS = (OperationalError, InterfaceError, PoolTimeout)
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
EXPLANATION_INTERVAL = timedelta(hours=1)

_AUTO_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[ -]?(?:reply|response|answer)|autoreply|auto:|out of (?:the )?office|"
    r"on vacation|vacation reply|away from (?:the )?office|abwesenheitsnotiz|"
    r"odpowied[źz] automatyczna|automatyczna odpowied[źz]|nieobecno[śs][ćc]|"
    r"delivery status notification|undeliver(?:able|ed)|returned mail|mail delivery failed)",
    re.IGNORECASE)
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
_REPLY_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


@dataclass
class Outcome:
    """What happened to one message at one reply address."""

    status: str  # posted | voted | refused | dropped | duplicate | unknown_recipient
    detail: str = ""
    post_id: int | None = None
    explained: bool = False
    notes: list[str] = field(default_factory=list)


# --- the door-independent entry point ---------------------------------------------------------

def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def reply_addresses(message: EmailMessage) -> list[str]:
    """Our reply addresses among the message's recipients (an MTA's pipe gives no envelope)."""
    found: list[str] = []
    for header in _REPLY_HEADERS:
        values = [str(v) for v in message.get_all(header) or []]
        for _, address in getaddresses(values):
            if reply_tokens.token_of_address(address) and address.lower() not in found:
                found.append(address.lower())
    return found


def accepts_address(address: str) -> bool:
    """Is this one of our reply addresses with a signature that holds? (No database needed: an
    SMTP listener answers 550 at RCPT for anything else.)"""
    try:
        reply_tokens.read_address(address)
    except BadToken:
        return False
    return True


def receive_message(raw: bytes, recipient: str | None = None,
                    sender: str | None = None) -> list[Outcome]:
    """Handle one received message, once per reply address it was sent to.

    `recipient` and `sender` are the SMTP envelope's, when the door knows them (`sender` "" for
    a bounce's empty return path); without a recipient, the message's headers name it. Raises
    one of `RETRY_ERRORS` when the database is out of reach; everything else is handled.
    """
    message = parse(raw[:MAX_MESSAGE_BYTES])
    addresses = [recipient.lower()] if recipient else reply_addresses(message)
    if not addresses:
        return [Outcome("unknown_recipient", "No reply address of ours among the recipients.")]
    return [_receive_at(message, raw, address, sender) for address in addresses]


def _receive_at(message: EmailMessage, raw: bytes, address: str,
                sender: str | None) -> Outcome:
    try:
        token = reply_tokens.read_address(address)
    except BadToken as error:
        log.info("inbound mail to %s dropped: not a valid reply address (%s)", address, error)
        return Outcome("unknown_recipient", "Not a valid reply address.")
    why_silent = _automatic(message, sender)
    if why_silent:
        log.info("inbound mail for user %s dropped: %s", token.user_id, why_silent)
        _record_drop(_message_key(message, raw, address), message, token.user_id, why_silent)
        return Outcome("dropped", why_silent)
    key = _message_key(message, raw, address)
    if db.session.scalar(select(exists().where(InboundMail.message_key == key))):
        return Outcome("duplicate", "This message was handled already.")
    letter = _Letter(message, key, token)
    user = db.session.get(User, token.user_id)
    if user is None:
        return _drop(letter, None, "The reply address's account is gone.")
    with speaking_to(user):  # refusals from the permissions layer come in the person's language
        return _judge(letter, user)


@dataclass
class _Letter:
    message: EmailMessage
    key: str
    token: ReplyToken

    @property
    def message_id(self) -> str:
        return str(self.message.get("Message-ID") or "").strip()[:300]

    @property
    def subject(self) -> str:
        return " ".join(str(self.message.get("Subject") or "").split())[:200]


def _judge(letter: _Letter, user: User) -> Outcome:
    """The checks in the order the person would want to be told, then the action."""
    if user.erased_at is not None or not user.email:
        return _drop(letter, user, "The account was erased.")
    if not user.is_active:
        return _refuse(letter, user, gettext(
            "Your account is disabled or not yet approved, so nothing can be posted for it."))
    if letter.token.expired:
        return _refuse(letter, user, gettext(
            "The address you replied to has expired (reply addresses work for 90 days). Reply "
            "to a newer notification, or write on the forum's page."))
    if not _from_the_person(letter.message, user):
        shown = parseaddr(str(letter.message.get("From") or ""))[1][:100]
        return _refuse(letter, user, gettext(
            "It came from %(address)s, not from your account's address. Reply addresses take "
            "mail only from the address your forum account has.", address=shown or "?"))
    if letter.token.kind == "signoff":
        return _vote(letter, user)
    return _post(letter, user)


# --- posting a reply --------------------------------------------------------------------------

def _post(letter: _Letter, user: User) -> Outcome:

    thread = db.session.get(Thread, letter.token.target_id)
    perm.forget_cached_rights(user)
    if thread is None or not perm.can_see_thread(user, thread):
        return _refuse(letter, user, gettext(
            "The thread you replied to is gone, or you may no longer see it."))
    reading = mail_text.read_reply(letter.message)
    if not reading.text.strip():
        return _refuse(letter, user, gettext(
            "The mail had no words of its own: only quoted text, a signature or attachments."))
    limited = _posting_limit_reached(user)
    if limited:
        return _refuse(letter, user, limited)
    try:
        post = _create_post_once(letter, user, thread, reading.text)
    except IntegrityError:
        db.session.rollback()
        return Outcome("duplicate", "This message was handled already.")
    except ForumError as error:  # the permissions layer's sentence: locked, slowed, closed...
        return _refuse(letter, user, error.message)
    outcome = Outcome("posted", post_id=post.id)
    if reading.attachments:
        outcome.notes.append("attachments left out")
        _tell(letter, user, gettext(
            "Your reply was posted in “%(thread)s”, without its attachments (%(names)s): files "
            "sent by mail are not taken. Add them from the forum's page if they are needed.",
            thread=thread.title, names=", ".join(reading.attachments)[:300]),
            subject=gettext("[Working Groups] Posted without attachments"))
    return outcome


@unit_of_work
def _create_post_once(letter: _Letter, user: User, thread: Thread, body: str):
    """The post and the record of its message in one transaction: a second delivery of the same
    message fails on the record's unique key and posts nothing."""
    from forum.services import posts

    record = InboundMail(message_key=letter.key, message_id=letter.message_id,
                         user_id=user.id, outcome="posted")
    db.session.add(record)
    db.session.flush()
    post = posts.create_post(user, thread, body)
    record.post_id = post.id
    return post


def _posting_limit_reached(user: User) -> str | None:
    """RATELIMIT_POSTS, counted per person over the posts they made by mail.

    Flask-Limiter's buckets live in its storage, which is only memory in a process started for
    one message (the MTA's pipe) unless Redis is configured; the posts made by mail are already
    rows here, so counting them works for every process and every deployment alike."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    from limits import parse_many

    from forum.ratelimits import DEFAULTS

    setting = current_app.config.get("RATELIMIT_POSTS") or DEFAULTS["RATELIMIT_POSTS"]
    now = utcnow()
    for limit in parse_many(setting):
        count = db.session.scalar(select(func.count(InboundMail.id)).where(
            InboundMail.user_id == user.id, InboundMail.outcome == "posted",
            InboundMail.received_at > now - timedelta(seconds=limit.get_expiry())))
        if count >= limit.amount:
            return gettext("You have posted too often by mail in a short time: wait a little "
                           "and send it again.")
    return None


# --- sign-off votes ---------------------------------------------------------------------------

_VOTE_LINE = re.compile(
    r"^\s*(?:paragraph\s+|§\s*)?(\d{1,4})\s*[.:)\-–]?\s*(endorse|object|abstain)\b\s*[:\-–]?\s*(.*)$",
    re.IGNORECASE)


def parse_votes(text: str) -> list[tuple[int | None, str, str]]:
    """`endorse all` on the first line, or lines like `2 object: reason` / `3 abstain`.
    (None, "endorse", "") stands for every paragraph."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and re.fullmatch(r"endorse\s+all[.!]?", lines[0], re.IGNORECASE):
        return [(None, "endorse", "")]
    votes = []
    for line in lines:
        match = _VOTE_LINE.match(line)
        if match:
            votes.append((int(match.group(1)), match.group(2).lower(), match.group(3).strip()))
    return votes


def _vote(letter: _Letter, user: User) -> Outcome:
    from forum.services import signoff as signoffs

    signoff = db.session.get(SignOff, letter.token.target_id)
    topic = db.session.get(Topic, signoff.topic_id) if signoff is not None else None
    perm.forget_cached_rights(user)
    if topic is None or not perm.can_see_topic(user, topic):
        return _refuse(letter, user, gettext(
            "The sign-off you replied to is gone, or you may no longer see it."))
    latest = signoffs.current_signoff(topic)
    if not signoff.is_open or latest is None or latest.id != signoff.id:
        return _refuse(letter, user, gettext("This sign-off has closed: no more votes are taken."))
    reading = mail_text.read_reply(letter.message)
    votes = parse_votes(reading.text)
    if not votes:
        return _refuse(letter, user, gettext(
            "No votes were found in it. Write “endorse all” on the first line, or one line per "
            "paragraph such as “2 object: the reason” or “3 abstain”."))
    if votes[0][0] is None:
        votes = [(p.number, "endorse", "") for p in signoffs.paragraphs_of(signoff)]
    recorded, refused = [], []
    for number, stance, reason in votes:
        try:
            signoffs.cast_vote(user, topic, number, stance, reason)
        except ForumError as error:
            refused.append((number, stance, _with_fields(error)))
        else:
            recorded.append((number, stance))
    lines = [gettext("Recorded for %(organisation)s on “%(topic)s”:",
                     organisation=user.organisation.name if user.organisation else "",
                     topic=topic.title)]
    lines += [f"- {_stance_line(number, stance)}" for number, stance in recorded] or [
        "- " + gettext("nothing")]
    if refused:
        lines += ["", gettext("Not recorded:")]
        lines += [f"- {_stance_line(number, stance)}: {why}" for number, stance, why in refused]
    detail = f"{len(recorded)} recorded, {len(refused)} refused"
    try:
        _record(letter, user, "voted", detail, answer=(
            "\n".join(lines), gettext("[Working Groups] Your sign-off votes")))
    except IntegrityError:  # votes are idempotent; the confirmation went the first time
        db.session.rollback()
        return Outcome("duplicate", "This message was handled already.")
    return Outcome("voted", detail)


def _stance_line(number: int, stance: str) -> str:
    names = {"endorse": gettext("endorse"), "object": gettext("object"),
             "abstain": gettext("abstain")}
    return gettext("paragraph %(number)s: %(stance)s", number=number,
                   stance=names.get(stance, stance))


def _with_fields(error: ForumError) -> str:
    details = "; ".join(str(v) for v in (error.fields or {}).values())
    return f"{error.message} {details}".strip() if details else error.message


# --- refusing, dropping, telling --------------------------------------------------------------

def _refuse(letter: _Letter, user: User, sentence: str) -> Outcome:
    """Nothing is posted; the person hears why at their own address (once an hour at most)."""
    db.session.rollback()
    try:
        explained = _record_refusal(letter, user, sentence)
    except IntegrityError:
        db.session.rollback()
        return Outcome("duplicate", "This message was handled already.")
    return Outcome("refused", sentence, explained=explained)


@unit_of_work
def _record_refusal(letter: _Letter, user: User, sentence: str) -> bool:
    record = InboundMail(message_key=letter.key, message_id=letter.message_id, user_id=user.id,
                         outcome="refused", detail=sentence[:300])
    db.session.add(record)
    db.session.flush()
    if not _may_explain(user, record.id):
        return False
    record.explained = True
    _queue_answer(letter, user, gettext(
        "Your mail “%(subject)s” was not posted.", subject=letter.subject or "…")
        + "\n\n" + sentence, gettext("[Working Groups] Your mail was not posted"))
    return True


def _may_explain(user: User, this_record: int) -> bool:
    since = utcnow() - EXPLANATION_INTERVAL
    return not db.session.scalar(select(exists().where(
        InboundMail.user_id == user.id, InboundMail.explained.is_(True),
        InboundMail.received_at > since, InboundMail.id != this_record)))


def _tell(letter: _Letter, user: User, text: str, subject: str) -> None:
    """A note about a message that was posted (at most one an hour, like explanations)."""
    @unit_of_work
    def note() -> None:
        record = db.session.scalar(select(InboundMail).where(
            InboundMail.message_key == letter.key))
        if record is None or not _may_explain(user, record.id):
            return
        record.explained = True
        _queue_answer(letter, user, text, subject)

    note()


def _queue_answer(letter: _Letter, user: User, text: str, subject: str) -> None:
    """Inside a unit of work: mail to the person's own address (never to the message's From),
    threaded under their message and marked as an automatic answer."""
    body = gettext("Hello %(name)s,", name=user.display_name) + "\n\n" + text + "\n\n-- \n" + \
        gettext("This is an automatic answer to a mail you sent to a reply address of the "
                "forum: %(url)s", url=current_app.config["PUBLIC_URL"]) + "\n"
    db.session.add(OutgoingMail(user_id=user.id, to_address=user.email, subject=subject[:300],
                                body=body, in_reply_to=letter.message_id or None))


@unit_of_work
def _record(letter: _Letter, user: User, outcome: str, detail: str,
            answer: tuple[str, str] | None = None) -> None:
    """The message's record and, with `answer` (text, subject), the mail back, together."""
    db.session.add(InboundMail(message_key=letter.key, message_id=letter.message_id,
                               user_id=user.id, outcome=outcome, detail=detail[:300]))
    db.session.flush()
    if answer is not None:
        _queue_answer(letter, user, *answer)


def _drop(letter: _Letter, user: User | None, why: str) -> Outcome:
    log.info("inbound mail %s dropped: %s", letter.message_id, why)
    _record_drop(letter.key, letter.message, user.id if user else None, why)
    return Outcome("dropped", why)


def _record_drop(key: str, message: EmailMessage, user_id: int | None, why: str) -> None:
    @unit_of_work
    def record() -> None:
        known = user_id is not None and db.session.get(User, user_id) is not None
        db.session.add(InboundMail(
            message_key=key, message_id=str(message.get("Message-ID") or "").strip()[:300],
            user_id=user_id if known else None, outcome="dropped", detail=why[:300]))

    try:
        record()
    except IntegrityError:  # dropped before: nothing more to do
        db.session.rollback()


# --- what a message is ------------------------------------------------------------------------

def _message_key(message: EmailMessage, raw: bytes, address: str) -> str:
    message_id = str(message.get("Message-ID") or "").strip()
    basis = message_id.encode("utf-8", "replace") if message_id else raw
    return hashlib.sha256(basis + b"\0" + address.lower().encode()).hexdigest()


def _our_domain() -> str:
    from urllib.parse import urlsplit

    sender = current_app.config.get("MAIL_FROM") or (
        "forum@" + (urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"))
    return sender.rsplit("@", 1)[-1].lower()


def _automatic(message: EmailMessage, sender: str | None) -> str | None:
    """Why a message must get no answer at all (auto-replies, bounces, loops), or None."""
    auto = str(message.get("Auto-Submitted") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    if str(message.get("Precedence") or "").strip().lower() in ("bulk", "junk", "list"):
        return "Precedence: " + str(message.get("Precedence")).strip().lower()
    for header in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if message.get(header) is not None:
            return f"{header} header"
    if message.get("X-Forum-Loop") is not None:
        return "our own mail came back (X-Forum-Loop)"
    return_path = message.get("Return-Path")
    if sender is not None and sender.strip().strip("<>") == "":
        return "a bounce (empty envelope sender)"
    if return_path is not None and str(return_path).strip().strip("<>").strip() == "":
        return "a bounce (empty return path)"
    if message.get_content_type() == "multipart/report":
        return "a delivery or read report"
    from_address = parseaddr(str(message.get("From") or ""))[1]
    if any(address.split("@")[0].lower() in _BOUNCE_SENDERS
           for address in (from_address, sender or "", str(return_path or "").strip("<> "))):
        return "a bounce (MAILER-DAEMON)"
    if _AUTO_SUBJECT.match(str(message.get("Subject") or "")):
        return "an automatic answer (its subject)"
    domain = _our_domain()
    own_id = str(message.get("Message-ID") or "").lower()
    if own_id.endswith(f"@{domain}>") and "<outbox-" in own_id:
        return "our own mail came back (its Message-ID)"
    references = " ".join(str(message.get(h) or "") for h in ("In-Reply-To", "References"))
    if re.search(rf"<outbox-\d+\.auto@{re.escape(domain)}>", references, re.IGNORECASE):
        return "an answer to one of our automatic answers (a loop)"
    return None


def _from_the_person(message: EmailMessage, user: User) -> bool:
    """The From address is the account's, compared case-insensitively."""
    values = [str(v) for v in message.get_all("From") or []]
    addresses = [address for _, address in getaddresses(values) if address]
    return len(addresses) == 1 and addresses[0].casefold() == user.email.strip().casefold()
