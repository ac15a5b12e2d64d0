"""The gateways' shared conversation lock in Redis (bot/gateway/bus.py): held as long as its
gateway works on the conversation, lapsing only when that gateway is gone."""

from __future__ import annotations

import asyncio

from bot.gateway import bus as bus_module
from bot.gateway.bus import RedisBus
from tests.support import services


def test_a_lock_held_longer_than_its_lease_keeps_the_other_gateway_out(monkeypatch):
    monkeypatch.setattr(bus_module, "LOCK_LEASE", 0.6)
    prefix = services.redis_prefix()

    async def two_gateways() -> list[str]:
        one, two = RedisBus(services.REDIS_URL, prefix), RedisBus(services.REDIS_URL, prefix)
        order: list[str] = []
        try:
            async def slow_answer() -> None:  # e.g. a saturated Rasa server: 4 leases long
                async with one.lock("sender:web-1"):
                    order.append("one took it")
                    await asyncio.sleep(2.4)
                    order.append("one done")

            async def next_message() -> None:
                await asyncio.sleep(0.2)
                async with two.lock("sender:web-1"):
                    order.append("two took it")

            await asyncio.gather(slow_answer(), next_message())
            return order
        finally:
            await one.close()
            await two.close()

    try:
        assert asyncio.run(two_gateways()) == ["one took it", "one done", "two took it"]
    finally:
        services.drop_redis_prefix(prefix)


def test_a_dead_gateways_lock_lapses(monkeypatch):
    monkeypatch.setattr(bus_module, "LOCK_LEASE", 0.6)
    prefix = services.redis_prefix()

    async def after_a_crash() -> float:
        dead, alive = RedisBus(services.REDIS_URL, prefix), RedisBus(services.REDIS_URL, prefix)
        try:
            # The dead gateway took the lock and never renewed nor released it.
            assert await dead.redis.lock(f"{prefix}lock:sender:web-2", timeout=0.6).acquire()
            started = asyncio.get_running_loop().time()
            async with alive.lock("sender:web-2"):
                return asyncio.get_running_loop().time() - started
        finally:
            await dead.close()
            await alive.close()

    try:
        assert 0.3 < asyncio.run(after_a_crash()) < 3
    finally:
        services.drop_redis_prefix(prefix)
