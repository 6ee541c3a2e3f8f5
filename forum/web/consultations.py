"""Pages from debate to response: phases, sign-off, the printable response, consent to quote
and the organisations admin page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from forum import permissions as perm
from forum.errors import ForumError, NotFound
from forum.extensions import db
from forum.models import CONSENT_LEVELS, TOPIC_PHASES, Group
from forum.permissions import actions
from forum.services import consent, organisations, phases, queries, response, signoff
from forum.services.validation import parse_id
from forum.web import bp
from forum.web.forms import ActionForm
from forum.web.helpers import viewer
from forum.web.me import _signed_in
from forum.web.when import parse_local


def _flash_error(error: ForumError) -> None:
    for message in (error.fields or {"": error.message}).values():
        flash(message, "error")


def _back_to(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


@bp.route("/topics/<id:topic_id>/phase", methods=["POST"])
def topic_phase(topic_id: int):
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    if ActionForm().validate_on_submit():
        try:
            deadline = parse_local(request.form.get("deadline", ""), "deadline")
            phases.set_phase(me, tpc, request.form.get("phase", ""), deadline)
            flash(_("The topic is now in %(phase)s.", phase=phases.PHASE_LABELS[tpc.phase].lower()),
                  "info")
        except ForumError as error:
            if error.status in (401, 404):
                raise
            _flash_error(error)
    return _back_to("web.topic", topic_id=tpc.id)


@bp.route("/topics/<id:topic_id>/signoff", methods=["GET", "POST"])
def signoff_page(topic_id: int):
    """One form for every paragraph; on an error every choice comes back as it was sent."""
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    status, errors, sent = 200, {}, None
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            if request.form.get("paragraph"):  # one paragraph's own form (older pages)
                number = request.form["paragraph"]
                sent = {parse_id("paragraph", number) or 0: (
                    request.form.get("stance", ""), request.form.get("reason", ""),
                    request.form.get("open_thread") == "1")}
            else:
                sent = _choices_sent()
            count = signoff.cast_votes(me, tpc, sent)
            if request.form.get("paragraph"):
                flash(_("Your organisation's view on paragraph %(n)s is recorded.",
                        n=request.form["paragraph"]), "info")
                return redirect(url_for("web.signoff_page", topic_id=tpc.id)
                                + f"#p{request.form['paragraph']}", code=303)
            flash(ngettext("Your organisation's view on %(num)d paragraph is recorded.",
                           "Your organisation's views on %(num)d paragraphs are recorded.",
                           count) if count else
                  _("Nothing changed: your organisation's views stand as recorded."), "info")
            return redirect(url_for("web.signoff_page", topic_id=tpc.id), code=303)
        except ForumError as error:
            if error.status == 401:
                raise
            errors = dict(error.fields or {})
            if not errors:
                flash(error.message, "error")
            else:
                flash(_("Nothing was recorded: put right what is marked below."), "error")
            status = error.status
    try:
        view = signoff.signoff_view(me, tpc)
    except NotFound:
        view = None
    organisation = me.organisation if getattr(me, "organisation_id", None) else None
    can_run = actions.write_summary(me, tpc) is True
    return render_template(
        "topics/signoff.html", topic=tpc, view=view, action=ActionForm(),
        organisation=organisation, vote=actions.vote_in_signoff(me, tpc),
        can_run=can_run, member=perm.is_member(me, tpc.group), errors=errors, sent=sent,
        history=signoff.vote_history(view.signoff) if view is not None and can_run else [],
    ), status


def _choices_sent() -> dict[int, tuple[str, str, bool]]:
    """paragraph number -> (stance, reason, open a thread) from the one form's fields."""
    choices = {}
    for key in request.form:
        if key.startswith(("stance-", "reason-")):
            number = parse_id("paragraph", key.split("-", 1)[1])
            if number is not None and number not in choices:
                choices[number] = (request.form.get(f"stance-{number}", ""),
                                   request.form.get(f"reason-{number}", ""),
                                   request.form.get(f"open_thread-{number}") == "1")
    return choices


@bp.route("/topics/<id:topic_id>/signoff/open", methods=["POST"])
def signoff_open(topic_id: int):
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    if ActionForm().validate_on_submit():
        try:
            signoff.open_signoff(me, tpc, None,
                                 parse_local(request.form.get("closes_at", ""), "closes_at"))
            flash(_("The draft is with the member organisations for sign-off."), "info")
            return _back_to("web.signoff_page", topic_id=tpc.id)
        except ForumError as error:
            if error.status in (401, 404):
                raise
            _flash_error(error)
    return _back_to("web.summary_editor", topic_id=tpc.id)


@bp.route("/topics/<id:topic_id>/signoff/close", methods=["POST"])
def signoff_close(topic_id: int):
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    if ActionForm().validate_on_submit():
        try:
            publish = request.form.get("publish") == "1"
            signoff.close_signoff(me, tpc, publish, request.form.get("submit") == "1")
            flash(_("Sign-off closed."), "info")
        except ForumError as error:
            if error.status in (401, 404):
                raise
            _flash_error(error)
    return _back_to("web.signoff_page", topic_id=tpc.id)


@bp.route("/topics/<id:topic_id>/response")
def response_page(topic_id: int):
    """The response, printable: attach it to the submission (print stylesheet)."""
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    doc = response.final_response(me, tpc)
    return render_template("topics/response.html", topic=tpc, doc=doc,
                           endorsement_line=response.endorsement_line,
                           footnote_text=response.footnote_text)


@bp.route("/profile/consent", methods=["POST"])
def consent_form():
    me = _signed_in()
    if ActionForm().validate_on_submit():
        try:
            for group, _level in consent.levels_in_my_groups(me):
                chosen = request.form.get(f"consent-{group.id}")
                if chosen and chosen != _level:
                    consent.set_group_consent(me, db.session.get(Group, group.id), chosen)
            flash(_("Saved how your words may be quoted."), "info")
        except ForumError as error:
            _flash_error(error)
    return redirect(url_for("web.profile") + "#quoting", code=303)


@bp.route("/posts/<id:post_id>/consent", methods=["POST"])
def post_consent(post_id: int):
    me = viewer()
    found = queries.get_post(post_id, me)
    if ActionForm().validate_on_submit():
        level = request.form.get("level") or None
        try:
            consent.set_post_consent(me, found, level)
            flash(_("Saved how this post may be quoted."), "info")
        except ForumError as error:
            if error.status in (401, 404):
                raise
            _flash_error(error)
    return _back_to("web.edit_post", post_id=found.id)


@bp.route("/admin/organisations", methods=["GET", "POST"])
def organisations_page():
    me = _signed_in()
    rows = organisations.list_organisations(me)  # refuses non-admins
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            if "delete" in request.form:
                org = organisations.get_organisation(me, parse_id("delete",
                                                                  request.form["delete"]) or 0)
                organisations.delete_organisation(me, org)
                flash(_("Removed %(organisation)s.", organisation=org.name), "info")
            elif request.form.get("username"):
                org_id = parse_id("organisation_id", request.form.get("organisation_id"))
                org = organisations.get_organisation(me, org_id) if org_id else None
                user = queries.get_user(request.form["username"].strip())
                organisations.set_member_organisation(me, user, org)
                flash(_("%(name)s now speaks for %(organisation)s.", name=user.display_name,
                        organisation=org.name) if org else
                      _("%(name)s now speaks for no organisation.", name=user.display_name),
                      "info")
            else:
                org = organisations.create_organisation(me, request.form.get("name", ""),
                                                        request.form.get("region", ""))
                flash(_("Added %(organisation)s.", organisation=org.name), "info")
            return _back_to("web.organisations_page")
        except ForumError as error:
            _flash_error(error)
    return render_template("account/organisations.html", rows=rows, action=ActionForm(),
                           members={org.id: organisations.organisation_members(org)
                                    for org, _n in rows})


def consent_choices():
    return [(level, consent.LEVEL_LABELS[level]) for level in CONSENT_LEVELS]


def phase_choices():
    return [(phase, phases.PHASE_LABELS[phase]) for phase in TOPIC_PHASES]
