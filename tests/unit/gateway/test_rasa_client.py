"""The gateway's Rasa client (bot/gateway/rasa.py) tells a message that never reached Rasa
(unavailable: kept and sent again) from one Rasa may have taken (failed: never sent twice), and
a busy server from a gone one. Real sockets and small aiohttp servers stand in for Rasa."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from bot.gateway.rasa import RasaClient, RasaFailed, RasaUnavailable

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _ok(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@asynccontextmanager
async def server(webhook: Handler | None = None, health: Handler = _ok) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/health", health)
    if webhook is not None:
        app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def not_accepting() -> AsyncIterator[str]:
    """A server whose accept queue is full: new connections are not made (as a saturated Rasa
    whose backlog is full)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        while len(fillers) < 16:
            s = socket.socket()
            s.settimeout(0.3)
            try:
                s.connect(("127.0.0.1", port))
            except OSError:  # refused, or not made in time (TimeoutError)
                s.close()
                break
            fillers.append(s)
        else:
            pytest.skip("this kernel accepts connections beyond the listen backlog")
        yield f"http://127.0.0.1:{port}"
    finally:
        for s in fillers:
            s.close()
        listener.close()


def run(coro: Awaitable[object]) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_when_every_connection_is_busy_a_message_waits_its_turn():
    async def slow(request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(0.5)
        return web.json_response([{"recipient_id": body["sender"], "text": f"收到：{body['message']}"}])

    async def two_citizens() -> list[list[dict]]:
        async with server(slow) as url:
            client = RasaClient(url, url, connections=1, connect_timeout=0.2)
            try:
                return await asyncio.gather(client.send("web-1", "你好"), client.send("web-2", "在吗"))
            finally:
                await client.close()

    first, second = run(two_citizens())  # type: ignore[misc]
    assert first[0]["text"] == "收到：你好"
    assert second[0]["text"] == "收到：在吗"


def test_at_most_in_flight_messages_are_at_rasa_at_once_the_others_wait_in_order():
    at_rasa: list[int] = [0]
    most: list[int] = [0]
    order: list[str] = []

    async def counting(request: web.Request) -> web.Response:
        body = await request.json()
        at_rasa[0] += 1
        most[0] = max(most[0], at_rasa[0])
        order.append(body["sender"])
        await asyncio.sleep(0.1)
        at_rasa[0] -= 1
        return web.json_response([{"recipient_id": body["sender"], "text": "好的"}])

    async def ten_citizens() -> list[list[dict]]:
        async with server(counting) as url:
            client = RasaClient(url, url, in_flight=2)
            try:
                sends = []
                for i in range(10):
                    sends.append(asyncio.ensure_future(client.send(f"web-{i}", "你好")))
                    await asyncio.sleep(0.01)  # they come one after another
                return await asyncio.gather(*sends)
            finally:
                await client.close()

    answers = run(ten_citizens())
    assert all(a[0]["text"] == "好的" for a in answers)  # type: ignore[union-attr]
    assert most[0] == 2
    assert order == [f"web-{i}" for i in range(10)]


async def _drop(request: web.Request) -> web.Response:
    """Rasa has the message ... and dies before answering."""
    await request.read()
    assert request.transport is not None
    request.transport.close()
    await asyncio.sleep(1)
    return web.json_response([])


async def _send_once(rasa: str, actions: str, **options: float) -> list[dict]:
    client = RasaClient(rasa, actions, **options)  # type: ignore[arg-type]
    try:
        return await client.send("web-1", "路灯坏了")
    finally:
        await client.close()


def test_a_connection_not_made_in_time_means_not_sent():
    async def send() -> None:
        async with server() as actions, not_accepting() as rasa:
            await _send_once(rasa, actions, connect_timeout=0.3)

    with pytest.raises(RasaUnavailable):
        run(send())


def test_a_refused_connection_means_not_sent():
    async def send() -> None:
        async with server() as actions:
            await _send_once(f"http://127.0.0.1:{free_port()}", actions)

    with pytest.raises(RasaUnavailable):
        run(send())


def test_a_connection_broken_after_the_message_was_sent_is_a_failure():
    async def send() -> None:
        async with server(_drop) as url:
            await _send_once(url, url)

    with pytest.raises(RasaFailed):
        run(send())


def test_a_busy_action_server_is_up_a_gone_one_is_down():
    async def busy(_request: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return web.json_response({"status": "ok"})

    async def check() -> tuple[bool, bool, bool]:
        async with server(health=busy) as slow_url, not_accepting() as stuck_url:
            slow = RasaClient(slow_url, slow_url, health_timeout=0.2)
            gone = RasaClient(slow_url, f"http://127.0.0.1:{free_port()}")
            stuck = RasaClient(slow_url, stuck_url, connect_timeout=0.3)
            try:
                return await slow.actions_up(), await gone.actions_up(), await stuck.actions_up()
            finally:
                for client in (slow, gone, stuck):
                    await client.close()

    assert run(check()) == (True, False, False)


# ---------------------------------------------------------------- what the gateway does with each


def _hub(rasa: str, actions: str, rasa_timeout: float = 5):  # type: ignore[no-untyped-def]
    from bot.gateway.config import GatewayConfig
    from bot.gateway.hub import Hub
    from bot.profile import load_profile

    return Hub(GatewayConfig(rasa_timeout=rasa_timeout), RasaClient(rasa, actions, connect_timeout=0.3), load_profile("anshan"))


def _said(sender_id: str) -> list[tuple[str, str, str]]:
    from bot.store import transcript

    return [(e.author, e.status, e.text or "") for e in transcript.history(sender_id)]


def test_a_message_that_never_reached_rasa_is_kept_and_sent_when_rasa_takes_connections_again(monkeypatch):
    from bot.gateway import hub as hub_module

    monkeypatch.setattr(hub_module, "KEPT_AFTER", 0.0)

    async def answer(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response([{"recipient_id": body["sender"], "text": "请问具体地址在哪里？"}])

    async def conversation() -> tuple[list[dict], list[tuple[str, str, str]], int]:
        async with server() as actions, not_accepting() as saturated:
            hub = _hub(saturated, actions)
            try:
                told = await hub.handle("web-kept", "rest", "小区门口的路灯坏了")
            finally:
                await hub.stop()
        before = _said("web-kept")
        async with server(answer) as back:
            hub = _hub(back, back)
            try:
                delivered = await hub.drain_once()
            finally:
                await hub.stop()
        return told, before, delivered

    told, before, delivered = run(conversation())  # type: ignore[misc]
    assert "已经保存" in told[-1]["text"] and "再发一次" not in told[-1]["text"]
    assert before[0] == ("citizen", "pending", "小区门口的路灯坏了")
    assert delivered == 1
    assert [(a, s) for a, s, _ in _said("web-kept")][0] == ("citizen", "sent")
    assert _said("web-kept")[-1][2] == "请问具体地址在哪里？"


def test_a_message_rasa_broke_down_on_is_not_sent_again_and_the_citizen_is_asked_to_resend():
    async def conversation() -> tuple[list[dict], int]:
        async with server(_drop) as url:
            hub = _hub(url, url)
            try:
                told = await hub.handle("web-broken", "rest", "我要投诉噪音，着火了")
                return told, await hub.drain_once()
            finally:
                await hub.stop()

    told, again = run(conversation())  # type: ignore[misc]
    text = told[-1]["text"]
    assert "再发一次" in text and "不会丢失" not in text
    assert "119" in text  # an emergency still gets its number
    assert again == 0
    assert _said("web-broken")[0][:2] == ("citizen", "failed")


def _answering(after: float, text: str = "请问具体地址在哪里？") -> Handler:
    async def handler(request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(after)
        return web.json_response([{"recipient_id": body["sender"], "text": text}])
    return handler


def test_an_answer_kept_just_as_the_wait_ends_gets_no_busy_notice_after_it(monkeypatch):
    """The answer is in the transcript when the gateway's wait runs out (its thread has not
    returned yet): a busy notice after it would have the citizen wait for an answer they have."""
    from bot.store import transcript

    def slow_to_return(keep):  # type: ignore[no-untyped-def]
        def kept(*args, **kwargs):  # type: ignore[no-untyped-def]
            done = keep(*args, **kwargs)  # committed ...
            import time
            time.sleep(0.6)  # ... and the wait runs out before the hub hears of it
            return done
        return kept

    # the answer alone, or with the replies taken for the waiting request in the same transaction
    for name in ("answer", "answer_and_claim"):
        monkeypatch.setattr(transcript, name, slow_to_return(getattr(transcript, name)))

    async def conversation() -> list[dict]:
        async with server(_answering(0.05)) as url:
            hub = _hub(url, url, rasa_timeout=0.3)
            try:
                return await hub.handle("web-just-in-time", "rest", "小区门口的路灯坏了")
            finally:
                await hub.stop()

    told = run(conversation())
    assert [m["text"] for m in told] == ["请问具体地址在哪里？"]  # type: ignore[index]
    assert [a for a, _, _ in _said("web-just-in-time")] == ["citizen", "bot"]


def test_a_slow_rasa_busy_notice_comes_before_the_answer_and_an_emergency_does_not_wait(monkeypatch):
    from bot.gateway import hub as hub_module

    monkeypatch.setattr(hub_module, "EMERGENCY_WAIT", 0.3)

    async def conversation() -> tuple[list[dict], float, list[dict], float]:
        async with server(_answering(1.2)) as url:
            hub = _hub(url, url, rasa_timeout=0.8)
            try:
                started = asyncio.get_running_loop().time()
                plain = await hub.handle("web-slow", "rest", "小区门口的路灯坏了")
                plain_after = asyncio.get_running_loop().time() - started
                started = asyncio.get_running_loop().time()
                urgent = await hub.handle("web-fire", "rest", "楼道里着火了，好多烟")
                urgent_after = asyncio.get_running_loop().time() - started
                await asyncio.sleep(1.5)  # the answers follow
                return plain, plain_after, urgent, urgent_after
            finally:
                await hub.stop()

    plain, plain_after, urgent, urgent_after = run(conversation())  # type: ignore[misc]
    assert "已经保存" in plain[-1]["text"] and plain_after >= 0.8
    assert "119" in urgent[-1]["text"] and urgent_after < 0.8
    for sender in ("web-slow", "web-fire"):
        assert [a for a, _, _ in _said(sender)] == ["citizen", "system", "bot"]


def test_rasa_saying_nothing_outside_a_handoff_is_not_left_in_silence():
    async def nothing(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response([])  # e.g. an action's answer came too late and Rasa dropped it

    async def conversation() -> list[dict]:
        async with server(nothing) as url:
            hub = _hub(url, url)
            try:
                return await hub.handle("web-silent", "rest", "确认")
            finally:
                await hub.stop()

    told = run(conversation())
    assert [m["author"] for m in told] == ["system"]  # type: ignore[index]
    assert "再发一次" in told[0]["text"]  # type: ignore[index]
    assert _said("web-silent") == [("citizen", "sent", "确认"), ("system", "sent", told[0]["text"])]  # type: ignore[index]


def test_a_message_answered_in_time_costs_four_transactions_and_its_answer_is_given_once():
    """The citizen's message, the handoff state, the pending messages, and Rasa's answer kept
    and taken for the waiting request together (it was five: the answer and its claim apart)."""
    from sqlalchemy.orm import Session

    from bot.store import db

    opened = []

    class Counted(Session):  # type: ignore[misc]
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            opened.append(1)
            super().__init__(*args, **kwargs)

    async def conversation() -> tuple[list[dict], int, list[dict]]:
        async with server(_answering(0.0)) as url:
            hub = _hub(url, url)
            try:
                await hub.handle("web-counted", "rest", "你们热线几点上班")  # the store's first use
                opened.clear()
                db.Session, plain = Counted, db.Session
                try:
                    told = await hub.handle("web-counted", "rest", "小区门口的路灯坏了")
                finally:
                    db.Session = plain
                return told, len(opened), await hub.take_undelivered("web-counted")
            finally:
                await hub.stop()

    told, transactions, left = run(conversation())  # type: ignore[misc]
    assert [m["text"] for m in told] == ["请问具体地址在哪里？"]
    assert transactions == 4 and left == []
    assert [(a, s) for a, s, _ in _said("web-counted")][-2:] == [("citizen", "sent"), ("bot", "sent")]
