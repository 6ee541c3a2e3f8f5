"""Domain checks shared by the services and every door: text limits, required fields, single
lines, NUL characters and ids that fit the database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import NoReturn
from flask_babel import gettext, lazy_gettext

from forum.errors import NotSignedIn, PermissionDenied, TooLarge, ValidationFailed
from forum.markup import MAX_BODY_BYTES

# Ids are 32-bit columns on PostgreSQL (and SQLite refuses integers beyond 64 bits): anything
# outside 1..MAX_ID names nothing and must be refused before it reaches a query.
MAX_ID = 2**31 - 1

# Titles, names and other one-line fields end up in Markdown exports, mail subjects and
# CSV cells: a line break (or any other control character) there forges structure.
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Lazy: each is said in the language of whoever is answered.
ONE_LINE = lazy_gettext("Must be a single line, without line breaks or control characters.")
NO_NUL = lazy_gettext("Must not contain a NUL character.")
_ID = re.compile(r"[0-9]{1,10}")


def single_line(name: str, value: str | None, limit: int, *, required: bool = True) -> str:
    """A one-line field, stripped: no control characters (400 naming the field), not blank
    unless allowed, at most `limit` characters."""
    value = (value or "").strip()
    if _NOT_ONE_LINE.search(value):
        raise ValidationFailed({name: str(ONE_LINE)})
    if required and not value:
        raise ValidationFailed({name: gettext("This field cannot be blank.")})
    if len(value) > limit:
        raise ValidationFailed({name: gettext("At most %(limit)s characters.", limit=limit)})
    return value


def require_text(fields: dict[str, str | None], limits: dict[str, int]) -> dict[str, str]:
    """One-line fields: strip each, check it is a single line, not blank and within its limit."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, value in fields.items():
        value = (value or "").strip()
        if _NOT_ONE_LINE.search(value):
            errors[name] = str(ONE_LINE)
        elif not value:
            errors[name] = gettext("This field cannot be blank.")
        elif len(value) > limits[name]:
            errors[name] = gettext("At most %(limit)s characters.", limit=limits[name])
        cleaned[name] = value
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def is_single_line(value: str) -> bool:
    return not _NOT_ONE_LINE.search(value or "")


def check_body(name: str, text: str, *, allow_blank: bool = False) -> str:
    """A markdown body: not blank (unless allowed), no NUL, at most 64 KiB of UTF-8 (413)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise TooLarge(gettext("The %(name)s is longer than %(max_body_bytes)s bytes.",
                               name=name, max_body_bytes=MAX_BODY_BYTES))
    check_no_nul([(name, text)])
    if not allow_blank and not text.strip():
        raise ValidationFailed({name: gettext("This field cannot be blank.")})
    return text


def check_no_nul(values: Iterable[tuple[str, object]]) -> None:
    """Free text of any door: a NUL character (which PostgreSQL cannot store) or a lone
    surrogate (which no encoding can) is bad input, refused with the fields named."""
    errors: dict[str, str] = {}
    for name, value in values:
        if isinstance(value, str) and _unstorable(value):
            errors.setdefault(name, str(NO_NUL) if "\x00" in value else gettext("Not valid text."))
    if errors:
        raise ValidationFailed(errors)


def _unstorable(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_id(name: str, raw: str | int | None) -> int | None:
    """An id typed or posted by a form: None when absent; 400 naming the field unless it is a
    whole number in 1..MAX_ID (so no query ever sees an integer the database cannot hold)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and _ID.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        raise ValidationFailed({name: gettext("Not a valid id.")})
    if not 1 <= value <= MAX_ID:
        raise ValidationFailed({name: gettext("Not a valid id.")})
    return value


def check_aware(name: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValidationFailed({name: gettext("A time needs a time zone (use Z for UTC).")})
    return value


def refuse(actor, message: str) -> NoReturn:
    """401 for an anonymous caller, 403 with `message` for a signed-in one."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotSignedIn()
    raise PermissionDenied(message)
