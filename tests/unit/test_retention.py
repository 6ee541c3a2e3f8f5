"""`flask retention apply`: a dry run changes nothing; --execute removes what is due, logged."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from forum.extensions import db
from forum.models import Post, Topic, utcnow


def test_retention_dry_run_then_execute(world, api, app):
    slug, topic = world.groups["public"].slug, world.topics["public"]
    assert api.patch(f"/groups/{slug}", world.tokens["moderator"],
                     {"retention_months": 6}).get_json()["retention_months"] == 6
    api.patch(f"/topics/{topic.id}", world.tokens["facilitator"], {"status": "archived"})
    db.session.execute(update(Topic).where(Topic.id == topic.id)
                       .values(updated_at=utcnow() - timedelta(days=200)))
    db.session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "apply"])
    assert "would remove 2 posts" in dry.output and "dry run" in dry.output
    assert api.get(f"/posts/{world.posts['public'].id}").get_json()["body_markdown"] == \
        "public reply"
    done = runner.invoke(args=["retention", "apply", "--execute"])
    assert "removed 2 posts" in done.output
    body = api.get(f"/posts/{world.posts['public'].id}").get_json()["body_markdown"]
    assert "retention policy" in body
    assert api.get("/search?q=reply").get_json()["results"] == []
    assert db.session.scalar(db.select(db.func.count(Post.id))) >= 4  # threads keep shape
    private = api.get(f"/posts/{world.posts['private'].id}", world.tokens["member"]).get_json()
    assert private["body_markdown"] == "private reply"  # other groups untouched
    entries = api.get("/admin/audit", world.tokens["admin"]).get_json()["items"]
    assert entries[0]["action"] == "retention"
