"""Flood limits: per citizen (burst and per minute) and per address, told once per window,
shared between gateways through Redis."""

from __future__ import annotations

import asyncio

import pytest

from bot.gateway.limits import Limits, LocalCounter, RateLimiter, RedisCounter, client_address


def check(limiter: RateLimiter, kind: str, key: str):  # type: ignore[no-untyped-def]
    return asyncio.run(getattr(limiter, kind)(key))


def test_a_citizen_over_the_burst_is_refused_and_told_once():
    limiter = RateLimiter(Limits(burst=3, per_minute=100), LocalCounter())
    verdicts = [check(limiter, "sender", "web-a") for _ in range(6)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False, False]
    assert [v.first_refusal for v in verdicts[3:]] == [True, False, False]
    assert check(limiter, "sender", "web-b").allowed  # someone else is not affected


def test_an_address_is_limited_and_loopback_only_where_the_operator_exempts_it(monkeypatch):
    monkeypatch.delenv("HOTLINE_EXEMPT_LOOPBACK", raising=False)
    limiter = RateLimiter(Limits(ip_per_minute=2), LocalCounter())
    assert [check(limiter, "address", "203.0.113.9").allowed for _ in range(3)] == [True, True, False]
    assert [check(limiter, "address", "127.0.0.1").allowed for _ in range(3)] == [True, True, False]
    monkeypatch.setenv("HOTLINE_EXEMPT_LOOPBACK", "1")
    assert all(check(limiter, "address", "127.0.0.1").allowed for _ in range(10))
    assert check(limiter, "address", "198.51.100.1").allowed


def test_forwarded_address_only_behind_a_trusted_proxy(monkeypatch):
    assert client_address("10.0.0.5", "1.2.3.4, 203.0.113.9") == "10.0.0.5"
    monkeypatch.setenv("HOTLINE_TRUST_FORWARDED", "1")
    assert client_address("10.0.0.5", "1.2.3.4, 203.0.113.9") == "203.0.113.9"  # the proxy's entry, not the client's
    assert client_address("10.0.0.5", None) == "10.0.0.5"


def test_zero_turns_a_limit_off():
    limiter = RateLimiter(Limits(burst=0, per_minute=0, ip_per_minute=0), LocalCounter())
    assert all(check(limiter, "sender", "x").allowed and check(limiter, "address", "203.0.113.9").allowed
               for _ in range(50))


def test_two_gateways_share_the_count_through_redis():
    import redis.asyncio as aioredis

    from tests.support import services

    prefix = services.redis_prefix()

    async def both_gateways() -> list[bool]:
        client = aioredis.Redis.from_url(services.REDIS_URL)  # each gateway's bus holds one like it
        try:
            one = RateLimiter(Limits(burst=4, per_minute=100), RedisCounter(client, prefix))
            two = RateLimiter(Limits(burst=4, per_minute=100), RedisCounter(client, prefix))
            return [(await (one if i % 2 else two).sender("wechat-o1")).allowed for i in range(6)]
        finally:
            await client.close()

    try:
        assert asyncio.run(both_gateways()) == [True, True, True, True, False, False]
    finally:
        services.drop_redis_prefix(prefix)


def test_a_broken_counter_lets_citizens_through():
    class Down:
        async def hit(self, key: str, window: int) -> int:
            raise ConnectionError("redis down")

    assert check(RateLimiter(Limits(burst=1), Down()), "sender", "x").allowed


@pytest.mark.parametrize("seconds, wait", [(5, "半分钟"), (50, "一分钟")])
def test_the_polite_reply(seconds, wait):
    from bot.citizen_texts import too_fast_reply
    from bot.profile import load_profile

    text = too_fast_reply(load_profile("anshan"), seconds)
    assert wait in text and "已经记录" in text and "110" in text


def test_the_flood_log_keeps_every_refused_message_in_order_in_few_writes(monkeypatch):
    from bot.gateway.limits import FloodLog
    from bot.store import transcript

    groups: list[int] = []
    add_many = transcript.add_many

    def counted(rows):  # type: ignore[no-untyped-def]
        groups.append(len(rows))
        return add_many(rows)

    monkeypatch.setattr(transcript, "add_many", counted)

    async def flood() -> list[int]:
        log = FloodLog()
        try:
            return await asyncio.gather(*(log.add("web-flood", "rest", "citizen", f"在吗{i}", {"_limited": "sender"},
                                                  "limited") for i in range(450)))
        finally:
            log.close()

    ids = asyncio.run(flood())
    assert len(set(ids)) == 450 and ids == sorted(ids)
    kept = transcript.history("web-flood", limit=1000)
    assert [e.text for e in kept] == [f"在吗{i}" for i in range(450)]
    assert {e.status for e in kept} == {"limited"} and kept[0].data == {"_limited": "sender"}
    assert sum(groups) == 450 and len(groups) <= 5  # a write per group of up to 200, not per message


def test_the_flood_log_answers_each_request_when_the_database_is_down(monkeypatch):
    from bot.gateway.limits import FloodLog
    from bot.store import transcript

    def down(rows):  # type: ignore[no-untyped-def]
        raise ConnectionError("database down")

    monkeypatch.setattr(transcript, "add_many", down)

    async def two() -> list:
        log = FloodLog()
        try:
            return await asyncio.gather(*(log.add("web-x", "rest", "citizen", "在吗", None, "limited") for _ in range(2)),
                                        return_exceptions=True)
        finally:
            log.close()

    assert [type(r) for r in asyncio.run(two())] == [ConnectionError, ConnectionError]
