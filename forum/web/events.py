"""Pages for events and documents: the topic's events and briefing pack (partials the topic
page includes), the event page, answering from a mail, calendars, uploads and downloads."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.api.attachments import download
from forum.errors import ForumError, NotSignedIn, ValidationFailed
from forum.extensions import csrf
from forum.permissions import actions
from forum.permissions import events as event_rules
from forum.services import attachments, queries
from forum.services import events as event_service
from forum.web import bp
from forum.web.forms import ActionForm
from forum.web.helpers import viewer

UPLOADS = frozenset({"web.upload_topic_document", "web.upload_post_document"})


@bp.url_value_preprocessor
def _uploads_may_be_large(endpoint, _values):
    """Upload forms take up to UPLOAD_MAX_MB; set before the CSRF check reads the form."""
    if endpoint in UPLOADS:
        request.max_content_length = attachments.upload_limit() + 256 * 1024


# --- what the partials ask (the same services and rules as every door) ---------------------------

@bp.app_template_global()
def topic_events(topic) -> list:
    """[(event, my status)] of a topic, for the page's reader."""
    events = event_service.list_events(topic)
    mine = event_service.my_statuses(viewer(), events)
    return [(e, mine.get(e.id)) for e in events]


@bp.app_template_global()
def topic_documents(topic) -> list:
    return attachments.of_topic(topic)


@bp.app_template_global()
def post_documents(post) -> list:
    return attachments.of_post(post)


@bp.app_template_global()
def calendar_token() -> str | None:
    return event_service.feed_token(current_user) if current_user.is_authenticated else None


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    if size < 1024:
        return _("%(n)s bytes", n=size)
    if size < 1024 * 1024:
        return _("%(n)s KB", n=f"{size / 1024:.0f}")
    return _("%(n)s MB", n=f"{size / 1024 / 1024:.1f}")


@bp.app_context_processor
def _event_helpers():
    return {"event_rules": event_rules, "document_label": attachments.label}


# --- forms ------------------------------------------------------------------------------------------

def _check_csrf() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _time(name: str) -> datetime | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValidationFailed({name: _("Use the form 2026-12-01 10:00 (UTC).")})


def _capacity() -> int | None:
    raw = (request.form.get("capacity") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 7:
        raise ValidationFailed({"capacity": _("A whole number, or leave it empty.")})
    return int(raw)


def _event_fields() -> dict:
    return {"title": request.form.get("title", ""),
            "description": request.form.get("description", ""),
            "starts_at": _time("starts_at"), "ends_at": _time("ends_at"),
            "location": request.form.get("location", ""),
            "online_url": request.form.get("online_url", ""), "capacity": _capacity()}


def _flash_error(error: ForumError) -> None:
    if isinstance(error, ValidationFailed) and error.fields:
        for message in error.fields.values():
            flash(message, "error")
    else:
        flash(error.message, "error")


@bp.route("/topics/<id:topic_id>/events", methods=["POST"])
def create_event(topic_id: int):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    _check_csrf()
    try:
        fields = _event_fields()
        for name in ("starts_at", "ends_at"):
            if fields[name] is None:
                raise ValidationFailed({name: _("Give the date and time (UTC).")})
        found = event_service.create_event(me, topic, **fields)
    except ForumError as error:
        if error.status in (401, 403, 404):
            raise
        _flash_error(error)
        return redirect(url_for("web.topic", topic_id=topic.id) + "#events", code=303)
    return redirect(url_for("web.event_page", event_id=found.id), code=303)


@bp.route("/events/<id:event_id>")
def event_page(event_id: int):
    me = viewer()
    found = event_service.get_event(event_id, me)
    status = event_service.my_status(me, found)
    people = (event_service.attendees(me, found)
              if event_rules.see_attendees(me, found) is True else None)
    return render_template(
        "events/show.html", event=found, topic=found.topic, my_status=status,
        position=event_service.waiting_position(me, found),
        answer=event_rules.rsvp(me, found), people=people,
        attendance=event_service.attendance_by_organisation(found),
        may_join=event_rules.see_online_url(me, found, status),
        can_edit=event_rules.edit_event(me, found) is True,
        minutes=event_rules.write_minutes(me, found), action=ActionForm())


@bp.route("/events/<id:event_id>/rsvp", methods=["POST"])
def rsvp_event(event_id: int):
    me = viewer()
    found = event_service.get_event(event_id, me)
    _check_csrf()
    try:
        status = event_service.set_rsvp(me, found, request.form.get("status", ""))
    except ForumError as error:
        if error.status in (401, 404):
            raise
        _flash_error(error)
    else:
        flash({"going": _("You are going."), "maybe": _("You might go."),
               "not_going": _("You are not going."),
               "waiting": _("You are on the waiting list.")}[status], "info")
    back = request.form.get("back")
    if back == "topic":
        return redirect(url_for("web.topic", topic_id=found.topic_id) + "#events", code=303)
    return redirect(url_for("web.event_page", event_id=found.id), code=303)


@bp.route("/events/<id:event_id>/edit", methods=["POST"])
def edit_event(event_id: int):
    me = viewer()
    found = event_service.get_event(event_id, me)
    _check_csrf()
    try:
        event_service.update_event(me, found, **_event_fields())
        flash(_("Saved."), "info")
    except ForumError as error:
        if error.status in (401, 403, 404):
            raise
        _flash_error(error)
    return redirect(url_for("web.event_page", event_id=found.id), code=303)


@bp.route("/events/<id:event_id>/cancel", methods=["POST"])
def cancel_event(event_id: int):
    me = viewer()
    found = event_service.get_event(event_id, me)
    _check_csrf()
    topic_id = found.topic_id
    event_service.delete_event(me, found)
    flash(_("The event is cancelled; those coming were told."), "info")
    return redirect(url_for("web.topic", topic_id=topic_id) + "#events", code=303)


@bp.route("/events/<id:event_id>/minutes", methods=["POST"])
def event_minutes(event_id: int):
    me = viewer()
    found = event_service.get_event(event_id, me)
    _check_csrf()
    attended = request.form.getlist("attended") if "attendance" in request.form else None
    try:
        event_service.write_minutes(me, found, request.form.get("body", ""), attended)
        flash(_("Minutes saved."), "info")
    except ForumError as error:
        if error.status in (401, 403, 404):
            raise
        _flash_error(error)
    return redirect(url_for("web.event_page", event_id=found.id) + "#minutes", code=303)


def _ics(body: bytes, filename: str) -> Response:
    return Response(body, content_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store"})


@bp.route("/events/<id:event_id>.ics")
def event_ics(event_id: int):
    me = viewer()
    found = event_service.get_event(event_id, me)
    return _ics(event_service.event_ics(me, found), f"event-{found.id}.ics")


# --- answering from a mail, without signing in ------------------------------------------------------

@bp.route("/events/answer/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed link is the proof; the GET only asks, so link checkers change nothing
def answer_event(token: str):
    user, found, status = event_service.read_answer_token(token)
    if request.method == "POST":
        _user, found, status = event_service.answer_by_link(token)
        return render_template("events/answered.html", event=found, status=status)
    return render_template("events/answer.html", event=found, status=status, token=token,
                           person=user)


# --- calendars ----------------------------------------------------------------------------------------

@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str):
    return _ics(event_service.calendar_feed(token), "working-groups.ics")


@bp.route("/profile/calendar", methods=["POST"])
def calendar_settings():
    if not current_user.is_authenticated:
        raise NotSignedIn()
    _check_csrf()
    if request.form.get("action") == "revoke":
        event_service.revoke_feed(current_user)
        flash(_("Your calendar address no longer works."), "info")
    else:
        event_service.regenerate_feed(current_user)
        flash(_("Your calendar has a new address; the old one no longer works."), "info")
    return redirect(url_for("web.profile") + "#calendar", code=303)


# --- documents -----------------------------------------------------------------------------------------

def _one_file():
    files = request.files.getlist("file")
    if len(files) != 1 or not files[0].filename:
        raise ValidationFailed({"file": _("Choose a file to upload.")})
    return files[0]


@bp.route("/topics/<id:topic_id>/attachments", methods=["POST"])
def upload_topic_document(topic_id: int):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    _check_csrf()
    try:
        file = _one_file()
        attachments.attach_to_topic(me, topic, file.filename, file.stream)
        flash(_("Added to the briefing pack."), "info")
    except ForumError as error:
        if error.status in (401, 403, 404):
            raise
        _flash_error(error)
    return redirect(url_for("web.topic", topic_id=topic.id) + "#documents", code=303)


@bp.route("/posts/<id:post_id>/attachments", methods=["POST"])
def upload_post_document(post_id: int):
    me = viewer()
    post = queries.get_post(post_id, me)
    _check_csrf()
    try:
        file = _one_file()
        attachments.attach_to_post(me, post, file.filename, file.stream)
        flash(_("Document attached."), "info")
    except ForumError as error:
        if error.status in (401, 403, 404):
            raise
        _flash_error(error)
    return redirect(url_for("web.edit_post", post_id=post.id) + "#documents", code=303)


@bp.route("/attachments/<id:attachment_id>")
def document(attachment_id: int):
    return download(attachments.get_attachment(attachment_id, viewer()))


@bp.route("/attachments/<id:attachment_id>/delete", methods=["POST"])
def delete_document(attachment_id: int):
    me = viewer()
    found = attachments.get_attachment(attachment_id, me)
    _check_csrf()
    back = (url_for("web.edit_post", post_id=found.post_id) + "#documents"
            if found.post_id is not None
            else url_for("web.topic", topic_id=found.topic_id) + "#documents")
    actions.require(event_rules.delete_attachment(me, found))
    attachments.delete_attachment(me, found)
    flash(_("Document removed."), "info")
    return redirect(back, code=303)
