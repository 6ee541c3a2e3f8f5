"""Full-text search over what the caller may see."""

from __future__ import annotations

from flask import request
from flask_babel import gettext

from forum.api import operation, viewer
from forum.api import schemas as s
from forum.errors import ValidationFailed
from forum.services import queries
from forum.services import search as search_service


@operation("/search", "GET", summary="Ranked full-text search with highlighted snippets",
           response=s.SearchResults, errors=(404,),
           query={"q": ("string", "Words to look for"),
                  "group": ("string", "Only this group (slug)"),
                  "topic": ("integer", "Only this topic (id)")})
def search():
    me = viewer()
    group = queries.get_group(request.args["group"], me) if request.args.get("group") else None
    topic = None
    if request.args.get("topic"):
        raw = request.args["topic"]
        if not raw.isdigit() or int(raw) > 2**31 - 1:
            raise ValidationFailed({"topic": gettext("Must be a topic id.")})
        topic = queries.get_topic(int(raw), me)
    return {"results": search_service.search(me, request.args.get("q", ""), group, topic)}
