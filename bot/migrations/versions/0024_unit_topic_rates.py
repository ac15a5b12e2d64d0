"""研判's evaluation by topic with rates: the units' daily roll-up now keeps, for each topic, the
same counts as the unit's totals (signed in time, answered on time, solved, rated …), not only the
orders. Every day rolled up before is marked not current; the periodic job recomputes them, a
month a round (``python -m bot.analytics.rollup`` at once), and until then they are counted live.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 13:00:00
"""
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM rolled_days")


def downgrade() -> None:
    op.execute("DELETE FROM rolled_days")  # the code before reads a topic's orders alone: recomputed
