"""Domain checks shared by the services: text limits and required fields."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from forum.errors import NotSignedIn, PermissionDenied, TooLarge, ValidationFailed
from forum.markup import MAX_BODY_BYTES


def require_text(fields: dict[str, str | None], limits: dict[str, int]) -> dict[str, str]:
    """Strip each field and check it is not blank and within its character limit."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, value in fields.items():
        value = (value or "").strip()
        if not value:
            errors[name] = "This field cannot be blank."
        elif len(value) > limits[name]:
            errors[name] = f"At most {limits[name]} characters."
        cleaned[name] = value
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def check_body(name: str, text: str, *, allow_blank: bool = False) -> str:
    """A markdown body: not blank (unless allowed) and at most 64 KiB of UTF-8 (413 beyond)."""
    if len(text.encode("utf-8")) > MAX_BODY_BYTES:
        raise TooLarge(f"The {name} is longer than {MAX_BODY_BYTES} bytes.")
    if not allow_blank and not text.strip():
        raise ValidationFailed({name: "This field cannot be blank."})
    return text


def check_aware(name: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValidationFailed({name: "A time needs a time zone (use Z for UTC)."})
    return value


def refuse(actor, message: str) -> NoReturn:
    """401 for an anonymous caller, 403 with `message` for a signed-in one."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotSignedIn()
    raise PermissionDenied(message)
