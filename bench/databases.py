"""A scratch database for one benchmark run: a SQLite file, or a PostgreSQL database on the
local server (FORUM_TEST_PG), dropped when the run ends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

PG_ADMIN = os.environ.get("FORUM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def scratch_database(kind: str, folder: Path, label: str) -> tuple[str, Callable[[], None]]:
    """(DATABASE_URL, drop): call drop() when done, whatever happened."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'forum.db'}", lambda: None
    import psycopg

    name = f"forum_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, drop
