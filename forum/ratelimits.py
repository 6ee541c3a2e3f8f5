"""Rate limits shared by every door: the API and the pages apply the same named limits below,
whose buckets are keyed per user, so a member's posts through both doors count together."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from forum.extensions import limiter

# Defaults, each overridable by the environment variable of the same name.
DEFAULTS = {
    # A lively debate is a few posts a minute; a flood is dozens.
    "RATELIMIT_POSTS": "10 per minute;200 per hour",
    "RATELIMIT_THREADS": "3 per minute;30 per hour",
    "RATELIMIT_FLAGS": "20 per hour",
    # Counted per address for every attempt, and per account for failed ones only, so a slow
    # brute force is throttled while the real user is locked out for 15 minutes at most.
    "RATELIMIT_LOGIN_IP": "20 per minute;300 per hour",
    "RATELIMIT_LOGIN_USER": "10 per 15 minutes",
    "RATELIMIT_TOKENS": "10 per hour",
    # Each change mails a confirmation to an address the caller chooses: not a mail cannon.
    "RATELIMIT_EMAIL": "5 per hour;20 per day",
}


def _user_or_address() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"


def _login_username() -> str:
    return "login:" + (request.form.get("username") or "").strip().lower()[:64]


def _setting(name: str):
    return lambda: current_app.config.get(name) or DEFAULTS[name]


def _failed(response) -> bool:
    return response.status_code == 401


def _not_a_submission() -> bool:
    """Pages serve their form on GET and preview on POST: only a real submission counts."""
    return request.method != "POST" or "preview" in request.form


def _not_a_creation() -> bool:
    # The tokens page also lists tokens (GET) and revokes them (POST revoke=ID).
    return request.method != "POST" or "revoke" in request.form


posting = limiter.shared_limit(_setting("RATELIMIT_POSTS"), scope="posts",
                               key_func=_user_or_address, exempt_when=_not_a_submission)
thread_starting = limiter.shared_limit(_setting("RATELIMIT_THREADS"), scope="threads",
                                       key_func=_user_or_address, exempt_when=_not_a_submission)
flagging = limiter.shared_limit(_setting("RATELIMIT_FLAGS"), scope="flags",
                                key_func=_user_or_address, exempt_when=_not_a_submission)
token_creation = limiter.shared_limit(_setting("RATELIMIT_TOKENS"), scope="tokens",
                                      key_func=_user_or_address, exempt_when=_not_a_creation)
email_change = limiter.shared_limit(_setting("RATELIMIT_EMAIL"), scope="email",
                                    key_func=_user_or_address,
                                    exempt_when=lambda: request.method != "POST")
sign_in_per_address = limiter.shared_limit(_setting("RATELIMIT_LOGIN_IP"), scope="login-ip",
                                           key_func=get_remote_address,
                                           exempt_when=lambda: request.method != "POST")
sign_in_per_account = limiter.shared_limit(_setting("RATELIMIT_LOGIN_USER"), scope="login-user",
                                           key_func=_login_username, deduct_when=_failed,
                                           exempt_when=lambda: request.method != "POST")
