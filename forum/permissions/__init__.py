"""The permissions layer: one home for who may see what and who may do what, in which state.

- `rights`: roles, visibility predicates and listing filters (`can_see_*`, `visible_*`).
- `actions`: each guarded action's whole precondition (rights and state), answering `True` or a
  `Refusal` with its status and the sentence shown to the person. Services enforce it; the API's
  `can`, the pages and the live script only read it.
- `delivery`: checks made where data leaves the core (notifications, mail, live, exports).
"""

from forum.permissions.rights import *  # noqa: F403
from forum.permissions.rights import (  # noqa: F401  (names used with the perm. prefix)
    AnonymousUser,
    StandIn,
    Viewer,
    _signed_in,
    forget_cached_rights,
    group_roles,
)
