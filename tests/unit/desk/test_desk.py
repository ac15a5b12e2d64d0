"""The duty desk: alerts grouped per citizen, deliveries to the linkage units kept until they
arrive (a webhook receiver that is down, then up, gets every alert once, signed), escalation
after the profile's time, and honest words to the citizen. Real database, real HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json

from aiohttp import web

from bot import citizen_texts, desk
from bot.desk import linkage
from bot.language.emergency import CONFIDENT, POSSIBLE, Emergency
from bot.profile import load_profile
from bot.store import alerts
from bot.store.models import utcnow

ANSHAN = load_profile("anshan")
FIRE = Emergency("fire", ("119",), "着火")
FIRE_HURT = Emergency("fire", ("119", "120"), "着火")
GAS = Emergency("gas", ("119",), "煤气味")


def test_one_citizens_messages_within_minutes_are_one_alert():
    first = desk.raise_alert("c1", "web", "楼道里着火了", FIRE, CONFIDENT, ANSHAN)
    second = desk.raise_alert("c1", "web", "有人被烟呛晕了", FIRE_HURT, CONFIDENT, ANSHAN)
    other = desk.raise_alert("c2", "web", "楼道里着火了", FIRE, CONFIDENT, ANSHAN)
    assert first.new and not second.new and second.alert_id == first.alert_id and other.new
    alert = alerts.get(first.alert_id)
    assert alert["messages"] == 2 and alert["numbers"] == ["119", "120"]
    assert "楼道里着火了" in alert["text"] and "有人被烟呛晕了" in alert["text"]
    # 120 came with the second message: the ambulance centre gets it too, the fire centre once
    assert sorted(d["contact"] for d in alert["deliveries"]) == ["ambulance", "fire"]
    later = alerts.record("c1", "web", "又着火了", "fire", ["119"], now=utcnow() + dt.timedelta(minutes=30))
    assert later.new


def test_a_possible_emergency_is_on_the_desk_but_not_sent_to_the_linkage_units():
    rec = desk.raise_alert("c3", "wechat", "我家老人好像不太对劲", Emergency("medical", ("120",), ""), POSSIBLE, ANSHAN)
    alert = alerts.get(rec.alert_id)
    assert alert["level"] == "possible" and alert["deliveries"] == []
    # a confident message of the same citizen a minute later makes it confident and sends it
    desk.raise_alert("c3", "wechat", "叫不醒了，没呼吸了", Emergency("medical", ("120",), "叫不醒"), CONFIDENT, ANSHAN)
    alert = alerts.get(rec.alert_id)
    assert alert["level"] == "confident" and [d["contact"] for d in alert["deliveries"]] == ["ambulance"]


def test_gas_goes_to_the_fire_centre_and_the_gas_company():
    rec = desk.raise_alert("c4", "web", "厨房一股煤气味", GAS, CONFIDENT, ANSHAN)
    assert sorted(d["contact"] for d in alerts.get(rec.alert_id)["deliveries"]) == ["fire", "gas"]


def test_place_is_read_from_the_words_when_given():
    rec = desk.raise_alert("c5", "web", "铁东区胜利南路25号楼道里着火了", FIRE, CONFIDENT, ANSHAN)
    assert "胜利南路" in (alerts.get(rec.alert_id)["place"] or "")


def test_acknowledge_once_note_and_listing_by_state():
    rec = desk.raise_alert("c6", "web", "着火了", FIRE, CONFIDENT, ANSHAN)
    assert [a["id"] for a in alerts.listing("open")] == [rec.alert_id]
    first = alerts.acknowledge(rec.alert_id, "张值班", "已转119")
    again = alerts.acknowledge(rec.alert_id, "李坐席", None)
    assert first["acknowledged_by"] == again["acknowledged_by"] == "张值班" and again["note"] == "已转119"
    assert alerts.listing("open") == [] and [a["id"] for a in alerts.listing("acknowledged")] == [rec.alert_id]
    assert alerts.add_note(rec.alert_id, "李坐席", "消防已到场")["note"] == "消防已到场"
    assert alerts.acknowledge(999999, "x", None) is None and alerts.add_note(999999, "x", "y") is None


def test_escalation_after_the_time_once():
    rec = desk.raise_alert("c7", "web", "着火了", FIRE, CONFIDENT, ANSHAN)
    done = desk.raise_alert("c8", "web", "着火了", FIRE, CONFIDENT, ANSHAN)
    desk.raise_alert("c9", "web", "老人不太舒服", Emergency("medical", ("120",), ""), POSSIBLE, ANSHAN)  # never escalated
    alerts.acknowledge(done.alert_id, "张值班", None)
    assert alerts.escalate_due(60) == []
    later = utcnow() + dt.timedelta(seconds=61)
    assert alerts.escalate_due(60, now=later) == [rec.alert_id]
    assert alerts.escalate_due(60, now=later) == []
    assert alerts.get(rec.alert_id)["escalated_at"] is not None
    assert desk.escalate_after(ANSHAN) == 60


def test_honest_words_only_when_the_desk_has_it():
    assert citizen_texts.RECORDED in citizen_texts.emergency_reply(FIRE, ANSHAN, True)
    told = citizen_texts.emergency_reply(FIRE, ANSHAN, False)
    assert citizen_texts.RECORDED not in told and "值班" not in told and told.startswith("情况紧急，请立即拨打119")


class Receiver:
    """A linkage unit's webhook endpoint: down (503) until told otherwise; checks signatures."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.up = False
        self.got: list[dict] = []
        self.bad_signatures = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(self.secret.encode(), request.headers["X-Hotline-Timestamp"].encode()
                                        + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Hotline-Signature", "")):
            self.bad_signatures += 1
            return web.Response(status=401)
        if not self.up:
            return web.Response(status=503)
        self.got.append(json.loads(body))
        return web.Response(status=204)


def test_a_receiver_that_is_down_then_up_gets_every_alert_once(monkeypatch):
    monkeypatch.setattr(linkage, "backoff", lambda attempts: 0.0)

    async def scenario() -> Receiver:
        receiver = Receiver("s3cret")
        app = web.Application()
        app.router.add_post("/alerts", receiver.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        env = {"HOTLINE_LINKAGE_URL_FIRE": f"http://127.0.0.1:{port}/alerts", "HOTLINE_LINKAGE_SECRET_FIRE": "s3cret"}
        senders = linkage.senders_from_env(ANSHAN, env)
        assert isinstance(senders["fire"], linkage.WebhookSender) and isinstance(senders["police"], linkage.LogSender)
        notifier = linkage.Notifier(senders)
        try:
            for i in range(3):
                desk.raise_alert(f"w{i}", "web", f"{i}号楼着火了", FIRE, CONFIDENT, ANSHAN)
            for _ in range(3):  # down: every attempt fails, nothing is lost
                assert await notifier.send_due() == 0
            pending = [d for a in alerts.listing("all") for d in a["deliveries"]]
            assert pending and all(d["status"] == "pending" and d["attempts"] >= 3 for d in pending)
            assert all("503" in (d["last_error"] or "") for d in pending)
            receiver.up = True
            assert await notifier.send_due() == 3
            assert await notifier.send_due() == 0  # nothing twice
        finally:
            await notifier.stop()
            await runner.cleanup()
        return receiver

    receiver = asyncio.run(scenario())
    assert receiver.bad_signatures == 0
    assert sorted(r["alert"]["text"] for r in receiver.got) == ["0号楼着火了", "1号楼着火了", "2号楼着火了"]
    assert all(r["contact"] == "fire" and r["alert"]["numbers"] == ["119"] for r in receiver.got)
    assert all(d["status"] == "delivered" for a in alerts.listing("all") for d in a["deliveries"])


def test_a_contact_without_an_address_is_logged_and_the_desk_says_so():
    desk.raise_alert("l1", "web", "有人持刀抢劫", Emergency("violence", ("110",), "抢劫"), CONFIDENT, ANSHAN)
    notifier = linkage.Notifier(linkage.senders_from_env(ANSHAN, {}))
    assert asyncio.run(notifier.send_due()) == 1
    assert [d["status"] for d in alerts.listing("all")[0]["deliveries"]] == ["logged"]


def test_a_delivery_claimed_by_one_sender_is_not_claimed_by_another():
    desk.raise_alert("d1", "web", "着火了", FIRE, CONFIDENT, ANSHAN)
    first = alerts.claim_due()
    assert len(first) == 1 and alerts.claim_due() == []
    # the first sender died: after its lease the delivery is claimed again
    assert len(alerts.claim_due(now=utcnow() + dt.timedelta(seconds=31))) == 1
