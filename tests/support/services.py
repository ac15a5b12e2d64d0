"""PostgreSQL and Redis for the tests that run against the production store.

On this project's machines both run on loopback (``make test`` installs and starts them where
they do not answer: scripts/install_system.sh services). Every test run makes its own database
and Redis key prefix and removes them afterwards; nothing depends on what an earlier run left.
Without the services a developer's ``pytest`` skips these tests; under CI they must be there.
"""

from __future__ import annotations

import os
import socket
import uuid

import pytest

PG_ADMIN_URL = os.environ.get("HOTLINE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("HOTLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _host_port(url: str, default: int) -> tuple[str, int]:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return u.host or "127.0.0.1", u.port or default


def require(service: str) -> None:
    """Skip (a developer's machine) or fail (CI) when the service does not answer."""
    host, port = _host_port(PG_ADMIN_URL, 5432) if service == "postgresql" else _host_port(REDIS_URL, 6379)
    if not _answers(host, port):
        message = f"{service} does not answer on {host}:{port} (make test starts it: scripts/install_system.sh services)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _admin_engine():  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)


def create_database(tag: str = "t") -> str:
    """A new, empty PostgreSQL database; its URL."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    require("postgresql")
    name = f"hotline_{tag}_{uuid.uuid4().hex[:10]}"
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return str(make_url(PG_ADMIN_URL).set(database=name))


def drop_database(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from bot.store import db

    for known, engine in list(db._engines.items()):
        if known == url:
            engine.dispose()
    name = make_url(url).database
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def truncate_all(url: str) -> None:
    """Empty every table of the store (the schema stays): a fresh database for the next test."""
    from sqlalchemy import text

    from bot.store import db
    from bot.store.models import Base

    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def redis_prefix() -> str:
    require("redis")
    return f"hotline-test:{uuid.uuid4().hex[:10]}:"


def drop_redis_prefix(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
