"""Prometheus metrics at `/metrics` (prometheus_client), per process, behind METRICS_TOKEN.

Each server process (`python wsgi.py --port N`, or one Gunicorn gevent worker) keeps its own
counters and is scraped at its own address, so no multiprocess mode is needed: Prometheus
labels every series with the scraped instance and sums across them. Outbox figures come from
the database and are the same in every process.
"""

from __future__ import annotations

import hmac
import time

from flask import Blueprint, Flask, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from forum.errors import NotFound, NotSignedIn

bp = Blueprint("metrics", __name__)

REQUEST_LATENCY = Histogram(
    "forum_http_request_duration_seconds", "Time to answer an HTTP request, by endpoint.",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
REQUESTS = Counter("forum_http_requests_total", "HTTP requests answered, by endpoint and status.",
                   ["method", "endpoint", "status"])
RATE_LIMITED = Counter("forum_rate_limit_refusals_total",
                       "Requests refused by a rate limit (429), by endpoint.", ["endpoint"])
LIVE_CONNECTIONS = Gauge("forum_live_connections", "Socket.IO connections held by this process.")
LIVE_ROOMS = Gauge("forum_live_rooms", "Socket.IO rooms with a member on this process.")
OUTBOX_BACKLOG = Gauge("forum_mail_outbox_backlog", "Mails queued and not yet sent or dropped.")
OUTBOX_OLDEST = Gauge("forum_mail_outbox_oldest_age_seconds",
                      "Age of the oldest unsent mail (0 when none waits).")


def _endpoint() -> str:
    # The route's name, never the path: ids in paths would make a series per thread.
    return request.endpoint or "unmatched"


def init_app(app: Flask) -> None:
    def start_timer():
        g.metrics_started = time.perf_counter()

    # First of all before_request hooks: a refusal by the rate limiter (its own hook) is
    # still timed, counted and given a request id.
    app.before_request_funcs.setdefault(None, []).insert(0, start_timer)

    @app.after_request
    def observe(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = _endpoint()
            REQUEST_LATENCY.labels(request.method, endpoint).observe(
                time.perf_counter() - started)
            REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
            if response.status_code == 429:
                RATE_LIMITED.labels(endpoint).inc()
        return response

    app.register_blueprint(bp)


def _live_figures() -> tuple[int, int]:
    from forum.extensions import socketio

    server = getattr(socketio, "server", None)
    if server is None:
        return 0, 0
    connections = len(getattr(server.eio, "sockets", {}))
    rooms = server.manager.rooms.get("/", {})
    # Every connection has a room named by its own sid (and None is the namespace itself).
    sids = {sid for members in rooms.values() for sid in members}
    return connections, sum(1 for name in rooms if name is not None and name not in sids)


def _outbox_figures() -> tuple[int, float]:
    from sqlalchemy import func, select

    from forum.extensions import db
    from forum.models.base import utcnow
    from forum.models.mail import OutgoingMail
    from forum.services.mail import MAX_ATTEMPTS

    waiting = (OutgoingMail.sent_at.is_(None), OutgoingMail.dropped_reason.is_(None),
               OutgoingMail.attempts < MAX_ATTEMPTS)
    count, oldest = db.session.execute(
        select(func.count(), func.min(OutgoingMail.created_at)).where(*waiting)).one()
    db.session.commit()
    if oldest is None:
        return count, 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=utcnow().tzinfo)
    return count, max(0.0, (utcnow() - oldest).total_seconds())


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        raise NotFound()
    offered = request.headers.get("Authorization", "")
    if not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        error = NotSignedIn("Metrics need the METRICS_TOKEN as a Bearer token.")
        response = jsonify(error.to_body())
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    connections, rooms = _live_figures()
    LIVE_CONNECTIONS.set(connections)
    LIVE_ROOMS.set(rooms)
    backlog, oldest = _outbox_figures()
    OUTBOX_BACKLOG.set(backlog)
    OUTBOX_OLDEST.set(oldest)
    return generate_latest(REGISTRY), 200, {"Content-Type": CONTENT_TYPE_LATEST,
                                            "Cache-Control": "no-store"}
