"""A page of a thread's posts read as plain rows, not ORM objects.

A page of posts is read far more often than any post changes, and building twenty ORM objects
(with their authors and organisations) cost more than everything else on the API's read path.
These rows carry the same attribute names as `Post`, `User` and `Organisation`, so the rules in
`forum.permissions`, the serializers and the templates read them unchanged. They are read-only:
whatever changes a post loads the real one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter

from sqlalchemy import ScalarSelect, select

from forum.extensions import db
from forum.models import Organisation, Post, Thread, User
from forum.models.threads import REACTION_KINDS


@dataclass(slots=True, frozen=True)
class OrganisationRow:
    name: str


@dataclass(slots=True, frozen=True)
class AuthorRow:
    id: int
    username: str
    display_name: str
    erased_at: datetime | None
    organisation: OrganisationRow | None


@dataclass(slots=True)
class PostRow:
    id: int
    thread_id: int
    author_id: int | None
    reply_to_id: int | None
    body_markdown: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    revision: int
    hidden: bool
    hidden_reason: str | None
    pending: bool
    rejected: bool
    agree_count: int
    disagree_count: int
    thanks_count: int
    question_id: int | None
    quote_consent: str | None
    author: AuthorRow | None = None
    thread: Thread | None = None

    def reaction_counts(self) -> dict[str, int]:
        return {kind: getattr(self, f"{kind}_count") for kind in REACTION_KINDS}

    def in_thread(self, thread: Thread) -> PostRow:
        """A copy joined to this thread object (rows kept between requests are shared)."""
        return PostRow(*_ALL_BUT_THREAD(self), thread)


_POST_COLUMNS = [getattr(Post, f.name) for f in fields(PostRow) if f.name not in ("author", "thread")]
_ALL_BUT_THREAD = attrgetter(*(f.name for f in fields(PostRow) if f.name != "thread"))
_AUTHOR_COLUMNS = (User.id, User.username, User.display_name, User.erased_at, Organisation.name)


def read_posts(post_ids: list[int] | ScalarSelect, thread: Thread) -> list[PostRow]:
    """The posts with these ids (a list, or a query that pages them), oldest first, each with
    its author and their organisation."""
    if isinstance(post_ids, list) and not post_ids:
        return []
    rows = db.session.execute(
        select(*_POST_COLUMNS, *_AUTHOR_COLUMNS)
        .outerjoin(User, User.id == Post.author_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Post.id.in_(post_ids)).order_by(Post.id))
    width = len(_POST_COLUMNS)
    posts = []
    for row in rows:
        author_id, username, display_name, erased_at, organisation = row[width:]
        author = None if author_id is None else AuthorRow(
            author_id, username, display_name, erased_at,
            OrganisationRow(organisation) if organisation is not None else None)
        posts.append(PostRow(*row[:width], author=author, thread=thread))
    return posts
