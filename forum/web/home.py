"""Home page: the working groups the visitor may see."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from forum.services import queries
from forum.web import bp


@bp.route("/")
def home():
    groups = queries.list_groups(current_user._get_current_object(), 1, 100)
    return render_template("home.html", groups=groups.items)
