"""Rasa's SQL tracker store, made to survive a database restart.

Rasa's own ``SQLTrackerStore`` keeps pooled connections without checking them: after the
database restarts or fails over, the next read of a conversation fails, and Rasa falls back to
an empty in-memory tracker: the citizen's form is forgotten in the middle. This one replaces
dead connections before use (``pool_pre_ping``) and waits a moment for a database that is away
(``HOTLINE_DB_WAIT``), like the work-order store. Used from endpoints.production.yml:

    tracker_store:
      type: bot.rasa.tracker_store.ResilientSQLTrackerStore
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs

from bot.rasa import patches
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
