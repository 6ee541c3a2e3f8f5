"""Flask-WTF forms: fields and CSRF; the rules themselves live in the services."""

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
from wtforms.validators import InputRequired, Optional


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[InputRequired()])
    password = PasswordField("Password", validators=[InputRequired()])


class SignupForm(FlaskForm):
    username = StringField("Username")
    display_name = StringField("Your name (and organisation)")
    email = StringField("E-mail address")
    password = PasswordField("Password (at least 10 characters)")


def _digits_or_blank(value):
    # The hidden id goes back into a link when the form is shown again: only ASCII digits do
    # (a number too large for the database is then refused by validation.parse_id).
    return value if isinstance(value, str) and value.isascii() and value.isdigit() else None


class PostForm(FlaskForm):
    body = TextAreaField("Your reply")
    reply_to = HiddenField(filters=[_digits_or_blank])
    question_id = SelectField("Which question does it answer?", choices=[("", "")],
                              validate_choice=False)


class ThreadForm(FlaskForm):
    title = StringField("Title")
    body = TextAreaField("Opening post")
    question_id = SelectField("Which question does it answer?", choices=[("", "")],
                              validate_choice=False)


class TopicForm(FlaskForm):
    title = StringField("Title")
    briefing = TextAreaField("Briefing")
    status = SelectField("Status", choices=[("open", "Open"), ("upcoming", "Upcoming"),
                                            ("concluded", "Concluded"), ("archived", "Archived")])
    event_at = StringField("Meeting or event (UTC, e.g. 2026-12-01 10:00)",
                           validators=[Optional()])
    response_deadline = StringField("Response deadline (UTC, e.g. 2026-12-15 17:00)",
                                    validators=[Optional()])
    questions = TextAreaField("Consultation questions, one per line (editable until the topic "
                              "opens)", validators=[Optional()])


class EditPostForm(FlaskForm):
    body = TextAreaField("Post")
    reason = StringField("Reason for the edit (optional)")


class FlagForm(FlaskForm):
    reason = SelectField("Why?", choices=[("spam", "Spam"), ("abusive", "Abusive"),
                                          ("off_topic", "Off topic"), ("other", "Other")])
    note = StringField("Note for the moderators (optional)")


class ReasonForm(FlaskForm):
    reason = StringField("Reason")


class SummaryForm(FlaskForm):
    body = TextAreaField("Summary")
    publish = BooleanField("Publish now (members are notified)")


class SuspendForm(FlaskForm):
    username = StringField("Username")
    days = IntegerField("Days", default=7)
    reason = StringField("Reason")


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
