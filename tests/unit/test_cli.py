"""The command line, through Flask's CLI runner."""

from __future__ import annotations

from forum.extensions import db
from forum.models import Group, Post, Summary, Topic, User
from forum.services.accounts import user_for_token


def test_users_create_and_tokens_create_print_a_working_token(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "carol", "--email", "carol@example.org",
                                 "--password", "a-long-password-1", "--admin"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["tokens", "create", "carol"])
    token = result.output.strip().splitlines()[-1]
    assert user_for_token(token).username == "carol"
    assert user_for_token(token).is_admin


def test_users_create_refuses_weak_passwords_and_taken_names(app):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "create", "dan", "--email", "d@example.org",
                               "--password", "short"])
    assert weak.exit_code != 0 and "password" in weak.output
    runner.invoke(args=["users", "create", "dan", "--email", "d@example.org",
                        "--password", "a-long-password-1"])
    taken = runner.invoke(args=["users", "create", "DAN", "--email", "d2@example.org",
                                "--password", "a-long-password-1"])
    assert taken.exit_code != 0 and "taken" in taken.output


def test_seed_demo_builds_a_realistic_forum_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "samir" in result.output
    groups = {g.slug: g for g in db.session.scalars(db.select(Group))}
    assert groups["partners-council"].visibility == "private"
    assert db.session.scalar(db.select(db.func.count(Post.id))) >= 7
    assert db.session.scalar(db.select(Summary).where(Summary.published.is_(True))) is not None
    assert db.session.scalar(db.select(db.func.count(Topic.id))) >= 3
    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code != 0
    assert runner.invoke(args=["seed", "demo", "--if-empty"]).exit_code == 0
    assert db.session.scalar(db.select(db.func.count(User.id))) == 8


def test_seed_bench_bulk_inserts_consistent_counters(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "bench", "--threads", "3", "--posts-per-thread", "50"])
    assert result.exit_code == 0, result.output
    from forum.models import Reaction, Thread

    threads = db.session.scalars(db.select(Thread)).all()
    assert [t.post_count for t in threads] == [50, 50, 50]
    agree_total = db.session.scalar(db.select(db.func.sum(Post.agree_count)))
    agree_rows = db.session.scalar(db.select(db.func.count()).select_from(Reaction)
                                   .where(Reaction.kind == "agree"))
    assert agree_total == agree_rows


def test_seed_bench_leaves_the_database_ready_for_ordinary_writes(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "bench", "--threads", "2", "--posts-per-thread",
                               "5"]).exit_code == 0
    result = runner.invoke(args=["users", "create", "after", "--email", "a@example.org",
                                 "--password", "a-long-password-1"])
    assert result.exit_code == 0, result.output
    from tests import factories as f

    admin = f.user("admin2", admin=True)
    group = f.group(admin, "after-bench")
    thread = f.thread(admin, f.topic(admin, group))
    assert f.post(admin, thread, "an ordinary reply").id > 10


def test_seeded_posts_are_searchable_and_later_posts_still_indexed(app):
    from forum.permissions import AnonymousUser
    from forum.services import search
    from tests import factories as f

    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "bench", "--threads", "2", "--posts-per-thread",
                               "20"]).exit_code == 0
    seeded = db.session.scalar(db.select(Post).order_by(Post.id.desc()).limit(1))
    word = seeded.body_markdown.split()[-1]
    hits = search.search(AnonymousUser(), word, limit=100)
    assert any(h["type"] == "post" and h["id"] == seeded.id for h in hits)
    admin = f.user("admin3", admin=True)
    thread = f.thread(admin, f.topic(admin, f.group(admin, "after-seed")))
    later = f.post(admin, thread, "zygomorphic afterword")
    hits = search.search(AnonymousUser(), "zygomorphic")
    assert [h["id"] for h in hits if h["type"] == "post"] == [later.id]
