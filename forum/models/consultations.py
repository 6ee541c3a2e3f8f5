"""From debate to response: organisations, consultation questions, consent to quote, sign-off.

An organisation is a record site admins keep (a member charity, with its region); a user belongs
to at most one. A topic carries numbered questions; threads and posts answer one of them. Each
member says per group (and may override per post) how their words may leave the forum. A draft
summary goes to sign-off paragraph by paragraph, one voice per member organisation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, UTCDateTime, utcnow

TOPIC_PHASES = ("discussion", "drafting", "signoff", "submitted")
# How a member's words may leave the forum (reports, exports, the printable response).
CONSENT_LEVELS = ("attributable", "anonymised", "not_quoted")
# Privacy by default: nobody is named to government unless they said so.
DEFAULT_CONSENT = "anonymised"
STANCES = ("endorse", "object", "abstain")


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    region: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsultationQuestion(Base):
    __tablename__ = "consultation_questions"
    __table_args__ = (UniqueConstraint("topic_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class QuoteConsent(Base):
    """A member's standing answer, per group; a post may override it."""

    __tablename__ = "quote_consents"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignOff(Base):
    """One summary version put to the member organisations, open until the facilitator closes it."""

    __tablename__ = "signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    summary_id: Mapped[int] = mapped_column(
        ForeignKey("summaries.id", ondelete="CASCADE"), unique=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Frozen at closing: the member organisations of the group then.
    organisation_count: Mapped[int | None] = mapped_column(Integer)

    summary = relationship("Summary", lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SignOffParagraph(Base):
    __tablename__ = "signoff_paragraphs"
    __table_args__ = (UniqueConstraint("signoff_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    signoff_id: Mapped[int] = mapped_column(ForeignKey("signoffs.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)


class SignOffVote(Base):
    """One organisation's voice on one paragraph; any of its members may change it while open."""

    __tablename__ = "signoff_votes"
    # The rule "one voice per organisation" lives in the database, not only in the service.
    __table_args__ = (UniqueConstraint("paragraph_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(
        ForeignKey("signoff_paragraphs.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    cast_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    stance: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation", lazy="joined")
    cast_by = relationship("User", lazy="joined")


class SignOffVoteChange(Base):
    """Every vote cast or changed, kept: who, when, and from what to what (the annex shows it)."""

    __tablename__ = "signoff_vote_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(
        ForeignKey("signoff_paragraphs.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_stance: Mapped[str | None] = mapped_column(String(16))
    to_stance: Mapped[str] = mapped_column(String(16))
    from_reason: Mapped[str] = mapped_column(Text, default="")
    to_reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation", lazy="joined")
    changed_by = relationship("User", lazy="joined")


class PhaseReminder(Base):
    """A deadline reminder sent: at most one per topic, phase and person."""

    __tablename__ = "phase_reminders"

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True)
    phase: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
