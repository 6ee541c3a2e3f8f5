"""The caller's notifications."""

from __future__ import annotations

from forum.api import PAGINATION, operation, page_args, signed_in_user
from forum.api import schemas as s
from forum.serializers import notification_json
from forum.services import notifications


@operation("/notifications", "GET", summary="The caller's notifications, newest first",
           response=s.NotificationPage, errors=(401,), auth="required", query=PAGINATION)
def list_notifications():
    user = signed_in_user()
    page, per_page = page_args()
    result, unread = notifications.list_notifications(user, page, per_page)
    return {"items": [notification_json(n) for n in result.items], "page": result.page,
            "per_page": result.per_page, "total": result.total, "unread": unread}


@operation("/notifications/read", "POST", summary="Mark notifications read (`ids`, or all)",
           body=s.NotificationsRead, response=s.MarkedRead, errors=(401,), auth="required")
def mark_read(data: s.NotificationsRead):
    user = signed_in_user()
    marked = notifications.mark_read(user, data.ids)
    _, unread = notifications.list_notifications(user, 1, 1)
    return {"marked": marked, "unread": unread}
