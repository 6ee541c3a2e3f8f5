"""Settings read from the environment (API.md's configuration table), with safe defaults."""

from __future__ import annotations

import os
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def normalise_database_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` as users write them, with the installed driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance: Path) -> str:
    """Read the generated key, creating it once (O_EXCL, 0600) so concurrent starts agree."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it right now
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.05)
        raise RuntimeError(f"{path} exists but is empty")
    key = os.urandom(32).hex()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _whole_number(env, name: str, default: int, highest: int, what: str) -> int:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    if not value.strip().isdigit() or not 1 <= int(value) <= highest:
        raise RuntimeError(f"{name} must be a whole number of {what}, 1 to {highest}")
    return int(value)


def _engine_options(database_url: str) -> dict:
    """PostgreSQL: stale connections (a restarted server) are replaced before use, and an
    unreachable server fails a request within seconds (503) instead of hanging it. An SQLite
    file never goes stale: no ping before every request's first statement."""
    if database_url.startswith(("postgres://", "postgresql")):
        return {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
    return {}


def from_environment(env: dict[str, str] | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    instance = Path(env.get("FORUM_INSTANCE_PATH") or DEFAULT_INSTANCE)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'forum.db'}"
    public_url = (env.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/")
    registration = (env.get("REGISTRATION") or "approval").strip().lower()
    if registration not in {"open", "approval", "closed"}:
        raise RuntimeError("REGISTRATION must be open, approval or closed")
    redis_url = env.get("REDIS_URL") or None
    log_format = (env.get("LOG_FORMAT") or "text").strip().lower()
    if log_format not in {"text", "json"}:
        raise RuntimeError("LOG_FORMAT must be text or json")
    secure = public_url.startswith("https://")
    return {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": env.get("SECRET_KEY") or _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "REDIS_URL": redis_url,
        "MAIL_URL": env.get("MAIL_URL") or None,
        # Replies by mail (reply+TOKEN@this domain); unset, notification mail has no Reply-To.
        "MAIL_REPLY_DOMAIN": (env.get("MAIL_REPLY_DOMAIN") or "").strip().lower() or None,
        "PUBLIC_URL": public_url,
        "REGISTRATION": registration,
        # /metrics answers only with this Bearer token; unset, it does not exist (404).
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        "LOG_FORMAT": log_format,
        # Reverse proxies in front (nginx: 1) whose X-Forwarded-For/-Proto are believed.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES") or 0),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis briefly gone: keep limiting in memory rather than failing requests.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        **{name: env[name] for name in (
            "RATELIMIT_POSTS", "RATELIMIT_THREADS", "RATELIMIT_FLAGS", "RATELIMIT_LOGIN_IP",
            "RATELIMIT_LOGIN_USER", "RATELIMIT_TOKENS", "RATELIMIT_EMAIL") if env.get(name)},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        # A request over 1 MiB answers 413 before any view reads it.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # ...except an upload of a document, which may be this large (its routes only).
        "UPLOAD_MAX_MB": _whole_number(env, "UPLOAD_MAX_MB", 20, 2000, "megabytes"),
        # What each process keeps of thread pages (forum/services/thread_pages.py) and of posts'
        # rendered blocks (forum/web/post_blocks.py): more is faster reading, more memory.
        "THREAD_PAGE_CACHE_SIZE": _whole_number(env, "THREAD_PAGE_CACHE_SIZE", 300, 100_000,
                                                "pages"),
        "POST_BLOCK_CACHE_SIZE": _whole_number(env, "POST_BLOCK_CACHE_SIZE", 4000, 1_000_000,
                                               "posts"),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "application/javascript",
                               "text/javascript", "application/json", "text/markdown",
                               "text/csv"],
        "COMPRESS_MIN_SIZE": 500,
        # Static files are named by their hash (?v=...), so browsers may keep them a year.
        "SEND_FILE_MAX_AGE_DEFAULT": 31536000,
    }
