"""Deliveries: a transcript entry a channel failed to push (a WeChat 客服消息), retried with
backoff until it can no longer arrive, then kept as undelivered for the agents

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 03:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'message_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('sender_id', sa.String(length=128), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_try_at', sa.DateTime(), nullable=False),
        sa.Column('until', sa.DateTime(), nullable=True),
        sa.Column('last_code', sa.String(length=16), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('seen_by', sa.String(length=64), nullable=True),
        sa.Column('seen_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['transcript_messages.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('message_id'),
    )
    with op.batch_alter_table('message_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_deliveries_sender_id'), ['sender_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_deliveries_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_deliveries_next_try_at'), ['next_try_at'], unique=False)


def downgrade() -> None:
    op.drop_table('message_deliveries')
