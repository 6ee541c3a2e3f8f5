"""A reply by mail reaches a watching Socket.IO client like any other post: through the MTA's
pipe (`flask mail receive`, its own process) and through the SMTP listener (`flask mail serve`),
both publishing through Redis to the server that holds the live connections."""

from __future__ import annotations

import shutil
import smtplib
import subprocess
import sys
import time
import uuid

import pytest
from flask import Flask

from tests.conftest import IN_CI
from tests.live.conftest import (
    ROOT,
    Api,
    Listener,
    RedisServer,
    close_all,
    free_port,
    make_users,
    server_env,
    start_server,
    stop,
    wait_ready,
)

DOMAIN = "forum.example.org"


def _reply_address(secret: str, user_id: int, thread_id: int) -> str:
    from forum.services import reply_tokens

    app = Flask("tokens")
    app.config.update(SECRET_KEY=secret, MAIL_REPLY_DOMAIN=DOMAIN)
    with app.app_context():
        return reply_tokens.reply_address("thread", user_id, thread_id)


def _user_id(env: dict, username: str) -> int:
    import sqlite3

    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT id FROM users WHERE username_key = ?",
                                  (username,)).fetchone()[0]


def _message(to: str, body: str) -> bytes:
    return (f"From: Alice <alice@example.org>\r\nTo: {to}\r\nSubject: Re: thread\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@mail.example.net>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\r\n"
            f"On Fri, Jan 5, 2024 at 9:58 AM Working Groups <{to}> wrote:\r\n> the original\r\n"
            ).encode()


@pytest.fixture
def mail_scene(tmp_path):
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("CI=true requires Redis: redis-server is not installed")
        pytest.skip("redis-server is not installed")
    redis = RedisServer(free_port())
    redis.start()
    env = server_env(tmp_path)
    env.update({"REDIS_URL": f"redis://127.0.0.1:{redis.port}/0", "MAIL_REPLY_DOMAIN": DOMAIN})
    port = free_port()
    server = start_server(env, port)
    processes = [server]
    listeners = []
    try:
        wait_ready(server, port)
        base = f"http://127.0.0.1:{port}"
        yield base, env, processes, listeners
    finally:
        close_all(listeners)
        for process in processes:
            stop(process)
        redis.stop()


def test_a_mail_reply_reaches_a_watching_client_like_any_other_post(mail_scene):
    base, env, processes, listeners = mail_scene
    tokens = make_users(env, {"boss": True, "alice": False})
    api = Api(base)
    api("POST", "/groups", tokens["boss"], {"slug": "mailers", "name": "Mailers",
                                            "visibility": "public", "join_policy": "open"})
    api("PUT", "/groups/mailers/members/alice", tokens["boss"], {"role": "member"})
    topic = api("POST", "/groups/mailers/topics", tokens["boss"],
                {"title": "T", "briefing": "b"}).json()
    thread = api("POST", f"/topics/{topic['id']}/threads", tokens["boss"],
                 {"title": "Th", "body": "first"}).json()
    alice_id = _user_id(env, "alice")
    watcher = Listener(base)
    listeners.append(watcher)
    assert watcher.subscribe(f"thread:{thread['id']}") == {"ok": True}
    address = _reply_address(env["SECRET_KEY"], alice_id, thread["id"])

    piped = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "receive"], check=False,
                           input=_message(address, "Written in my mail client"), cwd=ROOT,
                           env=env, capture_output=True, timeout=60)
    assert piped.returncode == 0, piped.stderr.decode()
    event = watcher.wait_for("post.created",
                             lambda d: "Written in my mail client" in d["body_html"])
    assert event is not None and event["author"]["username"] == "alice"
    assert "the original" not in event["body_html"]

    smtp_port = free_port()
    listener = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "serve", "--port", str(smtp_port)],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    processes.append(listener)
    deadline = time.monotonic() + 30
    while True:
        try:
            client = smtplib.SMTP("127.0.0.1", smtp_port, timeout=30)
            break
        except OSError:
            assert listener.poll() is None, listener.stdout.read().decode()
            assert time.monotonic() < deadline, "mail serve did not listen in time"
            time.sleep(0.1)
    with client:
        client.sendmail("alice@example.org", [address], _message(address, "Sent over SMTP"))
    event = watcher.wait_for("post.created", lambda d: "Sent over SMTP" in d["body_html"])
    assert event is not None and event["author"]["username"] == "alice"
