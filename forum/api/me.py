"""The signed-in caller."""

from __future__ import annotations

from flask_wtf.csrf import generate_csrf

from forum.api import operation, signed_in_user
from forum.api import schemas as s
from forum.api.serializers import me_json
from forum.services import mail


@operation("/me", "GET", summary="The signed-in caller, with a CSRF token for cookie sessions",
           response=s.Me, errors=(401,), auth="required")
def me():
    user = signed_in_user()
    return me_json(user, generate_csrf())


@operation("/me/mail-preferences", "GET", summary="How each kind of notification is mailed",
           response=s.MailPreferencesOut, errors=(401,), auth="required")
def mail_preferences():
    return mail.preferences(signed_in_user())


@operation("/me/mail-preferences", "PATCH", summary="Change how notifications are mailed",
           body=s.MailPreferences, response=s.MailPreferencesOut, errors=(401,),
           auth="required")
def set_mail_preferences(data: s.MailPreferences):
    return mail.set_preferences(signed_in_user(), data.model_dump(exclude_none=True))
