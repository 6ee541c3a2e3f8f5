"""Consent to quote: how each member's words may leave the forum.

Every export (the report, the response in Markdown, CSV and the printable page) asks this
module how to credit a post and whether its text may be quoted; no export decides it itself.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from sqlalchemy import select
from flask_babel import gettext, lazy_gettext

from forum import permissions as perm
from forum.db import unit_of_work
from forum.errors import ValidationFailed
from forum.extensions import db
from forum.markup import plain_text
from forum.models import (
    CONSENT_LEVELS,
    DEFAULT_CONSENT,
    Group,
    Organisation,
    Post,
    QuoteConsent,
    User,
    utcnow,
)
from forum.services.validation import refuse

# Lazy: said in the reader's language wherever they are shown.
LEVEL_LABELS = {
    "attributable": lazy_gettext("Quote me by name and organisation"),
    "anonymised": lazy_gettext("Quote me without my name or organisation (by region only)"),
    "not_quoted": lazy_gettext("Do not quote me: count my posts only"),
}


def check_level(level: str | None, field: str = "level", allow_none: bool = False) -> str | None:
    if level is None and allow_none:
        return None
    if level not in CONSENT_LEVELS:
        raise ValidationFailed({field: gettext("Choose attributable, anonymised or "
                                               "not_quoted.")})
    return level


def group_levels(user: User) -> dict[int, str]:
    """group_id -> the member's standing answer (groups without one use the default)."""
    return dict(db.session.execute(
        select(QuoteConsent.group_id, QuoteConsent.level).where(QuoteConsent.user_id == user.id)
    ).all())


@unit_of_work
def set_group_consent(actor: User, group: Group, level: str) -> str:
    if not perm.can_set_group_consent(actor, group):
        refuse(actor, gettext("Only members of the group set how their words may be quoted."))
    level = check_level(level)
    row = db.session.get(QuoteConsent, (actor.id, group.id))
    if row is None:
        db.session.add(QuoteConsent(user_id=actor.id, group_id=group.id, level=level))
    else:
        row.level, row.updated_at = level, utcnow()
    return level


@unit_of_work
def set_post_consent(actor: User, post: Post, level: str | None) -> Post:
    """The author overrides their group-wide answer for one post; None returns to it."""
    if not perm.can_set_post_consent(actor, post):
        refuse(actor, gettext("Only the author says how a post may be quoted."))
    post.quote_consent = check_level(level, allow_none=True)
    return post


@dataclass(frozen=True)
class Credit:
    """How an export credits one post, with consent applied."""

    level: str           # attributable | anonymised | not_quoted
    name: str            # what the export may print as the author
    organisation: str    # the organisation's name, or "" where it may not appear
    region: str
    quotable: bool       # may the text leave the forum?

    def quote(self, post: Post, limit: int = 1200) -> str | None:
        if not self.quotable:
            return None
        text = html.unescape(plain_text(post.body_html))
        return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def credits_for(posts: list[Post], group_id: int) -> dict[int, Credit]:
    """post_id -> Credit, in two queries whatever the number of posts."""
    author_ids = {p.author_id for p in posts if p.author_id is not None}
    standing = dict(db.session.execute(
        select(QuoteConsent.user_id, QuoteConsent.level)
        .where(QuoteConsent.group_id == group_id, QuoteConsent.user_id.in_(author_ids))).all()
    ) if author_ids else {}
    organisations = {org.id: org for org in db.session.scalars(
        select(Organisation).where(Organisation.id.in_(
            {p.author.organisation_id for p in posts if p.author is not None
             and p.author.organisation_id is not None})))}
    credits = {}
    for post in posts:
        author = post.author
        level = post.quote_consent or standing.get(post.author_id, DEFAULT_CONSENT)
        organisation = organisations.get(author.organisation_id) if author else None
        credits[post.id] = credit(author, organisation, level)
    return credits


def credit(author: User | None, organisation: Organisation | None, level: str) -> Credit:
    region = organisation.region if organisation else ""
    if author is None or author.erased_at is not None:
        # An erased person is never named, whatever they once agreed to.
        level = "not_quoted" if level == "not_quoted" else "anonymised"
        return Credit(level, "A former member", "", "", level != "not_quoted")
    if level == "attributable":
        return Credit(level, author.display_name, organisation.name if organisation else "",
                      region, True)
    if organisation is not None:
        name = (f"A member organisation in {region}" if region
                else "A member organisation")
    else:
        name = "A member of the group"
    return Credit(level, name, "", region, level != "not_quoted")


def credit_line(c: Credit) -> str:
    return f"{c.name} ({c.organisation})" if c.organisation else c.name


def group_level_of(user_id: int | None, group_id: int) -> str:
    if user_id is None:
        return DEFAULT_CONSENT
    row = db.session.get(QuoteConsent, (user_id, group_id))
    return row.level if row is not None else DEFAULT_CONSENT


def levels_in_my_groups(user: User) -> list[tuple[Group, str]]:
    """Every group the user belongs to, with their answer there (the default where unset)."""
    from forum.models import Membership

    rows = db.session.execute(
        select(Group, QuoteConsent.level).join(Membership, Membership.group_id == Group.id)
        .outerjoin(QuoteConsent, (QuoteConsent.group_id == Group.id)
                   & (QuoteConsent.user_id == user.id))
        .where(Membership.user_id == user.id, Membership.role != "pending")
        .order_by(Group.name)).all()
    return [(group, level or DEFAULT_CONSENT) for group, level in rows]
