"""Personal pages: notifications, search, sign-up and profile (mail preferences)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum.errors import ForumError
from forum.models import NOTIFICATION_KINDS
from forum.services import accounts, mail, notifications, queries
from forum.services import search as search_service
from forum.web import bp
from forum.web.forms import ActionForm, SignupForm
from forum.web.helpers import page_number, show_errors, viewer


def _signed_in():
    me = viewer()
    if not me.is_authenticated:
        from forum.errors import NotSignedIn

        raise NotSignedIn()
    return me


@bp.route("/notifications", methods=["GET", "POST"])
def notifications_page():
    me = _signed_in()
    if request.method == "POST" and ActionForm().validate_on_submit():
        notifications.mark_read(me)
        return redirect(url_for("web.notifications_page"), code=303)
    page, unread = notifications.list_notifications(me, page_number(request.args.get("page")), 50)
    return render_template("me/notifications.html", items=page.items, unread=unread,
                           action=ActionForm())


@bp.route("/search")
def search_page():
    """One result per post with who, when and where; filters by group, topic, author and dates
    (the API's own parsing), pages, and a way out of an empty result."""
    from forum.api.search import search_args

    me = viewer()
    query = (request.args.get("q") or "")[:500]
    found, error, filters = None, None, {}
    try:
        filters = search_args(me)
        if query:
            found = search_service.search_page(
                me, query, filters["group"], filters["topic"],
                page=page_number(request.args.get("page")), per_page=SEARCH_PER_PAGE,
                author=filters["author"], since=filters["since"], until=filters["until"])
    except ForumError as exc:
        error = " ".join(str(v) for v in (exc.fields or {}).values()) or exc.message
    groups = queries.list_groups(me, 1, 100).items
    topics = queries.list_topics(filters["group"], me, 1, 100).items \
        if filters.get("group") else []
    args = {name: request.args[name] for name in SEARCH_FILTERS if request.args.get(name)}
    return render_template(
        "me/search.html", query=query, found=found, error=error, groups=groups, topics=topics,
        args=args, filters=filters,
        pages=-(-found["total"] // SEARCH_PER_PAGE) if found and found["total"] else 1,
        without={name: {k: v for k, v in args.items() if k != name} for name in args})


SEARCH_PER_PAGE = 20
SEARCH_FILTERS = ("group", "topic", "author", "from", "to")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    mode = current_app.config["REGISTRATION"]
    form = SignupForm()
    status = 200
    if mode == "closed":
        return render_template("me/signup_closed.html"), 403
    if form.validate_on_submit():
        try:
            accounts.create_user(form.username.data or "", form.email.data or "",
                                 form.password.data or "", display_name=form.display_name.data,
                                 approved=mode == "open")
            flash(_("Your account is ready: sign in.") if mode == "open" else
                  _("Thank you: a site administrator will approve your account soon."), "info")
            return redirect(url_for("web.login"), code=303)
        except ForumError as error:
            status = show_errors(form, error)
    return render_template("me/signup.html", form=form, mode=mode), status


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    me = _signed_in()
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            mail.set_preferences(me, {kind: request.form.get(kind, "immediate")
                                      for kind in NOTIFICATION_KINDS})
            flash(_("Saved."), "info")
        except ForumError as error:
            flash(error.message, "error")
        return redirect(url_for("web.profile"), code=303)
    from forum.services import consent

    return render_template("me/profile.html", prefs=mail.preferences(me),
                           kinds=NOTIFICATION_KINDS, action=ActionForm(),
                           consents=consent.levels_in_my_groups(me))


@bp.route("/profile/erase", methods=["POST"])
def erase_me():
    from flask_login import logout_user

    from forum.services import erasure

    me = _signed_in()
    if not ActionForm().validate_on_submit() or request.form.get("confirm") != "ERASE":
        flash(_("Type ERASE to confirm."), "error")
        return redirect(url_for("web.profile"), code=303)
    erasure.erase_account(me, me, keep_posts=request.form.get("keep_posts") == "1")
    logout_user()
    flash(_("Your account and personal data were erased."), "info")
    return redirect(url_for("web.home"), code=303)


@bp.route("/profile/password", methods=["POST"])
def change_password():
    from flask_login import login_user

    me = _signed_in()
    if ActionForm().validate_on_submit():
        try:
            accounts.change_own_password(me, request.form.get("current_password", ""),
                                         request.form.get("new_password", ""))
            login_user(me)  # this session carries on; every other one has ended
            flash(_("Password changed. Other sessions and your API tokens were signed out."),
                  "info")
        except ForumError as error:
            for message in (error.fields or {"": error.message}).values():
                flash(message, "error")
    return redirect(url_for("web.profile"), code=303)
