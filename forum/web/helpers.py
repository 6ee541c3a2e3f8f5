"""What every page view shares: the viewer, form errors from services, safe redirects."""

from __future__ import annotations

from flask import flash, request
from flask_login import current_user

from forum.errors import ForumError, ValidationFailed
from forum.services.validation import check_no_nul
from forum.web import bp

PER_PAGE = 50


def viewer():
    return current_user._get_current_object()


def show_errors(form, error: ForumError) -> int:
    """Put a service's refusal next to the fields it names (or on top); returns the status."""
    if isinstance(error, ValidationFailed) and error.fields:
        for name, message in error.fields.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = list(field.errors or []) + [message]
            else:
                flash(message, "error")
    else:
        flash(error.message, "error")
    return error.status


@bp.before_request
def _refuse_unstorable_input():
    """Every page form and link: a NUL (which PostgreSQL cannot store) in a path, query or form
    value answers 400 naming the field, whatever the view does with it."""
    check_no_nul([*(request.view_args or {}).items(), *request.args.items(multi=True),
                  *(request.form.items(multi=True) if request.method == "POST" else ())])


def page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000_000))
    except ValueError:
        return 1
