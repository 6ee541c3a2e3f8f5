"""Pages of everyday participation: people, following levels, opening a notification."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from forum.extensions import db
from forum.models import WATCH_LEVELS, Notification
from forum.services import following, notifications, people, queries
from forum.web import bp
from forum.web.forms import ActionForm
from forum.web.helpers import viewer


@bp.route("/users/<username>")
def person(username: str):
    me = viewer()
    found = people.get_person(username)
    return render_template("users/show.html", person=found,
                           groups=people.groups_of(found, me),
                           common=people.groups_in_common(found, me)
                           if me.is_authenticated else [])


def _set_level(kind: str, target_id: int, back: str):
    me = viewer()
    if not me.is_authenticated:
        return redirect(url_for("web.login", next=back), code=303)
    if not ActionForm().validate_on_submit() or request.form.get("level") not in WATCH_LEVELS:
        abort(400)
    following.set_level(me, kind, target_id, request.form["level"])
    return redirect(back, code=303)


@bp.route("/threads/<id:thread_id>/watch", methods=["POST"])
def watch_thread(thread_id: int):
    thread = queries.get_thread(thread_id, viewer())
    return _set_level("thread", thread.id, url_for("web.thread", thread_id=thread.id))


@bp.route("/topics/<id:topic_id>/watch", methods=["POST"])
def watch_topic(topic_id: int):
    topic = queries.get_topic(topic_id, viewer())
    return _set_level("topic", topic.id, url_for("web.topic", topic_id=topic.id))


@bp.route("/groups/<slug>/watch", methods=["POST"])
def watch_group(slug: str):
    group = queries.get_group(slug, viewer())
    return _set_level("group", group.id, url_for("web.group", slug=group.slug))


@bp.route("/notifications/<id:notification_id>/open")
def open_notification(notification_id: int):
    """Mark one's own notification read, then go where it points (the page and the mail link
    come here). Someone else's, or one about what the reader may no longer see, is 404."""
    me = viewer()
    if not me.is_authenticated:
        return redirect(url_for("web.login", next=request.path), code=303)
    found = db.session.scalar(notifications.visible_to(me).where(
        Notification.id == notification_id))
    if found is None:
        abort(404)
    notifications.mark_read(me, [found.id])
    url = found.url if found.url.startswith("/") and not found.url.startswith("//") else "/"
    return redirect(url, code=303)
