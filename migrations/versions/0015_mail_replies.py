"""taking part by e-mail: the outbox's reply address and threading, and mail received

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-12 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from forum.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('in_reply_to', sa.String(length=300), nullable=True))
    op.create_table(
        'inbound_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_key', sa.String(length=64), nullable=False),
        sa.Column('message_id', sa.String(length=300), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('received_at', UTCDateTime(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(length=300), nullable=False),
        sa.Column('explained', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'],
                                name=op.f('fk_inbound_mail_post_id_posts'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_inbound_mail_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_mail')),
        sa.UniqueConstraint('message_key', name=op.f('uq_inbound_mail_message_key')),
    )
    op.create_index('ix_inbound_mail_user_received', 'inbound_mail',
                    ['user_id', 'received_at'], unique=False)


def downgrade():
    op.drop_index('ix_inbound_mail_user_received', table_name='inbound_mail')
    op.drop_table('inbound_mail')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_column('in_reply_to')
        batch_op.drop_column('reply_to')
