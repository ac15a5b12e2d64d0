"""The duty desk: how sure an alert is, grouping, acknowledgement notes, escalation, and the
deliveries to linkage units

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('emergency_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=16), nullable=False, server_default='confident'))
        batch_op.add_column(sa.Column('place', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('messages', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('last_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('noted_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('noted_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_emergency_alerts_last_at'), ['last_at'], unique=False)
    op.execute("UPDATE emergency_alerts SET last_at = created_at")
    op.create_table(
        'alert_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('contact', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_try_at', sa.DateTime(), nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['alert_id'], ['emergency_alerts.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('alert_id', 'contact'),
    )
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_deliveries_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_deliveries_next_try_at'), ['next_try_at'], unique=False)


def downgrade() -> None:
    op.drop_table('alert_deliveries')
    with op.batch_alter_table('emergency_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_alerts_last_at'))
        for column in ('noted_at', 'noted_by', 'note', 'escalated_at', 'last_at', 'messages', 'place', 'level'):
            batch_op.drop_column(column)
