"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from forum import ratelimits
from forum.services import accounts
from forum.web import bp
from forum.web.forms import LoginForm


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if not target:
        return url_for("web.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
@ratelimits.sign_in_per_address
@ratelimits.sign_in_per_account
def login():
    form = LoginForm()
    if request.method == "POST":
        if form.validate_on_submit():
            user, why_not = accounts.sign_in(form.username.data, form.password.data)
            if user is not None:
                session.clear()  # a fresh session (and CSRF token) at sign-in
                login_user(user)
                return redirect(_safe_next(request.args.get("next") or request.form.get("next")),
                                code=303)
            return render_template("auth/login.html", form=form, error=why_not), 401
        return render_template("auth/login.html", form=form,
                               error=_("Wrong username or password.")), 401
    return render_template("auth/login.html", form=form, error=None)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        accounts.end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    return redirect(url_for("web.home"), code=303)
