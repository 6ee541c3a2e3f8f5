"""A backup taken under write load, restored, holds every post acknowledged before it began."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from tests.live.conftest import (
    ROOT,
    Api,
    free_port,
    make_users,
    server_env,
    start_server,
    stop,
    wait_ready,
)


def test_backup_under_load_restores_every_acknowledged_post(tmp_path):
    env = server_env(tmp_path)
    port = free_port()
    server = start_server(env, port)
    acknowledged: list[tuple[float, str]] = []
    try:
        wait_ready(server, port)
        tokens = make_users(env, {"boss": True, "writer": False})
        api = Api(f"http://127.0.0.1:{port}")
        api("POST", "/groups", tokens["boss"], {"slug": "g", "name": "G",
                                                "visibility": "public", "join_policy": "open"})
        api("POST", "/groups/g/join", tokens["writer"])
        topic = api("POST", "/groups/g/topics", tokens["boss"], {"title": "T"}).json()
        thread = api("POST", f"/topics/{topic['id']}/threads", tokens["writer"],
                     {"title": "Th", "body": "first"}).json()
        stop_writing = threading.Event()

        def write():
            n = 0
            while not stop_writing.is_set():
                body = f"load post {n}"
                r = api("POST", f"/threads/{thread['id']}/posts", tokens["writer"],
                        {"body": body})
                if r.status_code == 201:
                    acknowledged.append((time.monotonic(), body))
                n += 1

        writers = [threading.Thread(target=write) for _ in range(3)]
        for w in writers:
            w.start()
        time.sleep(1.5)
        began = time.monotonic()
        backup_file = tmp_path / "snapshot.db"
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "backup",
                               str(backup_file)], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        time.sleep(0.5)
        stop_writing.set()
        for w in writers:
            w.join()
    finally:
        stop(server)
    before = {body for at, body in acknowledged if at < began}
    assert len(before) > 5
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "restore",
                           str(backup_file), "--yes"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    port = free_port()
    server = start_server(env, port)
    try:
        wait_ready(server, port)
        api = Api(f"http://127.0.0.1:{port}")
        found, page = set(), 1
        while True:
            items = api("GET", f"/threads/{thread['id']}/posts?per_page=100&page={page}"
                        ).json()["items"]
            found |= {p["body_markdown"] for p in items}
            if len(items) < 100:
                break
            page += 1
        assert before <= found
    finally:
        stop(server)


def test_postgresql_backup_and_restore_round_trip(tmp_path):
    import psycopg
    import pytest

    from tests.conftest import PG_ADMIN_URL, require_postgres

    require_postgres()
    if __import__("shutil").which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    name = f"forum_backup_{int(time.time() * 1000)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = server_env(tmp_path)
    env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]

    def run(*args):
        done = subprocess.run(flask + list(args), cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    try:
        run("db", "upgrade")
        run("users", "create", "keeper", "--email", "k@example.org", "--password",
            "a-long-password-1")
        run("backup", str(tmp_path / "forum.dump"))
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("DELETE FROM users")
        run("restore", str(tmp_path / "forum.dump"), "--yes")
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            assert conn.execute("SELECT username FROM users").fetchall() == [("keeper",)]
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
