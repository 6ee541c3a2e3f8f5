"""Outgoing mail (an outbox written in the action's own transaction) and mail preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.models.base import Base, UTCDateTime, utcnow

MAIL_MODES = ("none", "immediate", "digest")
DEFAULT_MAIL_MODES = {
    "mention": "immediate", "reply": "immediate", "quote": "immediate",
    "summary": "immediate", "moderation": "immediate", "membership": "immediate",
    "conversation": "immediate",
    "post": "immediate",  # only for what the person chose to watch
}


class MailPreference(Base):
    __tablename__ = "mail_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))


class OutgoingMail(Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "sent_at", "send_after"),
                      Index("ix_mail_outbox_notification_id", "notification_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(600))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender claims a mail before sending it, so two workers never send the same one.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # What the mail is about, asked again when the sender sends it: a notification whose
    # receiver may no longer see its subject is dropped (never sent), with the reason.
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"))
    dropped_reason: Mapped[str | None] = mapped_column(String(200))
    # Taking part by e-mail: the reply address (reply+TOKEN@MAIL_REPLY_DOMAIN) a reply goes to,
    # and, for an answer to a received mail, that mail's Message-ID (threading; loop guard).
    reply_to: Mapped[str | None] = mapped_column(String(254))
    in_reply_to: Mapped[str | None] = mapped_column(String(300))
