"""The signed-in caller."""

from __future__ import annotations

from flask_wtf.csrf import generate_csrf

from forum.api import operation, signed_in_user
from forum.api import schemas as s
from forum.api.serializers import me_json


@operation("/me", "GET", summary="The signed-in caller, with a CSRF token for cookie sessions",
           response=s.Me, errors=(401,), auth="required")
def me():
    user = signed_in_user()
    return me_json(user, generate_csrf())
