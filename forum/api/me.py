"""The signed-in caller."""

from __future__ import annotations

from flask_wtf.csrf import generate_csrf

from forum import ratelimits
from forum.api import operation, signed_in_user, whole_list_json
from forum.api import schemas as s
from forum.serializers import me_json
from forum.services import accounts, consent, export, mail, queries


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


@operation("/me", "PATCH",
           summary="Change the caller's display name, language (a code from GET /locales) or "
                   "time zone", body=s.ProfileUpdate, response=s.Me, errors=(401,),
           auth="required")
def update_me(data: s.ProfileUpdate):
    given = {name: getattr(data, name) for name in ("locale", "timezone")
             if name in data.model_fields_set}
    user = accounts.update_profile(signed_in_user(), data.display_name, **given)
    return me_json(user, generate_csrf())


@operation("/me/password", "POST",
           summary="Change the password: every other session and API token is revoked; the "
                   "caller's own session or token is rotated (a new token is returned)",
           body=s.PasswordChange, response=s.PasswordChanged, errors=(401, 403),
           auth="required")
def change_password(data: s.PasswordChange):
    from flask import g
    from flask_login import login_user

    user = signed_in_user()
    accounts.change_own_password(user, data.current_password, data.new_password)
    if g.get("auth_via_token"):
        return {"token": accounts.create_token(user.username, "rotated at password change")}
    login_user(user)  # this browser session carries on with the new session version
    return {"token": None}


@operation("/me/export", "GET",
           summary="Everything the forum holds about the caller (subject access request)",
           response=s.Export, errors=(401,), auth="required")
def export_me():
    from flask import jsonify

    response = jsonify(export.export_user(signed_in_user()))
    response.headers["Content-Disposition"] = 'attachment; filename="my-forum-data.json"'
    return response


@operation("/me", "DELETE",
           summary="Erase the caller's account (personal data removed; posts kept or removed)",
           body=s.Erasure, status=204, errors=(401,), auth="required")
def erase_me(data: s.Erasure):
    from forum.services import erasure

    user = signed_in_user()
    erasure.erase_account(user, user, data.keep_posts)
    return None


@operation("/me/email", "POST",
           summary="Change the e-mail address: a confirmation link goes to the new address",
           body=s.EmailChange, status=204, errors=(401,), auth="required",
           limits=(ratelimits.email_change,))
def change_email(data: s.EmailChange):
    accounts.request_email_change(signed_in_user(), data.email)
    return None


@operation("/me/consents", "GET",
           summary="How the caller's words may be quoted outside the forum, per group",
           response=s.ConsentList, errors=(401,), auth="required")
def consents():
    user = signed_in_user()
    items = [{"group": {"slug": g.slug, "name": g.name}, "level": level}
             for g, level in consent.levels_in_my_groups(user)]
    return whole_list_json(items)


@operation("/me/consents/<slug>", "PUT",
           summary="Say how your words in a group may be quoted: attributable, anonymised "
                   "(region only) or not_quoted (counted only)",
           body=s.ConsentSet, response=s.GroupConsent, errors=(401, 403, 404),
           auth="required")
def set_consent(slug: str, data: s.ConsentSet):
    user = signed_in_user()
    group = queries.get_group(slug, user)
    level = consent.set_group_consent(user, group, data.level)
    return {"group": {"slug": group.slug, "name": group.name}, "level": level}
