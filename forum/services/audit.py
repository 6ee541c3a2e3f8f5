"""Moderation log and stored notifications, written inside the acting unit of work."""

from __future__ import annotations

from forum.db import after_commit
from forum.extensions import db
from forum.i18n import Message, speaking_to
from forum.models import ModerationAction, Notification, User
from forum.permissions import delivery


def log_moderation(group_id: int, actor: User, action: str, target_type: str, target_id: int,
                   reason: str = "") -> None:
    db.session.add(ModerationAction(
        group_id=group_id, actor_id=actor.id, action=action, target_type=target_type,
        target_id=target_id, reason=reason or "",
    ))


def notify(user_id: int, kind: str, text: str | Message, url: str, *, actor: User | None = None,
           group_id: int | None = None, post_id: int | None = None,
           topic_id: int | None = None) -> Notification | None:
    """Store a notification (never for the user's own action) and push it live after commit.

    The ids say what it is about (its post, else its topic, else its group): a person who may
    not see that now gets nothing, neither the row nor the mail nor the push, and the push is
    asked again when it goes out. Returns the notification, or None when none was stored.
    `text` is best a forum.i18n.Message: it is then stored in the receiver's own language.
    """
    if actor is not None and actor.id == user_id:
        return None
    if isinstance(text, Message):  # said in the receiver's language, as it stands now
        with speaking_to(db.session.get(User, user_id)):
            text = text.render()
    notification = Notification(
        user_id=user_id, kind=kind, text=text[:500], url=url, group_id=group_id,
        post_id=post_id, topic_id=topic_id, actor_id=actor.id if actor else None,
    )
    if not delivery.may_receive_notification(user_id, notification):
        return None
    db.session.add(notification)
    db.session.flush()
    from forum.services.mail import queue_notification_mail

    queue_notification_mail(notification)

    def push() -> None:
        from forum import live

        if delivery.may_receive_notification(notification.user_id, notification):
            live.publish_notification(notification)

    after_commit(push)
    return notification
