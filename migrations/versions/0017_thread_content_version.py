"""a thread's content version, bumped by the database itself whenever a page of its posts changes

Revision ID: 0017
Revises: 0016

Whatever a page of a thread's posts shows (the posts, their authors' names and organisations,
the published summaries citing them) changes only through these tables, so triggers on them bump
`threads.content_version` in the same transaction as the change: no writer can forget to, and
every process reading the thread sees the new version (forum/services/thread_pages.py keys its
kept pages by it). The version is a fresh random number each time, never a count: a count can
come back (a rolled-back transaction, or a deleted thread's id taken again by a new one, which
SQLite does) and would find another content's kept page. On SQLite a later batch migration
that copies one of these tables drops its triggers: it must create them again (TRIGGERS).
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

RANDOM = {"sqlite": "random()", "postgresql": "(random() * 9007199254740991)::bigint"}
BUMP = "UPDATE threads SET content_version = {random} WHERE id"

# (name, table, event, threads touched): {row} is NEW or OLD.
TRIGGERS = [
    ("threads_version_insert", "threads", "INSERT", "= {new}.id"),
    ("posts_bump_insert", "posts", "INSERT", "= {new}.thread_id"),
    ("posts_bump_update", "posts", "UPDATE", "IN ({old}.thread_id, {new}.thread_id)"),
    ("posts_bump_delete", "posts", "DELETE", "= {old}.thread_id"),
    ("users_bump", "users", "UPDATE OF username, display_name, erased_at, organisation_id",
     "IN (SELECT thread_id FROM posts WHERE author_id = {new}.id)"),
    ("organisations_bump", "organisations", "UPDATE OF name",
     ("IN (SELECT p.thread_id FROM posts p JOIN users u ON u.id = p.author_id "
     "WHERE u.organisation_id = {new}.id)")),
    ("citations_bump_insert", "summary_citations", "INSERT",
     "= (SELECT thread_id FROM posts WHERE id = {new}.post_id)"),
    ("citations_bump_delete", "summary_citations", "DELETE",
     "= (SELECT thread_id FROM posts WHERE id = {old}.post_id)"),
    ("summaries_bump", "summaries", "UPDATE OF published",
     ("IN (SELECT p.thread_id FROM posts p JOIN summary_citations c ON c.post_id = p.id "
     "WHERE c.summary_id = {new}.id)")),
]


def _bump(dialect, target):
    return (BUMP.format(random=RANDOM[dialect]) + " "
            + target.format(new="NEW", old="OLD") + ";")


def _sqlite(name, table, event, target):
    return f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {_bump('sqlite', target)} END"


def _postgresql(name, table, event, target):
    function = (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{_bump('postgresql', target)} RETURN NULL; END $$")
    trigger = (f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW "
               f"EXECUTE FUNCTION {name}()")
    return [function, trigger]


def upgrade():
    op.add_column("threads", sa.Column("content_version", sa.BigInteger(), nullable=False,
                                       server_default="0"))
    dialect = op.get_bind().dialect.name
    op.execute(f"UPDATE threads SET content_version = {RANDOM[dialect]}")
    for trigger in TRIGGERS:
        if op.get_bind().dialect.name == "postgresql":
            for statement in _postgresql(*trigger):
                op.execute(statement)
        else:
            op.execute(_sqlite(*trigger))


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, _event, _target in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("content_version")
