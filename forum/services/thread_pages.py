"""Pages of a thread's posts, kept between requests while the thread's content stays the same.

A page depends on the thread's posts, their authors' names and organisations and the summaries
citing them; the database bumps `threads.content_version` whenever any of those change
(migration 0017's triggers), in the same transaction, whichever process or writer made the
change. So a kept page is found under the version the reader has just read with the thread, and
a changed thread is looked up under a new key: nothing is ever invalidated by hand.

Trust is decided before a page is looked up: the thread was found for this reader (a thread moved
out of their sight is a 404 before any page), and readers share a kept page only when the
listing rules give them the same posts (`rights.post_listing_class`). Whether a hidden post's
words show, and the `can` of each post, are still worked out per reader from the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from forum import kept as kept_values
from forum import permissions as perm
from forum.models import Thread
from forum.services import queries, summaries
from forum.services.queries import Page

DEFAULT_SIZE = 300  # pages kept per process (a page of 20 posts is some 40 KB at most)


@dataclass(frozen=True)
class KeptPage:
    """A page of rows for one reader, the cited ids among them, and the key the page is kept
    under (a door may keep what it makes of the page under the same key)."""

    page: Page
    cited: frozenset[int]
    key: tuple


def list_posts(thread: Thread, viewer: perm.Viewer, page: int = 1, per_page: int = 20,
               after: int | None = None) -> KeptPage:
    """queries.list_posts and the cited ones among them (summaries.cited_post_set)."""
    group = thread.topic.group
    key = (thread.id, thread.content_version, perm.post_listing_class(viewer, group), page,
           per_page, after)
    pages = kept_values.for_app("thread_pages", "THREAD_PAGE_CACHE_SIZE", DEFAULT_SIZE)
    kept = pages.get(key)
    if kept is None:
        result = queries.list_posts(thread, viewer, page, per_page, after=after)
        kept = (result, frozenset(summaries.cited_post_set([p.id for p in result.items])))
        pages.put(key, kept)
    result, cited = kept
    # Rows are shared between requests: each reader gets copies joined to their own thread.
    rows = [row.in_thread(thread) for row in result.items]
    return KeptPage(Page(rows, result.page, result.per_page, result.total), cited, key)
