"""ForumError and its subclasses: each carries the HTTP status and the contract's error code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class ForumError(Exception):
    status = 400
    code = "bad_request"
    default_message = _l("The request could not be understood.")

    def __init__(self, message: str | None = None, fields: dict[str, str] | None = None,
                 retry_after: int | None = None):
        # str(): the sentence in the language of whoever is being answered, fixed now
        message = str(message or self.default_message)
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.retry_after = retry_after

    def to_body(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


class BadRequest(ForumError):
    pass


class ValidationFailed(ForumError):
    code = "validation_failed"
    default_message = _l("Some fields are not valid.")

    def __init__(self, fields: dict[str, str], message: str | None = None):
        super().__init__(message, fields=fields)


class NotSignedIn(ForumError):
    status = 401
    code = "not_signed_in"
    default_message = _l("Sign in to do this.")


class PermissionDenied(ForumError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    default_message = _l("The CSRF token is missing or invalid.")


class NotFound(ForumError):
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class MethodNotAllowed(ForumError):
    status = 405
    code = "method_not_allowed"
    default_message = _l("This method is not allowed here.")


class Conflict(ForumError):
    status = 409
    code = "conflict"
    default_message = _l("The current state does not allow this.")


class TooLarge(ForumError):
    status = 413
    code = "too_large"
    default_message = _l("The request is too large.")


class RateLimited(ForumError):
    status = 429
    code = "rate_limited"
    default_message = _l("Too many requests; try again later.")


class Unavailable(ForumError):
    status = 503
    code = "unavailable"
    default_message = _l("The service is briefly unavailable; try again shortly.")


class InternalError(ForumError):
    status = 500
    code = "internal_error"
    default_message = _l("Something went wrong on our side.")
