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
from dataclasses import dataclass
from typing import Protocol

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

    def __init__(self, redis, prefix: str) -> None:  # type: ignore[no-untyped-def]
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


def counter_for(bus) -> Counter:  # type: ignore[no-untyped-def]
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
        """Loopback is the operator's own proxy (or a test): its citizens are told apart only by
        X-Forwarded-For, so it is not limited as one address."""
        try:
            if ipaddress.ip_address(ip).is_loopback:
                return Verdict(True)
        except ValueError:
            pass
        return await self._check(f"ip:{ip}", ((60, self.limits.ip_per_minute),))


def client_address(remote: str | None, forwarded_for: str | None) -> str | None:
    """The citizen's address: the connection's, or behind the operator's load balancer
    (``HOTLINE_TRUST_FORWARDED=1``) the last one it added to X-Forwarded-For (earlier entries
    are whatever the client claimed)."""
    if forwarded_for and os.environ.get("HOTLINE_TRUST_FORWARDED") == "1":
        last = forwarded_for.split(",")[-1].strip()
        if last:
            return last[:64]
    return remote
