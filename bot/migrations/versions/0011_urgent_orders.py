"""Urgent work orders: outages for many households and disasters, due within hours

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 05:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_work_orders_urgent'), ['urgent'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_orders_urgent'))
        batch_op.drop_column('due_at')
        batch_op.drop_column('urgent')
