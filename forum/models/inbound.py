"""Mail received at the reply addresses: one row per message and address, handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.models.base import Base, UTCDateTime, utcnow

INBOUND_OUTCOMES = ("posted", "voted", "refused", "dropped")


class InboundMail(Base):
    __tablename__ = "inbound_mail"
    __table_args__ = (Index("ix_inbound_mail_user_received", "user_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the Message-ID (or of the whole message when it has none) and the reply
    # address: the same message delivered twice is handled once (the unique index decides).
    message_key: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str] = mapped_column(String(300), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(String(300), default="")
    # An explanation went back to the person (at most one an hour per person).
    explained: Mapped[bool] = mapped_column(Boolean, default=False)
