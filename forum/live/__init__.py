"""Live delivery over Socket.IO, as the core sees it: publish after commit, re-seat audiences.

- `publish`: the events services emit after commit, shaped and addressed by the permissions.
- `audiences`: room names, who may be in which room, re-seating after rights shrink, and
  ending a user's (or one token's) connections.
- `identity`: who a connection is, checked again at every event.
- `state`: connections, subscriptions and presence (memory, or Redis shared by processes).
- `handlers`: the Socket.IO door. Not imported here: the core never imports a door; the app
  factory registers it (`forum.live.handlers.register_handlers`).
"""

from forum.live.audiences import (
    disconnect_token,
    disconnect_user,
    refresh_access,
    refresh_group,
    refresh_thread,
)
from forum.live.publish import (
    publish_notification,
    publish_post,
    publish_reactions,
    publish_signoff,
    publish_summary,
    publish_thread,
    publish_thread_posts,
    publish_topic,
    publish_visibility,
)

__all__ = [
    "disconnect_token",
    "disconnect_user",
    "publish_notification",
    "publish_post",
    "publish_reactions",
    "publish_signoff",
    "publish_summary",
    "publish_thread",
    "publish_thread_posts",
    "publish_topic",
    "publish_visibility",
    "refresh_access",
    "refresh_group",
    "refresh_thread",
]
