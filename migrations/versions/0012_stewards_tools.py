"""stewards' tools: slow mode that ends by itself, and every sign-off vote change kept

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from forum.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slow_mode_until', UTCDateTime(), nullable=True))
    op.create_table(
        'signoff_vote_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('paragraph_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('from_stance', sa.String(length=16), nullable=True),
        sa.Column('to_stance', sa.String(length=16), nullable=False),
        sa.Column('from_reason', sa.Text(), nullable=False),
        sa.Column('to_reason', sa.Text(), nullable=False),
        sa.Column('changed_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'],
                                name=op.f('fk_signoff_vote_changes_changed_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_signoff_vote_changes_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['paragraph_id'], ['signoff_paragraphs.id'],
                                name=op.f('fk_signoff_vote_changes_paragraph_id_signoff_paragraphs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signoff_vote_changes')),
    )
    with op.batch_alter_table('signoff_vote_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signoff_vote_changes_paragraph_id'),
                              ['paragraph_id'], unique=False)


def downgrade():
    with op.batch_alter_table('signoff_vote_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signoff_vote_changes_paragraph_id'))
    op.drop_table('signoff_vote_changes')
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_column('slow_mode_until')
