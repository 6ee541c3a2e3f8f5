"""Ready to run for real (#21): security headers, cookies only for sign-ins, remote images,
health and readiness, metrics, request ids."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from forum.extensions import db
from forum.models import OutgoingMail, utcnow
from tests.live.conftest import free_port
from tests.web.test_auth import csrf_from, sign_in

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@pytest.fixture
def world(sqlite_only_app):
    """Headers, cookies and metrics do not depend on the database: SQLite is enough."""
    from tests.factories import build_world

    return build_world()


@pytest.fixture
def client(sqlite_only_app):
    return sqlite_only_app.test_client()


def assert_security_headers(headers, public_url="http://127.0.0.1:5000"):
    for name, value in HEADERS.items():
        assert headers.get(name) == value, name
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "img-src 'self' data:;" in csp
    ws = public_url.replace("https://", "wss://").replace("http://", "ws://")
    assert f"connect-src 'self' {ws};" in csp
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]


def test_page_api_and_static_file_carry_every_security_header(world, client):
    page = client.get("/")
    assert_security_headers(page.headers)
    assert_security_headers(client.get("/api/v1/groups").headers)
    css = re.search(r'href="(/static/css/forum.css\?v=\w+)"', page.get_data(as_text=True))
    static = client.get(css.group(1))
    assert static.status_code == 200
    assert_security_headers(static.headers)
    assert "immutable" in static.headers["Cache-Control"]
    assert_security_headers(client.get("/no/such/page").headers)  # error pages too


def test_csp_names_the_public_url_not_the_host_a_client_sends(world, client):
    r = client.get("/", headers={"Host": "evil.example"})
    csp = r.headers["Content-Security-Policy"]
    assert "evil.example" not in csp
    assert "ws://127.0.0.1:5000" in csp


def test_hsts_only_when_public_url_is_https(client):
    from forum.security import security_headers

    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    headers = dict(security_headers("https://forum.example.org"))
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert_security_headers(headers, "https://forum.example.org")  # and through nginx: deploy/


def test_anonymous_readers_get_no_cookie_on_any_page(world, client):
    paths = ["/", f"/groups/{world.groups['public'].slug}", f"/topics/{world.topics['public'].id}",
             f"/threads/{world.threads['public'].id}", "/search?q=post",
             f"/groups/{world.groups['public'].slug}/members", "/api/v1/groups",
             f"/api/v1/threads/{world.threads['public'].id}/posts", "/healthz"]
    for path in paths:
        r = client.get(path)
        assert r.status_code == 200, path
        assert "Set-Cookie" not in r.headers, path
    assert client.get_cookie("session") is None


def test_bearer_calls_get_no_cookie(world, client):
    bearer = {"Authorization": f"Bearer {world.tokens['member']}"}
    me = client.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.get_json()["username"] == "member"
    thread = world.threads["public"].id
    posted = client.post(f"/api/v1/threads/{thread}/posts", json={"body": "by token"},
                         headers=bearer)
    assert posted.status_code == 201
    page = client.get("/", headers=bearer)
    assert page.status_code == 200
    for r in (me, posted, page):
        assert "Set-Cookie" not in r.headers


def test_the_sign_in_form_sets_the_cookie_its_csrf_token_needs_and_signing_in_works(world,
                                                                                   client):
    login = client.get("/login")
    assert "Set-Cookie" in login.headers
    r = client.post("/login", data={"username": "member", "password": "correct-horse-battery",
                                    "csrf_token": csrf_from(login.get_data(as_text=True))})
    assert r.status_code == 303 and "session=" in r.headers["Set-Cookie"]
    assert client.get("/api/v1/me").get_json()["username"] == "member"


def test_a_site_behind_basic_auth_still_signs_people_in(world, client):
    basic = {"Authorization": "Basic c3RhZ2luZzpzdGFnaW5n"}  # a staging site's nginx password
    assert "Set-Cookie" in client.get("/login", headers=basic).headers


def test_a_signed_in_reader_keeps_their_session(world, client):
    sign_in(client, "member")
    thread = world.threads["public"].id
    page = client.get(f"/threads/{thread}").get_data(as_text=True)
    assert client.post(f"/threads/{thread}", data={
        "csrf_token": csrf_from(page), "body": "from the page"}).status_code == 303


def test_remote_images_in_posts_become_links_and_never_load(world, client):
    bearer = {"Authorization": f"Bearer {world.tokens['member']}"}
    thread = world.threads["public"].id
    r = client.post(f"/api/v1/threads/{thread}/posts", headers=bearer, json={
        "body": "Look: ![the chart](https://tracker.example/pixel.png)"})
    html = r.get_json()["body_html"]
    assert "<img" not in html
    assert 'href="https://tracker.example/pixel.png"' in html and ">the chart</a>" in html
    page = client.get(f"/threads/{thread}").get_data(as_text=True)
    assert 'src="https://tracker.example' not in page


# --- health ---------------------------------------------------------------------------------

def test_healthz_answers_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_readyz_is_ready_on_a_current_schema(app):
    r = app.test_client().get("/readyz")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json() == {"status": "ok"}


def test_readyz_answers_503_when_redis_is_unreachable(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    r = app.test_client().get("/readyz")
    assert r.status_code == 503 and r.headers["Retry-After"]
    error = r.get_json()["error"]
    assert error["code"] == "unavailable" and "Redis" in error["message"]


def test_readyz_answers_503_when_the_schema_is_behind(app):
    with db.engine.begin() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    try:
        r = app.test_client().get("/readyz")
        assert r.status_code == 503
        error = r.get_json()["error"]
        assert error["code"] == "unavailable"
        assert "0009" in error["message"] and current in error["message"]
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"),
                               {"v": current})


# --- metrics --------------------------------------------------------------------------------

def scrape(client, token="metrics-secret") -> dict:
    r = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(r.get_data(as_text=True)):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            samples[key] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_off_without_a_token(client, world):
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_bearer_token(sqlite_only_app, client, world, monkeypatch):
    monkeypatch.setitem(sqlite_only_app.config, "METRICS_TOKEN", "metrics-secret")
    for headers in ({}, {"Authorization": "Bearer wrong"},
                    {"Authorization": f"Bearer {world.tokens['admin']}"}):
        r = client.get("/metrics", headers=headers)
        assert r.status_code == 401
        assert r.get_json()["error"]["code"] == "not_signed_in"


def test_metrics_count_requests_by_endpoint_and_rate_limit_refusals(sqlite_only_app, client,
                                                                    world, monkeypatch):
    from forum.extensions import limiter

    monkeypatch.setitem(sqlite_only_app.config, "METRICS_TOKEN", "metrics-secret")
    before = scrape(client)
    thread = world.threads["public"].id
    for _ in range(3):
        assert client.get(f"/threads/{thread}").status_code == 200
    monkeypatch.setitem(sqlite_only_app.config, "RATELIMIT_POSTS", "1 per minute")
    limiter.reset()
    bearer = {"Authorization": f"Bearer {world.tokens['member']}"}
    statuses = [client.post(f"/api/v1/threads/{thread}/posts", json={"body": f"p{i}"},
                            headers=bearer).status_code for i in range(2)]
    limiter.reset()
    assert statuses == [201, 429]
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("forum_http_request_duration_seconds_count", method="GET",
                endpoint="web.thread") == 3
    assert grew("forum_http_requests_total", method="GET", endpoint="web.thread",
                status="200") == 3
    assert grew("forum_rate_limit_refusals_total", endpoint="api.create_post") == 1


def test_metrics_report_the_outbox_backlog_and_its_oldest_mail(sqlite_only_app, client, world,
                                                                monkeypatch):
    monkeypatch.setitem(sqlite_only_app.config, "METRICS_TOKEN", "metrics-secret")
    db.session.add(OutgoingMail(to_address="a@example.org", subject="s", body="b",
                                created_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    samples = scrape(client)
    assert value(samples, "forum_mail_outbox_backlog") >= 1
    assert value(samples, "forum_mail_outbox_oldest_age_seconds") >= 600
    assert ("forum_live_connections", ()) in samples and ("forum_live_rooms", ()) in samples


# --- request ids and logs --------------------------------------------------------------------

def test_a_request_id_is_echoed_or_made(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"] == "abc-123"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    refused = client.get("/healthz", headers={"X-Request-ID": "not <an> id " + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", refused.headers["X-Request-ID"])


def test_json_log_format_writes_one_line_per_request_with_its_id(sqlite_only_app, client,
                                                                  monkeypatch, capsys):
    from forum.logs import configure

    monkeypatch.setitem(sqlite_only_app.config, "LOG_FORMAT", "json")
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure("json")
        client.get("/healthz", headers={"X-Request-ID": "req-42"})
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()
             if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "forum.access"]
    assert len(access) == 1, lines
    assert access[0]["request_id"] == "req-42" and access[0]["status"] == 200
    assert access[0]["path"] == "/healthz" and access[0]["duration_ms"] >= 0
