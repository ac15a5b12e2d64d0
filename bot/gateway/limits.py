"""Limits against flooding (反复使用、长时间占用): per citizen and per network address.

A citizen may send ``per_minute`` messages a minute (and ``burst`` within 10 s); an address
(a web page's IP; not WeChat, whose requests all come from Tencent) ``ip_per_minute``. Counted
in sliding windows, in Redis when the gateways share one (``HOTLINE_REDIS_URL``), otherwise in
the process. A limited message is still kept in the transcript; it is not sent to Rasa, and the
citizen is told once per window, politely. An emergency is never limited away: its numbers are
given whatever the count.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from bot.store import transcript

WINDOWS = ((10, "burst"), (60, "per_minute"))


@dataclass(frozen=True)
class Limits:
    burst: int = 10  # messages in 10 s (a quick typist tapping buttons sends 3 or 4)
    per_minute: int = 30
    ip_per_minute: int = 120  # one office or school behind one address: many citizens

    @classmethod
    def from_env(cls) -> Limits:
        env = os.environ
        return cls(int(env.get("HOTLINE_RATE_BURST", cls.burst)), int(env.get("HOTLINE_RATE_PER_MINUTE", cls.per_minute)),
                   int(env.get("HOTLINE_RATE_IP_PER_MINUTE", cls.ip_per_minute)))


class Counter(Protocol):
    async def hit(self, key: str, window: int) -> int:
        """Count one more for ``key``; how many there were in the last ``window`` seconds."""


class LocalCounter:
    """Sliding windows in this process: the times of the last hits per key."""

    def __init__(self) -> None:
        self._hits: dict[tuple[str, int], deque[float]] = {}
        self._swept = time.monotonic()

    async def hit(self, key: str, window: int) -> int:
        now = time.monotonic()
        hits = self._hits.setdefault((key, window), deque())
        hits.append(now)
        while hits[0] <= now - window:
            hits.popleft()
        if now - self._swept > 60:  # forget the quiet ones
            self._swept = now
            self._hits = {k: h for k, h in self._hits.items() if h and h[-1] > now - k[1]}
        return len(hits)


class RedisCounter:
    """Sliding windows shared by every gateway: a sorted set of hit times per key, on the
    gateways' shared Redis connection (``bus.RedisBus``), never blocking the event loop."""

    def __init__(self, redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    async def hit(self, key: str, window: int) -> int:
        name = f"{self.prefix}rate:{key}:{window}"
        now = time.time()
        async with self.redis.pipeline(transaction=True) as pipe:  # MULTI/EXEC: one step for every gateway
            pipe.zremrangebyscore(name, 0, now - window)
            pipe.zadd(name, {uuid.uuid4().hex: now})
            pipe.zcard(name)
            pipe.expire(name, window + 1)
            return int((await asyncio.wait_for(pipe.execute(), 1.0))[2])


def counter_for(bus) -> Counter:
    """Counted in Redis when the gateways share it, otherwise in this process."""
    return RedisCounter(bus.redis, bus.prefix) if bus.shared else LocalCounter()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    first_refusal: bool = False  # the first message over the limit in this window: tell the citizen
    retry_after: int = 0


class RateLimiter:
    def __init__(self, limits: Limits, counter: Counter | None = None) -> None:
        self.limits = limits
        self.counter = counter or LocalCounter()

    async def _check(self, key: str, windows: tuple[tuple[int, int], ...]) -> Verdict:
        try:
            for window, limit in windows:
                if limit <= 0:
                    continue
                count = await self.counter.hit(key, window)
                if count > limit:  # refused ones count too: a flood that goes on is told once
                    return Verdict(False, count == limit + 1, window)
        except Exception:  # the counter's store is down: better serve citizens than refuse them
            return Verdict(True)
        return Verdict(True)

    async def sender(self, sender_id: str) -> Verdict:
        return await self._check(f"s:{sender_id}", ((10, self.limits.burst), (60, self.limits.per_minute)))

    async def address(self, ip: str) -> Verdict:
        """Every address is limited, loopback too, unless the operator says loopback is not one
        citizen (``HOTLINE_EXEMPT_LOOPBACK=1``: the tests, a proxy on this machine that does not
        forward X-Forwarded-For). Behind a proxy, set HOTLINE_TRUST_FORWARDED=1 instead: its
        citizens are then told apart by their own addresses."""
        try:
            if ipaddress.ip_address(ip).is_loopback and os.environ.get("HOTLINE_EXEMPT_LOOPBACK") == "1":
                return Verdict(True)
        except ValueError:
            pass
        return await self._check(f"ip:{ip}", ((60, self.limits.ip_per_minute),))


class FloodLog:
    """Where the messages refused by a limit are written: kept like every message, but by a
    thread of their own, many in one transaction. A flood of hundreds of requests then queues
    behind itself instead of in front of calm citizens' transcript writes (the gateway's shared
    threads) and costs the database a write per group, not per message. Each request still
    returns only once its message is stored."""

    MAX_GROUP = 200

    def __init__(self) -> None:
        self._waiting: list[tuple[tuple[Any, ...], asyncio.Future[int]]] = []
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="flood-log")
        self._writer: asyncio.Task | None = None

    async def add(self, sender_id: str, channel: str, author: str, text: str | None,
                  data: dict[str, Any] | None, status: str, delivered: bool = True) -> int:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[int] = loop.create_future()
        self._waiting.append(((sender_id, channel, author, text, data, status, delivered), done))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write())
        return await done

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            group, self._waiting = self._waiting[:self.MAX_GROUP], self._waiting[self.MAX_GROUP:]
            try:
                ids = await loop.run_in_executor(self._thread, transcript.add_many, [row for row, _ in group])
            except Exception as exc:  # the database is down: each request answers for itself
                for _, done in group:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for (_, done), msg_id in zip(group, ids, strict=True):
                    if not done.done():
                        done.set_result(msg_id)

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)


def client_address(remote: str | None, forwarded_for: str | None) -> str | None:
    """The citizen's address: the connection's, or behind the operator's load balancer
    (``HOTLINE_TRUST_FORWARDED=1``) the last one it added to X-Forwarded-For (earlier entries
    are whatever the client claimed)."""
    if forwarded_for and os.environ.get("HOTLINE_TRUST_FORWARDED") == "1":
        last = forwarded_for.split(",")[-1].strip()
        if last:
            return last[:64]
    return remote
