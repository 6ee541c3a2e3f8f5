"""PostgreSQL ranks a common word among the newest entries and finds a rare one anywhere."""

from __future__ import annotations

from forum.permissions import AnonymousUser
from forum.services import search
from tests import factories as f


def test_common_words_rank_among_the_newest_and_rare_words_are_found_anywhere(
        postgresql_only_app, monkeypatch):
    # PostgreSQL's alone: SQLite's FTS5 walks its matches newest first by itself.
    admin = f.user("admin", admin=True)
    thread = f.thread(admin, f.topic(admin, f.group(admin, "windows")), body="opening")
    old_rare = f.post(admin, thread, "an old remark about quokkas").id
    old_common = f.post(admin, thread, "carers at the start").id
    newest = [f.post(admin, thread, f"carers again {n}").id for n in range(6)]
    monkeypatch.setattr(search, "RECENT_WINDOW", 6)  # the six newest index entries
    monkeypatch.setattr(search, "ENOUGH_RECENT", 3)
    hits = [h["id"] for h in search.search(AnonymousUser(), "carers") if h["type"] == "post"]
    assert set(hits) == set(newest) and old_common not in hits  # ranked among the newest
    hits = [h["id"] for h in search.search(AnonymousUser(), "quokkas") if h["type"] == "post"]
    assert hits == [old_rare]  # too few recent matches: the whole index is searched
