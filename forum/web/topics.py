"""Topic pages: briefing, summary and threads; new threads; editing; the summary editor."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum import ratelimits
from forum.errors import ForumError, NotFound
from forum.i18n import BY_CODE, current_code
from forum.markup import render_markdown
from forum.permissions import actions
from forum.services import (
    consent,
    following,
    phases,
    queries,
    questions,
    reading,
    reports,
    response,
    signoff,
    summaries,
)
from forum.services import threads as thread_service
from forum.services import translations
from forum.services import topics as topic_service
from forum.services.validation import parse_id
from forum.web import bp
from forum.web.forms import ActionForm, SummaryForm, ThreadForm, TopicForm, TranslationForm
from forum.web.helpers import show_errors, viewer
from forum.web.when import as_local_input, local_times, parse_local
from forum.web.when import zone_markup as local_zone


def _published_summary(topic, reader):
    """The published summary, its citations as the reader may have them now (with those gone
    stale) and, once signed off, its paragraphs with the organisations endorsing each."""
    try:
        summary = summaries.latest_published(topic)
    except NotFound:
        return {"summary": None}
    cites = response.footnotes_for(reader, topic, summary)
    done = signoff.signoff_of_summary(summary.id)
    paragraphs = None
    if done is not None:
        endorsed = signoff.endorsement_count(done.id)
        paragraphs = [(p.body_html, endorsed.get(p.number, 0)) for p in signoff.paragraphs_of(done)]
    return {"summary": summary, "citations": cites, "paragraphs": paragraphs,
            "organisations": done.organisation_count if done is not None else None}


def _question_choices(qs) -> list[tuple[str, str]]:
    return [("", _("No particular question"))] + [
        (str(q.id), f"{q.number}. {q.text[:90]}{'…' if len(q.text) > 90 else ''}") for q in qs]


def _by_question(threads, qs):
    """Threads per question, in the questions' order, then those that answer none."""
    if not qs:
        return [(None, threads)]
    known = {q.id for q in qs}
    sections = [(q, [t for t in threads if t.question_id == q.id]) for q in qs]
    rest = [t for t in threads if t.question_id not in known]
    return sections + ([(None, rest)] if rest else [])


@bp.route("/topics/<id:topic_id>", methods=["GET", "POST"])
@ratelimits.thread_starting
def topic(topic_id: int):
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    qs = questions.list_questions(tpc)
    form = ThreadForm()
    form.question_id.choices = _question_choices(qs)
    status, preview = 200, None
    if request.method == "POST":
        if form.validate_on_submit():
            if "preview" in request.form:
                preview = render_markdown(form.body.data or "")
            else:
                try:
                    thread = thread_service.create_thread(
                        me, tpc, form.title.data, form.body.data,
                        parse_id("question_id", form.question_id.data))
                    return redirect(url_for("web.thread", thread_id=thread.id), code=303)
                except ForumError as error:
                    status = show_errors(form, error)
        else:
            status = 400
    threads = queries.list_threads(tpc, me, 1, 100)
    return render_template(
        "topics/show.html", topic=tpc, sections=_by_question(threads.items, qs),
        positions=reading.thread_reading(me, threads.items),
        watch=following.level_of(me, "topic", tpc.id) if me.is_authenticated else None,
        questions=qs, form=form, preview=preview, action=ActionForm(),
        phase_label=phases.PHASE_LABELS[tpc.phase],
        has_signoff=signoff.current_signoff(tpc) is not None,
        start=actions.start_thread(me, tpc),
        can_edit=actions.edit_topic(me, tpc) is True,
        can_summarise=actions.write_summary(me, tpc) is True,
        **_published_summary(tpc, me), **_versions_shown(tpc, me),
    ), status


def _versions_shown(tpc, reader) -> dict:
    """The briefing and summary in the reader's language first; ?original=1 reads the originals
    and ?version=CODE picks another version (easy read, say): links that need no script."""
    original = request.args.get("original") == "1"
    chosen = (request.args.get("version") or "").strip()[:16] or None
    return {kind + "_shown": translations.shown_to(reader, tpc, kind, current_code(), chosen,
                                                   original)
            for kind in ("briefing", "summary")}


@bp.app_template_global()
def version_name(code: str) -> str:
    """A version's language in its own words (easy read in the reader's)."""
    language = BY_CODE.get(code.lower())
    return language.native_name if language else _("Easy read")


@bp.route("/topics/<id:topic_id>/translations", methods=["GET", "POST"])
def topic_translations(topic_id: int):
    """Facilitators add, change or remove a version of the briefing or published summary."""
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    form = TranslationForm()
    kinds = [("briefing", _("The briefing"))]
    if tpc.has_summary:
        kinds.append(("summary", _("The published summary")))
    form.kind.choices = kinds
    form.locale.choices = [(code, version_name(code)) for code in translations.locales()]
    status = 200
    if request.method == "GET":
        form.kind.data = request.args.get("kind") or "briefing"
        form.locale.data = request.args.get("locale") or form.locale.choices[0][0]
        if form.kind.data not in dict(kinds):
            form.kind.data = "briefing"
        actions.require(actions.translate(me, tpc, form.kind.data))
        try:
            form.body.data = translations.get_translation(tpc, form.kind.data,
                                                          form.locale.data).body_markdown
        except NotFound:
            form.body.data = ""
    elif form.validate_on_submit():
        try:
            if "delete" in request.form:
                translations.delete_translation(me, tpc, form.kind.data, form.locale.data)
                flash(_("The version was removed."), "info")
                return redirect(url_for("web.topic_translations", topic_id=tpc.id), code=303)
            translations.put_translation(me, tpc, form.kind.data, form.locale.data,
                                         form.body.data)
            flash(_("The version was saved."), "info")
            return redirect(url_for("web.topic", topic_id=tpc.id, version=form.locale.data,
                                    _anchor=form.kind.data), code=303)
        except ForumError as error:
            status = show_errors(form, error)
    else:
        status = 400
    existing = [(kind, v) for kind, _label in kinds
                for v in translations.list_translations(tpc, kind)]
    return render_template("topics/translations.html", topic=tpc, form=form,
                           existing=existing, kind_names=dict(kinds)), status


@bp.route("/topics/<id:topic_id>/edit", methods=["GET", "POST"])
def edit_topic(topic_id: int):
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    form = local_times(TopicForm(obj=None if request.method == "POST" else _topic_form_data(tpc)))
    status = 200
    if form.validate_on_submit():
        try:
            topic_service.update_topic(
                me, tpc, title=form.title.data, briefing=form.briefing.data or "",
                status=form.status.data,
                event_at=parse_local(form.event_at.data, "event_at"),
                response_deadline=parse_local(form.response_deadline.data, "response_deadline"),
                **({"questions": questions.parse_lines(form.questions.data or "")}
                   if questions.questions_are_editable(tpc) else {}))
            return redirect(url_for("web.topic", topic_id=tpc.id), code=303)
        except ForumError as error:
            status = show_errors(form, error)
    else:
        actions.require(actions.edit_topic(me, tpc))
    return render_template("topics/form.html", form=form, group=tpc.group, topic=tpc,
                           questions_editable=questions.questions_are_editable(tpc)), status


def _topic_form_data(tpc):
    question_lines = "\n".join(q.text for q in questions.list_questions(tpc))

    class Data:
        title = tpc.title
        briefing = tpc.briefing_markdown
        status = tpc.status
        event_at = as_local_input(tpc.event_at)
        response_deadline = as_local_input(tpc.response_deadline)
        questions = question_lines
    return Data()


FILTERS = ("q", "author", "organisation", "reactions")


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
        cite = parse_id("cite", request.form.get("cite"))
        if cite is not None:  # "Cite" without the script: the draft comes back with the citation
            body = (form.body.data or "").rstrip()
            form.body.data = f"{body} [[post:{cite}]]" if body else f"[[post:{cite}]]"
            flash(_("Cited post %(id)s: the draft is not saved yet.", id=cite), "info")
        elif "preview" in request.form:
            form.body.data = summaries.link_citations(form.body.data or "")
            preview = render_markdown(form.body.data)
        else:
            try:
                summaries.write_summary(me, tpc, form.body.data, bool(form.publish.data))
                return redirect(url_for("web.summary_editor", topic_id=tpc.id, saved=1),
                                code=303)
            except ForumError as error:
                status = show_errors(form, error)
    filters = {name: (request.args.get(name) or "").strip()[:200] for name in FILTERS}
    if filters["reactions"] not in summaries.REACTION_FILTERS:
        filters["reactions"] = ""
    citable, organisations = summaries.citable_posts(
        me, tpc, words=filters["q"], author=filters["author"],
        organisation=filters["organisation"], reactions=filters["reactions"])
    insight = reports.insights(me, tpc)
    latest = versions[0] if versions else None
    cites = summaries.citations(latest) if latest is not None else []
    credits = consent.credits_for([c.post for c in cites], tpc.group_id)
    return render_template(
        "topics/summary_editor.html", topic=tpc, form=form, preview=preview, versions=versions,
        insight=insight, coverage=summaries.coverage(me, tpc, latest), citations=cites,
        unquotable=[c for c in cites if not credits[c.post.id].quotable],
        footnotes=response.footnotes_for(me, tpc, latest) if latest is not None else [],
        citable=citable, organisations=organisations, filters=filters,
        filter_query={k: v for k, v in filters.items() if v},
        current_signoff=signoff.current_signoff(tpc), action=ActionForm(),
        zone=local_zone()), status


@bp.route("/topics/<id:topic_id>/summary/versions/<int:number>")
def summary_version(topic_id: int, number: int):
    """One version as it was saved; with ?against=N, what changed between N and this one."""
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    version = summaries.get_version_for(me, tpc, number)
    versions = summaries.list_versions(me, tpc)
    against = parse_id("against", request.args.get("against"))
    diff = older = None
    if against is not None and against != number:
        older = summaries.get_version_for(me, tpc, against)
        first, second = (older, version) if older.version < version.version else (version, older)
        diff = summaries.version_diff(first, second)
        older = first
        version = second
    return render_template("topics/summary_version.html", topic=tpc, version=version,
                           older=older, diff=diff, versions=versions,
                           footnotes=response.footnotes_for(me, tpc, version))


@bp.route("/topics/<id:topic_id>/insights")
def topic_insights(topic_id: int):
    """What the group said, per question and per organisation (facilitators, moderators)."""
    me = viewer()
    tpc = queries.get_topic(topic_id, me)
    return render_template("topics/insights.html", topic=tpc,
                           insight=reports.insights(me, tpc, limit=10))
