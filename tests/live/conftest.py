"""A real server process, started as API.md says (`python wsgi.py`), on its own database."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import IN_CI, PG_ADMIN_URL, require_postgres

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'forum.db'}",
                "FORUM_INSTANCE_PATH": str(tmp_path / "instance"),
                "RATELIMIT_ENABLED": "false", "SECRET_KEY": "live-test-secret"})
    env.pop("REDIS_URL", None)
    return env


def start_server(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "wsgi.py", "--port", str(port)], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def wait_ready(process: subprocess.Popen, port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited: " + process.stdout.read().decode(errors="replace"))
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1).ok:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or still busy starting
        time.sleep(0.1)
    raise RuntimeError("server did not answer in time")


@contextlib.contextmanager
def running_servers(env: dict, count: int = 2):
    """`count` server processes on one environment (one database), ready; their base URLs."""
    ports = [free_port() for _ in range(count)]
    processes = [start_server(env, port) for port in ports]
    try:
        for process, port in zip(processes, ports, strict=True):
            wait_ready(process, port)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            stop(process)


def flask_cli(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(done.stderr or done.stdout)
    return done.stdout


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A served forum with an admin and a member token; yields (base_url, env, tokens)."""
    tmp = tmp_path_factory.mktemp("live")
    env = server_env(tmp)
    port = free_port()
    process = start_server(env, port)
    try:
        wait_ready(process, port)
        tokens = make_users(env, {"boss": True, "alice": False, "bystander": False,
                                  "mod": False, "carol": False})
        yield f"http://127.0.0.1:{port}", env, tokens
    finally:
        stop(process)


class Listener:
    """A python-socketio client that records every event it receives."""

    EVENTS = ("post.created", "post.updated", "post.hidden", "post.unhidden", "post.reacted",
              "post.rejected", "thread.created", "thread.updated", "summary.published",
              "notification", "presence", "typing", "topic.updated", "signoff.updated")

    def __init__(self, base: str, token: str | None = None, headers: dict | None = None):
        import socketio

        self.events: list[tuple[str, dict]] = []
        self._cond = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        for name in self.EVENTS:
            self.client.on(name, self._recorder(name))
        self.client.connect(base, auth={"token": token} if token else None, headers=headers or {},
                            transports=["websocket"], wait_timeout=10)

    def _recorder(self, name):
        def record(data):
            with self._cond:
                self.events.append((name, data))
                self._cond.notify_all()
        return record

    def subscribe(self, room: str) -> dict:
        return self.client.call("subscribe", {"room": room}, timeout=10)

    def wait_for(self, name: str, predicate=lambda data: True, timeout: float = 10):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event, data in self.events:
                    if event == name and predicate(data):
                        return data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def got(self, name: str, predicate=lambda data: True) -> list[dict]:
        with self._cond:
            return [data for event, data in self.events if event == name and predicate(data)]

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


class Api:
    def __init__(self, base: str):
        self.base = base

    def __call__(self, method, path, token=None, json=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(method, f"{self.base}/api/v1{path}", json=json,
                                headers=headers, timeout=15)


def make_users(env: dict, names_admin: dict[str, bool]) -> dict[str, str]:
    """Accounts and tokens, made in one child process through the services (the CLI itself is
    tested elsewhere; one process per account would cost seconds each)."""
    script = (
        "import json, sys\n"
        "from forum import create_app\n"
        "from forum.services import accounts\n"
        "app = create_app()\n"
        "out = {}\n"
        "with app.app_context():\n"
        "    for name, admin in json.loads(sys.argv[1]).items():\n"
        "        accounts.create_user(name, name + '@example.org', 'live-password-1',"
        " is_admin=admin)\n"
        "        out[name] = accounts.create_token(name, 'live')\n"
        "print(json.dumps(out))\n"
    )
    import json

    done = subprocess.run([sys.executable, "-c", script, json.dumps(names_admin)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def close_all(listeners) -> None:
    """Close clients in parallel: each close may wait for its read loop to notice."""
    threads = [threading.Thread(target=listener.close) for listener in listeners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                import redis

                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        reason = "redis-server is not installed"
        if IN_CI:
            pytest.fail(f"CI=true requires Redis: {reason}")
        pytest.skip(reason)
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@contextlib.contextmanager
def scratch_pg_database(prefix: str):
    """A PostgreSQL database of its own for the block, dropped after; its URL."""
    require_postgres()
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database():
    with scratch_pg_database("forum_live") as url:
        yield url


PASSWORD = "live-password-1"  # every account make_users makes


def sign_in(base: str, username: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/login", timeout=10).text
    r = browser.post(f"{base}/login", data={"username": username, "password": PASSWORD,
                                            "csrf_token": csrf_of(page)},
                     allow_redirects=False, timeout=10)
    assert r.status_code == 303, r.text
    return browser


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def cookie_header(browser: requests.Session) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items())}
