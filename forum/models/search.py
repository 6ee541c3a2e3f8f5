"""The search index: one row per searchable thing, mirrored into FTS5 or a tsvector.

The full-text side is backend-specific and lives only in the migrations: an FTS5
external-content table kept by triggers on SQLite, a generated tsvector column with a GIN index
on PostgreSQL. Both change in the same transaction as the row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.models.base import Base, UTCDateTime, utcnow

SEARCH_KINDS = ("topic", "thread", "post", "summary")


class SearchEntry(Base):
    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index("ix_search_entries_thread_id", "thread_id"),
        Index("ix_search_entries_group_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(Integer)
    group_id: Mapped[int] = mapped_column(Integer)
    topic_id: Mapped[int | None] = mapped_column(Integer)
    thread_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Kept in step with the thing itself: hidden bodies and unpublished things are filtered.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def is_backend_specific(name: str | None, type_: str) -> bool:
    """Objects the models do not describe on purpose (for autogenerate and the schema test)."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return True
    if type_ == "column" and name == "tsv":
        return True
    if type_ == "index" and name == "ix_search_entries_tsv":
        return True
    return False
