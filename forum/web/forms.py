"""Flask-WTF forms: fields and CSRF; the rules themselves live in the services."""

import functools

from babel import support
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.i18n import messages_path
from wtforms.validators import InputRequired, Optional


@functools.lru_cache(maxsize=16)
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages in the reader's language. Flask-WTF reads the catalogue from disk
    again on every request that builds a form; it never changes while the process runs."""

    def gettext(self, string):
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ngettext(self, singular, plural, n):
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


class ForumForm(FlaskForm):
    """Every form of the pages: Flask-WTF's, with WTForms' messages kept per language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _MESSAGES


_MESSAGES = _WTFormsMessages()


class LoginForm(ForumForm):
    username = StringField(_l("Username"), validators=[InputRequired()])
    password = PasswordField(_l("Password"), validators=[InputRequired()])


class SignupForm(ForumForm):
    username = StringField(_l("Username"))
    display_name = StringField(_l("Your name (and organisation)"))
    email = StringField(_l("E-mail address"))
    password = PasswordField(_l("Password (at least 10 characters)"))


def _digits_or_blank(value):
    # The hidden id goes back into a link when the form is shown again: only ASCII digits do
    # (a number too large for the database is then refused by validation.parse_id).
    return value if isinstance(value, str) and value.isascii() and value.isdigit() else None


class PostForm(ForumForm):
    body = TextAreaField(_l("Your reply"))
    reply_to = HiddenField(filters=[_digits_or_blank])
    question_id = SelectField(_l("Which question does it answer?"), choices=[("", "")],
                              validate_choice=False)


class ThreadForm(ForumForm):
    title = StringField(_l("Title"))
    body = TextAreaField(_l("Opening post"))
    question_id = SelectField(_l("Which question does it answer?"), choices=[("", "")],
                              validate_choice=False)


class TopicForm(ForumForm):
    title = StringField(_l("Title"))
    briefing = TextAreaField(_l("Briefing"))
    status = SelectField(_l("Status"), choices=[
        ("open", _l("Open")), ("upcoming", _l("Upcoming")), ("concluded", _l("Concluded")),
        ("archived", _l("Archived"))])
    event_at = StringField(_l("Meeting or event (UTC, e.g. 2026-12-01 10:00)"),
                           validators=[Optional()])
    response_deadline = StringField(_l("Response deadline (UTC, e.g. 2026-12-15 17:00)"),
                                    validators=[Optional()])
    questions = TextAreaField(_l("Consultation questions, one per line (editable until the topic "
                              "opens)"), validators=[Optional()])


class EditPostForm(ForumForm):
    body = TextAreaField(_l("Post"))
    reason = StringField(_l("Reason for the edit (optional)"))


class FlagForm(ForumForm):
    reason = SelectField(_l("Why?"), choices=[
        ("spam", _l("Spam")), ("abusive", _l("Abusive")), ("off_topic", _l("Off topic")),
        ("other", _l("Other"))])
    note = StringField(_l("Note for the moderators (optional)"))


class ReasonForm(ForumForm):
    reason = StringField(_l("Reason"))


class SummaryForm(ForumForm):
    body = TextAreaField(_l("Summary"))
    publish = BooleanField(_l("Publish now (members are notified)"))


class TranslationForm(ForumForm):
    """A version of the briefing or summary in another language; choices set by the view."""

    kind = SelectField(_l("What it translates"))
    locale = SelectField(_l("Language"))
    body = TextAreaField(_l("Text in that language"))


class SuspendForm(ForumForm):
    username = StringField(_l("Username"))
    days = IntegerField(_l("Days"), default=7)
    reason = StringField(_l("Reason"))


class ActionForm(ForumForm):
    """A button that changes something: only the CSRF token."""
