"""Account pages: personal API tokens, password reset by mail, and the site admin's page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum import ratelimits
from forum.errors import ForumError
from forum.extensions import db
from forum.models import User
from forum.permissions import actions
from forum.services import accounts
from forum.services import groups as group_service
from forum.services.validation import parse_id
from forum.web import bp
from forum.web.forms import ActionForm
from forum.web.me import _signed_in


@bp.route("/tokens", methods=["GET", "POST"])
@ratelimits.token_creation
def tokens():
    me = _signed_in()
    created = None
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            if "revoke" in request.form:
                accounts.revoke_token(me, parse_id("revoke", request.form["revoke"]) or 0)
                flash(_("Token revoked."), "info")
            else:
                created = accounts.create_token(me.username, request.form.get("name") or "web")
        except ForumError as error:
            flash(error.message, "error")
    return render_template("account/tokens.html", tokens=accounts.list_tokens(me),
                           created=created, action=ActionForm())


@bp.route("/password/forgot", methods=["GET", "POST"])
@ratelimits.sign_in_per_address
def forgot_password():
    if request.method == "POST" and ActionForm().validate_on_submit():
        accounts.request_password_reset(request.form.get("login", ""))
        flash(_("If an account matches, we have sent it a link to reset the password."), "info")
        return redirect(url_for("web.login"), code=303)
    return render_template("account/forgot.html", action=ActionForm())


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = accounts.user_for_reset_token(token)
    error = None
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            accounts.reset_password(user, request.form.get("password", ""))
            flash(_("Your password was changed: sign in with it."), "info")
            return redirect(url_for("web.login"), code=303)
        except ForumError as exc:
            error = (exc.fields or {}).get("password", exc.message)
    return render_template("account/reset.html", action=ActionForm(), error=error), (
        400 if error else 200)


@bp.route("/admin", methods=["GET", "POST"])
def admin():
    me = _signed_in()
    actions.require(actions.administer(me))
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            if "approve" in request.form:
                user = db.session.get(User, parse_id("approve", request.form["approve"]) or 0)
                if user is not None:
                    accounts.approve_user(me, user)
                    flash(_("Approved %(name)s.", name=user.display_name), "info")
            else:
                group = group_service.create_group(
                    me, request.form.get("slug", ""), request.form.get("name", ""),
                    request.form.get("description", ""), request.form.get("visibility", "public"),
                    request.form.get("join_policy", "open"), bool(request.form.get("premoderate")))
                return redirect(url_for("web.group", slug=group.slug), code=303)
        except ForumError as error:
            for message in (error.fields or {"": error.message}).values():
                flash(message, "error")
    return render_template("account/admin.html", pending=accounts.pending_accounts(),
                           action=ActionForm(), form=request.form if request.method == "POST"
                           else {})


@bp.route("/email/confirm/<token>")
def confirm_email(token: str):
    user = accounts.confirm_email_change(token)
    flash(_("Your e-mail address is now %(address)s.", address=user.email), "info")
    return redirect(url_for("web.home"), code=303)
