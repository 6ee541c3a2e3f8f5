"""Thread pages: posts with stable anchors, replying, reacting, flagging, editing, moderating."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from forum import permissions as perm
from forum import ratelimits
from forum.errors import ForumError, NotFound
from forum.extensions import db
from forum.markup import plain_text, render_markdown
from forum.models import REACTION_KINDS, Post
from forum.permissions import actions
from forum.serializers import user_ref
from forum.services import (
    following,
    moderation,
    queries,
    questions,
    reading,
    thread_pages,
)
from forum.services import posts as post_service
from forum.services import threads as thread_service
from forum.services.validation import parse_id
from forum.web import bp, post_blocks
from forum.web.forms import ActionForm, EditPostForm, FlagForm, PostForm
from forum.web.helpers import PER_PAGE, page_number, show_errors, viewer


def _render_thread(thread, form, status=200, preview=None):
    me = viewer()
    qs = questions.list_questions(thread.topic)
    form.question_id.choices = [("", _("The thread's question") if thread.question_id
                                 else _("No particular question"))] + [
        (str(q.id), f"{q.number}. {q.text[:90]}") for q in qs]
    page = page_number(request.args.get("page"))
    kept = thread_pages.list_posts(thread, me, page, PER_PAGE)
    result, cited = kept.page, kept.cited
    ids = [p.id for p in result.items]
    group = thread.topic.group
    last_read = reading.last_read_post_id(me, thread)
    first_unread = reading.first_unread_post_id(me, thread, last_read)
    if me.is_authenticated and request.method == "GET":
        reading.mark_shown(me, thread, ids, last_read)  # what this page shows is read
    reply_decision = actions.reply(me, thread)
    return render_template(
        "threads/show.html", thread=thread, topic=thread.topic, group=group, posts=result.items,
        page=result.page, pages=max(1, -(-result.total // PER_PAGE)), total=result.total,
        my=queries.my_reactions(me, ids), cited=cited, form=form,
        preview=preview, action=ActionForm(), questions=qs, live_post=post_blocks.StandIn(thread),
        own_live_post=post_blocks.StandIn(thread, author_id=me.id) if me.is_authenticated else None,
        live_post_id=post_blocks.STAND_IN_ID, flag_form=FlagForm(), kinds=REACTION_KINDS,
        posts_html=post_blocks.page_renderer(me, thread, group, reply_decision),
        reply=reply_decision, moderator=perm.is_moderator(me, group),
        first_unread=first_unread, first_unread_here=first_unread in ids,
        watch=following.level_of(me, "thread", thread.id) if me.is_authenticated else None,
    ), status


def _quote(me, post_id: int, words: int = 200) -> str:
    """`> [[post:ID]] **Name** wrote:` and the post's opening words, as the composer starts."""
    try:
        quoted = queries.get_post(post_id, me)
    except NotFound:
        return f"> [[post:{post_id}]]\n> \n\n"
    name = user_ref(quoted.author)["display_name"]
    text = ""
    if perm.can_see_post_body(me, quoted, quoted.thread.topic.group):
        text = plain_text(quoted.body_html)
        if len(text) > words:
            text = text[:words].rsplit(" ", 1)[0] + "…"
    return f"> [[post:{quoted.id}]] **{name}** wrote:\n> {text}\n\n"


@bp.route("/threads/<id:thread_id>", methods=["GET", "POST"])
@ratelimits.posting
def thread(thread_id: int):
    me = viewer()
    thr = queries.get_thread(thread_id, me)
    form = PostForm()
    if request.method == "GET" and request.args.get("quote", "").isdecimal():
        form.body.data = _quote(me, int(request.args["quote"]))
    if request.method == "GET" and request.args.get("reply_to", "").isdecimal():
        form.reply_to.data = request.args["reply_to"]
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render_thread(thr, form, 400)
        if "preview" in request.form:
            return _render_thread(thr, form, preview=render_markdown(form.body.data or ""))
        try:
            post = post_service.create_post(
                me, thr, form.body.data or "", parse_id("reply_to", form.reply_to.data),
                parse_id("question_id", form.question_id.data))
        except ForumError as error:
            if error.status in (401, 403, 404):
                raise
            return _render_thread(thr, form, show_errors(form, error))
        if post.pending:
            flash(_("Your post is awaiting a moderator's approval."), "info")
        return redirect(url_for("web.post", post_id=post.id), code=303)
    return _render_thread(thr, form)


@bp.route("/posts/<id:post_id>")
def post(post_id: int):
    """A stable link to a post: its thread page, at the right page and anchor."""
    me = viewer()
    found = queries.get_post(post_id, me)
    before = db.session.scalar(
        perm.visible_posts(select(func.count(Post.id)), me, found.thread.topic.group)
        .where(Post.thread_id == found.thread_id, Post.id < found.id))
    page = (before or 0) // PER_PAGE + 1
    return redirect(url_for("web.thread", thread_id=found.thread_id, page=page)
                    + f"#post-{found.id}", code=303)


@bp.route("/posts/<id:post_id>/react/<kind>", methods=["POST"])
def react(post_id: int, kind: str):
    me = viewer()
    found = queries.get_post(post_id, me)
    if not ActionForm().validate_on_submit():
        abort(400)
    if kind in queries.my_reactions(me, [found.id]).get(found.id, []):
        post_service.remove_reaction(me, found, kind)
    else:
        post_service.add_reaction(me, found, kind)
    return redirect(url_for("web.post", post_id=found.id), code=303)


@bp.route("/posts/<id:post_id>/flag", methods=["GET", "POST"])
@ratelimits.flagging
def flag(post_id: int):
    """GET: the form on a page of its own (the thread page keeps one link per post);
    POST: send the flag, then back to the post."""
    me = viewer()
    found = queries.get_post(post_id, me)
    form = FlagForm()
    if request.method == "GET":
        excerpt = ""
        if perm.can_see_post_body(me, found, found.thread.topic.group):
            excerpt = plain_text(found.body_html)[:300]
        return render_template("threads/flag.html", post=found, form=form, excerpt=excerpt,
                               decision=actions.flag(me, found))
    if form.validate_on_submit():
        try:
            moderation.flag_post(me, found, form.reason.data, form.note.data)
            flash(_("Thank you: the moderators will look at this post."), "info")
        except ForumError as error:
            if error.status in (401, 404):
                raise
            flash(error.message, "error")
    return redirect(url_for("web.post", post_id=found.id), code=303)


@bp.route("/posts/<id:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    me = viewer()
    found = queries.get_post(post_id, me)
    form = EditPostForm()
    status = 200
    if request.method == "GET":
        form.body.data = found.body_markdown
    elif form.validate_on_submit():
        try:
            post_service.edit_post(me, found, form.body.data or "", form.reason.data or None)
            return redirect(url_for("web.post", post_id=found.id), code=303)
        except ForumError as error:
            if error.status in (401, 403, 404):
                raise
            status = show_errors(form, error)
    actions.require(actions.edit_post(me, found))
    return render_template("threads/edit_post.html", post=found, form=form,
                           action=ActionForm()), status


@bp.route("/posts/<id:post_id>/history")
def post_history(post_id: int):
    me = viewer()
    found = queries.get_post(post_id, me)
    revisions = queries.list_revisions(found, me, 1, 100)
    return render_template("threads/history.html", post=found, revisions=revisions.items)


@bp.route("/posts/<id:post_id>/moderate", methods=["POST"])
def moderate_post(post_id: int):
    me = viewer()
    found = queries.get_post(post_id, me)
    if not ActionForm().validate_on_submit():
        abort(400)
    action = request.form.get("action")
    # The thread page's buttons share one form: each post's reason field carries its id.
    reason = (request.form.get(f"reason-{found.id}") or request.form.get("reason") or "").strip()
    try:
        if action == "hide":
            moderation.hide_post(me, found, reason or "Hidden by a moderator")
        elif action == "unhide":
            moderation.unhide_post(me, found)
        elif action == "approve":
            moderation.approve_post(me, found)
        elif action == "reject":
            moderation.reject_post(me, found, reason)
        else:
            abort(400)
    except ForumError as error:
        if error.status in (401, 403, 404):
            raise
        flash(error.message, "error")
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target, code=303)
    return redirect(url_for("web.thread", thread_id=found.thread_id), code=303)


@bp.route("/threads/<id:thread_id>/moderate", methods=["POST"])
def moderate_thread(thread_id: int):
    me = viewer()
    thr = queries.get_thread(thread_id, me)
    if not ActionForm().validate_on_submit():
        abort(400)
    changes = {"lock": {"locked": True}, "unlock": {"locked": False},
               "pin": {"pinned": True}, "unpin": {"pinned": False}}.get(request.form.get("action"))
    if changes is None:
        abort(400)
    thread_service.update_thread(me, thr, **changes)
    return redirect(url_for("web.thread", thread_id=thr.id), code=303)
