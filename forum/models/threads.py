"""Threads, posts, their revisions and reactions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, UTCDateTime, utcnow

REACTION_KINDS = ("agree", "disagree", "thanks")


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (
        # The topic page: pinned first, then by last post.
        Index("ix_threads_topic_order", "topic_id", "pinned", "last_post_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Published posts, first and hidden ones included, pending never (API.md).
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # Slow mode ends by itself at this time (None: until a moderator turns it off).
    slow_mode_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="SET NULL"))
    # An objection raised in sign-off may open a thread about its paragraph.
    signoff_paragraph_id: Mapped[int | None] = mapped_column(
        ForeignKey("signoff_paragraphs.id", ondelete="SET NULL"))
    # A new random number from the database's own triggers (migration 0017) whenever a page of
    # the thread's posts would read differently. The application never writes it: a new thread
    # reads it back from the database.
    content_version: Mapped[int] = mapped_column(BigInteger, server_default="0")

    topic = relationship("Topic", lazy="joined")
    author = relationship("User", lazy="joined")


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        # Posts of a thread in order. It covers the visibility filter too, so a page (even
        # page 500) and the count are read from the index alone, never from the post rows.
        Index("ix_posts_thread_listing", "thread_id", "id", "pending", "rejected", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    rejected: Mapped[bool] = mapped_column(Boolean, default=False)
    agree_count: Mapped[int] = mapped_column(Integer, default=0)
    disagree_count: Mapped[int] = mapped_column(Integer, default=0)
    thanks_count: Mapped[int] = mapped_column(Integer, default=0)
    # The question this post answers, when it differs from its thread's.
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="SET NULL"))
    # The author's override of their group-wide consent to quote (CONSENT_LEVELS), or None.
    quote_consent: Mapped[str | None] = mapped_column(String(16))

    author = relationship("User", lazy="joined")
    thread = relationship("Thread", lazy="select")

    def reaction_counts(self) -> dict[str, int]:
        return {kind: getattr(self, f"{kind}_count") for kind in REACTION_KINDS}


class PostRevision(Base):
    """An earlier version of a post, kept whenever the post is edited."""

    __tablename__ = "post_revisions"
    __table_args__ = (Index("ix_post_revisions_post_id_id", "post_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # When this version was written, and by whom (the version's own author and time).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))

    editor = relationship("User", lazy="joined")


class Reaction(Base):
    __tablename__ = "reactions"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
