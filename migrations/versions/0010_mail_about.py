"""mail knows what it is about: the outbox's notification and why a mail was dropped

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notification_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dropped_reason', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_mail_outbox_notification_id', ['notification_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_mail_outbox_notification_id_notifications'),
                                    'notifications', ['notification_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mail_outbox_notification_id_notifications'),
                                 type_='foreignkey')
        batch_op.drop_index('ix_mail_outbox_notification_id')
        batch_op.drop_column('dropped_reason')
        batch_op.drop_column('notification_id')
