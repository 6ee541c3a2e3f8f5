"""The language switcher in every page's footer: works without JavaScript and without an
account (a cookie); for a signed-in member it also saves the account's language. The profile
page also sets the time zone mail and notifications give times in."""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from forum import i18n
from forum.errors import ForumError
from forum.services import accounts
from forum.web import bp
from forum.web.auth import _safe_next
from forum.web.forms import ActionForm
from forum.web.helpers import viewer

ONE_YEAR = 365 * 24 * 3600


@bp.route("/language", methods=["GET", "POST"])
def choose_language():
    """GET (visitors: a link or plain form) sets the cookie; POST (CSRF-checked, signed-in
    members) saves the account's language too."""
    values = request.form if request.method == "POST" else request.args
    code = i18n.supported(values.get("locale"))
    response = redirect(_safe_next(values.get("next")), code=303)
    if code is None or code == i18n.PSEUDO:
        return response
    me = viewer()
    if request.method == "POST" and me.is_authenticated:
        try:
            accounts.update_profile(me, locale=code)
        except ForumError:
            pass  # a code we just checked: cannot happen; the cookie still applies
    response.set_cookie(i18n.COOKIE, code, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


@bp.route("/ui-strings.json")
def ui_strings():
    """What the live script says, in this reader's language (the script cannot call gettext)."""
    return jsonify(i18n.ui_strings())


@bp.route("/profile/timezone", methods=["POST"])
def choose_timezone():
    """The zone mail and notifications give times in (pages follow the browser's own)."""
    from forum.web.me import _signed_in

    me = _signed_in()
    if ActionForm().validate_on_submit():
        try:
            accounts.update_profile(me, timezone=(request.form.get("timezone") or "").strip())
            flash(_("Saved."), "info")
        except ForumError as error:
            for message in (error.fields or {"": error.message}).values():
                flash(message, "error")
    return redirect(url_for("web.profile") + "#language", code=303)
