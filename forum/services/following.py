"""Following: each member's level (watching, normal, muted) for a thread, topic or group."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from forum.db import run, unit_of_work
from forum.errors import ValidationFailed
from forum.extensions import db
from forum.models import WATCH_LEVELS, Thread, User, Watch, utcnow

DEFAULT_LEVEL = "normal"
# The most specific level set wins.
SPECIFICITY = ("thread", "topic", "group")


def _target_params(thread: Thread) -> dict[str, int]:
    return {"thread": thread.id, "topic": thread.topic_id, "group": thread.topic.group_id}


# The levels set on a thread, its topic or its group, as statements built once.
_AT_THREAD_TOPIC_OR_GROUP = or_(*[(Watch.target_type == kind) & (Watch.target_id == bindparam(kind))
                                 for kind in ("thread", "topic", "group")])
_OWN_LEVELS = select(Watch.target_type, Watch.level).where(
    Watch.user_id == bindparam("user"), _AT_THREAD_TOPIC_OR_GROUP)
_EVERYONES_LEVELS = select(Watch.user_id, Watch.target_type, Watch.level).where(
    _AT_THREAD_TOPIC_OR_GROUP)
_THEIR_LEVELS = _EVERYONES_LEVELS.where(Watch.user_id.in_(bindparam("users", expanding=True)))


_LEVEL = select(Watch.level).where(Watch.user_id == bindparam("user"),
                                   Watch.target_type == bindparam("type"),
                                   Watch.target_id == bindparam("target"))


def level_of(user: User, target_type: str, target_id: int) -> str:
    """The level the user set on exactly this thread, topic or group (default `normal`)."""
    return run(_LEVEL, {"user": user.id, "type": target_type, "target": target_id}
               ).scalar() or DEFAULT_LEVEL


def levels_for_thread(thread: Thread, user_ids: list[int] | None = None) -> dict[int, str]:
    """user_id -> effective level for a thread, for everyone who set one at any of its levels
    (or only for `user_ids`), in one query. Absent users are `normal`."""
    if user_ids is None:
        rows = run(_EVERYONES_LEVELS, _target_params(thread))
    elif not user_ids:
        return {}
    else:
        rows = run(_THEIR_LEVELS, {**_target_params(thread), "users": list(user_ids)})
    chosen: dict[int, dict[str, str]] = {}
    for user_id, target_type, level in rows:
        chosen.setdefault(user_id, {})[target_type] = level
    return {user_id: next(levels[t] for t in SPECIFICITY if t in levels)
            for user_id, levels in chosen.items()}


def _upsert(user: User, target_type: str, target_id: int, level: str) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Watch.__table__)
    table = Watch.__table__
    db.session.execute(insert.values(
        user_id=user.id, target_type=target_type, target_id=target_id, level=level,
        updated_at=utcnow(),
    ).on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.target_type, table.c.target_id],
        set_={"level": insert.excluded.level, "updated_at": insert.excluded.updated_at}))


@unit_of_work
def set_level(actor: User, target_type: str, target_id: int, level: str) -> str:
    """A signed-in person who sees the target (the door looked it up for them) sets their level.
    Raises ValidationFailed for an unknown level."""
    if level not in WATCH_LEVELS:
        raise ValidationFailed({"level": gettext("Choose watching, normal or muted.")})
    _upsert(actor, target_type, target_id, level)
    return level


def keep_hearing(actor: User, thread: Thread) -> None:
    """Inside the unit of work of a post or thread the actor writes: a thread one takes part
    in is not silently muted by its topic's or group's level (a thread's own level stays)."""
    levels = dict(run(_OWN_LEVELS, {"user": actor.id, **_target_params(thread)}).all())
    if "thread" not in levels and "muted" in levels.values():
        _upsert(actor, "thread", thread.id, DEFAULT_LEVEL)
