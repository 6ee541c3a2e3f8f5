"""Full-text search: keeping the index current inside each write, and answering queries.

User input never reaches the query syntax: it is cut into words, and each word is quoted (FTS5)
or handed to plainto_tsquery (PostgreSQL).
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

from sqlalchemy import and_, func, literal_column, or_, select, text, update
from flask_babel import gettext

from forum import permissions as perm
from forum.db import unit_of_work
from forum.errors import ValidationFailed
from forum.extensions import db
from forum.markup import plain_text
from forum.models import Group, Post, SearchEntry, Summary, Thread, Topic, User
from forum.permissions import delivery

MAX_QUERY = 500
MAX_TERMS = 16
RESULTS = 20
CANDIDATES = 5000  # newest matches ranked per query (see _search_sqlite)
_WORD = re.compile(r"\w+", re.UNICODE)
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"


# --- keeping the index current (called by the services, inside their unit of work) -----------

def _upsert(kind: str, object_id: int, *, new: bool = False, **values) -> None:
    """`new`: the object was made in this unit of work, so it has no entry to look for yet."""
    # Our snippet markers must not come from the text itself.
    values["body"] = values["body"].translate({2: None, 3: None})
    values["title"] = values["title"].translate({2: None, 3: None})
    entry = None if new else db.session.scalar(
        select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id == object_id))
    if entry is None:
        db.session.add(SearchEntry(kind=kind, object_id=object_id, **values))
    else:
        for name, value in values.items():
            setattr(entry, name, value)


def index_topic(topic: Topic) -> None:
    _upsert("topic", topic.id, group_id=topic.group_id, topic_id=topic.id, thread_id=None,
            title=topic.title, body=plain_text(topic.briefing_html), hidden=False, pending=False,
            created_at=topic.created_at)


def index_thread(thread: Thread, *, new: bool = False) -> None:
    _upsert("thread", thread.id, new=new, group_id=thread.topic.group_id, topic_id=thread.topic_id,
            thread_id=thread.id, title=thread.title, body="", hidden=False,
            pending=thread.pending, created_at=thread.created_at)


def index_post(post: Post, *, new: bool = False) -> None:
    thread = post.thread
    _upsert("post", post.id, new=new, group_id=thread.topic.group_id, topic_id=thread.topic_id,
            thread_id=thread.id, title=thread.title, body=plain_text(post.body_html),
            hidden=post.hidden, pending=post.pending or post.rejected,
            created_at=post.created_at)


def index_summary(summary: Summary, topic: Topic) -> None:
    """Only the latest published version of a topic's summary is searchable."""
    _upsert("summary", topic.id, group_id=topic.group_id, topic_id=topic.id, thread_id=None,
            title=f"Summary: {topic.title}", body=plain_text(summary.body_html), hidden=False,
            pending=False, created_at=summary.published_at or summary.created_at)


# --- writing the whole index again (flask search reindex) --------------------------------------

def reindex(batch: int = 500) -> int:
    """Write every entry again from what it indexes, a batch per transaction, while search keeps
    answering: after a change to how text is indexed (entries written before plain_text gave
    characters rather than entities showed them escaped twice). Returns the entries written."""
    written = 0
    for model, index in ((Topic, index_topic), (Thread, index_thread), (Post, index_post)):
        last = 0
        while ids := list(db.session.scalars(select(model.id).where(model.id > last)
                                             .order_by(model.id).limit(batch))):
            _reindex(model, ids, index)
            written, last = written + len(ids), ids[-1]
    latest = (select(func.max(Summary.id)).where(Summary.published.is_(True))
              .group_by(Summary.topic_id))
    for summary in db.session.scalars(select(Summary).where(Summary.id.in_(latest))):
        _reindex_summary(summary)
        written += 1
    return written


@unit_of_work
def _reindex(model, ids: list[int], index) -> None:
    for item in db.session.scalars(select(model).where(model.id.in_(ids))):
        index(item)


@unit_of_work
def _reindex_summary(summary: Summary) -> None:
    index_summary(summary, db.session.get(Topic, summary.topic_id))


def move_thread(thread: Thread) -> None:
    db.session.execute(
        update(SearchEntry).where(SearchEntry.thread_id == thread.id)
        .values(group_id=thread.topic.group_id, topic_id=thread.topic_id)
    )


def retitle_thread(thread: Thread) -> None:
    db.session.execute(
        update(SearchEntry).where(SearchEntry.thread_id == thread.id,
                                  SearchEntry.kind.in_(("thread", "post")))
        .values(title=thread.title)
    )


# --- queries ----------------------------------------------------------------------------------

def _terms(query: str) -> list[str]:
    if len(query) > MAX_QUERY:
        raise ValidationFailed({"q": gettext("At most %(max_query)s characters.",
                                             max_query=MAX_QUERY)})
    return _WORD.findall(query.lower())[:MAX_TERMS]


def _snippet_html(raw: str) -> str:
    """Escape everything, then turn our private markers into <mark>."""
    escaped = html.escape(raw, quote=False)
    return escaped.replace(_MARK_OPEN, "<mark>").replace(_MARK_CLOSE, "</mark>")


def _url(kind: str, object_id: int, thread_id: int | None, topic_id: int | None) -> str:
    if kind == "post":
        return f"/threads/{thread_id}#post-{object_id}"
    if kind == "thread":
        return f"/threads/{object_id}"
    if kind == "summary":
        return f"/topics/{topic_id}#summary"
    return f"/topics/{object_id}"


def search(viewer: perm.Viewer, query: str, group: Group | None = None,
           topic: Topic | None = None, limit: int = RESULTS) -> list[dict]:
    """The first `limit` results of `search_page`."""
    return search_page(viewer, query, group, topic, per_page=limit)["results"]


def search_page(viewer: perm.Viewer, query: str, group: Group | None = None,
                topic: Topic | None = None, *, page: int = 1, per_page: int = RESULTS,
                author: User | None = None, since: datetime | None = None,
                until: datetime | None = None) -> dict:
    """Ranked results over what the viewer may see now, as the lists show it: a thread awaiting
    approval (and every post in it) only to its author and moderators, pending posts only to
    theirs, rejected posts to nobody, a hidden post's words only to those who may read them.
    `author` keeps their posts and threads; `since`/`until` bound when things were written.
    Each post appears once; `total` counts the ranked candidates (at most a few thousand)."""
    terms = _terms(query or "")
    if not terms:
        return {"results": [], "page": page, "per_page": per_page, "total": 0}
    conditions = _visible_entries(viewer)
    if group is not None:
        conditions.append(SearchEntry.group_id == group.id)
    if topic is not None:
        conditions.append(SearchEntry.topic_id == topic.id)
    if author is not None:
        conditions.append(or_(
            and_(SearchEntry.kind == "post",
                 SearchEntry.object_id.in_(select(Post.id).where(Post.author_id == author.id))),
            and_(SearchEntry.kind == "thread", SearchEntry.object_id.in_(
                select(Thread.id).where(Thread.author_id == author.id)))))
    if since is not None:
        conditions.append(SearchEntry.created_at >= since)
    if until is not None:
        conditions.append(SearchEntry.created_at < until)
    offset = (page - 1) * per_page
    if db.engine.dialect.name == "postgresql":
        rows, total = _search_postgres(terms, conditions, per_page, offset)
    else:
        rows, total = _search_sqlite(terms, conditions, per_page, offset)
    return {"results": _described(rows), "page": page, "per_page": per_page, "total": total}


def _described(rows) -> list[dict]:
    """Who wrote each hit, when, and where: a few queries for the whole page."""
    seen: set[tuple[str, int]] = set()
    rows = [r for r in rows if (r[0], r[1]) not in seen and not seen.add((r[0], r[1]))]
    post_ids = [r[1] for r in rows if r[0] == "post"]
    thread_ids = [r[1] for r in rows if r[0] == "thread"]
    authors: dict[tuple[str, int], User | None] = {}
    if post_ids:
        for post in db.session.scalars(select(Post).where(Post.id.in_(post_ids))):
            authors[("post", post.id)] = post.author
    if thread_ids:
        for thread in db.session.scalars(select(Thread).where(Thread.id.in_(thread_ids))):
            authors[("thread", thread.id)] = thread.author
    topic_ids = {r[5] for r in rows if r[5] is not None}
    topics = {t.id: t for t in db.session.scalars(select(Topic).where(Topic.id.in_(topic_ids)))
              } if topic_ids else {}
    results = []
    for kind, object_id, title, snippet, thread_id, topic_id, created_at in rows:
        where = topics.get(topic_id)
        author = authors.get((kind, object_id))
        results.append({
            "type": kind, "id": object_id, "title": title, "snippet": _snippet_html(snippet),
            "url": _url(kind, object_id, thread_id, topic_id),
            "author": ({"username": author.username, "display_name": author.display_name}
                       if author is not None and author.erased_at is None else None),
            "created_at": created_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            if created_at else None,
            "group": {"slug": where.group.slug, "name": where.group.name} if where else None,
            "topic": {"id": where.id, "title": where.title} if where else None,
        })
    return results


def _visible_entries(viewer: perm.Viewer) -> list:
    """Narrow the index to what the viewer may see, through the listing filters (not through
    the flags stored in the index, which say how things were when they were written)."""
    threads = delivery.visible_thread_ids(viewer)
    return [
        SearchEntry.group_id.in_(perm.visible_groups(select(Group.id), viewer)),
        or_(SearchEntry.thread_id.is_(None), SearchEntry.thread_id.in_(threads)),
        or_(SearchEntry.kind != "post",
            SearchEntry.object_id.in_(delivery.visible_post_ids(viewer, with_body=True))),
    ]


def _search_sqlite(terms: list[str], conditions: list, limit: int, offset: int = 0):
    match = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
    # Ranking every match of a very common word costs seconds at a million posts, so only the
    # newest CANDIDATES matches are ranked (FTS5 walks its doclists newest-first cheaply).
    matched = (
        select(literal_column("search_fts.rowid").label("id"),
               literal_column("bm25(search_fts, 4.0, 1.0)").label("rank"))
        .select_from(text("search_fts"))
        .where(text("search_fts MATCH :match"))
        .order_by(text("search_fts.rowid DESC")).limit(CANDIDATES)
        .subquery("matched")
    )
    total = db.session.scalar(
        select(func.count(SearchEntry.id)).join(matched, matched.c.id == SearchEntry.id)
        .where(*conditions), {"match": match}) or 0
    top = db.session.execute(
        select(SearchEntry.id, SearchEntry.kind, SearchEntry.object_id, SearchEntry.title,
               SearchEntry.thread_id, SearchEntry.topic_id, SearchEntry.created_at)
        .join(matched, matched.c.id == SearchEntry.id)
        .where(*conditions).order_by(matched.c.rank, SearchEntry.id.desc())
        .limit(limit).offset(offset),
        {"match": match},
    ).all()
    if not top:
        return [], total
    # Snippets only for the rows shown: snippet() costs far more than ranking.
    snippets = dict(db.session.execute(
        text(f"SELECT rowid, snippet(search_fts, -1, '{_MARK_OPEN}', '{_MARK_CLOSE}', '…', 16) "
             "FROM search_fts WHERE search_fts MATCH :match AND rowid IN "
             f"({', '.join(str(int(row.id)) for row in top)})"),
        {"match": match},
    ).all())
    return [(row.kind, row.object_id, row.title, snippets.get(row.id, ""), row.thread_id,
             row.topic_id, row.created_at) for row in top], total


RECENT_WINDOW = 25_000   # the newest index entries looked at first
ENOUGH_RECENT = 200      # matches among them (ten pages of results) that are enough to rank
# ts_rank reads every candidate's tsvector from the table, so PostgreSQL ranks fewer of them.
PG_CANDIDATES = 2_000


def _newest_matches(matches, conditions: list) -> list[int]:
    """Up to PG_CANDIDATES of the newest matching ids: as on SQLite, ranking every match of a
    common word would cost seconds at a million posts.

    A common word's GIN bitmap covers a good part of the table and PostgreSQL visits every row
    behind it before it can sort by id; so the newest RECENT_WINDOW entries are searched first,
    and a word with ENOUGH_RECENT matches there is ranked among them. Rarer words go to the
    GIN index over the whole table, which is quick for them.
    """
    query = select(SearchEntry.id).where(matches, *conditions).order_by(
        SearchEntry.id.desc()).limit(PG_CANDIDATES)
    top = db.session.scalar(select(func.max(SearchEntry.id))) or 0
    if top > RECENT_WINDOW:
        recent = list(db.session.scalars(query.where(SearchEntry.id > top - RECENT_WINDOW)))
        if len(recent) >= ENOUGH_RECENT:
            return recent
    return list(db.session.scalars(query))


def _search_postgres(terms: list[str], conditions: list, limit: int, offset: int = 0):
    tsquery = func.plainto_tsquery("english", " ".join(terms))
    tsv = literal_column("search_entries.tsv")
    rank = func.ts_rank(tsv, tsquery).label("rank")
    ids = _newest_matches(tsv.op("@@")(tsquery), conditions)
    if not ids:
        return [], 0
    ranked = (
        select(SearchEntry.id, SearchEntry.kind, SearchEntry.object_id, SearchEntry.title,
               SearchEntry.body, SearchEntry.thread_id, SearchEntry.topic_id,
               SearchEntry.created_at, rank)
        .where(SearchEntry.id.in_(ids))
        .order_by(rank.desc(), SearchEntry.id.desc()).limit(limit).offset(offset)
        .subquery("ranked")
    )
    options = (f"StartSel={_MARK_OPEN},StopSel={_MARK_CLOSE},MaxWords=30,MinWords=10,"
               "MaxFragments=1")
    headline = func.ts_headline("english", ranked.c.body, tsquery, options)
    query = select(ranked.c.kind, ranked.c.object_id, ranked.c.title, headline,
                   ranked.c.thread_id, ranked.c.topic_id, ranked.c.created_at).order_by(
        ranked.c.rank.desc(), ranked.c.id.desc())
    return db.session.execute(query).all(), len(ids)
