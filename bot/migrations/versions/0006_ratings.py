"""satisfaction follow-up: rating, reason, reopened

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('rating_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reopened', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('reopened')
        batch_op.drop_column('rating_reason')
        batch_op.drop_column('rating')
