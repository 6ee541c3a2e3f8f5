"""Languages: which one each reader gets, and the helpers pages and mail use to speak it.

A locale comes from, in order: the account's `locale`, the `locale` cookie (set by the footer
switcher, for visitors without an account), the request's Accept-Language, else en-GB (the
source language: its catalogue is the English in the code). Codes are BCP 47 (`en-GB`) at every
door; Babel's identifiers (`en_GB`) stay inside this module.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, request
from flask_babel import Babel, Domain, _get_current_context, force_locale, get_locale, get_timezone
from flask_babel import format_datetime as _format_datetime
from flask_babel import format_decimal as _format_decimal

COOKIE = "locale"
DEFAULT = "en-GB"
# A stand-in locale for tests that catch text left out of the catalogue: every message comes
# back wrapped and accented (tests/i18n_pseudo.py writes its catalogue). Babel has no locale
# named en-XA, so an English locale nobody chooses carries it.
PSEUDO = "en-XA"
PSEUDO_CARRIER = "en_001"


@dataclass(frozen=True)
class Language:
    code: str  # BCP 47, as the API and <html lang> say it
    name: str  # in English
    native_name: str
    dir: str  # "ltr" | "rtl"

    @property
    def babel_id(self) -> str:
        return self.code.replace("-", "_")


LANGUAGES: tuple[Language, ...] = (
    Language("en-GB", "English", "English", "ltr"),
    Language("pl", "Polish", "polski", "ltr"),
    Language("ur", "Urdu", "اردو", "rtl"),
    Language("bn", "Bengali", "বাংলা", "ltr"),
    Language("pa", "Punjabi (Gurmukhi)", "ਪੰਜਾਬੀ", "ltr"),
    Language("ar", "Arabic", "العربية", "rtl"),
)
BY_CODE = {language.code.lower(): language for language in LANGUAGES}
CODES = tuple(language.code for language in LANGUAGES)

class _RequestDomain(Domain):
    """Flask-Babel's message domain, keeping the request's catalogue once found.

    Flask-Babel finds it again (formatting the locale's name for its cache) for each of the
    fifty-odd strings of a page. `force_locale` and `refresh` reset `babel_translations`, so a
    language forced for a while (mail in its reader's language) still gets its own catalogue.
    """

    def get_translations(self):
        ctx = _get_current_context()
        if ctx is None:
            return super().get_translations()
        translations = getattr(ctx, "babel_translations", None)
        if translations is None:
            translations = ctx.babel_translations = super().get_translations()
        return translations


babel = Babel()


def supported(code: str | None) -> str | None:
    """The supported code matching `code` (case-insensitive), or None."""
    if not code:
        return None
    language = BY_CODE.get(code.strip().lower())
    if language is not None:
        return language.code
    if pseudo_enabled() and code.strip().lower() == PSEUDO.lower():
        return PSEUDO
    return None


def pseudo_enabled() -> bool:
    try:
        return bool(current_app.config.get("I18N_PSEUDO_DIR"))
    except RuntimeError:
        return False


def babel_id(code: str | None) -> str:
    """Babel's identifier for a supported code (unknown codes give the default)."""
    code = supported(code) or DEFAULT
    if code == PSEUDO:
        return PSEUDO_CARRIER
    return code.replace("-", "_")


def _requested_code() -> str:
    """The reader's language for this request (see the module's docstring)."""
    if not has_request_context():
        return DEFAULT
    from flask_login import current_user

    try:
        user = current_user._get_current_object()
    except Exception:  # noqa: BLE001 - no login manager yet, or the account is unreadable
        user = None
    if user is not None and getattr(user, "is_authenticated", False):
        code = supported(getattr(user, "locale", None))
        if code:
            return code
    code = supported(request.cookies.get(COOKIE))
    if code:
        return code
    offered = list(CODES) + ([PSEUDO] if pseudo_enabled() else [])
    return request.accept_languages.best_match(offered) or DEFAULT


def select_locale() -> str:
    return babel_id(_requested_code())


def select_timezone() -> str:
    if has_request_context():
        from flask_login import current_user

        try:
            zone = getattr(current_user._get_current_object(), "timezone", None)
        except Exception:  # noqa: BLE001
            zone = None
        if zone:
            return zone
    return "UTC"


def current_code() -> str:
    """The BCP 47 code being spoken now (request, or a forced recipient's locale)."""
    locale = get_locale()
    if locale is None:
        return DEFAULT
    ident = str(locale)
    if ident == PSEUDO_CARRIER:
        return PSEUDO
    return ident.replace("_", "-")


def current_dir() -> str:
    language = BY_CODE.get(current_code().lower())
    return language.dir if language else "ltr"


@contextmanager
def speaking_to(user):
    """Render mail, notifications and other words for `user` in their own language and time
    zone (a visitor known only by address, user=None, gets en-GB and UTC)."""
    from flask_babel import _get_current_context
    from pytz import UnknownTimeZoneError
    from pytz import timezone as tz

    ctx = _get_current_context()
    zone = getattr(user, "timezone", None) if user is not None else None
    try:
        tzinfo = tz(zone or "UTC")
    except UnknownTimeZoneError:
        tzinfo = tz("UTC")
    before = getattr(ctx, "babel_tzinfo", None) if ctx is not None else None
    if ctx is not None:
        ctx.babel_tzinfo = tzinfo
    try:
        with force_locale(babel_id(getattr(user, "locale", None) if user is not None else None)):
            yield
    finally:
        if ctx is not None:
            if before is None:
                ctx.__dict__.pop("babel_tzinfo", None)
            else:
                ctx.babel_tzinfo = before


def N_(msgid: str) -> str:
    """Marks a word for the catalogue without translating it yet (it is translated when shown)."""
    return msgid


class Message:
    """A sentence to be said later to someone: the catalogue's message id and named values,
    rendered in the reader's language (inside `speaking_to`). Values may be Messages, lazy
    strings or datetimes (shown in the reader's zone)."""

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = params

    def render(self) -> str:
        from flask_babel import gettext

        values = {}
        for name, value in self.params.items():
            if isinstance(value, Message):
                value = value.render()
            elif isinstance(value, datetime):
                value = format_datetime(value, "medium")
            values[name] = value
        return gettext(self.msgid, **values)

    def __str__(self) -> str:
        return self.render()


ROLE_NAMES = {"member": N_("member"), "facilitator": N_("facilitator"),
              "moderator": N_("moderator"), "pending": N_("asked to join")}


def valid_timezone(zone: str | None) -> bool:
    if not zone:
        return False
    from babel.dates import get_timezone as babel_timezone

    try:
        babel_timezone(zone)
    except LookupError:
        return False
    return True


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    """A date and time in the reader's language and time zone."""
    if value is None:
        return ""
    return _format_datetime(value, format)


def format_number(value) -> str:
    if value is None:
        return ""
    return _format_decimal(value)


def ui_strings() -> dict:
    """What the live script says, from the catalogue (the script cannot call gettext): {name}
    marks where it puts a value. Served as /ui-strings.json to pages that speak live."""
    from flask_babel import gettext

    from forum.permissions.actions import PHASE_LABELS

    return {
        "awaiting": gettext("Awaiting approval"),
        "hidden": gettext("This post was hidden by a moderator."),
        "new_post": gettext("New post from %(name)s", name="{name}"),
        "reading": gettext("Reading now: %(names)s", names="{names}"),
        "typing": gettext("%(name)s is typing…", name="{name}"),
        "summary": gettext("A new summary was published. Reload the page to read it."),
        "new_thread": gettext("New thread: %(title)s", title="{title}"),
        "phase": gettext("This topic is now in the phase: %(phase)s.", phase="{phase}"),
        "closed": gettext("closed"),
        "tallies": gettext("Sign-off tallies updated."),
        "notification": gettext("New notification: %(text)s", text="{text}"),
        "cited": gettext("Cited post %(id)s", id="{id}"),
        "citable": gettext("The list of posts to cite is updated: %(n)s found.", n="{n}"),
        "phases": {code: str(label) for code, label in PHASE_LABELS.items()},
    }


def languages_json() -> list[dict]:
    return [{"code": lang.code, "name": lang.name, "native_name": lang.native_name,
             "dir": lang.dir} for lang in LANGUAGES]


def init_app(app) -> None:
    directories = "translations"
    if app.config.get("I18N_PSEUDO_DIR"):
        directories += ";" + app.config["I18N_PSEUDO_DIR"]
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", directories)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en_GB")
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    babel.domain_instance = _RequestDomain()
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals.update(
        current_locale=current_code, current_dir=current_dir, LANGUAGES=LANGUAGES,
        get_timezone=get_timezone)
