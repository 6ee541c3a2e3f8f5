"""Invitation pages: the link from the mail, and one's own open invitations."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum.errors import ForumError
from forum.services import invitations
from forum.services.validation import parse_id
from forum.web import bp
from forum.web.forms import ActionForm
from forum.web.helpers import viewer
from forum.web.me import _signed_in


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    found = invitations.find(token)
    me = viewer()
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            invitations.accept(me, token=token)
            flash(_("Welcome to %(group)s.", group=found.group.name), "info")
            return redirect(url_for("web.group", slug=found.group.slug), code=303)
        except ForumError as error:
            if error.status == 401:
                raise
            flash(error.message, "error")
    return render_template("account/invitation.html", invitation=found, action=ActionForm())


@bp.route("/invitations", methods=["GET", "POST"])
def my_invitations():
    me = _signed_in()
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            accepted = invitations.accept(
                me, invitation_id=parse_id("id", request.form.get("id")) or 0)
            return redirect(url_for("web.group", slug=accepted.group.slug), code=303)
        except ForumError as error:
            flash(error.message, "error")
    return render_template("account/invitations.html", items=invitations.mine(me),
                           action=ActionForm())
