"""Fixtures: the app on each backend, a clean database per test, personas and an API helper.

The API suite runs on SQLite and on PostgreSQL (a database made for the run and dropped after).
PostgreSQL tests skip with a reason when no server answers, but never under CI=true.
"""

from __future__ import annotations

import os
import uuid

import pytest
from flask.testing import FlaskClient

from forum import create_app
from forum.extensions import db
from forum.models import Base

PG_ADMIN_URL = os.environ.get("FORUM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_available() -> str | None:
    """None if PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: not here
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}: {exc}"


def require_postgres() -> None:
    reason = _pg_available()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    require_postgres()
    import psycopg

    name = f"forum_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


RELAXED_LIMITS = ("RATELIMIT_POSTS", "RATELIMIT_THREADS", "RATELIMIT_FLAGS",
                  "RATELIMIT_LOGIN_IP", "RATELIMIT_LOGIN_USER", "RATELIMIT_TOKENS",
                  "RATELIMIT_EMAIL")


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production: `g` (Flask-Login's user) and
    the database session must not leak from the test's context into the request."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_url: str, instance_path: str):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": instance_path,
        # Limits on, as in production, but far above what any test does; the rate-limit tests
        # lower them for themselves.
        "RATELIMIT_ENABLED": True,
        **{name: "100000 per minute" for name in RELAXED_LIMITS},
        "SOCKETIO_ASYNC_MODE": "threading",
        "SERVER_NAME": None,
    })
    app.test_client_class = FreshContextClient
    from forum.bootstrap import ensure_schema

    ensure_schema(app)  # through the migrations, as production does
    return app


@pytest.fixture(scope="session")
def sqlite_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite")
    return make_app(f"sqlite:///{path / 'forum.db'}", str(path))


@pytest.fixture(scope="session")
def postgresql_app(postgres_url, tmp_path_factory):
    from forum.config import normalise_database_url

    return make_app(normalise_database_url(postgres_url), str(tmp_path_factory.mktemp("pg")))


def _clean(app) -> None:
    """Empty every table (DELETE is quicker than TRUNCATE for the few rows a test makes)."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request):
    """The app on each backend, with an empty database and an app context pushed."""
    the_app = request.getfixturevalue(f"{request.param}_app")
    _clean(the_app)
    with the_app.app_context():
        yield the_app
        db.session.remove()


@pytest.fixture
def sqlite_only_app(sqlite_app):
    _clean(sqlite_app)
    with sqlite_app.app_context():
        yield sqlite_app
        db.session.remove()


@pytest.fixture
def postgresql_only_app(postgresql_app):
    """For behaviour only PostgreSQL has (skips with the reason when it is absent, never in CI)."""
    _clean(postgresql_app)
    with postgresql_app.app_context():
        yield postgresql_app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(app):
    from tests.factories import build_world

    return build_world()


@pytest.fixture
def api(client):
    from tests.factories import Api

    return Api(client)
