"""Versions of a topic's briefing and published summary in other languages (and easy read)."""

from __future__ import annotations

from pydantic import Field

from forum.api import operation, signed_in_user, viewer, whole_list_json
from forum.api import schemas as s
from forum.serializers import translation_json
from forum.services import queries
from forum.services import translations as translation_service


class TranslationPut(s.Request):
    body: str = Field(json_schema_extra=s.BODY,
                      description="Markdown; in a summary's version, [[post:ID]] cites only "
                                  "posts the original cites")


class Translation(s.Response):
    topic_id: int
    kind: str = Field(description="briefing or summary")
    locale: str = Field(description="pl, ur, bn, pa, ar, or en-GB-easy (easy-read English)")
    lang: str = Field(description="The language of the text, for a lang attribute")
    dir: str = Field(description="ltr or rtl")
    body_markdown: str
    body_html: str
    source_version: int | None = Field(
        description="The summary version it was written from (null for a briefing)")
    original_changed: bool = Field(description="The original changed after it was written")
    original_changed_at: str | None
    author: s.UserRef
    updated_at: str


def _json(topic, kind, version):
    original = translation_service.original_of(topic, kind)
    stale = translation_service.is_stale(version, original)
    return translation_json(version, stale, original.changed_at)


def _routes(kind: str, readers: str, writers: str) -> None:
    rule = f"/topics/<id:topic_id>/{kind}/translations"

    def list_(topic_id: int):
        topic = queries.get_topic(topic_id, viewer())
        return whole_list_json([_json(topic, kind, v)
                                for v in translation_service.list_translations(topic, kind)])

    def get(topic_id: int, locale: str):
        topic = queries.get_topic(topic_id, viewer())
        return _json(topic, kind, translation_service.get_translation(topic, kind, locale))

    def put(topic_id: int, locale: str, data: TranslationPut):
        topic = queries.get_topic(topic_id, viewer())
        version, _ = translation_service.put_translation(signed_in_user(), topic, kind, locale,
                                                         data.body)
        return _json(topic, kind, version)

    def delete(topic_id: int, locale: str):
        topic = queries.get_topic(topic_id, viewer())
        translation_service.delete_translation(signed_in_user(), topic, kind, locale)

    locale = {"locale": {"type": "string", "enum": translation_service.locales()}}
    for fn, name in ((list_, f"{kind}_translations"), (get, f"{kind}_translation"),
                     (put, f"put_{kind}_translation"), (delete, f"delete_{kind}_translation")):
        fn.__name__ = fn.__qualname__ = name
    operation(rule, "GET", summary=f"Every version of the {readers} in another language",
              response=s.page_of(Translation), errors=(404,))(list_)
    operation(rule + "/<locale>", "GET",
              summary=f"The version of the {readers} in one language", response=Translation,
              errors=(404,), path=locale)(get)
    operation(rule + "/<locale>", "PUT",
              summary=f"Add or replace the version of the {readers} in one language "
                      f"({writers})",
              body=TranslationPut, response=Translation, errors=(401, 403, 404, 413),
              auth="required", path=locale)(put)
    operation(rule + "/<locale>", "DELETE",
              summary=f"Remove the version of the {readers} in one language ({writers})",
              status=204, errors=(401, 403, 404), auth="required", path=locale)(delete)


_routes("briefing", "briefing", "whoever changes the topic")
_routes("summary", "published summary", "whoever writes summaries")
