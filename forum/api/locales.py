"""The languages the forum speaks."""

from __future__ import annotations

from forum import i18n
from forum.api import operation
from forum.api import schemas as s


@operation("/locales", "GET",
           summary="The languages pages, mail and error messages can be read in",
           response=s.LocaleList)
def locales():
    return {"items": i18n.languages_json()}
