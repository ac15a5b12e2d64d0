"""研判 at a city's scale: when the unit signed for and answered each order (kept on the order),
and the daily roll-up of orders (in total and by channel, type, district, topic and unit)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_work_orders_status'), ['status'], unique=False)
    # Orders handled before this revision: their first signing and answer, from the events.
    # Set-based (UPDATE … FROM a grouped subquery), not a subquery per order: a city's million
    # orders take seconds, not hours.
    op.execute("UPDATE work_orders SET accepted_at = first.at FROM (SELECT order_id, min(at) AS at "
               "FROM work_order_events WHERE kind = 'status' AND status_from = 'dispatched' "
               "AND status_to = 'in_progress' GROUP BY order_id) AS first WHERE first.order_id = work_orders.id")
    op.execute("UPDATE work_orders SET answered_at = first.at FROM (SELECT order_id, min(at) AS at "
               "FROM work_order_events WHERE kind = 'status' AND status_to = 'reviewing' GROUP BY order_id) AS first "
               "WHERE first.order_id = work_orders.id")
    op.create_table(
        'order_day_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('dim', sa.String(length=16), nullable=False),
        sa.Column('value', sa.String(length=64), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('day', 'dim', 'value'),
    )
    with op.batch_alter_table('order_day_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_day_counts_day'), ['day'], unique=False)
    op.create_table(
        'unit_day_stats',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('unit', sa.String(length=64), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('day', 'unit'),
    )
    with op.batch_alter_table('unit_day_stats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_day_stats_day'), ['day'], unique=False)
    op.create_table(
        'rolled_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('day'),
    )


def downgrade() -> None:
    op.drop_table('rolled_days')
    op.drop_table('unit_day_stats')
    op.drop_table('order_day_counts')
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_orders_status'))
        batch_op.drop_column('answered_at')
        batch_op.drop_column('accepted_at')
