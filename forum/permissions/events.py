"""Events and documents: each action's whole precondition (rights and state), once.

Like `actions`, each function answers `True` or a `Refusal` (status + the sentence shown to the
person). Seeing an event or a document is seeing what it belongs to (its topic, its post), asked
at the moment of the request or download, so a moved thread or a removed member sees nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _

from forum.models import Attachment, Event, Post, Topic
from forum.permissions.actions import Decision, Refusal
from forum.permissions.rights import (
    Viewer,
    _is_author,
    _signed_in,
    can_see_post,
    can_see_topic,
    is_facilitator,
    is_member,
    is_moderator,
    is_suspended,
    role_in,
)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def has_started(event: Event, now: datetime | None = None) -> bool:
    return _aware(event.starts_at) <= (now or datetime.now(UTC))


def has_ended(event: Event, now: datetime | None = None) -> bool:
    return _aware(event.ends_at) <= (now or datetime.now(UTC))


def _facilitator(user: Viewer, group, refusal: str) -> Refusal | None:
    if not _signed_in(user):
        return Refusal(401, _("Sign in first."), remedy="sign_in")
    if not is_facilitator(user, group):
        return Refusal(403, refusal)
    return None


# --- events -----------------------------------------------------------------------------------

def see_event(user: Viewer, event: Event) -> Decision:
    if not can_see_topic(user, event.topic):
        return Refusal(404, _("No such event."))
    return True


def create_event(user: Viewer, topic: Topic) -> Decision:
    if not can_see_topic(user, topic):
        return Refusal(404, _("No such topic."))
    return _facilitator(user, topic.group,
                        _("Only the group's facilitators arrange events.")) or True


def edit_event(user: Viewer, event: Event) -> Decision:
    """Change, cancel (delete) and see who is coming."""
    if not can_see_topic(user, event.topic):
        return Refusal(404, _("No such event."))
    return _facilitator(user, event.topic.group,
                        _("Only the group's facilitators change events.")) or True


def see_attendees(user: Viewer, event: Event) -> Decision:
    if not can_see_topic(user, event.topic):
        return Refusal(404, _("No such event."))
    return _facilitator(user, event.topic.group,
                        _("Only the group's facilitators see who is coming.")) or True


def rsvp(user: Viewer, event: Event) -> Decision:
    """Say whether one is coming: a member of the group, not suspended, before it ends."""
    if not can_see_topic(user, event.topic):
        return Refusal(404, _("No such event."))
    group = event.topic.group
    if not _signed_in(user):
        return Refusal(401, _("Sign in to say whether you are coming."), remedy="sign_in")
    if not is_member(user, group):
        if role_in(user, group) == "pending":
            return Refusal(403, _("Your request to join this group is waiting for a moderator: "
                                  "you can answer once it is accepted."))
        return Refusal(403, _("Join the group to say whether you are coming."), remedy="join")
    if is_suspended(user, group):
        return Refusal(403, _("You are suspended in this group: you cannot answer "
                              "invitations."))
    if has_ended(event):
        return Refusal(409, _("This event is over."))
    return True


def take_place(user: Viewer, event: Event, my_status: str | None) -> Decision:
    """Going, as opposed to waiting: only while a place is free (one's own place is kept)."""
    if my_status == "going":
        return True
    if event.capacity is not None and event.going_count >= event.capacity:
        return Refusal(409, _("This event is full: join the waiting list instead."))
    return True


def write_minutes(user: Viewer, event: Event) -> Decision:
    if not can_see_topic(user, event.topic):
        return Refusal(404, _("No such event."))
    refusal = _facilitator(user, event.topic.group,
                           _("Only the group's facilitators write minutes."))
    if refusal:
        return refusal
    if not has_started(event):
        return Refusal(409, _("Minutes are written once the event has started."))
    return True


def see_online_url(user: Viewer, event: Event, my_status: str | None) -> bool:
    """The joining link: for those going and for facilitators."""
    return my_status == "going" or is_facilitator(user, event.topic.group)


# --- documents --------------------------------------------------------------------------------

def see_attachment(user: Viewer, attachment: Attachment) -> Decision:
    """Whoever may see, now, what the document is attached to; nobody else knows it exists."""
    if attachment.post_id is not None:
        post = attachment.post
        visible = post is not None and can_see_post(user, post)
    else:
        topic = attachment.topic
        visible = topic is not None and can_see_topic(user, topic)
    return True if visible else Refusal(404, _("No such document."))


def attach_to_topic(user: Viewer, topic: Topic) -> Decision:
    if not can_see_topic(user, topic):
        return Refusal(404, _("No such topic."))
    return _facilitator(user, topic.group,
                        _("Only the group's facilitators add to the briefing pack.")) or True


def attach_to_post(user: Viewer, post: Post) -> Decision:
    if not can_see_post(user, post):
        return Refusal(404, _("No such post."))
    if not _signed_in(user):
        return Refusal(401, _("Sign in to attach documents."), remedy="sign_in")
    if not _is_author(user, post.author_id):
        return Refusal(403, _("Only the post's author attaches documents to it."))
    group = post.thread.topic.group
    if not is_member(user, group):
        return Refusal(403, _("Join the group to attach documents."), remedy="join")
    if is_suspended(user, group):
        return Refusal(403, _("You are suspended in this group: you cannot attach documents."))
    return True


def delete_attachment(user: Viewer, attachment: Attachment) -> Decision:
    seen = see_attachment(user, attachment)
    if seen is not True:
        return seen
    if not _signed_in(user):
        return Refusal(401, _("Sign in first."), remedy="sign_in")
    group = (attachment.post.thread.topic.group if attachment.post_id is not None
             else attachment.topic.group)
    if _is_author(user, attachment.uploaded_by_id) or is_moderator(user, group):
        return True
    return Refusal(403, _("Only the person who uploaded a document or a moderator removes it."))
