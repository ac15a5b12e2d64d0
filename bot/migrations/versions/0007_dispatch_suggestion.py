"""智能派单: the suggested unit and its confidence on each order

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 17:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggested_unit', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('suggestion_confidence', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('suggestion_confidence')
        batch_op.drop_column('suggested_unit')
