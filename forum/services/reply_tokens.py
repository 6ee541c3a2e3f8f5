"""Reply addresses: `reply+TOKEN@MAIL_REPLY_DOMAIN`, signed, naming a person and what they reply to.

A token packs (kind, person, target, day issued) into 11 bytes and signs them with an HMAC
(itsdangerous derives the key from SECRET_KEY, salted apart from every other signed value), cut
to 80 bits; the 21 bytes are written in lower-case base32: 34 characters, so the address fits an
e-mail local part and survives MTAs that change the case of local parts. A token works for 90
days; after that its signature still names the person, so they can be told why nothing happened.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from itsdangerous import Signer

LIFETIME = timedelta(days=90)
KINDS = {"thread": 1, "signoff": 2}
_KIND_NAMES = {number: name for name, number in KINDS.items()}
_EPOCH = date(2020, 1, 1)
_PAYLOAD = struct.Struct(">BIIH")  # kind, user id, target id, day issued since _EPOCH
_MAC_BYTES = 10
_TOKEN_CHARS = 34  # base32 of 21 bytes, without padding
ADDRESS = re.compile(rf"^reply\+([a-z2-7]{{{_TOKEN_CHARS}}})@(.+)$", re.IGNORECASE)


class BadToken(Exception):
    """The address is not one of ours: unknown, or its signature does not hold."""


@dataclass(frozen=True)
class ReplyToken:
    kind: str  # "thread" or "signoff"
    user_id: int
    target_id: int  # a thread id, or a sign-off id
    issued: date

    @property
    def expired(self) -> bool:
        return datetime.now(UTC).date() - self.issued > LIFETIME


def _mac(payload: bytes) -> bytes:
    signer = Signer(current_app.config["SECRET_KEY"], salt="mail-reply",
                    digest_method=hashlib.sha256)
    return hmac.new(signer.derive_key(), payload, hashlib.sha256).digest()[:_MAC_BYTES]


def make_token(kind: str, user_id: int, target_id: int, issued: date | None = None) -> str:
    day = ((issued or datetime.now(UTC).date()) - _EPOCH).days
    payload = _PAYLOAD.pack(KINDS[kind], user_id, target_id, day)
    return base64.b32encode(payload + _mac(payload)).decode("ascii").rstrip("=").lower()


def read_token(token: str) -> ReplyToken:
    """The token's contents if its signature holds (expired or not); else BadToken."""
    if len(token) != _TOKEN_CHARS:
        raise BadToken("wrong length")
    try:
        raw = base64.b32decode(token.upper() + "=" * 6)
    except ValueError:
        raise BadToken("not base32") from None
    payload, mac = raw[:_PAYLOAD.size], raw[_PAYLOAD.size:]
    if not hmac.compare_digest(mac, _mac(payload)):
        raise BadToken("signature")
    kind, user_id, target_id, day = _PAYLOAD.unpack(payload)
    if kind not in _KIND_NAMES:
        raise BadToken("kind")
    return ReplyToken(_KIND_NAMES[kind], user_id, target_id, _EPOCH + timedelta(days=day))


def reply_domain() -> str | None:
    """Replies by mail are on only while MAIL_REPLY_DOMAIN is set."""
    return (current_app.config.get("MAIL_REPLY_DOMAIN") or "").strip().lower() or None


def reply_address(kind: str, user_id: int, target_id: int) -> str | None:
    domain = reply_domain()
    if domain is None:
        return None
    return f"reply+{make_token(kind, user_id, target_id)}@{domain}"


def token_of_address(address: str) -> str | None:
    """The token of `reply+TOKEN@MAIL_REPLY_DOMAIN`, or None for any other address."""
    domain = reply_domain()
    match = ADDRESS.match((address or "").strip().strip("<>"))
    if domain is None or match is None or match.group(2).lower() != domain:
        return None
    return match.group(1).lower()


def read_address(address: str) -> ReplyToken:
    """One of our reply addresses, read; BadToken for any other address."""
    token = token_of_address(address)
    if token is None:
        raise BadToken("not a reply address")
    return read_token(token)


# --- what a mail says about its reply address -------------------------------------------------

@dataclass(frozen=True)
class ReplyOffer:
    address: str
    text: str  # the plain words put in the mail: what replying does and who will read it


def thread_offer(user, thread, *, in_digest: bool = False) -> ReplyOffer | None:
    """The reply address for `user` to answer in `thread` by mail, with the words saying so;
    None while replies are off or the person could not reply there in the pages either."""
    from flask_babel import gettext

    from forum.i18n import speaking_to
    from forum.permissions import actions
    from forum.services.threads import is_held_for_review

    if reply_domain() is None or thread is None:
        return None
    if actions.reply(user, thread, with_pace=False) is not True:
        return None
    address = reply_address("thread", user.id, thread.id)
    group = thread.topic.group
    with speaking_to(user):
        if in_digest:
            text = gettext("To answer in “%(thread)s” by mail, write to %(address)s: your words "
                           "are posted in the thread under your name.",
                           thread=thread.title, address=address)
        else:
            text = gettext("Reply to this mail to post your answer in the thread “%(thread)s”, "
                           "under your name.", thread=thread.title)
        if group.visibility == "private":
            text += " " + gettext("Only the members of %(group)s can read it.", group=group.name)
        else:
            text += " " + gettext("Everyone can read it: %(group)s is a public group.",
                                  group=group.name)
        if is_held_for_review(user, group):
            text += " " + gettext("A moderator approves it before others see it.")
        if not in_digest:
            text += " " + gettext("The quoted mail and your signature are left out, and so are "
                                  "attachments.")
    return ReplyOffer(address, text)


def digest_sections(user, items, lines: list[str]) -> tuple[list[str], str | None]:
    """A digest's lines regrouped into a section per thread, each ending with the thread's reply
    address; the digest's own Reply-To when all of it is about one thread."""
    from forum.extensions import db
    from forum.models import Post

    if reply_domain() is None:
        return lines, None
    sections: dict[object, list[str]] = {}
    for notification, line in zip(items, lines, strict=True):
        post = db.session.get(Post, notification.post_id) if notification.post_id else None
        key = ("thread", post.thread_id) if post is not None else ("item", notification.id)
        sections.setdefault(key, []).append(line)
    out: list[str] = []
    offers = []
    for (what, ident), section in sections.items():
        out.extend(section)
        if what == "thread":
            from forum.models import Thread

            offer = thread_offer(user, db.session.get(Thread, ident), in_digest=True)
            if offer is not None:
                offers.append(offer)
                out.append("  " + offer.text + "\n")
    only_one = len(sections) == 1 and len(offers) == 1
    return out, offers[0].address if only_one else None


def mark_outgoing(message, mail) -> None:
    """Headers of every mail the forum sends: its reply address, a loop guard, and (RFC 3834)
    that it was sent by a machine, so auto-responders stay quiet; an answer to a received mail
    is threaded under it and marked so a reply to it is known as a loop."""
    domain = message["Message-ID"].rsplit("@", 1)[-1].rstrip(">")
    message["X-Forum-Loop"] = domain
    message["X-Auto-Response-Suppress"] = "All"
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    if mail.in_reply_to:
        message["Auto-Submitted"] = "auto-replied"
        message.replace_header("Message-ID", f"<outbox-{mail.id}.auto@{domain}>")
        message["In-Reply-To"] = mail.in_reply_to
        message["References"] = mail.in_reply_to
    else:
        message["Auto-Submitted"] = "auto-generated"


def notification_offer(user, notification) -> ReplyOffer | None:
    """A notification about a post offers its thread; one about a topic with a sign-off the
    person's organisation may vote in offers the sign-off."""
    from forum.extensions import db
    from forum.models import Post, Topic

    if reply_domain() is None:
        return None
    if notification.post_id is not None:
        post = db.session.get(Post, notification.post_id)
        return thread_offer(user, post.thread) if post is not None else None
    if notification.topic_id is not None:
        topic = db.session.get(Topic, notification.topic_id)
        return signoff_offer(user, topic) if topic is not None else None
    return None


def signoff_offer(user, topic) -> ReplyOffer | None:
    """While a sign-off is open and the person may vote for their organisation in it."""
    from flask_babel import gettext

    from forum.i18n import speaking_to
    from forum.permissions import actions
    from forum.services.signoff import current_signoff, paragraphs_of

    if reply_domain() is None or topic is None:
        return None
    signoff = current_signoff(topic)
    if signoff is None or not signoff.is_open:
        return None
    if actions.vote_in_signoff(user, topic) is not True:
        return None
    numbers = [p.number for p in paragraphs_of(signoff)]
    with speaking_to(user):
        text = gettext(
            "You may vote for %(organisation)s by replying to this mail. Write “endorse all” on "
            "the first line to endorse every paragraph, or one line per paragraph, such as "
            "“2 object: the reason” or “3 abstain” (paragraphs 1 to %(last)s). Your "
            "organisation's votes show on the sign-off page, as if cast there. A mail back "
            "confirms what was recorded.",
            organisation=user.organisation.name if user.organisation else "",
            last=max(numbers) if numbers else 1)
    return ReplyOffer(reply_address("signoff", user.id, signoff.id), text)
