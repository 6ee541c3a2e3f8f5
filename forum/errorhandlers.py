"""One place that turns every error into the contract's body (API) or an error page (web)."""

from __future__ import annotations

import logging

from flask import (
    Flask,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from flask_babel import gettext

from forum.errors import (
    BadRequest,
    CsrfFailed,
    ForumError,
    InternalError,
    MethodNotAllowed,
    NotFound,
    NotSignedIn,
    PermissionDenied,
    RateLimited,
    TooLarge,
    Unavailable,
)
from forum.extensions import db

log = logging.getLogger(__name__)

_BY_STATUS = {400: BadRequest, 401: NotSignedIn, 403: PermissionDenied, 404: NotFound,
              405: MethodNotAllowed, 413: TooLarge, 429: RateLimited}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(error: ForumError):
    if isinstance(error, NotSignedIn) and not _wants_json() and request.method == "GET":
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    if _wants_json():
        response = jsonify(error.to_body())
    elif isinstance(error, Unavailable):
        # Rendered without the context processors: they ask the database who is signed in.
        page = current_app.jinja_env.get_template("errors/unavailable.html")
        response = make_response(page.render(error=error, url_for=url_for))
    else:
        response = make_response(render_template("errors/error.html", error=error))
    response.status_code = error.status
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ForumError)
    def forum_error(error: ForumError):
        db.session.rollback()
        return render_error(error)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(CsrfFailed())

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error):
        retry = int(getattr(error, "retry_after", None) or 60)
        if _wants_json():
            return render_error(RateLimited(retry_after=retry))
        # A page: say when to try again, and hand back what was typed (errors/error.html).
        return render_error(RateLimited(
            gettext("You are doing this too often: try again in %(retry)s seconds. What you "
                    "wrote is below, so you can copy it.", retry=retry), retry_after=retry))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        cls = _BY_STATUS.get(error.code or 500)
        if cls is None:
            if (error.code or 500) < 500:
                cls = BadRequest
            else:
                return render_error(InternalError())
        response = render_error(cls())
        if error.code == 405 and getattr(error, "valid_methods", None):
            # RFC 9110: a 405 says which methods the resource does answer.
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        db.session.rollback()
        log.warning("database unavailable: %s", error)
        return render_error(Unavailable(retry_after=5))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        if app.config.get("TESTING") and not app.config.get("TESTING_SWALLOW_ERRORS"):
            raise error
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return render_error(Unavailable(retry_after=5))
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalError())
