"""Hot-spot warnings (研判): found by the periodic job, acknowledged and closed by the hotline

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'hotspot_warnings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=48), nullable=False),
        sa.Column('district', sa.String(length=32), nullable=False),
        sa.Column('unit', sa.String(length=64), nullable=True),
        sa.Column('window_hours', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('baseline', sa.Float(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('numbers', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by', sa.String(length=64), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('hotspot_warnings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hotspot_warnings_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_hotspot_warnings_unit'), ['unit'], unique=False)


def downgrade() -> None:
    op.drop_table('hotspot_warnings')
