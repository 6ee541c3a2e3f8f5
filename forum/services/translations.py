"""Briefings and published summaries in community languages: facilitators' versions beside the
original, which version a reader gets first, and whether the original changed since."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from forum import permissions as perm
from forum.db import unit_of_work
from forum.errors import NotFound, ValidationFailed
from forum.extensions import db
from forum.i18n import BY_CODE, DEFAULT, LANGUAGES
from forum.markup import cited_post_ids, render_markdown
from forum.models import Summary, Topic, User, utcnow
from forum.models.topics import EASY_READ, TRANSLATION_KINDS, TopicTranslation
from forum.permissions import actions
from forum.services import summaries
from forum.services.validation import check_body


def locales() -> list[str]:
    """The codes a version may be written in: every language but the source, and easy read."""
    return [lang.code for lang in LANGUAGES if lang.code != DEFAULT] + [EASY_READ]


def language_of(code: str) -> str:
    """The `lang` of a version's text (easy read is English)."""
    return DEFAULT if code == EASY_READ else code


def dir_of(code: str) -> str:
    language = BY_CODE.get(code.lower())
    return language.dir if language else "ltr"


def _check_kind(kind: str) -> str:
    if kind not in TRANSLATION_KINDS:
        raise NotFound(gettext("No such page."))
    return kind


def _check_locale(code: str) -> str:
    """The canonical code, or a field error naming the choices."""
    wanted = (code or "").strip().lower()
    for known in locales():
        if known.lower() == wanted:
            return known
    raise ValidationFailed({"locale": gettext("Choose one of: %(codes)s.",
                                              codes=", ".join(locales()))})


def _digest(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Original:
    """What a version translates: the briefing, or the latest published summary."""

    markdown: str
    version: int | None
    changed_at: datetime | None
    summary: Summary | None = None


def original_of(topic: Topic, kind: str) -> Original:
    """The original text (NotFound for a summary not yet published)."""
    if _check_kind(kind) == "briefing":
        return Original(topic.briefing_markdown, None, topic.updated_at)
    summary = summaries.latest_published(topic)
    return Original(summary.body_markdown, summary.version, summary.published_at, summary)


def is_stale(version: TopicTranslation, original: Original) -> bool:
    """The original changed after the version was written."""
    return _digest(original.markdown) != version.source_digest


def list_translations(topic: Topic, kind: str) -> list[TopicTranslation]:
    """Every version of one original, by code. The topic is one the caller may see."""
    return list(db.session.scalars(
        select(TopicTranslation).where(TopicTranslation.topic_id == topic.id,
                                       TopicTranslation.kind == _check_kind(kind))
        .order_by(TopicTranslation.locale)))


def get_translation(topic: Topic, kind: str, locale: str) -> TopicTranslation:
    """One version (NotFound if there is none). The topic is one the caller may see."""
    code = next((c for c in locales() if c.lower() == (locale or "").strip().lower()), None)
    found = db.session.scalar(select(TopicTranslation).where(
        TopicTranslation.topic_id == topic.id, TopicTranslation.kind == _check_kind(kind),
        TopicTranslation.locale == code)) if code else None
    if found is None:
        raise NotFound(gettext("There is no version in this language."))
    return found


def _check_citations(original: Original, body: str) -> None:
    """A version of a summary cites only what the original cites: citations always point to
    the original posts."""
    if original.summary is None:
        return
    allowed = set(summaries.citations_of([original.summary.id]).get(original.summary.id, []))
    extra = [i for i in cited_post_ids(body) if i not in allowed]
    if extra:
        raise ValidationFailed({"body": gettext(
            "A version cites only the posts the original cites: %(ids)s.",
            ids=", ".join(map(str, extra[:20])))})


@unit_of_work
def put_translation(actor: User, topic: Topic, kind: str, locale: str,
                    body: str) -> tuple[TopicTranslation, bool]:
    """Facilitators (whoever may change the original: permissions.actions.translate) add or
    replace the version in `locale`, recorded as written from the original as it is now.
    Returns the version and whether it is new. Raises NotFound (no published summary yet),
    ValidationFailed (unknown locale, blank body, citing other posts), TooLarge."""
    actions.require(actions.translate(actor, topic, _check_kind(kind)))
    code = _check_locale(locale)
    original = original_of(topic, kind)
    body = check_body("body", body or "")
    if kind == "summary":
        body = summaries.link_citations(body)
        _check_citations(original, body)
    version = db.session.scalar(select(TopicTranslation).where(
        TopicTranslation.topic_id == topic.id, TopicTranslation.kind == kind,
        TopicTranslation.locale == code))
    created = version is None
    now = utcnow()
    if created:
        version = TopicTranslation(topic_id=topic.id, kind=kind, locale=code, created_at=now)
        db.session.add(version)
    version.body_markdown = body
    version.body_html = render_markdown(body)
    version.source_digest = _digest(original.markdown)
    version.source_version = original.version
    version.author_id, version.author = actor.id, actor
    version.updated_at = now
    db.session.flush()
    return version, created


@unit_of_work
def delete_translation(actor: User, topic: Topic, kind: str, locale: str) -> None:
    """Facilitators remove a version (NotFound if there is none)."""
    actions.require(actions.translate(actor, topic, _check_kind(kind)))
    db.session.delete(get_translation(topic, kind, locale))


@dataclass
class Shown:
    """What a reader is given of one original: a version in their language first (with the
    original a link away), or the original."""

    version: TopicTranslation | None
    stale: bool
    others: list[TopicTranslation]  # the other versions, each a link

    @property
    def lang(self) -> str | None:
        return language_of(self.version.locale) if self.version else None

    @property
    def dir(self) -> str:
        return dir_of(self.version.locale) if self.version else "ltr"


def shown_to(reader: perm.Viewer, topic: Topic, kind: str, reader_code: str,
             chosen: str | None = None, original: bool = False) -> Shown:
    """The version a reader speaking `reader_code` sees first: `chosen` (a version picked by
    its code, easy read say) if there is one, else theirs; none when they asked for the
    original or there is none. The topic is one the reader may see."""
    versions = list_translations(topic, kind)
    if not versions:
        return Shown(None, False, [])
    wanted = (chosen or reader_code or "").lower()
    mine = None if original else next((v for v in versions if v.locale.lower() == wanted), None)
    stale = False
    if mine is not None:
        try:
            stale = is_stale(mine, original_of(topic, kind))
        except NotFound:
            mine = None
    return Shown(mine, stale, [v for v in versions if v is not mine])
