"""`flask --app wsgi doctor`: a deployment's settings and dependencies, each problem and its fix."""

from __future__ import annotations

import json
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask

from forum import health

BACKUP_RECORD = "last-backup.json"  # written by `flask backup` into the instance folder
BACKUP_MAX_AGE = timedelta(days=2)


@dataclass(frozen=True)
class Problem:
    problem: str
    fix: str


def record_backup(app: Flask, path: Path) -> None:
    """Remember the latest backup (where, when) for `doctor`: backups go wherever the operator
    says, so the instance folder keeps the one fact doctor needs."""
    record = Path(app.instance_path) / BACKUP_RECORD
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"path": str(path),
                                  "at": datetime.now(timezone.utc).isoformat()}))


def _secret_key(app: Flask) -> list[Problem]:
    if app.config.get("REDIS_URL") and not os.environ.get("SECRET_KEY"):
        return [Problem(
            "SECRET_KEY is not in the environment while REDIS_URL says several processes share "
            "this forum: each host generates its own key, so a session signed by one process "
            "is refused by another.",
            "Generate one key (python3 -c 'import secrets; print(secrets.token_hex(32))') and "
            "set SECRET_KEY to it in the environment of every process (deploy/forum.env).")]
    return []


def _public_url(app: Flask) -> list[Problem]:
    url = app.config["PUBLIC_URL"]
    if not url.startswith("https://"):
        return [Problem(
            f"PUBLIC_URL is {url}: not https, so cookies are not Secure, no HSTS is sent and "
            "mail links travel in clear text.",
            "Serve the forum over TLS (deploy/nginx-forum.conf) and set "
            "PUBLIC_URL=https://your.forum.host.")]
    return []


def _mail(app: Flask) -> list[Problem]:
    url = app.config.get("MAIL_URL")
    if not url:
        return [Problem(
            "MAIL_URL is unset: notification mail is written to instance/mail.log, not sent.",
            "Set MAIL_URL=smtp://user:password@mail.host:587 (or smtps://...:465).")]
    parts = urlsplit(url)
    try:
        if parts.scheme == "smtps":
            client = smtplib.SMTP_SSL(parts.hostname or "localhost", parts.port or 465,
                                      timeout=5, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(parts.hostname or "localhost", parts.port or 25, timeout=5)
        with client:
            client.ehlo()
            if parts.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
    except (OSError, smtplib.SMTPException) as exc:
        where = f"{parts.hostname}:{parts.port or (465 if parts.scheme == 'smtps' else 25)}"
        return [Problem(f"The mail server in MAIL_URL ({where}) does not answer or refuses "
                        f"us: {exc.__class__.__name__}: {exc}",
                        "Check MAIL_URL's host, port, user and password, and that this host "
                        "may reach it (firewall).")]
    return []


def _redis(app: Flask) -> list[Problem]:
    problem = health.redis_problem(app.config.get("REDIS_URL"))
    if problem:
        return [Problem(problem[0].upper() + problem[1:] + ".",
                        "Start Redis (systemctl start redis-server) or correct REDIS_URL.")]
    return []


def _database(app: Flask) -> list[Problem]:
    problem = health.database_problem()
    if problem:
        return [Problem(problem[0].upper() + problem[1:] + ".",
                        "Start the database or correct DATABASE_URL.")]
    problem = health.schema_problem()
    if problem:
        return [Problem(problem[0].upper() + problem[1:] + ".",
                        "Run: flask --app wsgi db upgrade (then restart the forum processes).")]
    return []


def _backup(app: Flask) -> list[Problem]:
    fix = ("Schedule daily backups (deploy/forum-backup.timer runs "
           "flask --app wsgi backup /var/backups/forum/forum-DATE.dump), or run one now.")
    record = Path(app.instance_path) / BACKUP_RECORD
    try:
        latest = json.loads(record.read_text())
        when = datetime.fromisoformat(latest["at"])
        path = Path(latest["path"])
    except (OSError, ValueError, KeyError):
        return [Problem("No backup has been made from this host (`flask backup` keeps a record "
                        f"in {record}).", fix)]
    age = datetime.now(timezone.utc) - when
    if age > BACKUP_MAX_AGE:
        return [Problem(f"The latest backup ({path}) is {age.days} days old.", fix)]
    if not path.exists():
        return [Problem(f"The latest backup, {path}, is no longer there.", fix)]
    return []


CHECKS = (_secret_key, _public_url, _database, _redis, _mail, _backup)


def diagnose(app: Flask) -> list[Problem]:
    """Every problem found, in the order an operator would fix them."""
    problems: list[Problem] = []
    with app.app_context():
        for check in CHECKS:
            problems.extend(check(app))
    return problems
