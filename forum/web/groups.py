"""Group pages: the group, joining and leaving, members, new topics."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum import permissions as perm
from forum.errors import ForumError, NotFound
from forum.permissions import actions
from forum.services import groups as group_service
from forum.services import following, phases, queries, reading
from forum.services import topics as topic_service
from forum.services.questions import parse_lines
from forum.web import bp
from forum.web.forms import ActionForm, TopicForm
from forum.web.helpers import show_errors, viewer
from forum.web.when import local_times, parse_local


@bp.route("/groups/<slug>")
def group(slug: str):
    me = viewer()
    try:
        grp = queries.get_group(slug, me)
    except NotFound:
        # The one face a private group shows a non-member: to the person who asked to join
        # (they know its name), its name and description, none of its content.
        grp = queries.get_group_to_leave(slug, me)
        return render_template("groups/waiting.html", group=grp, action=ActionForm())
    topics = queries.list_topics(grp, me, 1, 100)
    return render_template("groups/show.html", group=grp, topics=topics.items,
                           role=perm.role_in(me, grp), action=ActionForm(),
                           unread=reading.topic_unread(me, topics.items),
                           watch=following.level_of(me, "group", grp.id)
                           if me.is_authenticated else None, watch_form_csrf=ActionForm(),
                           phase_labels=phases.PHASE_LABELS)


@bp.route("/groups/<slug>/join", methods=["POST"])
def join_group(slug: str):
    grp = queries.get_group_to_join(slug, viewer())
    status = group_service.join_group(viewer(), grp)
    flash(_("Welcome to the group.") if status == "member" else
          _("Your request was sent to the group's moderators."), "info")
    return redirect(url_for("web.group", slug=slug), code=303)


@bp.route("/groups/<slug>/leave", methods=["POST"])
def leave_group(slug: str):
    me = viewer()
    grp = queries.get_group_to_leave(slug, me)
    group_service.remove_member(me, grp, me)
    flash(_("You left the group."), "info")
    return redirect(url_for("web.home"), code=303)


@bp.route("/groups/<slug>/members", methods=["GET", "POST"])
def members(slug: str):
    me = viewer()
    grp = queries.get_group(slug, me)
    if request.method == "POST":
        form = ActionForm()
        if form.validate_on_submit():
            member = queries.get_user(request.form.get("username", ""))
            try:
                if request.form.get("role") == "remove":
                    group_service.remove_member(me, grp, member)
                else:
                    group_service.set_member_role(me, grp, member,
                                                  request.form.get("role", "member"))
                flash(_("Updated %(name)s.", name=member.display_name), "info")
            except ForumError as error:
                flash(error.message, "error")
        return redirect(url_for("web.members", slug=slug), code=303)
    page = queries.list_members(grp, 1, 100)
    moderate = perm.can_moderate_group(me, grp)
    from forum.services.moderation import suspended_user_ids

    return render_template("groups/members.html", group=grp, memberships=page.items,
                           can_manage=perm.can_manage_members(me, grp), action=ActionForm(),
                           moderate=moderate,
                           suspended=suspended_user_ids(grp) if moderate else {})


@bp.route("/groups/<slug>/invite", methods=["POST"])
def invite(slug: str):
    from forum.services import invitations

    me = viewer()
    grp = queries.get_group(slug, me)
    if ActionForm().validate_on_submit():
        target = (request.form.get("invitee") or "").strip()
        try:
            invitations.invite(me, grp, **({"email": target} if "@" in target
                                           else {"username": target}),
                               role=request.form.get("role", "member"))
            flash(_("Invitation sent to %(invitee)s.", invitee=target), "info")
        except ForumError as error:
            for message in (error.fields or {"": error.message}).values():
                flash(message, "error")
    return redirect(url_for("web.members", slug=slug), code=303)


def _parse_time(raw: str | None, name: str):
    if not raw:
        return None
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw.strip(), fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    from forum.errors import ValidationFailed

    raise ValidationFailed({name: _("Use the form 2026-12-01 10:00 (UTC).")})


@bp.route("/groups/<slug>/topics/new", methods=["GET", "POST"])
def new_topic(slug: str):
    me = viewer()
    grp = queries.get_group(slug, me)
    form = local_times(TopicForm())
    status = 200
    if form.validate_on_submit():
        try:
            topic = topic_service.create_topic(
                me, grp, form.title.data, form.briefing.data or "", form.status.data,
                parse_local(form.event_at.data, "event_at"),
                parse_local(form.response_deadline.data, "response_deadline"),
                questions=parse_lines(form.questions.data or ""))
            return redirect(url_for("web.topic", topic_id=topic.id), code=303)
        except ForumError as error:
            status = show_errors(form, error)
    else:
        actions.require(actions.create_topic(me, grp))
    return render_template("topics/form.html", form=form, group=grp, topic=None), status
