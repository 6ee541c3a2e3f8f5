"""Member organisations: records site admins keep (name, region, the accounts that speak for
them), so sign-off counts organisations rather than people."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import func, select, update

from forum.db import unit_of_work
from forum.errors import Conflict, NotFound
from forum.extensions import db
from forum.models import Membership, Organisation, User
from forum.permissions import actions
from forum.services.admin import audit
from forum.services.validation import require_text, single_line


def _require(actor: User) -> None:
    actions.require(actions.manage_organisations(actor))


def list_organisations(actor: User) -> list[tuple[Organisation, int]]:
    """Each organisation with the number of accounts that speak for it."""
    _require(actor)
    counts = (select(User.organisation_id, func.count(User.id).label("n"))
              .where(User.erased_at.is_(None)).group_by(User.organisation_id).subquery())
    rows = db.session.execute(
        select(Organisation, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)).all()
    return [(org, n) for org, n in rows]


def get_organisation(actor: User, organisation_id: int) -> Organisation:
    _require(actor)
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(gettext("No such organisation."))
    return organisation


def _check_unique(name: str, exclude: int | None = None) -> None:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if exclude is not None:
        query = query.where(Organisation.id != exclude)
    if db.session.scalar(query) is not None:
        raise Conflict(gettext("An organisation of that name exists already."))


@unit_of_work
def create_organisation(actor: User, name: str, region: str = "") -> Organisation:
    _require(actor)
    name = require_text({"name": name}, {"name": 160})["name"]
    region = single_line("region", region, 80, required=False)
    _check_unique(name)
    organisation = Organisation(name=name, region=region)
    db.session.add(organisation)
    db.session.flush()
    audit(actor, "create_organisation", "organisation", organisation.id, name)
    return organisation


@unit_of_work
def update_organisation(actor: User, organisation: Organisation, name: str | None = None,
                        region: str | None = None) -> Organisation:
    _require(actor)
    if name is not None:
        name = require_text({"name": name}, {"name": 160})["name"]
        _check_unique(name, exclude=organisation.id)
        organisation.name = name
    if region is not None:
        organisation.region = single_line("region", region, 80, required=False)
    audit(actor, "update_organisation", "organisation", organisation.id)
    return organisation


@unit_of_work
def delete_organisation(actor: User, organisation: Organisation) -> None:
    """Its accounts stay, speaking for no organisation; its sign-off votes go."""
    _require(actor)
    db.session.execute(update(User).where(User.organisation_id == organisation.id)
                       .values(organisation_id=None))
    audit(actor, "delete_organisation", "organisation", organisation.id, organisation.name)
    db.session.delete(organisation)


@unit_of_work
def set_member_organisation(actor: User, user: User, organisation: Organisation | None) -> User:
    """An account speaks for one organisation at most; None detaches it."""
    _require(actor)
    user.organisation_id = organisation.id if organisation else None
    audit(actor, "set_organisation", "user", user.id,
          organisation.name if organisation else "none")
    return user


def organisation_members(organisation: Organisation) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.organisation_id == organisation.id, User.erased_at.is_(None))
        .order_by(User.username)))


def group_organisations(group_id: int) -> list[Organisation]:
    """The member organisations of a group: those with at least one member in it."""
    return list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(
            select(User.organisation_id).join(Membership, Membership.user_id == User.id)
            .where(Membership.group_id == group_id, Membership.role != "pending",
                   User.erased_at.is_(None))))
        .order_by(Organisation.name)))
