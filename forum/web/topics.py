"""Topic pages: briefing, summary and threads; new threads; editing; the summary editor."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from forum import permissions as perm
from forum.errors import ForumError, NotFound
from forum.markup import render_markdown
from forum.services import queries, reports, summaries
from forum.services import threads as thread_service
from forum.services import topics as topic_service
from forum.web import bp
from forum.web.forms import SummaryForm, ThreadForm, TopicForm
from forum.web.groups import _parse_time
from forum.web.helpers import show_errors, viewer


def _published_summary(topic):
    try:
        summary = summaries.latest_published(topic)
    except NotFound:
        return None, []
    return summary, summaries.citations_of([summary.id]).get(summary.id, [])


@bp.route("/topics/<id:topic_id>", methods=["GET", "POST"])
def topic(topic_id: int):
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    form = ThreadForm()
    status, preview = 200, None
    if request.method == "POST":
        if form.validate_on_submit():
            if "preview" in request.form:
                preview = render_markdown(form.body.data or "")
            else:
                try:
                    thread = thread_service.create_thread(me, tpc, form.title.data,
                                                          form.body.data)
                    return redirect(url_for("web.thread", thread_id=thread.id), code=303)
                except ForumError as error:
                    status = show_errors(form, error)
        else:
            status = 400
    threads = queries.list_threads(tpc, me, 1, 100)
    summary, cited = _published_summary(tpc)
    return render_template(
        "topics/show.html", topic=tpc, threads=threads.items, summary=summary, cited=cited,
        form=form, preview=preview,
        can_start=perm.can_start_thread(me, tpc) and topic_service.accepts_contributions(tpc),
        can_edit=perm.can_edit_topic(me, tpc), can_summarise=perm.can_write_summary(me, tpc),
    ), status


@bp.route("/topics/<id:topic_id>/edit", methods=["GET", "POST"])
def edit_topic(topic_id: int):
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    form = TopicForm(obj=None if request.method == "POST" else _topic_form_data(tpc))
    status = 200
    if form.validate_on_submit():
        try:
            topic_service.update_topic(
                me, tpc, title=form.title.data, briefing=form.briefing.data or "",
                status=form.status.data,
                event_at=_parse_time(form.event_at.data, "event_at"),
                response_deadline=_parse_time(form.response_deadline.data, "response_deadline"))
            return redirect(url_for("web.topic", topic_id=tpc.id), code=303)
        except ForumError as error:
            status = show_errors(form, error)
    elif not perm.can_edit_topic(me, tpc):
        from forum.services.validation import refuse

        refuse(me, "Only the group's facilitators change topics.")
    return render_template("topics/form.html", form=form, group=tpc.group, topic=tpc), status


def _topic_form_data(tpc):
    class Data:
        title = tpc.title
        briefing = tpc.briefing_markdown
        status = tpc.status
        event_at = tpc.event_at.strftime("%Y-%m-%d %H:%M") if tpc.event_at else ""
        response_deadline = (tpc.response_deadline.strftime("%Y-%m-%d %H:%M")
                             if tpc.response_deadline else "")
    return Data()


@bp.route("/topics/<id:topic_id>/summary/edit", methods=["GET", "POST"])
def summary_editor(topic_id: int):
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    versions = summaries.list_versions(me, tpc)  # facilitators and moderators only
    form = SummaryForm()
    status, preview = 200, None
    if request.method == "GET" and versions:
        form.body.data = versions[0].body_markdown
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = render_markdown(form.body.data or "")
        else:
            try:
                summaries.write_summary(me, tpc, form.body.data, bool(form.publish.data))
                return redirect(url_for("web.summary_editor", topic_id=tpc.id, saved=1),
                                code=303)
            except ForumError as error:
                status = show_errors(form, error)
    insight = reports.insights(me, tpc)
    return render_template("topics/summary_editor.html", topic=tpc, form=form, preview=preview,
                           versions=versions, insight=insight), status
