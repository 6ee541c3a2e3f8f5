"""Database engine tuning and the unit of work that every write service runs in."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

from forum.extensions import db

P = ParamSpec("P")
R = TypeVar("R")

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)
_after_commit: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "after_commit", default=None
)


def configure_engine(engine: Engine) -> None:
    """SQLite: WAL, busy timeout, foreign keys, and BEGIN IMMEDIATE for write units."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so we can choose IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A write unit takes the write lock up front: a deferred transaction that upgrades
        # to a writer later can fail at once with "database is locked" under contention.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current unit of work has committed (never after a rollback)."""
    pending = _after_commit.get()
    if pending is None:
        callback()  # not inside a unit of work: nothing left to wait for
    else:
        pending.append(callback)


def unit_of_work(fn: Callable[P, R]) -> Callable[P, R]:
    """Make a service one transaction: begin (IMMEDIATE on SQLite), commit once, then publish."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _write_intent.get():  # a service calling another joins the caller's unit
            return fn(*args, **kwargs)
        session = db.session()  # the scoped session's current Session
        if session.in_transaction():
            session.commit()  # end the read snapshot; objects stay loaded (expire_on_commit off)
        intent = _write_intent.set(True)
        callbacks: list[Callable[[], None]] = []
        queued = _after_commit.set(callbacks)
        try:
            result = fn(*args, **kwargs)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            _write_intent.reset(intent)
            _after_commit.reset(queued)
        for callback in callbacks:
            callback()
        return result

    return wrapper


def run(statement, params: dict | None = None):
    """A Core statement built once, at import, with `bindparam`s, run with these values on the
    session's connection (its transaction; no autoflush: flush first what it must see).

    For the statements every page or post makes: building a statement and going through the
    ORM session cost some 100 µs, several times what SQLite takes to answer."""
    return db.session.connection().execute(statement, params or {})
