"""Rasa's SQL tracker store, made to survive a database restart and to keep what citizens say
encrypted.

Rasa's own ``SQLTrackerStore`` keeps pooled connections without checking them: after the
database restarts or fails over, the next read of a conversation fails, and Rasa falls back to
an empty in-memory tracker: the citizen's form is forgotten in the middle.
``ResilientSQLTrackerStore`` replaces dead connections before use (``pool_pre_ping``) and waits
a moment for a database that is away (``HOTLINE_DB_WAIT``), like the work-order store.

Rasa stores every event of a conversation as JSON in the ``data`` column of its ``events``
table: every message's text, the slots the form filled (the citizen's name, phone, address).
``EncryptedSQLTrackerStore`` (on top of the resilient one) declares the same table with the
work-order store's encrypted types (bot/store/crypto.py): ``data`` encrypted with a random
nonce, ``sender_id`` (the citizen's channel identity) deterministically, so that Rasa's own
queries (``sender_id == …``, ``distinct``), its lock, its sessions and ``retrieve_full_tracker``
work unchanged through the types. Type, timestamp, intent and action names stay readable
(nothing personal). Rows written before are read as they are until
``python -m bot.store.crypto encrypt-all`` converts them. Used from endpoints.yml and
endpoints.production.yml:

    tracker_store:
      type: bot.rasa.tracker_store.EncryptedSQLTrackerStore
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, _create_sequence, create_engine_kwargs
from sqlalchemy.orm import declarative_base

from bot.rasa import patches
from bot.store.crypto import Encrypted, Searchable
from bot.store.db import wait_for_the_database

patches.apply()


class ResilientSQLTrackerStore(SQLTrackerStore):
    engine: sa.engine.Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        options = create_engine_kwargs(url)
        if url.get_backend_name() == "postgresql":
            options["connect_args"] = {**options.get("connect_args", {}), "connect_timeout": 3}
        self.engine = sa.create_engine(url, pool_pre_ping=True, **options)
        wait_for_the_database(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)


class EncryptedSQLTrackerStore(ResilientSQLTrackerStore):
    """Rasa's events with their content and sender encrypted (see the module)."""

    Base: Any = declarative_base()

    class SQLEvent(Base):
        """Rasa's ``events`` table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), the same
        columns, with the encrypted types."""

        __tablename__ = "events"

        id = sa.Column(sa.Integer, _create_sequence(__tablename__), primary_key=True)
        sender_id = sa.Column(Searchable, nullable=False, index=True)
        type_name = sa.Column(sa.String(255), nullable=False)
        timestamp = sa.Column(sa.Float)
        intent_name = sa.Column(sa.String(255))
        action_name = sa.Column(sa.String(255))
        data = sa.Column(Encrypted)
