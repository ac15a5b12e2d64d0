"""What every gateway process must hear: events passed between gateways, and locks they share.

One gateway (the default): events go straight to this process's handlers and a conversation's
lock is an asyncio lock. Several gateways (``HOTLINE_REDIS_URL`` set): events also go out on a
Redis pub/sub channel to the other gateways, and a conversation's lock is held in Redis too, so
that two gateways never send one citizen's messages to Rasa at the same time or out of order.

Events: ``flush`` (a citizen's page is connected to another gateway: send them what is waiting),
``console`` (something for the agents' consoles connected to every gateway).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]
LOCK_LEASE = 120.0  # seconds a crashed gateway's lock outlives it
# A process's own locks, shared by every gateway it runs (tests run several in one event loop).
_LOCAL_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


class Bus:
    """Events and locks of one gateway process."""

    shared = False

    def __init__(self) -> None:
        self.origin = uuid.uuid4().hex
        self.handlers: dict[str, list[Handler]] = {}
        self._announced: dict[str, list[Any]] = {}

    def on(self, kind: str, handler: Handler) -> None:
        self.handlers.setdefault(kind, []).append(handler)

    async def publish(self, kind: str, payload: dict[str, Any]) -> None:
        """Tell the other gateways (there are none here)."""

    async def dispatch(self, kind: str, payload: dict[str, Any]) -> None:
        for handler in self.handlers.get(kind, []):
            try:
                await handler(payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("bus handler for %s failed", kind)

    @contextlib.asynccontextmanager
    async def lock(self, name: str) -> AsyncIterator[None]:
        locks = _LOCAL_LOCKS.setdefault(asyncio.get_running_loop(), {})
        local = locks.get(name)
        if local is None:
            local = locks[name] = asyncio.Lock()
        async with local:
            yield

    async def announce(self, what: str, members: list[Any], ttl: float = 15.0) -> None:
        """Say what this gateway has (e.g. the agents connected to it) for ``ttl`` seconds."""
        self._announced[what] = list(members)

    async def gather(self, what: str) -> set[Any]:
        """Everything every gateway announced under ``what`` and still stands by."""
        return set(self._announced.get(what, []))

    async def ping(self) -> bool:
        """Whether what the gateways share answers (nothing to share alone)."""
        return True

    async def run(self) -> None:
        """Listen to the other gateways (nothing to do alone)."""

    async def close(self) -> None:
        pass


class RedisBus(Bus):
    shared = True

    def __init__(self, url: str, prefix: str = "hotline:") -> None:
        super().__init__()
        import redis.asyncio as aioredis

        self.redis = aioredis.Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)
        self.prefix = prefix
        self.channel = f"{prefix}bus"

    async def publish(self, kind: str, payload: dict[str, Any]) -> None:
        message = json.dumps({"origin": self.origin, "kind": kind, "payload": payload}, ensure_ascii=False)
        try:
            await self.redis.publish(self.channel, message)
        except Exception as exc:  # the other gateways miss a live update; nothing is lost
            log.warning("bus publish of %s failed: %s", kind, exc)

    @contextlib.asynccontextmanager
    async def lock(self, name: str) -> AsyncIterator[None]:
        async with super().lock(name):  # this process's own waiters queue here, in order
            # Waits as long as another gateway works on the conversation (a dead gateway's lock
            # lapses after LOCK_LEASE): going on without it could send a message to Rasa twice.
            # While this gateway works, its lease is renewed: a Rasa answer that takes longer
            # than the lease (a saturated server) must not let another gateway in.
            lease = LOCK_LEASE
            shared = self.redis.lock(f"{self.prefix}lock:{name}", timeout=lease, blocking_timeout=None)
            try:
                held = await shared.acquire()
            except Exception as exc:  # Redis down: one gateway's order still holds
                log.error("shared lock %s not taken (%s); going on with this gateway's lock", name, exc)
                held = False
            keeper = asyncio.ensure_future(self._keep(shared, lease, name)) if held else None
            try:
                yield
            finally:
                if keeper is not None:
                    keeper.cancel()
                if held:
                    with contextlib.suppress(Exception):
                        await shared.release()

    @staticmethod
    async def _keep(shared, lease: float, name: str) -> None:
        while True:
            await asyncio.sleep(lease / 3)
            try:
                await shared.reacquire()  # the lease starts again from now
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("shared lock %s not renewed (%s)", name, exc)

    async def announce(self, what: str, members: list[Any], ttl: float = 15.0) -> None:
        await super().announce(what, members, ttl)
        try:
            await self.redis.set(f"{self.prefix}{what}:{self.origin}", json.dumps(members), px=int(ttl * 1000))
        except Exception as exc:
            log.warning("announcing %s failed: %s", what, exc)

    async def gather(self, what: str) -> set[Any]:
        found = await super().gather(what)
        try:
            keys = [k async for k in self.redis.scan_iter(match=f"{self.prefix}{what}:*", count=100)]
            for value in await self.redis.mget(keys) if keys else []:
                if value:
                    found.update(json.loads(value))
        except Exception as exc:  # what this gateway knows is still true
            log.warning("gathering %s failed: %s", what, exc)
        return found

    async def run(self) -> None:
        while True:
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(self.channel)
                async for message in pubsub.listen():
                    try:
                        event = json.loads(message["data"])
                    except (TypeError, ValueError):
                        continue
                    if event.get("origin") != self.origin:
                        await self.dispatch(str(event.get("kind")), event.get("payload") or {})
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("bus subscription lost (%s); again in 2 s", exc)
                await asyncio.sleep(2)

    async def ping(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self.redis.ping(), 2.0))
        except Exception:
            return False

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.redis.close()


def make_bus() -> Bus:
    url = os.environ.get("HOTLINE_REDIS_URL")
    if url:
        return RedisBus(url, os.environ.get("HOTLINE_REDIS_PREFIX", "hotline:"))
    return Bus()
