"""Facilitators' summaries: versions (drafts and published), citations, and the announcement."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from forum import live
from forum import permissions as perm
from forum.db import after_commit, unit_of_work
from forum.errors import NotFound, ValidationFailed
from forum.extensions import db
from forum.i18n import Message
from forum.markup import cited_post_ids, plain_text, render_markdown
from forum.models import Membership, Post, Summary, SummaryCitation, Thread, Topic, User, utcnow
from forum.permissions import actions, delivery
from forum.services import search
from forum.services.audit import notify
from forum.services.validation import check_body

MAX_CITATIONS = 500


def _check_citations(topic: Topic, ids: list[int], field: str) -> list[Post]:
    """Citations must be published, visible (not hidden) posts of this topic."""
    if not ids:
        return []
    if len(ids) > MAX_CITATIONS:
        raise ValidationFailed({field: gettext("At most %(max_citations)s citations.",
                                               max_citations=MAX_CITATIONS)})
    posts = {p.id: p for p in db.session.scalars(
        select(Post).join(Thread, Thread.id == Post.thread_id)
        .where(Post.id.in_(ids), Thread.topic_id == topic.id, Thread.pending.is_(False),
               Post.hidden.is_(False), Post.pending.is_(False), Post.rejected.is_(False)))}
    bad = [post_id for post_id in ids if post_id not in posts]
    if bad:
        raise ValidationFailed({field: "Cite visible posts of this topic only: "
                                       + ", ".join(map(str, bad[:20]))})
    return [posts[post_id] for post_id in ids]


@unit_of_work
def write_summary(actor: User, topic: Topic, body: str, publish: bool,
                  cited: list[int] | None = None) -> Summary:
    """A new version, draft or published. Publishing notifies every member of the group."""
    actions.require(actions.write_summary(actor, topic))
    body = link_citations(check_body("body", body or ""))
    explicit = list(dict.fromkeys(cited or []))
    linked = cited_post_ids(body)
    posts = _check_citations(topic, explicit, "cited_post_ids")
    posts += _check_citations(topic, [i for i in linked if i not in explicit], "body")
    version = (db.session.scalar(
        select(func.max(Summary.version)).where(Summary.topic_id == topic.id)) or 0) + 1
    now = utcnow()
    summary = Summary(topic_id=topic.id, version=version, body_markdown=body,
                      body_html=render_markdown(body), author_id=actor.id, author=actor,
                      published=bool(publish), published_at=now if publish else None,
                      created_at=now)
    db.session.add(summary)
    db.session.flush()
    for post in posts:
        db.session.add(SummaryCitation(summary_id=summary.id, post_id=post.id,
                                       post_revision=post.revision))
    summary.cited_ids = [post.id for post in posts]
    if publish:
        topic.has_summary = True
        search.index_summary(summary, topic)
        _announce(actor, topic, summary)
    return summary


def _announce(actor: User, topic: Topic, summary: Summary) -> None:
    member_ids = db.session.scalars(
        select(Membership.user_id).where(Membership.group_id == topic.group_id,
                                         Membership.role != "pending"))
    for user_id in member_ids:
        notify(user_id, "summary", Message("A summary of “%(title)s” was published.",
                                           title=topic.title),
               f"/topics/{topic.id}#summary", actor=actor, group_id=topic.group_id,
               topic_id=topic.id)
    after_commit(lambda: live.publish_summary(summary, topic))


def citations_of(summary_ids: list[int]) -> dict[int, list[int]]:
    cited: dict[int, list[int]] = {}
    rows = db.session.execute(
        select(SummaryCitation.summary_id, SummaryCitation.post_id)
        .where(SummaryCitation.summary_id.in_(summary_ids)).order_by(SummaryCitation.post_id))
    for summary_id, post_id in rows:
        cited.setdefault(summary_id, []).append(post_id)
    return cited


def latest_published(topic: Topic) -> Summary:
    summary = db.session.scalar(
        select(Summary).where(Summary.topic_id == topic.id, Summary.published.is_(True))
        .order_by(Summary.version.desc()).limit(1))
    if summary is None:
        raise NotFound(gettext("This topic has no published summary yet."))
    return summary


def list_versions(actor: User, topic: Topic) -> list[Summary]:
    actions.require(actions.write_summary(actor, topic))
    return list(db.session.scalars(
        select(Summary).where(Summary.topic_id == topic.id).order_by(Summary.version.desc())))


def cited_post_set(post_ids: list[int]) -> set[int]:
    """Which of these posts a published summary cites (to mark them in threads)."""
    if not post_ids:
        return set()
    return set(db.session.scalars(
        select(SummaryCitation.post_id).join(Summary, Summary.id == SummaryCitation.summary_id)
        .where(SummaryCitation.post_id.in_(post_ids), Summary.published.is_(True))))


# --- citations that stay true -----------------------------------------------------------------

STALE_REASONS = {  # lazy: said in the reader's language
    "edited": lazy_gettext("The cited post has changed since it was cited."),
    "hidden": lazy_gettext("The cited post has since been hidden by a moderator."),
    "erased": lazy_gettext("The cited post's author has since erased their account."),
    "withdrawn": lazy_gettext("The cited post is no longer visible."),
    "unavailable": lazy_gettext("This post is not available."),
}


@dataclass
class Citation:
    number: int          # the footnote number, in order of first appearance
    post: Post
    cited_revision: int
    state: str           # "current" or a key of STALE_REASONS

    @property
    def stale(self) -> bool:
        return self.state != "current"

    @property
    def stale_reason(self) -> str:
        return str(STALE_REASONS.get(self.state, ""))


def citation_state(post: Post, cited_revision: int) -> str:
    if post.author is not None and post.author.erased_at is not None:
        return "erased"
    if post.hidden:
        return "hidden"
    if post.pending or post.rejected or post.thread.pending:
        return "withdrawn"
    if post.revision != cited_revision:
        return "edited"
    return "current"


def citations(summary: Summary) -> list[Citation]:
    """The summary's citations as footnotes: those linked in the text first, in the order they
    appear, then the others by post id; each with whether it still holds."""
    rows = db.session.execute(
        select(SummaryCitation.post_id, SummaryCitation.post_revision)
        .where(SummaryCitation.summary_id == summary.id)).all()
    revisions = dict(rows)
    if not revisions:
        return []
    order = [i for i in cited_post_ids(summary.body_markdown) if i in revisions]
    order += sorted(i for i in revisions if i not in order)
    posts = {p.id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_(order)).options(
            joinedload(Post.thread).joinedload(Thread.topic)))}
    return [Citation(n, posts[i], revisions[i], citation_state(posts[i], revisions[i]))
            for n, i in enumerate((i for i in order if i in posts), 1)]


def citations_for(reader: perm.Viewer, summary: Summary) -> list[Citation]:
    """The citations as one reader gets them, asked when the page or document is made: a cited
    post the reader may not see now (its thread moved into a private group, say) is
    "unavailable", and an exit shows nothing of it but its place in the numbering."""
    result = citations(summary)
    seen = delivery.posts_visible_now(reader, [c.post for c in result])
    for c in result:
        if c.post.id not in seen:
            c.state = "unavailable"
    return result


def latest_version(topic: Topic) -> Summary | None:
    return db.session.scalar(select(Summary).where(Summary.topic_id == topic.id)
                             .order_by(Summary.version.desc()).limit(1))


def get_version(topic: Topic, version: int) -> Summary:
    summary = db.session.scalar(select(Summary).where(Summary.topic_id == topic.id,
                                                      Summary.version == version))
    if summary is None:
        raise NotFound(gettext("No such summary version."))
    return summary


def coverage(actor: User, topic: Topic, summary: Summary | None) -> dict:
    """What a draft does not cite yet: threads, questions and member organisations."""
    from forum.services.organisations import group_organisations
    from forum.services.questions import list_questions

    actions.require(actions.see_draft_coverage(actor, topic))
    cited = citations(summary) if summary is not None else []
    cited_threads = {c.post.thread_id for c in cited}
    cited_questions = {c.post.question_id or c.post.thread.question_id for c in cited}
    cited_orgs = {c.post.author.organisation_id for c in cited if c.post.author is not None}
    threads = list(db.session.scalars(
        select(Thread).where(Thread.topic_id == topic.id, Thread.pending.is_(False))
        .order_by(Thread.created_at, Thread.id)))
    return {
        "threads": [t for t in threads if t.id not in cited_threads],
        "questions": [q for q in list_questions(topic) if q.id not in cited_questions],
        "organisations": [o for o in group_organisations(topic.group_id)
                          if o.id not in cited_orgs],
        "stale": [c for c in cited if c.stale],
    }


def publish_version(actor: User, topic: Topic, summary: Summary) -> None:
    """Inside a unit of work: publish an existing version (the one signed off)."""
    if not summary.published:
        summary.published = True
        summary.published_at = utcnow()
    summary.cited_ids = [c.post.id for c in citations(summary)]
    topic.has_summary = True
    search.index_summary(summary, topic)
    _announce(actor, topic, summary)


def stale_post_ids(summary: Summary) -> list[int]:
    return [c.post.id for c in citations(summary) if c.stale]


# --- citing with the evidence in view ---------------------------------------------------------

_POST_LINK = re.compile(r"(?<![\w(\[/:])(?:https?://[^\s/<>]+)?/posts/(\d{1,10})(?:#post-\d+)?(?![\w/])")


def link_citations(body: str) -> str:
    """A pasted post link (`https://forum.example/posts/12` or `/posts/12`) becomes the
    citation `[[post:12]]`; links written as markdown `[text](/posts/12)` stay as they are."""
    return _POST_LINK.sub(lambda m: f"[[post:{m.group(1)}]]", body or "")


@dataclass
class Citable:
    post: Post
    credit: object          # consent.Credit: the name and organisation the editor may show
    opening: str            # the post's opening words
    cited: bool             # cited by the latest version already


REACTION_FILTERS = ("", "any", "agreed", "disagreed", "divisive")


def citable_posts(actor: User, topic: Topic, *, words: str = "", author: str = "",
                  organisation: str = "", reactions: str = "", limit: int = 300):
    """Every post of the topic a summary may cite (published, visible), grouped by question and
    then thread, filtered by words, author, organisation and reactions. Names and organisations
    are shown as consent allows (services.consent). Facilitators and moderators only.

    Returns [(question or None, [(thread, [Citable, ...]), ...]), ...] and the organisations a
    filter may choose from."""
    from forum.services import consent
    from forum.services.questions import list_questions

    actions.require(actions.write_summary(actor, topic))
    posts = list(db.session.scalars(
        select(Post).join(Thread, Thread.id == Post.thread_id)
        .where(Thread.topic_id == topic.id, Thread.pending.is_(False),
               Post.hidden.is_(False), Post.pending.is_(False), Post.rejected.is_(False))
        .options(joinedload(Post.thread)).order_by(Post.thread_id, Post.id)))
    credits = consent.credits_for(posts, topic.group_id)
    latest = latest_version(topic)
    already = set(citations_of([latest.id]).get(latest.id, [])) if latest else set()
    organisations = sorted({credits[p.id].organisation for p in posts
                            if credits[p.id].organisation})
    terms = [t for t in (words or "").lower().split() if t]
    who = (author or "").strip().lower()
    rows = []
    for post in posts:
        credit = credits[post.id]
        text = post.body_markdown.lower()
        if terms and not all(t in text for t in terms):
            continue
        if who and who not in credit.name.lower():
            continue
        if organisation and credit.organisation != organisation:
            continue
        agree, disagree = post.agree_count, post.disagree_count
        if reactions == "any" and not (agree or disagree or post.thanks_count):
            continue
        if reactions == "agreed" and not agree:
            continue
        if reactions == "disagreed" and not disagree:
            continue
        if reactions == "divisive" and not (agree and disagree):
            continue
        opening = " ".join(html_lib.unescape(plain_text(post.body_html)).split())
        opening = opening if len(opening) <= 160 else opening[:160].rsplit(" ", 1)[0] + " …"
        rows.append(Citable(post, credit, opening, post.id in already))
        if len(rows) >= limit:
            break
    qs = list_questions(topic)
    by_question: dict[int | None, dict[int, list[Citable]]] = {}
    for row in rows:
        key = row.post.question_id or row.post.thread.question_id
        key = key if key in {q.id for q in qs} else None
        by_question.setdefault(key, {}).setdefault(row.post.thread_id, []).append(row)
    groups = []
    for q in [*qs, None]:
        threads = by_question.get(q.id if q else None)
        if threads:
            groups.append((q, [(items[0].post.thread, items) for items in threads.values()]))
    return groups, organisations


# --- versions ---------------------------------------------------------------------------------

def get_version_for(actor: User, topic: Topic, version: int) -> Summary:
    """One version, drafts included: facilitators and moderators."""
    actions.require(actions.write_summary(actor, topic))
    return get_version(topic, version)


def version_diff(older: Summary, newer: Summary) -> list[tuple[str, str]]:
    """A readable difference, paragraph by paragraph and word by word: a list of
    (kind, html) with kind "same", "changed", "added" or "removed"; the html is escaped text
    with <ins> and <del> around what changed."""
    import difflib
    import html as html_lib

    def paragraphs(text: str) -> list[str]:
        return [p.strip() for p in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n"))
                if p.strip()]

    def words(a: str, b: str) -> str:
        wa, wb = a.split(), b.split()
        out = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=wa, b=wb, autojunk=False).get_opcodes():
            if op == "equal":
                out.append(html_lib.escape(" ".join(wa[i1:i2])))
                continue
            if i2 > i1:
                out.append(f"<del>{html_lib.escape(' '.join(wa[i1:i2]))}</del>")
            if j2 > j1:
                out.append(f"<ins>{html_lib.escape(' '.join(wb[j1:j2]))}</ins>")
        return " ".join(out)

    old, new = paragraphs(older.body_markdown), paragraphs(newer.body_markdown)
    result: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result += [("same", html_lib.escape(p)) for p in old[i1:i2]]
        elif op == "replace":
            pairs = list(zip(old[i1:i2], new[j1:j2]))
            result += [("changed", words(a, b)) for a, b in pairs]
            result += [("removed", f"<del>{html_lib.escape(p)}</del>")
                       for p in old[i1 + len(pairs):i2]]
            result += [("added", f"<ins>{html_lib.escape(p)}</ins>")
                       for p in new[j1 + len(pairs):j2]]
        elif op == "delete":
            result += [("removed", f"<del>{html_lib.escape(p)}</del>") for p in old[i1:i2]]
        else:
            result += [("added", f"<ins>{html_lib.escape(p)}</ins>") for p in new[j1:j2]]
    return result
