"""研判's 直接答复: the citizens answered without a work order, by the knowledge base or by an
agent (when, channel, kind, the article or why the conversation came to a person; nothing of
who). Days rolled up before hold no answers, and none existed then: nothing to recompute.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'direct_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('article', sa.String(length=64), nullable=True),
        sa.Column('title', sa.String(length=120), nullable=True),
        sa.Column('topic', sa.String(length=48), nullable=True),
        sa.Column('reason', sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('direct_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direct_answers_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_answers_article'), ['article'], unique=False)


def downgrade() -> None:
    op.drop_table('direct_answers')
