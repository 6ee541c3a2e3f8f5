"""Consistent backups while the forum runs: SQLite's online backup API, or pg_dump."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from flask_babel import gettext

from forum.errors import BadRequest
from forum.extensions import db


def _pg_url() -> str:
    url = db.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def backup(path: str) -> Path:
    """Write a snapshot to `path` (a SQLite file, or a pg_dump custom-format archive)."""
    target = Path(path).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    if db.engine.dialect.name == "sqlite":
        source = sqlite3.connect(db.engine.url.database)
        partial = target.with_suffix(target.suffix + ".partial")
        destination = sqlite3.connect(partial)
        try:
            with destination:
                source.backup(destination)  # a consistent copy, writers keep going
        finally:
            destination.close()
            source.close()
        os.replace(partial, target)
        return target
    if shutil.which("pg_dump") is None:
        raise BadRequest(gettext("pg_dump is not installed (the PostgreSQL client tools)."))
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), _pg_url()],
                   check=True)
    return target


def restore(path: str) -> None:
    """Put a backup back. Stop every server process first; this replaces the whole database."""
    source = Path(path)
    if not source.exists():
        raise BadRequest(gettext("No backup at %(source)s.", source=source))
    db.session.remove()
    db.engine.dispose()
    if db.engine.dialect.name == "sqlite":
        database = Path(db.engine.url.database)
        for suffix in ("-wal", "-shm"):
            Path(str(database) + suffix).unlink(missing_ok=True)
        shutil.copyfile(source, database)
        return
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--dbname",
                    _pg_url(), str(source)], check=True)
