"""Co-units of a work order (协办): each records its part, the lead unit closes the whole

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 00:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'order_co_units',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('unit', sa.String(length=64), nullable=False),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.Column('assigned_by', sa.String(length=64), nullable=False),
        sa.Column('part', sa.Text(), nullable=True),
        sa.Column('reported_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['order_id'], ['work_orders.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('order_id', 'unit'),
    )
    with op.batch_alter_table('order_co_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_co_units_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_co_units_unit'), ['unit'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('order_co_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_co_units_unit'))
        batch_op.drop_index(batch_op.f('ix_order_co_units_order_id'))
    op.drop_table('order_co_units')
