"""WeChat deliveries (issue 24): a 客服消息 WeChat does not take is kept, never marked delivered,
tried again with backoff while the citizen's 48-hour window is open, then undelivered for good
and shown to the agents. Real HTTP throughout: the gateway's /wechat (signed, encrypted messages
from channels.wechat.simulate), WeChat's API stand-in (channels.wechat.fake_api) told to fail, and
a small stand-in for Rasa that answers after WeChat's passive-reply wait. The retry loop's clock
is injected: nobody sleeps for 48 hours."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from aiohttp import web

from bot.console import accounts
from bot.console.common import COOKIE
from bot.console.web import Console
from bot.gateway import metrics
from bot.gateway.config import GatewayConfig
from bot.gateway.deliveries import Deliveries
from bot.gateway.hub import Hub
from bot.gateway.rasa import RasaClient
from bot.profile import load_profile
from bot.store import deliveries, transcript
from bot.store.shared import DatabaseStore
from channels.wechat.adapter import WechatChannel
from channels.wechat.client import WechatApi
from channels.wechat.config import WechatConfig
from channels.wechat.fake_api import FakeWechat
from channels.wechat.simulate import WechatUser
from tests.support.helpers import wait_for
from tests.support.stack import free_port

ACCOUNT = {"token": "deliveryToken", "aes_key": "RGVsaXZlcmllc0FyZUtlcHRBbmRSZXRyaWVkMjAyNjQ", "appid": "wxdeliveries0001"}
HOUR = 3600.0


class FakeRasa:
    """Rasa's REST channel and the bits of its HTTP API the hub uses; answers after ``delay``."""

    def __init__(self) -> None:
        self.delay = 0.0

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(self.delay)
        return web.json_response([{"recipient_id": body["sender"], "text": f"答复：{body['message']}"}])

    async def ok(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "slots": {}})

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes([web.get("/", self.ok), web.get("/health", self.ok),
                        web.post("/webhooks/rest/webhook", self.webhook),
                        web.get("/conversations/{id}/tracker", self.ok),
                        web.post("/conversations/{id}/tracker/events", self.ok)])
        return app


@dataclass
class Gateway:
    url: str
    hub: Hub
    channel: WechatChannel
    retries: Deliveries
    console: Console


class Rig:
    """WeChat's API, Rasa and gateways, served on one event loop in a thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.runners: list[web.AppRunner] = []
        self.gateways: list[Gateway] = []
        self.offset = 0.0  # the retry loops' clock runs this far ahead
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.fake = FakeWechat()
        self.rasa = FakeRasa()
        self.api_url = self.run(self._serve(self.fake.app()))
        self.rasa_url = self.run(self._serve(self.rasa.app()))

    def run(self, coro: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _serve(self, app: web.Application) -> str:
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        self.runners.append(runner)
        return f"http://127.0.0.1:{port}"

    def gateway(self) -> Gateway:
        async def make() -> Gateway:
            config = GatewayConfig()
            hub = Hub(config, RasaClient(self.rasa_url, self.rasa_url), load_profile("anshan"))
            wechat = WechatConfig(**ACCOUNT, secret="s3cret", mode="safe", api_base=f"{self.api_url}/cgi-bin/",
                                  reply_wait=0.3, development=False)
            store = DatabaseStore()
            channel = WechatChannel(wechat, config, hub, store, WechatApi(wechat, store))
            console = Console(hub)
            hub.on_undelivered(console.on_undelivered)
            app = web.Application()
            app.add_routes(channel.routes() + console.routes())
            url = await self._serve(app)
            return Gateway(url, hub, channel, Deliveries(hub, every=3600, clock=lambda: time.time() + self.offset),
                           console)

        gateway = self.run(make())
        self.gateways.append(gateway)
        return gateway

    def citizen(self, gateway: Gateway) -> WechatUser:
        return WechatUser(f"{gateway.url}/wechat", "o" + uuid.uuid4().hex[:27], mode="safe", api_url=self.api_url,
                          **ACCOUNT)

    def retry(self, gateway: Gateway, after: float) -> int:
        """The gateway's retry loop, one round, ``after`` seconds from now."""
        self.offset = after
        return self.run(gateway.retries.run_once())

    def close(self) -> None:
        async def stop() -> None:
            for g in self.gateways:
                await g.channel.close()
                await g.hub.rasa.close()
            for runner in reversed(self.runners):
                await runner.cleanup()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def rig():
    r = Rig()
    yield r
    r.close()



def rows(sender_id: str) -> list[dict[str, Any]]:
    entries = [e for e in transcript.history(sender_id) if e.author != "citizen"]
    states = deliveries.for_messages([e.id for e in entries])
    return [{"text": e.text, "delivered": e.delivered, **(states.get(e.id) or {})} for e in entries]


def counter(c: Any, *labels: str) -> float:
    return c.labels(*labels)._value.get()


def deferred_answer(rig: Rig, me: WechatUser, text: str) -> dict[str, Any]:
    """The citizen writes; the answer comes after WeChat's passive wait and its push fails."""
    rig.rasa.delay = 0.8
    assert me.text(text).body == "success"
    sender = f"wechat-{me.openid}"
    kept = wait_for(lambda: [r for r in rows(sender) if r.get("attempts")], 15, every=0.05)
    assert kept, rows(sender)
    rig.rasa.delay = 0.0
    return kept[0]


def test_a_deferred_answer_wechat_refuses_is_kept_retried_with_backoff_and_arrives_once(rig):
    gw = rig.gateway()
    me = rig.citizen(gw)
    me.fail_pushes(-1)  # WeChat busy for this citizen until it recovers
    failures_before = counter(metrics.DELIVERY_FAILURES, "wechat", "-1")
    kept = deferred_answer(rig, me, "路灯坏了")
    assert kept["text"] == "答复：路灯坏了" and kept["delivered"] is False  # never marked delivered on failure
    assert (kept["status"], kept["attempts"], kept["code"]) == ("retrying", 1, "-1")
    assert "繁忙" in kept["reason"] and me.pushed_texts() == []
    assert counter(metrics.DELIVERY_FAILURES, "wechat", "-1") == failures_before + 1
    assert rig.retry(gw, after=10) == 0 and rig.fake.custom_calls == 1  # not due yet (30 s)
    assert rig.retry(gw, after=31) == 0  # still refused: the next try a minute later
    [again] = rows(f"wechat-{me.openid}")
    assert (again["status"], again["attempts"], again["delivered"]) == ("retrying", 2, False)
    assert rig.retry(gw, after=31 + 50) == 0 and rig.fake.custom_calls == 2
    me.recover_pushes()
    assert rig.retry(gw, after=31 + 61) == 1
    assert me.pushed_texts() == ["答复：路灯坏了"]
    assert rig.retry(gw, after=10 * HOUR) == 0 and me.pushed_texts() == ["答复：路灯坏了"]
    [done] = rows(f"wechat-{me.openid}")
    assert done["delivered"] is True and done["status"] == "delivered"


def test_a_final_error_stops_at_once_and_puts_the_conversation_before_the_agents(rig):
    gw = rig.gateway()
    me = rig.citizen(gw)
    me.fail_pushes(43004)  # the citizen unfollowed the account
    given_up_before = counter(metrics.DELIVERY_GIVEN_UP, "wechat", "43004")
    kept = deferred_answer(rig, me, "我要投诉噪音")
    assert (kept["status"], kept["attempts"], kept["delivered"]) == ("undelivered", 1, False)
    assert "取消关注" in kept["reason"]
    assert counter(metrics.DELIVERY_GIVEN_UP, "wechat", "43004") == given_up_before + 1
    calls = rig.fake.custom_calls
    assert rig.retry(gw, after=HOUR) == 0 and rig.fake.custom_calls == calls  # never tried again

    # An agent (nobody holds the conversation) finds it in the queue and reads why.
    sender = f"wechat-{me.openid}"
    agent = accounts.create_agent("liu", "刘坐席", "agent", "long-enough-1")
    token, csrf = accounts.start_session(agent)
    http = requests.Session()
    http.cookies.set(COOKIE, token)
    queue = http.get(f"{gw.url}/console/api/queue", timeout=10).json()
    [line] = queue["undelivered"]
    assert line["sender_id"] == sender and line["count"] == 1 and "取消关注" in line["reason"]
    conv = http.get(f"{gw.url}/console/api/conversations/{sender}", timeout=10)
    assert conv.status_code == 200
    [answer] = [t for t in conv.json()["transcript"] if t["text"] == "答复：我要投诉噪音"]
    assert answer["delivery"]["label"] == "未送达" and "取消关注" in answer["delivery"]["reason"]
    seen = http.post(f"{gw.url}/console/api/conversations/{sender}/undelivered/seen",
                     headers={"X-CSRF-Token": csrf}, timeout=10)
    assert seen.status_code == 200
    assert http.get(f"{gw.url}/console/api/queue", timeout=10).json()["undelivered"] == []
    # Taken note of: an agent reads it again only when it is in the queue (least privilege).
    assert http.get(f"{gw.url}/console/api/conversations/{sender}", timeout=10).status_code == 404


def test_after_48_hours_it_is_undelivered_shown_in_the_console_and_comes_with_the_next_message(rig):
    gw = rig.gateway()
    me = rig.citizen(gw)
    me.fail_pushes(-1)
    deferred_answer(rig, me, "小区停水了")
    calls = rig.fake.custom_calls
    assert rig.retry(gw, after=49 * HOUR) == 0
    assert rig.fake.custom_calls == calls  # the window is over: not even tried
    [kept] = rows(f"wechat-{me.openid}")
    assert (kept["status"], kept["code"], kept["delivered"]) == ("undelivered", "window", False)
    assert "48小时" in kept["reason"]

    boss = accounts.create_agent("zhang", "张班长", "supervisor", "long-enough-2")
    token, _ = accounts.start_session(boss)
    conv = requests.get(f"{gw.url}/console/api/conversations/wechat-{me.openid}", cookies={COOKIE: token},
                        timeout=10).json()
    [answer] = [t for t in conv["transcript"] if t["author"] == "bot"]
    assert answer["delivery"]["status"] == "undelivered" and answer["delivery"]["label"] == "未送达"
    assert "48小时" in answer["delivery"]["reason"]

    # The citizen writes again (a new window): the passive reply carries what was kept, first,
    # and nothing is pushed twice.
    me.recover_pushes()
    reply = me.text("还没有人回复我").reply
    assert reply is not None and reply.index("答复：小区停水了") < reply.index("答复：还没有人回复我")
    assert me.pushed_texts() == []
    assert all(r["delivered"] for r in rows(f"wechat-{me.openid}"))
    assert rows(f"wechat-{me.openid}")[0]["status"] == "delivered"
    assert rig.retry(gw, after=50 * HOUR) == 0 and me.pushed_texts() == []


def test_two_gateways_never_send_the_same_entry_twice(rig):
    one, two = rig.gateway(), rig.gateway()
    citizens = [rig.citizen(one) for _ in range(3)]
    for me in citizens:
        me.fail_pushes(-1)
        deferred_answer(rig, me, f"第{me.openid[-4:]}号的问题")
    for me in citizens:
        me.recover_pushes()
    # An agent's message to the first citizen (pushed at once, with the kept answer before it)
    # while both gateways' loops run for the same entries.
    rig.offset = 31

    async def together() -> list[Any]:
        return await asyncio.gather(one.retries.run_once(), two.retries.run_once(), one.retries.run_once(),
                                    one.hub.agent_say(f"wechat-{citizens[0].openid}", "wechat", "王坐席", "您好"))

    rig.run(together())
    rig.retry(two, after=HOUR)
    for me in citizens:
        texts = me.pushed_texts()
        assert texts.count(f"答复：第{me.openid[-4:]}号的问题") == 1, texts
    assert citizens[0].pushed_texts()[-1] == "【人工客服】您好"
    assert all(r["delivered"] for me in citizens for r in rows(f"wechat-{me.openid}"))


def test_a_refused_token_is_refreshed_once_and_the_message_goes_out(rig):
    gw = rig.gateway()
    me = rig.citizen(gw)
    assert me.text("先打个招呼").reply == "答复：先打个招呼"
    fetches = rig.fake.token_fetches
    rig.fake.revoke_tokens()  # WeChat no longer takes the token we hold (40001)
    rig.run(gw.hub.agent_say(f"wechat-{me.openid}", "wechat", "王坐席", "我们已经收到"))
    assert me.pushed_texts() == ["【人工客服】我们已经收到"]
    assert rig.fake.token_fetches == fetches + 1
    assert [r.get("status") for r in rows(f"wechat-{me.openid}")] == [None, None]  # nothing kept to retry


def test_an_order_update_wechat_refuses_is_kept_in_the_conversation_and_retried(rig):
    from bot.gateway.order_updates import OrderUpdates
    from bot.orders import lifecycle
    from bot.store import repository
    from channels.wechat.notify import WechatTeller

    gw = rig.gateway()
    me = rig.citizen(gw)
    assert me.text("你好").reply
    sender = f"wechat-{me.openid}"
    order, _ = repository.file_order(repository.OrderRequest(
        request_type="投诉", content="楼下烧烤店油烟很大", address="铁东区胜利路1号", district="铁东区", name="王女士",
        phone="13912345678", confidential=False, wants_reply=True, channel="wechat", sender_id=sender,
        idempotency_key=f"t-{me.openid}"), load_profile("anshan"))
    lifecycle.dispatch(order.number, "市生态环境局", "staff:派单员", load_profile("anshan"))
    updates = OrderUpdates(gw.hub, gw.channel.store)
    updates.register("wechat", WechatTeller(gw.channel))
    rig.fake.fail(-1, count=1)
    assert rig.run(updates.run_once()) == 0
    [kept] = [r for r in rows(sender) if order.number in (r["text"] or "")]
    assert (kept["status"], kept["delivered"]) == ("retrying", False)
    assert rig.retry(gw, after=31) == 1
    assert [t for t in me.pushed_texts() if order.number in t] and len(me.pushed_texts()) == 1


@pytest.mark.parametrize("_own_database", ["sqlite", "postgresql"], indirect=True)
def test_the_store_keeps_backs_off_claims_once_and_gives_up_at_the_window(_own_database):
    import datetime as dt
    from concurrent.futures import ThreadPoolExecutor

    now = dt.datetime(2026, 12, 7, 3, 0)
    ids = [transcript.add("wechat-o1", "wechat", "bot", f"答复{i}", delivered=True) for i in range(3)]
    until = now + dt.timedelta(hours=2)
    assert deliveries.failed(ids, "wechat-o1", "wechat", "-1", "微信系统繁忙", until=until, now=now) == "retrying"
    assert [e.id for e in transcript.undelivered("wechat-o1")] == ids  # given back, not delivered
    assert deliveries.claim_due(now + dt.timedelta(seconds=29)) == []
    later = now + dt.timedelta(seconds=30)
    with ThreadPoolExecutor(4) as pool:  # four gateways at once: each entry claimed by one
        claimed = [d.message_id for batch in pool.map(lambda _: deliveries.claim_due(later), range(4)) for d in batch]
    assert sorted(claimed) == ids
    assert deliveries.claim_due(later + dt.timedelta(seconds=59)) == []  # leased
    # Failing again: 1 minute, then 2, 4 … at most 30, never past the window's end.
    assert [deliveries.backoff(n) for n in (1, 2, 3, 4, 7, 20)] == [30, 60, 120, 240, 1800, 1800]
    deliveries.failed(ids[:1], "wechat-o1", "wechat", "-1", "微信系统繁忙", until=until, now=later)
    assert deliveries.for_messages(ids[:1])[ids[0]]["attempts"] == 2
    assert [d.message_id for d in deliveries.claim_due(later + dt.timedelta(seconds=60))] == ids  # lease over too
    assert deliveries.failed(ids, "wechat-o1", "wechat", "-1", "微信系统繁忙", until=until, now=until) == "undelivered"
    assert deliveries.claim_due(until + dt.timedelta(days=1)) == []
    assert [u["count"] for u in deliveries.unseen_undelivered()] == [3]
    # The citizen's next message takes them: delivered, and off the agents' list.
    assert [e.id for e in transcript.claim_undelivered("wechat-o1")] == ids
    assert {s["status"] for s in deliveries.for_messages(ids).values()} == {"delivered"}
    assert deliveries.unseen_undelivered() == [] and not deliveries.has_unseen("wechat-o1")
