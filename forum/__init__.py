"""The Working Groups forum: create_app() builds the application from named setup steps."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.routing import IntegerConverter

from forum import config as forum_config

log = logging.getLogger(__name__)


class ForumFlask(Flask):
    """Flask, asking once per function whether it is a coroutine: every request runs a dozen
    hooks through ensure_sync, and `inspect.iscoroutinefunction` is not free."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._synchronous: dict = {}

    def ensure_sync(self, func):
        try:
            return self._synchronous[func]
        except (KeyError, TypeError):  # TypeError: an unhashable callable, asked every time
            pass
        synchronous = super().ensure_sync(func)
        try:
            self._synchronous[func] = synchronous
        except TypeError:
            pass
        return synchronous


class IdConverter(IntegerConverter):
    """A positive database id that fits a 32-bit column; anything else is simply 404."""

    def __init__(self, map, **kwargs):
        super().__init__(map, min=1, max=2**31 - 1)


def create_app(config: dict | None = None) -> Flask:
    settings = forum_config.from_environment()
    settings.update(config or {})
    app = ForumFlask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(forum_config.PROJECT_ROOT / "templates"),
        static_folder=str(forum_config.PROJECT_ROOT / "static"),
    )
    app.config.update(settings)
    app.json.sort_keys = False
    app.url_map.converters["id"] = IdConverter
    app.url_map.strict_slashes = False
    _init_database(app)
    _init_security(app)
    _init_languages(app)
    _init_live(app)
    _register_doors(app)
    _init_operations(app)
    return app


def _init_operations(app: Flask) -> None:
    """Health checks, metrics and request ids; then the security headers around everything,
    Socket.IO's own answers included (so this comes after Socket.IO wrapped the app)."""
    from forum import health, logs, metrics, security

    logs.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(health.bp)
    security.wrap_wsgi(app)


def _init_database(app: Flask) -> None:
    import click

    from forum.bootstrap import init_migrations
    from forum.db import configure_engine
    from forum.extensions import db

    db.init_app(app)
    if click.get_current_context(silent=True) is not None:  # the `flask` command: `flask db ...`
        init_migrations(app)
    with app.app_context():
        configure_engine(db.engine)


def _init_languages(app: Flask) -> None:
    """Flask-Babel: each reader's language and time zone (forum/i18n.py chooses them)."""
    from forum import i18n

    i18n.init_app(app)


def _init_security(app: Flask) -> None:
    from forum import security
    from forum.auth import init_login
    from forum.extensions import compress, csrf, limiter

    compress.init_app(app)  # gzip/brotli for HTML, JSON, CSS and JS
    init_login(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)  # headers themselves: security.wrap_wsgi, last in create_app
    _static_cache_busting(app)
    _conditional_responses(app)


def _conditional_responses(app: Flask) -> None:
    """ETags on successful reads: a client that has the page already gets 304 and no body.

    Dynamic answers are `private, no-cache`: a shared cache must never hand one member's view
    (shaped by their rights) to another; browsers revalidate with the ETag instead.
    """
    from flask import request

    @app.after_request
    def etag(response):
        if request.path.startswith("/static/") or request.path.startswith("/socket.io"):
            return response
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if response.direct_passthrough or response.is_streamed:
            return response
        response.headers["Cache-Control"] = "private, no-cache"
        # The words follow the account, the locale cookie or else Accept-Language.
        vary = response.headers.get("Vary")
        response.headers["Vary"] = f"{vary}, {_READER_VARY}" if vary else _READER_VARY
        response.add_etag(weak=True)
        return response.make_conditional(request)


_READER_VARY = "Cookie, Authorization, Accept-Language"


def _static_cache_busting(app: Flask) -> None:
    """Static URLs carry a hash of the file, so browsers may keep them for a year."""
    import hashlib
    from pathlib import Path

    hashes: dict[str, str] = {}

    @app.url_defaults
    def add_version(endpoint, values):
        if endpoint != "static" or "filename" not in values or "v" in values:
            return
        filename = values["filename"]
        if filename not in hashes:
            path = Path(app.static_folder) / filename
            try:
                hashes[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            except OSError:
                hashes[filename] = "0"
        values["v"] = hashes[filename]


def _init_live(app: Flask) -> None:
    from forum.extensions import socketio
    from forum.live import handlers

    redis_url = app.config.get("REDIS_URL")
    options = {}
    if redis_url:
        import socketio as python_socketio

        # Short connect timeouts: with Redis away, a request must not hang on live delivery.
        options["client_manager"] = python_socketio.RedisManager(
            redis_url, channel="forum-live",
            redis_options={"socket_connect_timeout": 2, "health_check_interval": 30})
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE") or _async_mode(),
        **options,
        cors_allowed_origins=handlers.origin_checker(app.config["PUBLIC_URL"]),
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
    )
    handlers.register_handlers()


def _async_mode() -> str:
    """gevent when the process was patched for it (wsgi.py, gunicorn -k gevent), else threads."""
    try:
        from gevent import monkey

        return "gevent" if monkey.is_module_patched("socket") else "threading"
    except ImportError:
        return "threading"


def _register_doors(app: Flask) -> None:
    from forum import api, cli, errorhandlers, web
    from forum.extensions import csrf

    api.register(app)
    csrf.exempt(api.bp)  # the API checks X-CSRFToken itself, and only for cookie sessions
    web.register(app)
    cli.register(app)
    errorhandlers.register(app)
