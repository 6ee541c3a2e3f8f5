"""Informed-conversation topics and their summaries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, UTCDateTime, utcnow

TOPIC_STATUSES = ("upcoming", "open", "concluded", "archived")


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (Index("ix_topics_group_created", "group_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    briefing_markdown: Mapped[str] = mapped_column(Text, default="")
    briefing_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    thread_count: Mapped[int] = mapped_column(Integer, default=0)
    has_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    # Beside the status: discussion -> drafting -> signoff -> submitted (TOPIC_PHASES).
    phase: Mapped[str] = mapped_column(String(16), default="discussion",
                                       server_default="discussion")
    phase_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group = relationship("Group", lazy="joined")


class Summary(Base):
    """One version of a topic's summary; drafts and published versions alike."""

    __tablename__ = "summaries"
    __table_args__ = (UniqueConstraint("topic_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")


class SummaryCitation(Base):
    __tablename__ = "summary_citations"

    summary_id: Mapped[int] = mapped_column(
        ForeignKey("summaries.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # The revision the summary cited, so a later edit can mark the citation stale.
    post_revision: Mapped[int] = mapped_column(Integer, default=0)


TRANSLATION_KINDS = ("briefing", "summary")
EASY_READ = "en-GB-easy"  # an easy-read English version: a "locale" beside the languages


class TopicTranslation(Base):
    """A facilitator's version of a topic's briefing or published summary in another language
    (or in easy-read English). The source it was written from is kept so readers can be told
    when the original changed afterwards."""

    __tablename__ = "topic_translations"
    __table_args__ = (UniqueConstraint("topic_id", "kind", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # TRANSLATION_KINDS
    locale: Mapped[str] = mapped_column(String(16))  # a supported code but en-GB, or EASY_READ
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # What it was written from: the original's text digest and, for a summary, its version.
    source_digest: Mapped[str] = mapped_column(String(64))
    source_version: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")
