"""When a part is down or slow, the citizen is told their message is kept, an emergency still
gets its number at once, nothing is lost, and the conversation goes on when the part is back.
A stack of its own (parts are killed here)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid

import pytest

from bot.store import alerts, transcript
from channels.web import sessions
from tests.support.socket_client import SocketCitizen, texts
from tests.support.stack import start_stack


@pytest.fixture(scope="module")
def fragile(tmp_path_factory):
    s = start_stack(tmp_path_factory.mktemp("fragile"), HOTLINE_RASA_TIMEOUT="4", HOTLINE_RETRY_EVERY="1")
    yield s
    s.stop()


@pytest.fixture
def db(fragile, monkeypatch):
    monkeypatch.setenv("HOTLINE_DB_URL", fragile.db_url)


def wait_until(check, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def test_action_server_down_message_kept_and_answered_when_back(fragile, db):
    me = "rest-fault-" + uuid.uuid4().hex[:8]
    fragile.kill("actions")
    busy = fragile.say(me, "小区门口的路灯坏了一个多月了，晚上黑漆漆的")
    assert len(busy) == 1 and "已经保存" in busy[0]["text"] and busy[0]["author"] == "system"
    kept = transcript.history(me)
    assert kept[0].text.startswith("小区门口的路灯") and kept[0].status == "pending"
    fragile.start("actions")
    fragile.wait_ready(["actions"])
    assert wait_until(lambda: transcript.history(me)[0].status == "sent")
    # The answer to the kept message comes first, then the answer to the new one.
    replies = fragile.say(me, "铁东区胜利南路25号")
    assert len(replies) >= 2 and "已经保存" not in texts(replies)
    authors = [e.author for e in transcript.history(me)]
    assert authors[:3] == ["citizen", "system", "bot"] and authors.count("citizen") == 2


def test_rasa_down_emergency_still_answered_and_conversation_resumes(fragile, db):
    async def scenario():
        citizen = SocketCitizen(fragile.url)
        await citizen.connect()
        sender = sessions.sender_of(citizen.session_id)
        fragile.kill("rasa")
        fire = texts(await citizen.say("救命，我家厨房着火了，火很大"))
        assert "119" in fire and "已经保存" in fire
        raised = [a for a in alerts.listing("open") if a["sender"] == sender]
        assert raised and raised[0]["kind"] == "fire"
        before = len(citizen.replies)
        plain = texts(await citizen.say("我想咨询一下居住证怎么办理"))
        assert "已经保存" in plain and "情况紧急，请立即拨打" not in plain
        assert [e.status for e in transcript.history(sender) if e.author == "citizen"] == ["pending", "pending"]
        fragile.start("rasa")
        await asyncio.to_thread(fragile.wait_ready, ["rasa"])
        # Kept messages are delivered in order and the answers pushed to the open page.
        assert await citizen.wait_for_replies(before + 3, wait=60)
        late = texts(citizen.replies[before + 1:])
        assert "居住证" in late
        statuses = [e.status for e in transcript.history(sender) if e.author == "citizen"]
        assert statuses == ["sent", "sent"]
        await citizen.close()

    asyncio.run(scenario())


def test_rasa_slow_citizen_told_then_answer_follows(fragile, db):
    async def scenario():
        citizen = SocketCitizen(fragile.url)
        await citizen.connect()
        os.kill(fragile.procs["rasa"].pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            first = await citizen.say("你好", wait=15)
            assert "繁忙" in texts(first) and time.monotonic() - started < 10
        finally:
            os.kill(fragile.procs["rasa"].pid, signal.SIGCONT)
        assert await citizen.wait_for_replies(len(citizen.replies) + 1, wait=30)
        assert "热线" in texts(citizen.replies[-2:])
        await citizen.close()

    asyncio.run(scenario())
