"""Moderators' pages: the review queue (edit-then-approve), the log in words, suspensions from a
member's row and the list of those in force, a member's card, and a thread's tools (move, slow
mode with an end time, split, merge)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from forum import permissions as perm
from forum.errors import ForumError, ValidationFailed
from forum.i18n import N_
from forum.permissions import actions
from forum.services import moderation, queries
from forum.services import threads as thread_service
from forum.services.validation import parse_id
from forum.web import bp
from forum.web.forms import ActionForm
from forum.web.helpers import page_number, viewer
from forum.web.when import as_local_input, parse_local, zone_markup

# The duration picker of a suspension: label -> how long ("date": until the date chosen).
DURATIONS = {"1d": (N_("1 day"), timedelta(days=1)), "1w": (N_("1 week"), timedelta(weeks=1)),
             "1m": (N_("1 month"), timedelta(days=30)), "date": (N_("Until a date"), None)}
# Slow mode: one reply per member every ...
INTERVALS = [(0, N_("Off")), (30, N_("30 seconds")), (60, N_("1 minute")),
             (120, N_("2 minutes")), (300, N_("5 minutes")), (900, N_("15 minutes")),
             (3600, N_("1 hour"))]


def _moderated_group(slug: str):
    me = viewer()
    return me, queries.get_group(slug, me)


def _flash_error(error: ForumError) -> None:
    for message in (error.fields or {"": error.message}).values():
        flash(message, "error")


@bp.route("/groups/<slug>/moderation")
def moderation_queue(slug: str):
    me, grp = _moderated_group(slug)
    items = moderation.queue_items(me, grp)  # oldest first; refuses non-moderators
    counts = Counter(f.reason for item in items for f in item["flags"])
    pending = sum(1 for item in items if item["type"] == "pending")
    return render_template("moderation/queue.html", group=grp, items=items, action=ActionForm(),
                           counts=sorted(counts.items()), pending=pending,
                           suspensions=moderation.current_suspensions(me, grp))


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


@bp.route("/posts/<id:post_id>/approve-edited", methods=["POST"])
def approve_edited(post_id: int):
    """Edit a pending post, then publish it: the author's own words stay in its history."""
    me = viewer()
    found = queries.get_post(post_id, me)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        moderation.approve_post(me, found, request.form.get("body", ""),
                                request.form.get("reason") or None)
        flash(gettext("Edited and approved."), "info")
    except ForumError as error:
        if error.status in (401, 403, 404):
            raise
        _flash_error(error)
    return redirect(url_for("web.moderation_queue", slug=found.thread.topic.group.slug),
                    code=303)


@bp.route("/groups/<slug>/moderation/log")
def moderation_log(slug: str):
    me, grp = _moderated_group(slug)
    page = queries.list_moderation_log(grp, me, page_number(request.args.get("page")), 50)
    return render_template("moderation/log.html", group=grp, entries=page.items, page=page,
                           names=moderation.describe_targets(page.items))


@bp.route("/groups/<slug>/suspensions", methods=["GET", "POST"])
def suspend(slug: str):
    """GET: the suspensions in force. POST: suspend (from a member's row) or lift."""
    me, grp = _moderated_group(slug)
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            member = queries.get_user(request.form.get("username") or "")
            if request.form.get("lift"):
                moderation.lift_suspension(me, grp, member)
                flash(gettext("Lifted the suspension of %(name)s.", name=member.display_name),
                      "info")
            else:
                moderation.suspend_member(me, grp, member, _suspension_end(),
                                          request.form.get("reason") or "")
                flash(gettext("Suspended %(name)s.", name=member.display_name), "info")
        except ForumError as error:
            if error.status in (401, 404) and not error.fields:
                raise
            _flash_error(error)
        target = request.form.get("next") or ""
        if target.startswith("/") and not target.startswith("//"):
            return redirect(target, code=303)
        return redirect(url_for("web.suspend", slug=slug), code=303)
    return render_template("moderation/suspensions.html", group=grp, action=ActionForm(),
                           suspensions=moderation.current_suspensions(me, grp))


def _suspension_end() -> datetime:
    choice = request.form.get("duration", "1w")
    if choice not in DURATIONS:
        raise ValidationFailed({"duration": gettext("Choose how long.")})
    if choice == "date":
        until = parse_local(request.form.get("until"), "until")
        if until is None:
            raise ValidationFailed({"until": gettext("Choose the date the suspension ends.")})
        return until
    return datetime.now(UTC) + DURATIONS[choice][1]


@bp.route("/groups/<slug>/members/<username>/card")
def member_card(slug: str, username: str):
    me, grp = _moderated_group(slug)
    card = moderation.member_card(me, grp, queries.get_user(username))
    return render_template("moderation/member_card.html", group=grp, card=card,
                           action=ActionForm(), durations=DURATIONS)


@bp.route("/threads/<id:thread_id>/moderation", methods=["GET", "POST"])
def thread_tools(thread_id: int):
    """Move (with a reason), slow mode (with an end time), split and merge."""
    me = viewer()
    thr = queries.get_thread(thread_id, me)
    actions.require(actions.moderate_thread(me, thr))
    status = 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        tool = request.form.get("tool")
        try:
            if tool == "move":
                destination = parse_id("topic_id", request.form.get("topic_id"))
                if destination is None:
                    raise ValidationFailed({"topic_id": gettext("Choose where the thread goes.")})
                thread_service.update_thread(me, thr, topic_id=destination,
                                             reason=request.form.get("reason") or "")
                flash(gettext("Moved to “%(title)s”.", title=thr.topic.title), "info")
            elif tool == "slow":
                seconds = parse_id("slow_mode_seconds", request.form.get("slow_mode_seconds"))
                thread_service.update_thread(
                    me, thr, slow_mode_seconds=seconds or 0,
                    slow_mode_until=parse_local(request.form.get("slow_mode_until"),
                                                "slow_mode_until"))
                flash(thread_service.slow_mode_words(thr.slow_mode_seconds,
                                                     thr.slow_mode_until) + ".", "info")
            elif tool == "split":
                ids = [parse_id("post_ids", raw) for raw in request.form.getlist("post_ids")]
                new = thread_service.split_thread(me, thr, [i for i in ids if i],
                                                  request.form.get("title", ""),
                                                  request.form.get("reason") or "")
                flash(gettext("The replies are now in “%(title)s”.", title=new.title), "info")
                return redirect(url_for("web.thread", thread_id=new.id), code=303)
            elif tool == "merge":
                target = queries.get_thread(
                    parse_id("into", request.form.get("into")) or 0, me)
                thread_service.merge_threads(me, thr, target, request.form.get("reason") or "")
                flash(gettext("Merged into “%(title)s”.", title=target.title), "info")
                return redirect(url_for("web.thread", thread_id=target.id), code=303)
            else:
                abort(400)
            return redirect(url_for("web.thread_tools", thread_id=thr.id), code=303)
        except ForumError as error:
            if error.status in (401, 403, 404) and not error.fields:
                raise
            _flash_error(error)
            status = error.status
    posts = queries.list_posts(thr, me, 1, 100).items
    siblings = [t for t in queries.list_threads(thr.topic, me, 1, 100).items if t.id != thr.id]
    return render_template(
        "moderation/thread.html", thread=thr, topic=thr.topic, group=thr.topic.group,
        action=ActionForm(), destinations=thread_service.move_destinations(me, thr),
        intervals=INTERVALS, until=as_local_input(thr.slow_mode_until), zone=zone_markup(),
        posts=posts, siblings=siblings,
        moderator=perm.is_moderator(me, thr.topic.group)), status
