"""Early warnings of several kinds (研判): street hot spots, 集中反映 groups, repeat callers and
sensitive words beside the district hot spots; each order keeps its street and the sensitive word
read at filing

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('street', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('sensitive', sa.String(length=16), nullable=True))
    with op.batch_alter_table('hotspot_warnings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='hotspot'))
        batch_op.add_column(sa.Column('key', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('street', sa.String(length=32), nullable=True))
    # The warnings raised before: district hot spots, keyed as the job keys them now.
    op.execute("UPDATE hotspot_warnings SET key = 'hotspot|' || topic || '|' || district")
    with op.batch_alter_table('hotspot_warnings', schema=None) as batch_op:
        batch_op.alter_column('key', existing_type=sa.String(length=160), nullable=False)
        batch_op.create_index(batch_op.f('ix_hotspot_warnings_key'), ['key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hotspot_warnings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hotspot_warnings_key'))
        batch_op.drop_column('street')
        batch_op.drop_column('key')
        batch_op.drop_column('kind')
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('sensitive')
        batch_op.drop_column('street')
