"""Database connection: URL from HOTLINE_DB_URL (default: SQLite at var/hotline.db, WAL mode).

The schema is owned by Alembic (bot/migrations); ``migrate()`` brings any database to head and
is called once at start by every process that uses the store.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool, StaticPool

DEFAULT_URL = "sqlite:///var/hotline.db"
_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_migrated: set[str] = set()


def database_url() -> str:
    return os.environ.get("HOTLINE_DB_URL") or DEFAULT_URL


def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _make_engine(url)
            _engines[url] = engine
        return engine


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A pool of open connections (SQLAlchemy 1.4 would open a new one per session for a
        # file database, and the PRAGMAs with it: ~1.5 ms each time).
        pool = {"poolclass": QueuePool, "pool_size": 8, "max_overflow": 16}
        if url.rstrip("/") == "sqlite:" or path in ("", ":memory:"):  # one shared in-memory database
            pool = {"poolclass": StaticPool}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, future=True, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    connect_args = {"connect_timeout": 3} if url.startswith("postgresql") else {}
    engine = create_engine(url, pool_pre_ping=True, future=True, pool_size=10, max_overflow=20,
                           connect_args=connect_args)
    wait_for_the_database(engine)
    return engine


def wait_for_the_database(engine: Engine) -> None:
    """A database restarting or failing over for a moment is waited for (``HOTLINE_DB_WAIT``
    seconds, 3 by default) when a connection is opened, instead of failing the citizen's
    message at once. With ``pool_pre_ping`` a connection that died meanwhile is replaced."""
    wait = float(os.environ.get("HOTLINE_DB_WAIT", "3"))

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, _record, cargs, cparams):
        deadline = time.monotonic() + wait
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except dialect.dbapi.OperationalError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)


def migrate(url: str | None = None) -> None:
    """Upgrade the database to the newest schema (idempotent, once per process and URL)."""
    url = url or database_url()
    with _lock:
        if url in _migrated:
            return
        from alembic import command
        from alembic.config import Config

        here = Path(__file__).resolve().parent.parent
        cfg = Config()
        cfg.set_main_option("script_location", str(here / "migrations"))
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        _engines.setdefault(url, _make_engine(url))
        cfg.attributes["engine"] = _engines[url]
        with _sqlite_file_lock(url):  # PostgreSQL: an advisory lock in bot/migrations/env.py
            command.upgrade(cfg, "head")
        _migrated.add(url)


@contextmanager
def _sqlite_file_lock(url: str) -> Iterator[None]:
    """Processes starting together on a new SQLite file (make run) migrate one after another."""
    path = url.split("sqlite:///", 1)[-1] if url.startswith("sqlite") else ""
    if not path or path == ":memory:":
        yield
        return
    import fcntl

    with open(f"{path}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back if it raises."""
    migrate(url)
    session = Session(bind=get_engine(url), expire_on_commit=False, future=True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
