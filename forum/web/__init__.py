"""Server-rendered pages: blueprint "web"."""

from flask import Blueprint

bp = Blueprint("web", __name__)


def register(app) -> None:
    from forum.web import auth, home, mail  # noqa: F401  (routes)

    app.register_blueprint(bp)
