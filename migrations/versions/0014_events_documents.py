"""events of informed conversations (RSVPs, reminders, minutes), calendar feeds, attachments

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from forum.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description_markdown', sa.Text(), nullable=False),
        sa.Column('description_html', sa.Text(), nullable=False),
        sa.Column('starts_at', UTCDateTime(), nullable=False),
        sa.Column('ends_at', UTCDateTime(), nullable=False),
        sa.Column('location', sa.String(length=300), nullable=False),
        sa.Column('online_url', sa.String(length=500), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('going_count', sa.Integer(), nullable=False),
        sa.Column('minutes_markdown', sa.Text(), nullable=True),
        sa.Column('minutes_html', sa.Text(), nullable=True),
        sa.Column('minutes_at', UTCDateTime(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_events_created_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['topic_id'], ['topics.id'],
                                name=op.f('fk_events_topic_id_topics'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_starts_at', ['starts_at'], unique=False)
        batch_op.create_index('ix_events_topic_starts', ['topic_id', 'starts_at'], unique=False)

    op.create_table(
        'event_rsvps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('waiting_since', UTCDateTime(), nullable=True),
        sa.Column('attended', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_event_rsvps_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_event_rsvps_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_rsvps')),
        sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_event_rsvps_event_id_user_id')),
    )
    with op.batch_alter_table('event_rsvps', schema=None) as batch_op:
        batch_op.create_index('ix_event_rsvps_user_id', ['user_id'], unique=False)

    op.create_table(
        'event_reminders',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_event_reminders_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_event_reminders_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', 'user_id', 'kind', name=op.f('pk_event_reminders')),
    )

    op.create_table(
        'calendar_feeds',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_calendar_feeds_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feeds')),
        sa.UniqueConstraint('token', name=op.f('uq_calendar_feeds_token')),
    )

    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=True),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'],
                                name=op.f('fk_attachments_post_id_posts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['topic_id'], ['topics.id'],
                                name=op.f('fk_attachments_topic_id_topics'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_attachments_uploaded_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_post_id', ['post_id'], unique=False)
        batch_op.create_index('ix_attachments_topic_id', ['topic_id'], unique=False)
        batch_op.create_index('ix_attachments_uploaded_by_id', ['uploaded_by_id'], unique=False)

    op.create_table(
        'attachment_chunks',
        sa.Column('attachment_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'],
                                name=op.f('fk_attachment_chunks_attachment_id_attachments'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('attachment_id', 'seq', name=op.f('pk_attachment_chunks')),
    )


def downgrade():
    op.drop_table('attachment_chunks')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_uploaded_by_id')
        batch_op.drop_index('ix_attachments_topic_id')
        batch_op.drop_index('ix_attachments_post_id')
    op.drop_table('attachments')
    op.drop_table('calendar_feeds')
    op.drop_table('event_reminders')
    with op.batch_alter_table('event_rsvps', schema=None) as batch_op:
        batch_op.drop_index('ix_event_rsvps_user_id')
    op.drop_table('event_rsvps')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_topic_starts')
        batch_op.drop_index('ix_events_starts_at')
    op.drop_table('events')
