"""The gateway and a possible emergency: the numbers in one conditional line before Rasa's
ordinary answer (never 「情况紧急」), the message on the duty desk as possible; and a confident
one when Rasa is down, on the desk before the reply says so. A small aiohttp server stands in
for Rasa; the database is real."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.language import emergency
from bot.language.emergency import Emergency, Reading
from bot.store import alerts
from tests.unit.gateway.test_rasa_client import _hub, server

ORDINARY = "请问您要反映的具体地址在哪里？"


def _possible(_text: str) -> Reading:
    return Reading(emergency.POSSIBLE, Emergency("medical", ("120",), "不舒服"))


def test_a_possible_emergency_hears_the_numbers_in_one_line_before_the_answer(monkeypatch):
    monkeypatch.setattr("bot.language.emergency.assess", _possible)

    async def answer(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response([{"recipient_id": body["sender"], "text": ORDINARY}])

    async def conversation() -> list[dict]:
        async with server(answer) as rasa, server() as actions:
            hub = _hub(rasa, actions)
            try:
                return await hub.handle("web-possible", "rest", "我家老人今天一直说不舒服")
            finally:
                await hub.stop()

    told = [m["text"] for m in asyncio.run(conversation())]
    assert len(told) == 2 and told[1] == ORDINARY
    assert "120" in told[0] and told[0].startswith("如果") and "情况紧急" not in told[0]
    alert = alerts.listing("open")[0]
    assert alert["sender"] == "web-possible" and alert["level"] == "possible" and alert["deliveries"] == []


def test_with_rasa_down_a_confident_emergency_is_on_the_desk_and_the_reply_says_so():
    async def conversation() -> list[dict]:
        async with server() as actions:
            hub = _hub("http://127.0.0.1:9", actions)  # nothing listens there
            try:
                return await hub.handle("web-fire", "rest", "救命，我家厨房着火了，火很大")
            finally:
                await hub.stop()

    told = "\n".join(m["text"] for m in asyncio.run(conversation()))
    assert told.startswith("情况紧急，请立即拨打119") and "值班人员" in told
    alert = alerts.listing("open")[0]
    assert alert["sender"] == "web-fire" and alert["level"] == "confident"
    assert [d["contact"] for d in alert["deliveries"]] == ["fire"]


def test_the_same_conditional_line_is_not_said_again_a_moment_later_but_every_message_is_on_the_desk(monkeypatch):
    monkeypatch.setattr("bot.language.emergency.assess", _possible)

    async def answer(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response([{"recipient_id": body["sender"], "text": ORDINARY}])

    async def conversation() -> list[list[dict]]:
        async with server(answer) as rasa, server() as actions:
            hub = _hub(rasa, actions)
            try:
                first = await hub.handle("web-story", "rest", "我家老人今天一直说不舒服")
                second = await hub.handle("web-story", "rest", "吃不下饭 也不爱动弹")
                other = await hub.handle("web-other", "rest", "我妈也说不舒服")
                return [first, second, other]
            finally:
                await hub.stop()

    first, second, other = ([m.get("text") for m in told if m.get("text")] for told in asyncio.run(conversation()))
    assert len(first) == 2 and first[0].startswith("如果")
    assert second == [ORDINARY]           # the numbers were given a moment ago
    assert len(other) == 2 and other[0].startswith("如果")  # another citizen hears them
    assert alerts.listing("open")  # the desk has it


def test_a_conditional_line_with_the_same_numbers_is_not_said_again_but_a_new_number_is(monkeypatch):
    readings = iter([Emergency("medical", ("120", "110"), "吓醒"), Emergency("violence", ("110", "120"), "凶我"),
                     Emergency("fire", ("119",), "冒烟")])
    monkeypatch.setattr("bot.language.emergency.assess",
                        lambda _text: Reading(emergency.POSSIBLE, next(readings)))

    async def answer(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response([{"recipient_id": body["sender"], "text": ORDINARY}])

    async def conversation() -> list[list[dict]]:
        async with server(answer) as rasa, server() as actions:
            hub = _hub(rasa, actions)
            try:
                return [await hub.handle("web-dogs", "rest", text)
                        for text in ("孙儿遭吓醒好多回了 哭得凶得很", "他还凶我 气死我了", "楼道里好像有点烟味")]
            finally:
                await hub.stop()

    first, second, third = ([m.get("text") for m in told if m.get("text")] for told in asyncio.run(conversation()))
    assert first[0].startswith("如果") and "120" in first[0]
    assert second == [ORDINARY]  # another kind's line, but the same numbers: not again
    assert third[0].startswith("如果") and "119" in third[0]  # a number not given yet is said
