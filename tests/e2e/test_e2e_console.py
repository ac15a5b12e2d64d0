"""Agents take over, end to end: real gateway, Rasa and action servers; agents log in to the
console API and listen on its websocket as the page does; citizens talk through REST, socket.io
(the web widget's protocol) and WeChat. The page itself: tests/e2e/test_e2e_browser.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest
import requests

from bot.store import alerts, repository
from channels.web import sessions
from tests.e2e.conftest import WECHAT
from tests.support.stack import ROOT

PASSWORD = "console-pass-1"


def add_agent(stack, name: str, role: str = "agent", unit: str | None = None) -> str:
    username = f"{name}-{uuid.uuid4().hex[:6]}"
    done = subprocess.run([sys.executable, "-m", "bot.console", "adduser", username, "--name", name, "--role", role,
                           "--password-stdin"] + (["--unit", unit] if unit else []),
                          input=PASSWORD + "\n", text=True, capture_output=True, cwd=ROOT,
                          env={**os.environ, "HOTLINE_DB_URL": stack.db_url}, timeout=60)
    assert done.returncode == 0, done.stderr
    return username


@pytest.fixture
def db(stack, monkeypatch):
    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)


class Agent:
    """An agent in the console: logged in, listening on the websocket like the page."""

    def __init__(self, stack, username: str) -> None:
        self.stack, self.username = stack, username
        self.events: list[dict] = []

    async def __aenter__(self) -> Agent:
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        r = await self.http.post(f"{self.stack.url}/console/login",
                                 json={"username": self.username, "password": PASSWORD})
        assert r.status == 200, await r.text()
        self.csrf = (await r.json())["csrf"]
        self.ws = await self.http.ws_connect(f"{self.stack.url}/console/ws")
        self._reader = asyncio.ensure_future(self._read())
        return self

    async def _read(self) -> None:
        async for msg in self.ws:
            self.events.append(json.loads(msg.data))

    async def __aexit__(self, *exc) -> None:
        self._reader.cancel()
        await self.ws.close()
        await self.http.close()

    async def post(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        r = await self.http.post(f"{self.stack.url}{path}", json=body or {}, headers={"X-CSRF-Token": self.csrf})
        return r.status, await r.json()

    async def get(self, path: str) -> dict:
        r = await self.http.get(f"{self.stack.url}{path}")
        assert r.status == 200, await r.text()
        return await r.json()

    async def waiting(self, sender_id: str, timeout: float = 15) -> dict:
        for _ in range(int(timeout / 0.2)):
            for item in (await self.get("/console/api/queue"))["items"]:
                if item["sender_id"] == sender_id and item["status"] == "waiting":
                    return item
            await asyncio.sleep(0.2)
        raise AssertionError(f"{sender_id} never waited in the queue")

    async def seen(self, sender_id: str, text: str, timeout: float = 10) -> bool:
        for _ in range(int(timeout / 0.1)):
            if any(e.get("type") == "message" and e.get("sender_id") == sender_id and e["entry"].get("text") == text
                   for e in self.events):
                return True
            await asyncio.sleep(0.1)
        return False


async def say(stack, sender: str, text: str) -> list[dict]:
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as r:
            return await r.json()


def texts(replies: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)


def test_nothing_of_the_console_without_logging_in(stack):
    url = stack.url
    assert requests.get(f"{url}/console", allow_redirects=False, timeout=10).headers["Location"] == "/console/login"
    assert requests.get(f"{url}/console/login", timeout=10).status_code == 200
    for path in ("/console/api/queue", "/console/api/me", "/console/api/conversations/web-x", "/console/ws"):
        assert requests.get(f"{url}{path}", timeout=10).status_code == 401, path
    assert requests.post(f"{url}/console/api/triage", json={"text": "x"}, timeout=10).status_code == 401
    username = add_agent(stack, "赵敏")
    bad = [requests.post(f"{url}/console/login", json={"username": username, "password": "guess"}, timeout=10)
           for _ in range(11)]
    assert [r.status_code for r in bad[:10]] == [401] * 10 and bad[10].status_code == 429
    assert "用户名或密码不对" in bad[0].json()["message"]
    for padded in (f" {username}", f"{username}\t", f"{username} "):  # the same account, however padded
        again = requests.post(f"{url}/console/login", json={"username": padded, "password": "guess"}, timeout=10)
        assert again.status_code == 429, padded
    other = add_agent(stack, "钱程")  # another account from the same address still logs in
    s = requests.Session()
    login = s.post(f"{url}/console/login", json={"username": other, "password": PASSWORD}, timeout=10)
    assert login.status_code == 200 and "HttpOnly" in login.headers["Set-Cookie"]
    assert "SameSite=Strict" in login.headers["Set-Cookie"]
    assert s.get(f"{url}/console/api/queue", timeout=10).status_code == 200
    forged = s.post(f"{url}/console/api/triage", json={"text": "楼上漏水"}, timeout=10)  # no CSRF token
    assert forged.status_code == 403
    ok = s.post(f"{url}/console/api/triage", json={"text": "我是铁西区张女士，电话13912345678，楼上天天半夜装修"},
                headers={"X-CSRF-Token": login.json()["csrf"]}, timeout=10)
    assert ok.status_code == 200 and ok.json()["fields"]["phone"] == "13912345678"


def agents_answers() -> list[tuple[str, str]]:
    """研判's 直接答复（坐席） as the store counted them: (channel, reason) each."""
    from bot.store.db import session_scope
    from bot.store.models import DirectAnswer

    with session_scope() as s:
        return [(r.channel, r.reason) for r in s.query(DirectAnswer).filter_by(kind="agent").order_by(DirectAnswer.id)]


def test_agent_takes_over_answers_and_hands_back_to_the_form(stack, db):
    one, two = add_agent(stack, "王丽"), add_agent(stack, "张强")
    me = f"rest-c-{uuid.uuid4().hex[:8]}"
    counted = agents_answers()

    async def scenario() -> None:
        async with Agent(stack, one) as wang, Agent(stack, two) as zhang:
            assert "请问" in texts(await say(stack, me, "小区门口的井盖丢了好几天了，晚上特别危险"))
            queued = texts(await say(stack, me, "我要找人工客服"))
            assert "转接人工" in queued and "您是下一位" in queued
            item = await wang.waiting(me)
            assert item["reason_label"] == "市民要求人工" and item["preview"] == "我要找人工客服"
            assert any(e["type"] == "queue" and any(i["sender_id"] == me for i in e["items"]) for e in zhang.events)
            # Two agents click 「接入」 at once: one gets it.
            results = await asyncio.gather(wang.post(f"/console/api/handoffs/{item['id']}/claim"),
                                           zhang.post(f"/console/api/handoffs/{item['id']}/claim"))
            assert sorted(status for status, _ in results) == [200, 409]
            holder = wang if results[0][0] == 200 else zhang
            other = zhang if holder is wang else wang
            # The citizen is told a person is answering; the bot stays silent while held.
            joined = await say(stack, me, "在铁东区胜利路和二一九路交口")
            assert [m.get("author") for m in joined] == ["agent"] and "工作人员" in joined[0]["text"]
            assert await holder.seen(me, "在铁东区胜利路和二一九路交口")
            urged = await say(stack, me, "你们快点来人看看")  # the bot is silent (a safety line may come)
            assert all(m.get("author") == "system" and "情况紧急" not in m["text"] for m in urged), urged
            conv = await holder.get(f"/console/api/conversations/{me}")
            assert conv["fields"]["content"].startswith("小区门口的井盖丢了")
            assert [e["author"] for e in conv["transcript"]][:2] == ["citizen", "bot"]
            status, _ = await other.post(f"/console/api/conversations/{me}/reply", {"text": "我来"})
            assert status == 409  # only the holder answers
            status, _ = await holder.post(f"/console/api/conversations/{me}/reply", {"text": "好的，已经记下了，马上处理"})
            assert status == 200
            status, _ = await holder.post(f"/console/api/conversations/{me}/note", {"text": "市民情绪平稳"})
            assert status == 201
            status, _ = await other.post(f"/console/api/conversations/{me}/note", {"text": "路过看看"})
            assert status == 409  # notes only on a conversation one holds
            # Hand back without filing: the form goes on from its question; 研判 counts it answered by the agent.
            assert (await holder.post(f"/console/api/conversations/{me}/handback"))[0] == 200
            assert agents_answers() == [*counted, ("rest", "citizen_request")]
            # Least privilege (issue 18): handed back, it is no longer an agent's to read.
            r = await holder.http.get(f"{stack.url}/console/api/conversations/{me}")
            assert r.status == 404
            back = await say(stack, me, "好的")
            back_text = texts(back)
            assert "好的，已经记下了" in back_text and "智能助手继续为您服务" in back_text
            assert "怎么称呼" in back_text or "联系电话" in back_text or "请问" in back_text, back_text
            tracker = stack.tracker(me)
            assert tracker["paused"] is False and tracker["active_loop"].get("name") == "intake_form"
            events = [e for e in tracker["events"] if e.get("event") == "bot"]
            assert any((e.get("metadata") or {}).get("author") == "agent" for e in events)

    asyncio.run(scenario())


def test_agent_files_the_order_and_emergencies_still_get_numbers_at_once(stack, db):
    username = add_agent(stack, "孙悦")
    me = f"rest-c-{uuid.uuid4().hex[:8]}"
    counted = agents_answers()

    async def scenario() -> None:
        async with Agent(stack, username) as sun:
            await say(stack, me, "转人工")
            item = await sun.waiting(me)
            assert (await sun.post(f"/console/api/handoffs/{item['id']}/claim"))[0] == 200
            urgent = await say(stack, me, "等一下，楼道里着火了，好多烟")
            assert "119" in texts(urgent)  # at once, while a person holds the conversation
            assert any(a["sender"] == me for a in alerts.listing("open"))
            await say(stack, me, "火已经灭了，没事了。我想反映铁西区兴盛街8号楼道里堆满杂物，物业不清理")
            status, body = await sun.post(f"/console/api/conversations/{me}/file", {
                "request_type": "投诉", "content": "铁西区兴盛街8号楼道堆满杂物，物业不清理，存在消防隐患",
                "address": "铁西区兴盛街8号", "district": "铁西区", "name": "李先生", "phone": "13512345678",
                "confidential": False, "wants_reply": True})
            assert status == 201, body
            number = body["order"]["number"]
            status, body = await sun.post(f"/console/api/conversations/{me}/file", {"request_type": "吐槽", "content": "x"})
            assert status == 400 and "诉求类型" in body["message"]
            assert (await sun.post(f"/console/api/conversations/{me}/close"))[0] == 200
            assert agents_answers() == counted  # an order was filed: dispatched, not answered directly
            told = texts(await say(stack, me, "你们热线几点上班"))
            assert number in told and "本次服务已结束" in told and "全天候" in told
            order = repository.get_order(number)
            assert (order.channel, order.phone, order.request_type) == ("rest", "13512345678", "投诉")

    asyncio.run(scenario())


def test_an_agents_filings_are_split_and_checked_for_repeats_like_the_bots(stack, db):
    """Both agent doors file through bot/orders/filing.py: a chat taken over with two matters for
    two units becomes two orders (the citizen is told both numbers); the same matter filed again in
    that chat is the open order, not a second one; a phone call from the same number about the
    same matter is told as a repeat too (an agent reads the caller's number off the line)."""
    username = add_agent(stack, "吴坐席")
    me = f"rest-c-{uuid.uuid4().hex[:8]}"
    fields = {"request_type": "投诉", "content": "我们单位拖欠工资三个月了，还有我家暖气一直不热",
              "address": "铁东区胜利南路25号楼", "district": "铁东区", "name": "韩先生", "phone": "13612345678"}

    async def scenario():
        async with Agent(stack, username) as wu:
            await say(stack, me, "转人工")
            item = await wu.waiting(me)
            assert (await wu.post(f"/console/api/handoffs/{item['id']}/claim"))[0] == 200
            status, first = await wu.post(f"/console/api/conversations/{me}/file", fields)
            assert status == 201, first
            status, again = await wu.post(f"/console/api/conversations/{me}/file", {
                **fields, "content": "单位拖欠我工资已经三个月了"})
            assert status == 201, again
            status, call = await wu.post("/console/api/calls", {"fields": {**fields, "content": "单位拖欠工资三个月了 一直不给"}})
            assert status == 201, call
            return first["order"], again["order"], call["order"], (await wu.get(f"/console/api/conversations/{me}"))

    first, again, call, conversation = asyncio.run(scenario())
    assert not first["repeat"] and len(first["others"]) == 1
    heat = first["others"][0]
    assert heat["unit"] == "供热企业；市供热主管部门" and "暖气" in heat["content"]
    assert repository.get_order(first["number"]).content == "我们单位拖欠工资三个月了"
    assert again["repeat"] and again["number"] == first["number"]
    assert call["repeat"] and call["number"] == first["number"]
    told = json.dumps(conversation, ensure_ascii=False)
    assert heat["number"] in told and "不重复立单" in told


def test_agent_reply_reaches_a_wechat_citizen(stack, db):
    from channels.wechat.simulate import WechatUser

    username = add_agent(stack, "周敏")
    me = WechatUser(f"{stack.url}/wechat", "o" + uuid.uuid4().hex[:27], token=WECHAT["token"],
                    aes_key=WECHAT["aes_key"], appid=WECHAT["appid"], mode=WECHAT["mode"], api_url=stack.wechat_api_url)

    async def scenario() -> None:
        async with Agent(stack, username) as zhou:
            with ThreadPoolExecutor(1) as pool:
                posted = await asyncio.get_running_loop().run_in_executor(pool, me.event, "CLICK", "AGENT")
            assert "转接人工" in (posted.reply or "")
            item = await zhou.waiting(f"wechat-{me.openid}")
            assert item["channel"] == "wechat"
            await zhou.post(f"/console/api/handoffs/{item['id']}/claim")
            await zhou.post(f"/console/api/conversations/wechat-{me.openid}/reply", {"text": "您好，请讲"})
            for _ in range(50):
                if any("您好，请讲" in t for t in me.pushed_texts()):
                    break
                await asyncio.sleep(0.2)
            assert any(t == "【人工客服】您好，请讲" for t in me.pushed_texts())

    asyncio.run(scenario())


def test_expert_seat_only_with_the_citizens_consent(stack, db):
    agent, expert = add_agent(stack, "吴刚"), add_agent(stack, "郑专家", role="expert")
    me = f"rest-c-{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        async with Agent(stack, agent) as wu, Agent(stack, expert) as zheng:
            await say(stack, me, "转人工")
            item = await wu.waiting(me)
            # An expert seat claims only what was sent to experts; the duty desk is not theirs.
            status, body = await zheng.post(f"/console/api/handoffs/{item['id']}/claim")
            assert status == 403 and body["error"] == "not_for_experts"
            assert (await zheng.http.get(f"{stack.url}/console/api/alerts?state=all")).status == 403
            await wu.post(f"/console/api/handoffs/{item['id']}/claim")
            assert (await wu.post(f"/console/api/conversations/{me}/ask-expert"))[0] == 200
            r = await zheng.http.get(f"{stack.url}/console/api/conversations/{me}")
            assert r.status == 404  # an expert reads only what an expert seat was asked into (issue 18)
            asked = await say(stack, me, "我想问一下工伤认定的具体标准")
            question = [m for m in asked if "专家坐席" in (m.get("text") or "")]
            assert question and [b["title"] for b in question[0]["buttons"]] == ["同意转接", "不用了"]
            status, body = await wu.post(f"/console/api/conversations/{me}/transfer-expert", {"consent": False})
            assert status == 400 and "同意" in body["message"]
            await say(stack, me, "同意转接")
            assert (await wu.post(f"/console/api/conversations/{me}/transfer-expert", {"consent": True}))[0] == 200
            # An expert seat is outside the hotline: it names the conversation by its handle, never
            # by the citizen's channel identity (issue 18).
            seat = f"h{item['id']}"
            queued = await zheng.waiting(seat)
            assert queued["reason_label"] == "需要专家坐席"
            assert (await zheng.get(f"/console/api/conversations/{seat}"))["sender_id"] == seat
            assert (await zheng.http.get(f"{stack.url}/console/api/conversations/{me}")).status == 404
            assert me not in json.dumps((await zheng.get("/console/api/queue"))["items"])
            status, body = await wu.post(f"/console/api/handoffs/{queued['id']}/claim")
            assert status == 403 and "专家" in body["message"]  # an expert seat's conversation is the expert's
            assert (await zheng.post(f"/console/api/handoffs/{queued['id']}/claim"))[0] == 200
            joined = texts(await say(stack, me, "好的"))
            assert "正在为您转接专家坐席" in joined and "郑专家" in joined
            assert await zheng.seen(seat, "好的")  # live, by handle
            assert (await zheng.post(f"/console/api/conversations/{seat}/reply", {"text": "您好，我是专家"}))[0] == 200
            assert me not in json.dumps(zheng.events, ensure_ascii=False)

    asyncio.run(scenario())


def test_an_alerts_conversation_is_taken_only_while_the_emergency_is_fresh(stack, db):
    from sqlalchemy import update

    from bot.store.db import session_scope
    from bot.store.models import EmergencyAlert, utcnow

    agent = add_agent(stack, "钱值班")
    me = f"rest-c-{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        async with Agent(stack, agent) as qian:
            await say(stack, me, "楼道里着火了，浓烟很大")
            items = (await qian.get("/console/api/alerts?state=all"))["items"]
            alert = next(a for a in items if a["sender"] == me)
            with session_scope() as s:  # three hours later, handed back long ago
                s.execute(update(EmergencyAlert).where(EmergencyAlert.id == alert["id"])
                          .values(last_at=utcnow() - dt.timedelta(hours=3)))
            status, body = await qian.post(f"/console/api/alerts/{alert['id']}/take")
            assert status == 409 and body["error"] == "too_old"

    asyncio.run(scenario())


class RestCitizen:
    def __init__(self, stack) -> None:
        self.stack, self.sender_id = stack, f"rest-c-{uuid.uuid4().hex[:8]}"

    async def start(self) -> None:
        pass

    async def say(self, text: str) -> str:
        return texts(await say(self.stack, self.sender_id, text))

    async def stop(self) -> None:
        pass


class WidgetCitizen(RestCitizen):
    async def start(self) -> None:
        from tests.support.socket_client import SocketCitizen

        self.socket = SocketCitizen(self.stack.url)
        await self.socket.connect()
        self.sender_id = sessions.sender_of(self.socket.session_id)

    async def say(self, text: str) -> str:
        from tests.support.socket_client import texts as socket_texts

        return socket_texts(await self.socket.say(text))

    async def stop(self) -> None:
        await self.socket.close()


class WechatCitizen(RestCitizen):
    """The passive reply and what is pushed (客服消息) within a few seconds after it."""

    async def start(self) -> None:
        from channels.wechat.simulate import WechatUser

        self.user = WechatUser(f"{self.stack.url}/wechat", "o" + uuid.uuid4().hex[:27], token=WECHAT["token"],
                               aes_key=WECHAT["aes_key"], appid=WECHAT["appid"], mode=WECHAT["mode"],
                               api_url=self.stack.wechat_api_url)
        self.sender_id = f"wechat-{self.user.openid}"

    async def say(self, text: str) -> str:
        before = len(self.user.pushed_texts())
        posted = await asyncio.to_thread(self.user.text, text)
        await asyncio.sleep(3)
        return "\n".join([posted.reply or "", *self.user.pushed_texts()[before:]])


@pytest.mark.parametrize("kind", [RestCitizen, WidgetCitizen, WechatCitizen], ids=["rest", "widget", "wechat"])
def test_after_hand_back_nothing_stale_one_line_and_the_next_question(stack, db, kind):
    """Issue: messages taken while a person held the conversation came back as a burst of bot
    replies at hand back (the form's question three times, the fire guidance again), and a
    thank-you was taken as the citizen's name."""
    username = add_agent(stack, "周婷")
    citizen = kind(stack)

    async def scenario() -> None:
        await citizen.start()
        me = citizen.sender_id
        try:
            async with Agent(stack, username) as zhou:
                assert "称呼" in await citizen.say("我要投诉小区物业乱收费")
                queued = await citizen.say("转人工")
                assert queued.count("转接人工") == 1 and "您是下一位" in queued, queued
                item = await zhou.waiting(me)
                assert (await zhou.post(f"/console/api/handoffs/{item['id']}/claim"))[0] == 200
                await zhou.post(f"/console/api/conversations/{me}/reply", {"text": "您好，请讲"})
                await citizen.say("他们每个月多收我们五十块钱电梯费")
                await citizen.say("<img src=x onerror=alert(1)>")
                assert "119" in await citizen.say("哎呀楼道里着火了，好大的烟")
                assert (await zhou.post(f"/console/api/conversations/{me}/handback"))[0] == 200
                back = await citizen.say("好的谢谢")
                assert back.count("智能助手继续为您服务") <= 1, back
                assert "情况紧急" not in back and "119" not in back, back
                assert back.count("请问怎么称呼您") <= 1 and "联系电话" not in back, back
                assert "已把您补充的情况" not in back, back
                slots = stack.tracker(me)["slots"]
                assert slots.get("name") in (None, ""), slots.get("name")  # neither the HTML nor 好的谢谢
                assert "电梯费" in (slots.get("content") or ""), slots.get("content")
        finally:
            await citizen.stop()

    asyncio.run(scenario())


def test_a_phone_call_is_filed_like_the_bots_orders_urgent_dispatched_at_once_and_supervised_first(stack, db):
    """An agent types a call into 新来电: a whole building without heating is an urgent order,
    dispatched at once to the heating company and first in the supervisor's 紧急工单; an ordinary
    call goes through 智能派单 like the bot's orders (it used to skip it)."""
    agent = add_agent(stack, "孙坐席")
    supervisor = add_agent(stack, "钱班长", "supervisor")
    fields = {"request_type": "求助", "content": "我们这栋楼暖气从昨天就不热了，屋里才十度，家里有刚满月的孩子",
              "address": "铁东区胜利南路25号楼", "name": "刘女士", "phone": "13912345678"}

    async def go():
        async with Agent(stack, agent) as a:
            status, body = await a.post("/console/api/calls", {"fields": fields})
            assert status == 201, body
            urgent = body["order"]
            status, body = await a.post("/console/api/calls", {"fields": {
                **fields, "content": "楼下饭店的油烟直接排到居民楼里，开窗就是一股油烟味", "request_type": "投诉"}})
            assert status == 201, body
            ordinary = body["order"]
            status, body = await a.post("/console/api/calls", {"fields": {**fields, "content": ""}})
            assert status == 400 and "诉求内容" in body["message"]
        async with Agent(stack, supervisor) as s:
            return urgent, ordinary, await s.get("/console/api/oversight")

    urgent, ordinary, oversight = asyncio.run(go())
    assert urgent["urgent"] == "heating" and urgent["urgent_label"] == "供暖中断" and urgent["due_at"]
    assert urgent["status"] == "dispatched" and urgent["unit"] == "供热企业；市供热主管部门"
    assert oversight["urgent"][0]["number"] == urgent["number"]
    assert ordinary["urgent"] is None
    assert repository.get_order(ordinary["number"]).suggested_unit  # 智能派单 read it


def test_a_callers_emergency_is_on_the_duty_desk_once_per_call_and_has_no_chat_to_take(stack, db):
    """新来电: the agent reads the call (智能识别) and is told to transfer it to 119; the duty desk
    has it too, one alert however often the call is read again; 「接管对话」 does not apply."""
    agent = add_agent(stack, "周坐席")
    call_id = uuid.uuid4().hex[:16]
    text = "来电人说他家楼下的车库着火了，烟很大，有人还在里面没出来"

    async def go():
        async with Agent(stack, agent) as a:
            status, first = await a.post("/console/api/triage", {"text": text, "call_id": call_id})
            assert status == 200, first
            status, again = await a.post("/console/api/triage", {"text": text + "，地址是铁西区兴盛街8号",
                                                                  "call_id": call_id})
            status_plain, plain = await a.post("/console/api/triage", {"text": "咨询一下公积金怎么提取",
                                                                        "call_id": call_id})
            items = (await a.get("/console/api/alerts?state=open"))["items"]
            took = await a.post(f"/console/api/alerts/{first['desk_alert']}/take")
            return first, again, (status_plain, plain), items, took

    first, again, (status_plain, plain), items, took = asyncio.run(go())
    assert "119" in first["emergency"]["numbers"] and first["desk_alert"]
    assert again["desk_alert"] == first["desk_alert"]  # the same call: one alert
    assert status_plain == 200 and plain["emergency"] is None and plain["desk_alert"] is None
    mine = [i for i in items if i["id"] == first["desk_alert"]]
    assert mine and mine[0]["channel"] == "phone" and mine[0]["sender"] == f"phone-{call_id}"
    assert took[0] == 409 and took[1]["error"] == "phone_call"
