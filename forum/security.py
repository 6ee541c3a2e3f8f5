"""Security headers on every response (Flask's and Socket.IO's) and cookies only for sign-ins."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
                      "magnetometer=(), microphone=(), payment=(), usb=(), browsing-topics=()")

# Pages whose form an anonymous visitor submits: their CSRF token has to live in a session
# cookie. Every other anonymous view (and every Bearer call) gets no cookie at all.
ANONYMOUS_FORMS = frozenset({"web.login", "web.signup", "web.forgot_password",
                             "web.reset_password", "web.invitation"})
# What the CSRF protection and Flask-Login put into a visitor's session on their own accord.
_INCIDENTAL_KEYS = frozenset({"csrf_token", "_fresh", "_id"})


def content_security_policy(public_url: str) -> str:
    """The pages' CSP. The WebSocket origin comes from PUBLIC_URL, never from the request's
    Host header (which a client chooses)."""
    parts = urlsplit(public_url)
    ws = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {ws}; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


def security_headers(public_url: str) -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", content_security_policy(public_url)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
    ]
    if public_url.startswith("https://"):
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


class SecurityHeadersMiddleware:
    """Adds the headers to every response that lacks them. It wraps the whole WSGI app, so
    the Socket.IO server's own answers (`/socket.io/` polling, which never reach Flask) get
    them too."""

    def __init__(self, wsgi_app, headers: list[tuple[str, str]]):
        self.wsgi_app = wsgi_app
        self.headers = headers

    def __call__(self, environ, start_response):
        def start(status, response_headers, exc_info=None):
            present = {name.lower() for name, _ in response_headers}
            response_headers = list(response_headers) + [
                (name, value) for name, value in self.headers if name.lower() not in present]
            return start_response(status, response_headers, exc_info)

        return self.wsgi_app(environ, start)


class SignInOnlySessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions, set only for someone who signs in (or is about to, on a form an
    anonymous visitor submits). Reading a page anonymously or calling the API with a Bearer
    token leaves no cookie, even though rendering a form made a CSRF token."""

    def get_signing_serializer(self, app):
        # Flask builds a new serializer (and its key derivation) on every request: keep one
        # per set of keys instead, so a changed SECRET_KEY still takes effect.
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = getattr(self, "_kept_serializer", None)
        if kept is None or kept[0] != keys:
            kept = (keys, super().get_signing_serializer(app))
            self._kept_serializer = kept
        return kept[1]

    def should_set_cookie(self, app, session) -> bool:
        return _cookie_wanted(session) and super().should_set_cookie(app, session)


def _cookie_wanted(session) -> bool:
    from forum.auth import bearer_token

    if bearer_token() is not None:
        return False  # a token caller: the cookie would only be a second, unasked-for identity
    if "_user_id" in session or set(session) - _INCIDENTAL_KEYS:
        return True  # signed in, or the visitor did something (a flashed message)
    return request.endpoint in ANONYMOUS_FORMS


def init_app(app: Flask) -> None:
    app.session_interface = SignInOnlySessionInterface()

    @app.after_request
    def static_cache(response):
        if request.path.startswith("/static/") and request.args.get("v"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def wrap_wsgi(app: Flask) -> None:
    """Install the header middleware (and ProxyFix) outermost: call after Socket.IO wrapped
    the app."""
    headers = security_headers(app.config["PUBLIC_URL"])
    app.wsgi_app = SecurityHeadersMiddleware(app.wsgi_app, headers)
    proxies = app.config.get("TRUSTED_PROXIES") or 0
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind nginx every request comes from 127.0.0.1: the client's address (for the rate
        # limits and logs) is the one nginx adds to X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
