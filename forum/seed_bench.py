"""`flask seed bench`: bulk benchmark data through Core bulk inserts (not the services).

Text is drawn from a vocabulary of 5,000+ words with a Zipf-like spread, so search and rendering
figures mean something. Bodies are plain words, whose rendering is `<p>text</p>`: the stored
HTML is built directly instead of running the renderer a million times (a test checks the two
agree).
"""

from __future__ import annotations

import html
import itertools
import random
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import func, insert, select, text

from forum.extensions import db
from forum.models import (
    Group,
    Membership,
    Post,
    Reaction,
    SearchEntry,
    Thread,
    Topic,
    User,
    utcnow,
)
from forum.services.accounts import hash_password

DOMAIN_WORDS = """health care carers community interpreting translation consultation strategy
equality diversity council partners funding outreach survey maternity elders housing
employment discrimination access services provision commissioning volunteers charity response
deadline briefing evidence practice inequalities minority ethnic language advocacy mental
wellbeing prevention primary secondary hospital clinic pharmacy social workforce training
training budget accountability transparency engagement representation data collection""".split()

_ONSETS = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
           "br", "ch", "cl", "dr", "gr", "pl", "sh", "st", "tr", "th"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
_CODAS = ["", "n", "r", "s", "t", "l", "m", "nd", "st"]


def vocabulary(size: int = 6000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = list(dict.fromkeys(DOMAIN_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS)
                       for _ in range(rng.randint(1, 3))) + rng.choice(_CODAS)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def render_plain(text: str) -> str:
    """What the renderer makes of a paragraph of plain words."""
    return f"<p>{html.escape(text, quote=False)}</p>\n"


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def seed_bench(thread_count: int, posts_per_thread: int, *, authors: int = 500,
               batch: int = 20_000, progress: Callable[[str], None] = print) -> int:
    with _search_index_in_bulk(progress):
        total = _load(thread_count, posts_per_thread, authors, batch, progress)
    progress("  analysing")
    analyze()
    return total


@contextmanager
def _search_index_in_bulk(progress: Callable[[str], None]):
    """SQLite: drop the per-row FTS5 trigger for the load, then index the new rows at once.

    Firing the trigger per row, and merging the many small FTS segments that a commit every
    batch leaves behind, cost more than the load itself; one INSERT ... SELECT at the end
    tokenises the same rows in a single pass. Whatever happens, the trigger comes back (with its
    own DDL, read from the schema) and the rows loaded so far are indexed.
    """
    ddl = None
    if db.engine.dialect.name == "sqlite":
        ddl = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name = 'search_entries_ai'"))
    if ddl is None:
        yield
        return
    first = _next_id(SearchEntry)
    db.session.execute(text("DROP TRIGGER search_entries_ai"))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        progress("  indexing for search")
        db.session.execute(text("INSERT INTO search_fts(rowid, title, body) "
                                "SELECT id, title, body FROM search_entries WHERE id >= :first"),
                           {"first": first})
        db.session.execute(text(ddl))
        db.session.commit()


def _load(thread_count: int, posts_per_thread: int, authors: int, batch: int,
          progress: Callable[[str], None]) -> int:
    rng = random.Random(2026)
    words = vocabulary()
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like
    cumulative = list(itertools.accumulate(weights))

    def sentence(low: int, high: int) -> str:
        return " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(low, high)))

    now = utcnow()
    password = hash_password("bench-password-123")
    user_start = _next_id(User)
    suffix = user_start
    users = [{"id": user_start + i, "username": f"bench{suffix}_{i}",
              "username_key": f"bench{suffix}_{i}", "email": f"bench{suffix}_{i}@example.org",
              "display_name": f"Bench member {i}", "password_hash": password, "is_admin": False,
              "approved": True, "disabled": False, "session_version": 1, "created_at": now}
             for i in range(authors)]
    db.session.execute(insert(User), users)
    group_id = _next_id(Group)
    db.session.execute(insert(Group), [{
        "id": group_id, "slug": f"bench-{group_id}", "name": f"Benchmark group {group_id}",
        "description": "Bulk data for benchmarks", "visibility": "public", "join_policy": "open",
        "premoderate": False, "member_count": authors, "created_at": now}])
    db.session.execute(insert(Membership), [
        {"group_id": group_id, "user_id": u["id"], "role": "member", "created_at": now}
        for u in users])
    topic_id = _next_id(Topic)
    db.session.execute(insert(Topic), [{
        "id": topic_id, "group_id": group_id, "title": "Benchmark topic",
        "briefing_markdown": "Bulk data", "briefing_html": render_plain("Bulk data"),
        "status": "open", "thread_count": thread_count, "has_summary": False,
        "created_at": now, "updated_at": now}])

    thread_start, post_id = _next_id(Thread), _next_id(Post)

    start = now - timedelta(seconds=thread_count * posts_per_thread)
    posts: list[dict] = []
    entries: list[dict] = []
    reactions: list[dict] = []
    threads: list[dict] = []
    total = 0
    clock = start

    def flush() -> None:
        if threads:
            db.session.execute(insert(Thread), threads)
            threads.clear()
        if posts:
            db.session.execute(insert(Post), posts)
            posts.clear()
        if reactions:
            db.session.execute(insert(Reaction), reactions)
            reactions.clear()
        if entries:  # the search index, as the services would keep it
            db.session.execute(insert(SearchEntry), entries)
            entries.clear()

    for t in range(thread_count):
        thread_id = thread_start + t
        author = rng.choice(users)["id"]
        title = sentence(3, 8).capitalize()
        entries.append({"kind": "thread", "object_id": thread_id, "group_id": group_id,
                        "topic_id": topic_id, "thread_id": thread_id, "title": title,
                        "body": "", "hidden": False, "pending": False, "created_at": clock})
        threads.append({"id": thread_id, "topic_id": topic_id, "author_id": author,
                        "title": title, "created_at": clock,
                        "last_post_at": clock + timedelta(seconds=posts_per_thread - 1),
                        "post_count": posts_per_thread, "locked": False, "pinned": False,
                        "pending": False, "slow_mode_seconds": 0})
        for p in range(posts_per_thread):
            text = sentence(12, 60)
            counts = {"agree": 0, "disagree": 0, "thanks": 0}
            if rng.random() < 0.3:
                for reactor in rng.sample(users, rng.randint(1, 4)):  # distinct reactors
                    kind = rng.choice(("agree", "agree", "disagree", "thanks"))
                    counts[kind] += 1
                    reactions.append({"post_id": post_id, "user_id": reactor["id"],
                                      "kind": kind, "created_at": clock})
            posts.append({"id": post_id, "thread_id": thread_id,
                          "author_id": author if p == 0 else rng.choice(users)["id"],
                          "body_markdown": text, "body_html": render_plain(text),
                          "created_at": clock, "revision": 0, "hidden": False, "pending": False,
                          "rejected": False, "agree_count": counts["agree"],
                          "disagree_count": counts["disagree"], "thanks_count": counts["thanks"]})
            entries.append({"kind": "post", "object_id": post_id, "group_id": group_id,
                            "topic_id": topic_id, "thread_id": thread_id, "title": title,
                            "body": text, "hidden": False, "pending": False,
                            "created_at": clock})
            post_id += 1
            clock += timedelta(seconds=1)
            total += 1
            if len(posts) >= batch:
                flush()
                db.session.commit()
                progress(f"  {total} posts")
    flush()
    _advance_sequences()
    db.session.commit()
    return total


def analyze() -> None:
    """Fresh planner statistics after a bulk load: without them PostgreSQL plans a common
    word's search as a bitmap over half the table (seconds instead of milliseconds). On
    PostgreSQL, VACUUM also sets the visibility map, so counting and paging a thread's posts
    read the covering index alone instead of visiting every row (autovacuum would, later)."""
    statement = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(statement)


def _advance_sequences() -> None:
    """Rows were inserted with explicit ids: PostgreSQL's sequences must catch up with them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("users", "groups", "topics", "threads", "posts"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
