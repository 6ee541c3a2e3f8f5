"""Working groups and their memberships."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.models.base import Base, UTCDateTime, utcnow

VISIBILITIES = ("public", "private")
JOIN_POLICIES = ("open", "request", "invite")
# Ordered: each role has the rights of those before it. "pending" has none of them.
ROLES = ("member", "facilitator", "moderator")
ROLE_RANK = {"pending": 0, "member": 1, "facilitator": 2, "moderator": 3}


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    join_policy: Mapped[str] = mapped_column(String(16), default="open")
    premoderate: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hide a post automatically once this many distinct members flag it (None: off).
    auto_hide_flag_count: Mapped[int | None] = mapped_column(Integer)
    # Remove the posts of archived topics this many months after archiving (None: keep).
    retention_months: Mapped[int | None] = mapped_column(Integer)
    # Kept by the membership services so lists never aggregate on read; pending excluded.
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_private(self) -> bool:
        return self.visibility == "private"


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined")
