"""Unsubscribing from notification mail without signing in."""

from __future__ import annotations

from flask import render_template, request

from forum.extensions import csrf
from forum.services import mail
from forum.web import bp


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients post here without a form (RFC 8058)
def unsubscribe(token: str):
    user, kind = mail.read_unsubscribe_token(token)
    if request.method == "POST":
        mail.unsubscribe(token)
        return render_template("mail/unsubscribed.html", user=user, kind=kind)
    return render_template("mail/unsubscribe.html", user=user, kind=kind, token=token)
