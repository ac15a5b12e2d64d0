"""集中反映: orders about the same matter from several citizens are linked

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cluster', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_work_orders_cluster'), ['cluster'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_orders_cluster'))
        batch_op.drop_column('cluster')
