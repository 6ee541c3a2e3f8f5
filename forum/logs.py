"""Logging: a request id on every request (X-Request-ID, echoed or made) and in every log line
written while it is served; with LOG_FORMAT=json, JSON lines and one line per request."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("forum.access")


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id` ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = (g.get("request_id", "-") if has_request_context() else "-")
        return True


def configure(log_format: str, level: int = logging.INFO) -> None:
    """Set up the root logger for a server process (wsgi.py, gunicorn.conf.py)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic's logging.fileConfig (migrations run in-process) disables every logger that
    # existed before it: ours must speak again.
    for name, logger in logging.root.manager.loggerDict.items():
        if name.startswith("forum") and isinstance(logger, logging.Logger):
            logger.disabled = False


def init_app(app: Flask) -> None:
    def assign_request_id():
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if _ACCEPTABLE_ID.match(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)

    @app.after_request
    def echo_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        if app.config.get("LOG_FORMAT") == "json":
            started = g.get("request_started", time.perf_counter())
            access_log.info("request", extra={
                "method": request.method, "path": request.path,
                "endpoint": request.endpoint, "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "remote_addr": request.remote_addr,
                "user_agent": request.user_agent.string[:200]})
        return response
