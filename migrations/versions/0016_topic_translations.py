"""briefings and summaries in community languages (and easy-read English)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-13 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from forum.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'topic_translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.Column('body_markdown', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('source_digest', sa.String(length=64), nullable=False),
        sa.Column('source_version', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                                name=op.f('fk_topic_translations_author_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['topic_id'], ['topics.id'],
                                name=op.f('fk_topic_translations_topic_id_topics'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_translations')),
        sa.UniqueConstraint('topic_id', 'kind', 'locale',
                            name=op.f('uq_topic_translations_topic_id_kind_locale')),
    )


def downgrade():
    op.drop_table('topic_translations')
