"""search index: search_entries, with FTS5 (SQLite) or a tsvector and GIN index (PostgreSQL)

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import forum.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, content='search_entries', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    # Titles weigh four times the body in the ranking (ORDER BY rank uses this).
    "INSERT INTO search_fts(search_fts, rank) VALUES('rank', 'bm25(4.0, 1.0)')",
    """CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_entries_au AFTER UPDATE OF title, body ON search_entries BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
]

POSTGRES_TSV = [
    """ALTER TABLE search_entries ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED""",
    "CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (tsv)",
]


def upgrade():
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("created_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
        sa.UniqueConstraint("kind", "object_id", name=op.f("uq_search_entries_kind_object_id")),
    )
    op.create_index("ix_search_entries_thread_id", "search_entries", ["thread_id"])
    op.create_index("ix_search_entries_group_id", "search_entries", ["group_id"])
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TSV
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index("ix_search_entries_group_id", table_name="search_entries")
    op.drop_index("ix_search_entries_thread_id", table_name="search_entries")
    op.drop_table("search_entries")
