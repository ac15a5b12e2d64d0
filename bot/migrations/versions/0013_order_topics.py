"""Every order's topic (大类/小类) for the statistics, hot spots and evaluation (研判), and the
indexes their queries need (filing and dispatch times, event kinds)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=48), nullable=True))
        batch_op.create_index(batch_op.f('ix_work_orders_topic'), ['topic'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_orders_dispatched_at'), ['dispatched_at'], unique=False)
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_order_events_kind'), ['kind'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_order_events_kind'))
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_orders_dispatched_at'))
        batch_op.drop_index(batch_op.f('ix_work_orders_created_at'))
        batch_op.drop_index(batch_op.f('ix_work_orders_topic'))
        batch_op.drop_column('topic')
