"""Moderators' pages: the review queue, the log, suspensions."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from forum.errors import ForumError
from forum.models import utcnow
from forum.services import moderation, queries
from forum.web import bp
from forum.web.forms import ActionForm, SuspendForm
from forum.web.helpers import page_number, viewer


def _moderated_group(slug: str):
    me = viewer()
    return me, queries.get_group(slug, me)


@bp.route("/groups/<slug>/moderation")
def moderation_queue(slug: str):
    me, grp = _moderated_group(slug)
    return render_template("moderation/queue.html", group=grp,
                           items=moderation.queue_items(me, grp), action=ActionForm(),
                           suspend=SuspendForm())


@bp.route("/flags/<id:flag_id>/resolve", methods=["POST"])
def resolve_flag(flag_id: int):
    me = viewer()
    flag = queries.get_flag(flag_id, me)
    if not ActionForm().validate_on_submit() or request.form.get("action") not in ("dismiss",
                                                                                    "hide"):
        abort(400)
    try:
        moderation.resolve_flag(me, flag, request.form["action"])
    except ForumError as error:
        if error.status in (401, 403, 404):
            raise
        flash(error.message, "error")
    group = flag_group_slug(flag)
    return redirect(url_for("web.moderation_queue", slug=group), code=303)


def flag_group_slug(flag) -> str:
    from forum.extensions import db
    from forum.models import Post

    return db.session.get(Post, flag.post_id).thread.topic.group.slug


@bp.route("/groups/<slug>/moderation/log")
def moderation_log(slug: str):
    me, grp = _moderated_group(slug)
    page = queries.list_moderation_log(grp, me, page_number(request.args.get("page")), 50)
    return render_template("moderation/log.html", group=grp, entries=page.items, page=page)


@bp.route("/groups/<slug>/suspensions", methods=["POST"])
def suspend(slug: str):
    me, grp = _moderated_group(slug)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            member = queries.get_user(form.username.data or "")
            if request.form.get("lift"):
                moderation.lift_suspension(me, grp, member)
                flash(f"Lifted the suspension of {member.display_name}.", "info")
            else:
                until = utcnow() + timedelta(days=max(1, min(int(form.days.data or 7), 3650)))
                moderation.suspend_member(me, grp, member, until, form.reason.data or "")
                flash(f"Suspended {member.display_name}.", "info")
        except ForumError as error:
            flash(error.message, "error")
    return redirect(url_for("web.moderation_queue", slug=slug), code=303)
