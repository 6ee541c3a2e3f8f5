"""Liveness and readiness (`/healthz`, `/readyz`) and the dependency checks `doctor` shares."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from forum.bootstrap import MIGRATIONS
from forum.errors import Unavailable
from forum.extensions import db

bp = Blueprint("health", __name__)


def database_problem() -> str | None:
    """None when the database answers, else why not."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver or network failure means: not reachable
        return f"the database is not reachable ({exc.__class__.__name__}: {_first_line(exc)})"
    return None


def redis_problem(url: str | None) -> str | None:
    """None when Redis answers (or is not configured), else why not."""
    if not url:
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return f"Redis at {_without_password(url)} is not reachable ({_first_line(exc)})"
    return None


def migration_heads() -> set[str]:
    """The revisions the code's migrations end in."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return set(ScriptDirectory.from_config(config).get_heads())


def schema_problem() -> str | None:
    """None when the database is at the migrations' head, else how far it is behind."""
    from alembic.runtime.migration import MigrationContext

    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:
        return f"the schema version cannot be read ({_first_line(exc)})"
    heads = migration_heads()
    if current != heads:
        return (f"the database schema is at {', '.join(sorted(current)) or 'nothing'}, "
                f"the code needs {', '.join(sorted(heads))}")
    return None


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200].rstrip(".")


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


@bp.get("/healthz")
def healthz():
    """The process answers: nothing else is asked (a load balancer's liveness probe)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to serve: database reachable, Redis reachable when configured, schema current."""
    problem = (database_problem() or redis_problem(current_app.config.get("REDIS_URL"))
               or schema_problem())
    if problem is not None:
        error = Unavailable(f"Not ready: {problem}.", retry_after=5)
        response = jsonify(error.to_body())
        response.status_code = error.status
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    return jsonify(status="ok")
