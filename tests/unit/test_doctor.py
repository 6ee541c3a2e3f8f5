"""`flask --app wsgi doctor`, through the real command line: each problem with its fix, exit 1;
"all good" and exit 0 for a sound deployment."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.live.conftest import free_port, server_env

ROOT = Path(__file__).resolve().parents[2]


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Accept:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    controller = Controller(Accept(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


@pytest.fixture
def sound(tmp_path, smtp_server):
    """A deployment with nothing to complain about: https, mail answering, schema current,
    a fresh backup, no Redis (one process)."""
    env = server_env(tmp_path)
    env.update({"PUBLIC_URL": "https://forum.example.org", "MAIL_URL": smtp_server})
    assert flask(env, "db", "upgrade").returncode == 0
    made = flask(env, "backup", str(tmp_path / "backups" / "forum.db"))
    assert made.returncode == 0, made.stderr
    return env


def test_a_sound_deployment_is_all_good(sound):
    done = flask(sound, "doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "all good"


def test_every_problem_is_named_with_its_fix(tmp_path):
    env = server_env(tmp_path)  # an empty database, http, no mail
    env.pop("SECRET_KEY")
    env.update({"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
                "PUBLIC_URL": "http://forum.example.org"})
    env.pop("MAIL_URL", None)
    done = flask(env, "doctor")
    assert done.returncode == 1
    out = done.stdout
    assert out.count("PROBLEM: ") == out.count("    fix: ") == 6, out
    assert "SECRET_KEY is not in the environment while REDIS_URL" in out
    assert "PUBLIC_URL is http://forum.example.org: not https" in out
    assert "flask --app wsgi db upgrade" in out  # the schema is behind (empty)
    assert "Redis at redis://127.0.0.1:" in out and "not reachable" in out
    assert "MAIL_URL is unset" in out
    assert "No backup has been made" in out
    assert "all good" not in out


def test_unreachable_mail_a_schema_behind_and_an_old_backup_are_problems(sound):
    sound["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"
    database = Path(sound["DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0009'")
    record = Path(sound["FORUM_INSTANCE_PATH"]) / "last-backup.json"
    latest = json.loads(record.read_text())
    latest["at"] = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()
    record.write_text(json.dumps(latest))
    done = flask(sound, "doctor")
    assert done.returncode == 1
    out = done.stdout
    assert out.count("PROBLEM: ") == 3, out
    assert "The mail server in MAIL_URL" in out
    assert "schema is at 0009" in out and "db upgrade" in out
    assert "The latest backup" in out and "3 days old" in out and "forum-backup.timer" in out
