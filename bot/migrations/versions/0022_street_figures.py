"""研判's figures by street: the daily roll-up now counts each day's orders by street (with its
district) too, so every day rolled up before is recomputed. The roll-up's days are marked not
current; the periodic job recomputes them, a month a round (``python -m bot.analytics.rollup``
at once), and until then the figures of those days are counted live, as for any day not rolled up.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 10:00:00
"""
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM rolled_days")


def downgrade() -> None:
    op.execute("DELETE FROM order_day_counts WHERE dim = 'street'")
