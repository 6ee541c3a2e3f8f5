"""Bring an empty database to the current schema once, even when many processes start at once."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect, text

from forum.config import PROJECT_ROOT
from forum.extensions import db

log = logging.getLogger(__name__)
MIGRATIONS = PROJECT_ROOT / "migrations"
_PG_LOCK_KEY = 7_413_269_001  # any constant shared by every process of this forum


@contextlib.contextmanager
def _schema_lock(app: Flask):
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database
    lock_dir = Path(database).parent if database and database != ":memory:" else Path(
        app.instance_path)
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / ".schema.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def init_migrations(app: Flask) -> None:
    """Flask-Migrate, and Alembic behind it (about 11 MB), for the CLI and for the first start on
    an empty database only: a serving process otherwise never loads them."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)


def ensure_schema(app: Flask) -> bool:
    """Run the migrations if the database has no tables yet. Returns True if it did."""
    with app.app_context():
        if engine_has_schema():
            return False
        with _schema_lock(app):
            if engine_has_schema():  # another process got there first
                return False
            log.info("empty database: creating the schema")
            init_migrations(app)
            from flask_migrate import upgrade

            upgrade(directory=str(MIGRATIONS))
            db.engine.dispose()
            return True


def engine_has_schema() -> bool:
    names = inspect(db.engine).get_table_names()
    return "alembic_version" in names or "users" in names


def ensure_instance(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)


if __name__ == "__main__":  # `python -m forum.bootstrap`: used by gunicorn.conf.py
    from forum import create_app

    ensure_schema(create_app())
