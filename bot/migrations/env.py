"""Alembic environment: uses the engine handed over by bot.store.db.migrate, or the URL."""

from alembic import context
from sqlalchemy import create_engine, text

from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several processes starting at once on a new database: one migrates, the
                # others wait here and then find the schema at its newest.
                connection.execute(text("SELECT pg_advisory_xact_lock(12345001)"))
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
