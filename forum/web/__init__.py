"""Server-rendered pages: blueprint "web"."""

from flask import Blueprint

bp = Blueprint("web", __name__)


def register(app) -> None:
    from forum.web import (  # noqa: F401  (routes)
        account,
        auth,
        consultations,
        events,
        groups,
        home,
        invitations,
        language,
        mail,
        me,
        moderation,
        people,
        threads,
        topics,
    )

    app.register_blueprint(bp)
    _template_helpers(app)


def _template_helpers(app) -> None:
    """Templates decide which controls to show with the very predicates the services enforce."""
    from flask_login import current_user

    from forum import permissions
    from forum.permissions import actions
    from forum.services import notifications

    app.jinja_env.globals.update({name: getattr(permissions, name)
                                  for name in dir(permissions) if name.startswith("can_")})
    app.jinja_env.globals["is_moderator"] = permissions.is_moderator
    app.jinja_env.globals["actions"] = actions  # templates read decisions, never restate them

    def unread_count() -> int:
        if not current_user.is_authenticated:
            return 0
        return notifications.unread_count(current_user)

    app.jinja_env.globals["unread_count"] = unread_count
    from forum.web.consultations import consent_choices, phase_choices

    app.jinja_env.globals.update(consent_choices=consent_choices, phase_choices=phase_choices)
    from forum import labels

    labels.register(app)  # {{ code | words("kind") }}: words, never codes, in the pages
    from forum.web.when import as_local_input

    app.jinja_env.globals["local_input"] = as_local_input  # a stored time, in the reader's zone
