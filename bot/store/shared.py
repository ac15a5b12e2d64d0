"""State every gateway process must agree on: a small key-value store with expiry.

Used for WeChat's access token, de-duplicating WeChat's retried messages and a citizen's last
offered choices. Redis when ``HOTLINE_REDIS_URL`` is set (several machines), otherwise the
work-order database (``shared_entries``), which every process on one machine shares.

``add`` is the one atomic operation: set a key only if it is absent (Redis ``SET NX``, an
insert against the primary key in the database), which is how processes decide who does a
thing once.
"""

from __future__ import annotations

import os
import time
from typing import Protocol

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.store.db import session_scope
from bot.store.models import SharedEntry


class SharedStore(Protocol):
    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: float | None = None) -> None: ...
    def add(self, key: str, value: str, ttl: float | None = None) -> bool: ...
    def delete(self, key: str) -> None: ...
    def purge_expired(self) -> int: ...


class DatabaseStore:
    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix

    def get(self, key: str) -> str | None:
        with session_scope() as s:
            row = s.get(SharedEntry, self.prefix + key)
            if row is None:
                return None
            if row.expires_at is not None and row.expires_at <= time.time():
                s.delete(row)
                return None
            return row.value

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        with session_scope() as s:
            s.merge(SharedEntry(key=self.prefix + key, value=value, expires_at=_expiry(ttl)))

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        now = time.time()
        try:
            with session_scope() as s:
                s.execute(delete(SharedEntry).where(SharedEntry.key == self.prefix + key,
                                                    SharedEntry.expires_at <= now))
                s.add(SharedEntry(key=self.prefix + key, value=value, expires_at=_expiry(ttl)))
        except IntegrityError:
            return False
        return True

    def delete(self, key: str) -> None:
        with session_scope() as s:
            s.execute(delete(SharedEntry).where(SharedEntry.key == self.prefix + key))

    def purge_expired(self) -> int:
        """Delete every expired row (any prefix); how many. The gateway calls it on a schedule
        (bot/gateway/app.py): WeChat's de-duplication rows would otherwise stay forever."""
        with session_scope() as s:
            return s.execute(delete(SharedEntry).where(SharedEntry.expires_at <= time.time())).rowcount or 0


class RedisStore:
    def __init__(self, url: str, prefix: str = "hotline:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, decode_responses=True)
        self.prefix = prefix

    def get(self, key: str) -> str | None:
        return self.redis.get(self.prefix + key)

    def purge_expired(self) -> int:
        return 0  # Redis expires its keys itself

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self.redis.set(self.prefix + key, value, px=_millis(ttl))

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        return bool(self.redis.set(self.prefix + key, value, px=_millis(ttl), nx=True))

    def delete(self, key: str) -> None:
        self.redis.delete(self.prefix + key)


def _expiry(ttl: float | None) -> float | None:
    return None if ttl is None else time.time() + ttl


def _millis(ttl: float | None) -> int | None:
    return None if ttl is None else max(1, int(ttl * 1000))


def shared_store() -> SharedStore:
    url = os.environ.get("HOTLINE_REDIS_URL")
    if url:
        return RedisStore(url, os.environ.get("HOTLINE_REDIS_PREFIX", "hotline:"))
    return DatabaseStore()
