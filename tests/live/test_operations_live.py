"""A real `python wsgi.py`: the security headers on Socket.IO's own polling answers (which never
reach Flask), health, and live figures in the metrics."""

from __future__ import annotations

import re

import pytest
import requests

from tests.live.conftest import (
    Listener,
    close_all,
    free_port,
    server_env,
    start_server,
    stop,
    wait_ready,
)

SECURITY = {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
            "X-Frame-Options", "Permissions-Policy"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = server_env(tmp_path_factory.mktemp("ops"))
    env["METRICS_TOKEN"] = "live-metrics"
    port = free_port()
    process = start_server(env, port)
    try:
        wait_ready(process, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def test_socket_io_polling_answers_carry_the_security_headers(server):
    r = requests.get(f"{server}/socket.io/?EIO=4&transport=polling", timeout=5)
    assert r.status_code == 200 and '"sid"' in r.text
    assert SECURITY <= set(r.headers)
    assert "img-src 'self' data:;" in r.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in r.headers
    bad = requests.get(f"{server}/socket.io/?EIO=4&transport=polling&sid=unknown", timeout=5)
    assert bad.status_code == 400 and SECURITY <= set(bad.headers)


def test_page_api_and_static_file_carry_them_too(server):
    page = requests.get(f"{server}/", timeout=5)
    css = re.search(r'href="(/static/css/forum.css\?v=\w+)"', page.text).group(1)
    for r in (page, requests.get(f"{server}/api/v1/groups", timeout=5),
              requests.get(f"{server}{css}", timeout=5)):
        assert r.status_code == 200
        assert SECURITY <= set(r.headers), r.url
        assert "Set-Cookie" not in r.headers


def test_health_and_live_connections_in_the_metrics(server):
    assert requests.get(f"{server}/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{server}/readyz", timeout=5).json() == {"status": "ok"}

    def gauge(name):
        text = requests.get(f"{server}/metrics", timeout=5,
                            headers={"Authorization": "Bearer live-metrics"}).text
        return float(re.search(rf"^{name} (\S+)$", text, re.M).group(1))

    before = gauge("forum_live_connections")
    listeners = [Listener(server), Listener(server)]
    try:
        listeners[0].subscribe("group:nowhere")  # refused: no room joined
        assert gauge("forum_live_connections") == before + 2
    finally:
        close_all(listeners)
