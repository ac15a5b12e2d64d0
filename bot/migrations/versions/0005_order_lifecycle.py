"""work-order lifecycle: dispatch time, first deadline, result, event kinds, audit log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dispatched_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('result', sa.Text(), nullable=True))
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=24), nullable=False, server_default='status'))
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('order_number', sa.String(length=32), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_order_number'), ['order_number'], unique=False)


def downgrade() -> None:
    op.drop_table('audit_log')
    with op.batch_alter_table('work_order_events', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('result')
        batch_op.drop_column('first_deadline')
        batch_op.drop_column('dispatched_at')
