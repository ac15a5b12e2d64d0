"""Encrypted columns: citizens' personal data is stored as ciphertext (bot/store/crypto.py),
longer than the plain values' VARCHAR widths, so those columns become TEXT. PostgreSQL enforces
VARCHAR lengths; SQLite does not, and its tables are left as they are. The values themselves
are converted by ``python -m bot.store.crypto encrypt-all`` (a value in plaintext is read as it
is until then).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# table -> its encrypted columns that were VARCHAR(n), with n (for the downgrade)
WIDENED = {
    'work_orders': {'address': 200, 'name': 64, 'phone': 20, 'sender_id': 128, 'idempotency_key': 128},
    'emergency_alerts': {'sender_id': 128, 'place': 200},
    'handoffs': {'sender_id': 128},
    'agent_notes': {'sender_id': 128},
    'transcript_messages': {'sender_id': 128},
    'message_deliveries': {'sender_id': 128},
    'attachments': {'sender_id': 128, 'filename': 200},
    'shared_entries': {'key': 200},
}


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, columns in WIDENED.items():
        for column, width in columns.items():
            op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(length=width))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, columns in WIDENED.items():
        for column, width in columns.items():
            op.alter_column(table, column, type_=sa.String(length=width), existing_type=sa.Text())
