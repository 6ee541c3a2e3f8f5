"""A real server process, started as API.md says (`python wsgi.py`), on its own database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

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
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not answer in time")


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
        tokens = {}
        for name, admin in (("boss", True), ("alice", False), ("bystander", False)):
            flask_cli(env, "users", "create", name, "--email", f"{name}@example.org",
                      "--password", "live-password-1", *(["--admin"] if admin else []))
            tokens[name] = flask_cli(env, "tokens", "create", name).strip().splitlines()[-1]
        yield f"http://127.0.0.1:{port}", env, tokens
    finally:
        stop(process)
