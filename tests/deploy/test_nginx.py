"""deploy/nginx-forum.conf, served by Debian's nginx with TLS in front of two `python wsgi.py`
processes on PostgreSQL + Redis: pages, API, static files, Socket.IO polling and WebSocket, and
polling clients kept on one process.

nginx comes from `make nginx` (a dependency of `make test`; it installs Debian's package as
root). The test starts nginx itself with its own main configuration and stops it. Skipped with
the reason only when nginx is missing and cannot be installed here (not root), never under CI.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.conftest import IN_CI
from tests.live.conftest import (
    RedisServer,
    free_port,
    make_users,
    scratch_pg_database,
    server_env,
    start_server,
    stop,
    wait_ready,
)

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx-forum.conf"
pytestmark = pytest.mark.live


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                       else None)
    if found is None and os.geteuid() == 0:
        subprocess.run(["make", "-s", "nginx"], cwd=ROOT, check=False, timeout=600)
        found = shutil.which("nginx") or ("/usr/sbin/nginx"
                                          if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        reason = ("nginx is not installed and this user may not install it "
                  "(run `make nginx` as root)")
        if IN_CI:
            pytest.fail(f"CI=true requires nginx: {reason}")
        pytest.skip(reason)
    return found


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def site_config(https_port: int, http_port: int, backends: list[int], cert: Path,
                key: Path) -> str:
    """The deploy/ site with this test's ports, certificate and checkout swapped in."""
    text = SITE.read_text()
    replacements = [
        ("/etc/letsencrypt/live/forum.example.org/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/forum.example.org/privkey.pem", str(key)),
        ("forum.example.org", "127.0.0.1"),
        ("/srv/forum/static/", f"{ROOT}/static/"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{backends[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{backends[1]} "),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/nginx-forum.conf no longer has {old!r}"
        text = text.replace(old, new)
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


MAIN = """
user root;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""


@pytest.fixture(scope="module")
def redis_server():
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("CI=true requires Redis: redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pg_database():
    with scratch_pg_database("forum_deploy") as url:
        yield url


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, redis_server, pg_database):
    """nginx (deploy/nginx-forum.conf) in front of two servers, for the whole module."""
    binary = nginx_binary()
    tmp_path = tmp_path_factory.mktemp("deploy")
    https_port, http_port = free_port(), free_port()
    public = f"https://127.0.0.1:{https_port}"
    env = server_env(tmp_path)
    env.update({"DATABASE_URL": pg_database,
                "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0",
                "PUBLIC_URL": public, "TRUSTED_PROXIES": "1"})
    backends = [free_port(), free_port()]
    processes = [start_server(env, port) for port in backends]
    nginx = None
    try:
        for process, port in zip(processes, backends):
            wait_ready(process, port)
        cert, key = make_certificate(tmp_path)
        (tmp_path / "site.conf").write_text(site_config(https_port, http_port, backends, cert,
                                                        key))
        (tmp_path / "nginx.conf").write_text(MAIN.format(tmp=tmp_path))
        checked = subprocess.run([binary, "-t", "-c", str(tmp_path / "nginx.conf"), "-p",
                                  str(tmp_path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen([binary, "-c", str(tmp_path / "nginx.conf"), "-p",
                                  str(tmp_path), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        session = _https_session(cert)
        deadline = time.monotonic() + 10
        while True:
            try:
                if session.get(f"{public}/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                if time.monotonic() > deadline or nginx.poll() is not None:
                    raise
                time.sleep(0.1)
        tokens = make_users(env, {"boss": True, "alice": False})
        yield {"public": public, "http_port": http_port, "session": session, "cert": cert,
               "tokens": tokens, "backends": [f"http://127.0.0.1:{p}" for p in backends],
               "https_port": https_port, "tmp": tmp_path}
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(10)
        for process in processes:
            stop(process)


def _https_session(cert: Path) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace our certificate
    session.verify = str(cert)
    return session


SECURITY = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
            "X-Frame-Options", "Permissions-Policy", "Strict-Transport-Security")


def test_pages_api_and_static_files_through_nginx(deployment):
    public, session = deployment["public"], deployment["session"]
    page = session.get(f"{public}/")
    assert page.status_code == 200 and "Working Groups" in page.text
    for name in SECURITY:
        assert name in page.headers, name
    assert f"connect-src 'self' wss://127.0.0.1:{deployment['https_port']};" in page.headers[
        "Content-Security-Policy"]
    assert "Set-Cookie" not in page.headers
    assert re.fullmatch(r"[0-9a-f]{32}", page.headers["X-Request-ID"])  # nginx's $request_id

    boss = {"Authorization": f"Bearer {deployment['tokens']['boss']}"}
    created = session.post(f"{public}/api/v1/groups", headers=boss, json={
        "slug": "behind-nginx", "name": "Behind nginx", "visibility": "public",
        "join_policy": "open"})
    assert created.status_code == 201, created.text
    listed = session.get(f"{public}/api/v1/groups").json()["items"]
    assert "behind-nginx" in [g["slug"] for g in listed]

    css = re.search(r'href="(/static/css/forum.css\?v=\w+)"', page.text).group(1)
    static = session.get(f"{public}{css}")
    assert static.status_code == 200 and static.headers["Content-Type"].startswith("text/css")
    assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "X-Request-ID" not in static.headers  # nginx answered, not the forum
    for name in SECURITY:
        assert name in static.headers, name
    local = (ROOT / "static/css/forum.css").read_bytes()
    assert static.content == local


def test_plain_http_redirects_to_https_and_oversized_bodies_answer_413_in_the_contract(
        deployment):
    r = requests.get(f"http://127.0.0.1:{deployment['http_port']}/groups", timeout=5,
                     allow_redirects=False)
    assert r.status_code == 301 and r.headers["Location"].startswith("https://")
    big = deployment["session"].post(f"{deployment['public']}/api/v1/groups",
                                     data=b"x" * (2 * 1024 * 1024),
                                     headers={"Content-Type": "application/json"})
    assert big.status_code == 413
    assert big.json()["error"]["code"] == "too_large"


def _client(deployment, transports) -> socketio.Client:
    http = _https_session(deployment["cert"])
    client = socketio.Client(reconnection=False, http_session=http)
    client.connect(deployment["public"], transports=transports, wait_timeout=10)
    return client


@pytest.mark.parametrize("transports", [["polling"], ["websocket"]])
def test_live_updates_through_nginx_by_polling_and_websocket(deployment, transports):
    public, session, tokens = deployment["public"], deployment["session"], deployment["tokens"]
    boss = {"Authorization": f"Bearer {tokens['boss']}"}
    slug = f"live-{transports[0]}"
    session.post(f"{public}/api/v1/groups", headers=boss, json={
        "slug": slug, "name": slug, "visibility": "public", "join_policy": "open"})
    topic = session.post(f"{public}/api/v1/groups/{slug}/topics", headers=boss,
                         json={"title": "T", "briefing": "b"}).json()
    thread = session.post(f"{public}/api/v1/topics/{topic['id']}/threads", headers=boss,
                          json={"title": "Th", "body": "first"}).json()
    received, got = threading.Event(), []
    client = _client(deployment, transports)
    try:
        assert client.transport() == transports[0]

        @client.on("post.created")
        def on_post(data):
            got.append(data)
            received.set()

        assert client.call("subscribe", {"room": f"thread:{thread['id']}"}, timeout=10) == {
            "ok": True}
        r = session.post(f"{public}/api/v1/threads/{thread['id']}/posts", headers=boss,
                         json={"body": f"through nginx by {transports[0]}"})
        assert r.status_code == 201
        assert received.wait(10)
        assert got[0]["body_markdown"] == f"through nginx by {transports[0]}"
    finally:
        client.disconnect()


def _polling(https_port: int, cert: Path, source: str):
    context = ssl.create_default_context(cafile=str(cert))
    return http.client.HTTPSConnection("127.0.0.1", https_port, context=context, timeout=10,
                                       source_address=(source, 0))


def _handshake(connection) -> str:
    connection.request("GET", "/socket.io/?EIO=4&transport=polling")
    response = connection.getresponse()
    body = response.read().decode()
    assert response.status == 200, body
    headers = {name.lower() for name, _ in response.getheaders()}
    assert {n.lower() for n in SECURITY} <= headers  # Socket.IO's own answer, through nginx
    return json.loads(body[1:])["sid"]


def _post(connection, sid: str, packet: str) -> int:
    connection.request("POST", f"/socket.io/?EIO=4&transport=polling&sid={sid}",
                       body=packet.encode(), headers={"Content-Type": "text/plain"})
    response = connection.getresponse()
    response.read()
    return response.status


def _get(connection, sid: str) -> tuple[int, str]:
    connection.request("GET", f"/socket.io/?EIO=4&transport=polling&sid={sid}")
    response = connection.getresponse()
    return response.status, response.read().decode()


def test_a_polling_client_stays_on_one_process_and_clients_spread_over_both(deployment):
    """Each polling request of a session reaches the process that holds it (any other answers
    400); clients from different addresses land on both processes."""
    homes = set()
    for n in range(2, 18):
        source = f"127.0.0.{n}"
        connection = _polling(deployment["https_port"], deployment["cert"], source)
        sid = _handshake(connection)
        assert _post(connection, sid, "40") == 200  # join the default namespace
        status, body = _get(connection, sid)
        assert status == 200 and body.startswith("40"), body
        for ack in range(3):
            packet = f'42{ack}["subscribe",{{"room":"group:none"}}]'
            assert _post(connection, sid, packet) == 200
            status, body = _get(connection, sid)
            assert status == 200 and body.startswith(f"43{ack}"), body
        connection.close()
        # Which process holds it? The other one does not know the session.
        held = [base for base in deployment["backends"]
                if requests.post(f"{base}/socket.io/?EIO=4&transport=polling&sid={sid}",
                                 data="1", timeout=5).status_code == 200]
        assert len(held) == 1
        homes.add(held[0])
    assert homes == set(deployment["backends"])
