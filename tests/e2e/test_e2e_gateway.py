"""End-to-end through the gateway: Rasa's REST and socket.io protocols, the API, uploads and
the units' knowledge-base API, against the real Rasa, action server and gateway."""

from __future__ import annotations

import asyncio
import io
import struct
import time
import uuid
import zlib

import pytest
import requests

from bot.store import repository, transcript
from channels.web import sessions
from tests.e2e.conftest import KB_KEY, KB_UNIT, STAFF_KEY
from tests.e2e.test_e2e_conversations import order_number
from tests.support.socket_client import SocketCitizen

STAFF = {"Authorization": f"Bearer {STAFF_KEY}"}
KB = {"Authorization": f"Bearer {KB_KEY}"}
COMPLAINT = "我叫王建国，电话13898765432，铁东区胜利南路25号楼下烧烤店天天营业到凌晨两点，噪音油烟太大，我要投诉"


def complaint() -> tuple[str, str]:
    """A complaint with a phone of its own (the same phone and matter would be a repeat)."""
    phone = "139" + str(uuid.uuid4().int)[:8]
    return f"我叫王建国，电话{phone}，铁东区胜利南路25号楼下烧烤店天天营业到凌晨两点，噪音油烟太大，我要投诉", phone


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def store(stack, monkeypatch):
    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)
    return repository


def file_complaint(stack, me: str) -> tuple[str, str]:
    text, phone = complaint()
    stack.text(me, text)
    return order_number(stack.text(me, "确认")), phone


# ------------------------------------------------------------------ REST through the gateway

def test_rest_filing_is_in_the_transcript(stack, store):
    me = "rest-gw-" + uuid.uuid4().hex[:8]
    number, phone = file_complaint(stack, me)
    order = store.get_order(number)
    assert order.channel == "rest" and order.sender_id == me and order.phone == phone
    everything = transcript.history(me)
    # 智能派单 may dispatch the order at once, and the citizen is then told (a system notice,
    # within the notices loop's 5 s): the conversation itself is the four messages.
    entries = [e for e in everything if not (e.author == "system" and number in (e.text or ""))]
    assert [e.author for e in entries] == ["citizen", "bot", "citizen", "bot"]
    assert phone in entries[0].text and number in entries[-1].text
    assert all(e.status == "sent" and e.delivered for e in entries)


@pytest.mark.parametrize("body,status,code", [
    (b"not json", 400, "invalid_json"),
    (b"[1, 2]", 400, "invalid_body"),
    (b'{"sender": "x"}', 400, "invalid_message"),
    # an issued id's public shape: naming it would share the issued conversation, even in development
    (b'{"sender": "0123456789abcdef0123456789abcdef", "message": "hi"}', 403, "unknown_sender"),
    (b'{"sender": 5, "message": "hi"}', 400, "invalid_sender"),
    ('{"sender": "' + "x" * 500 + '", "message": "hi"}', 400, "invalid_sender"),
])
def test_rest_rejects_malformed_requests_clearly(stack, body, status, code):
    r = requests.post(f"{stack.url}/webhooks/rest/webhook", data=body, timeout=10)
    assert r.status_code == status and r.json()["error"] == code and r.json()["message"]


@pytest.mark.parametrize("sender", ["web-0123456789abcdef0123456789abcdef", "wechat-oAbCdEf123", "WEB-x",
                                    "phone-0123456789abcdef"])
def test_rest_cannot_speak_for_a_web_or_wechat_citizen(stack, store, sender):
    """Every REST conversation is rest-…: a REST client naming a web, WeChat or phone
    conversation talks in its own (development) conversation of that name, never in theirs."""
    r = requests.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": "确认"}, timeout=10)
    assert r.status_code == 200 and r.json()[0]["recipient_id"] == sender
    assert transcript.history(sender) == [] and transcript.history("rest-" + sender)


def test_rest_without_a_sender_gets_its_own_conversation_never_a_shared_one(stack, store):
    first = requests.post(f"{stack.url}/webhooks/rest/webhook", json={"message": "你好"}, timeout=30).json()
    other = requests.post(f"{stack.url}/webhooks/rest/webhook", json={"message": "你好"}, timeout=30).json()
    mine, theirs = first[0]["recipient_id"], other[0]["recipient_id"]
    assert mine != theirs and sessions.public_id(mine, "rest") and sessions.public_id(theirs, "rest")
    assert transcript.history("rest-" + sessions.public_id(mine, "rest"))
    again = requests.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": mine, "message": "在吗"}, timeout=30)
    assert again.status_code == 200 and again.json()[0]["recipient_id"] == mine


def test_empty_and_huge_messages_get_a_clear_answer(stack, store):
    me = "rest-gw-" + uuid.uuid4().hex[:8]
    assert "没有收到" in stack.text(me, "   ")
    huge = "楼下噪音" * 1000
    reply = stack.say(me, huge)
    assert "太长" in reply[0]["text"] and reply[0]["author"] == "system"
    kept = transcript.history(me)
    assert kept[0].text == huge and kept[0].status == "refused"  # kept, not lost


def test_emergency_through_the_gateway_gives_the_number_at_once(stack):
    reply = stack.text("rest-gw-" + uuid.uuid4().hex[:8], "救命啊楼道里着火了，烟很大")
    assert "119" in reply


# ------------------------------------------------------------------ socket.io (Rasa's protocol)

async def socket_conversation(url: str, session_id: str | None, messages: list[str], history: bool = False):
    citizen = SocketCitizen(url)
    sid = await citizen.connect(session_id, history)
    for text in messages:
        await citizen.say(text)
    await citizen.close()
    return sid, {"bot_uttered": citizen.replies, "history": citizen.history}


def test_socketio_protocol_files_an_order_with_quick_replies(stack, store):
    sid, events = asyncio.run(socket_conversation(stack.url, None, [complaint()[0], "确认"]))
    assert len(sid) >= 8
    replies = events["bot_uttered"]
    summary = next(r for r in replies if "核对" in r.get("text", ""))
    assert {"content_type": "text", "title": "确认提交", "payload": "确认"} in summary["quick_replies"]
    assert summary["metadata"]["author"] == "bot"
    number = order_number(replies[-1]["text"])
    order = store.get_order(number)
    assert order.channel == "web" and order.sender_id == sessions.sender_of(sid)


def test_socketio_session_survives_a_reconnect_with_history(stack):
    sid, _ = asyncio.run(socket_conversation(stack.url, None, ["我要投诉", "楼下饭店油烟太大了，好几个月了"]))
    again, events = asyncio.run(socket_conversation(stack.url, sid, [], history=True))
    assert again == sid
    history = events["history"][0]
    assert [h["author"] for h in history][:2] == ["citizen", "bot"]
    assert history[2]["text"] == "楼下饭店油烟太大了，好几个月了"


def test_socketio_invalid_session_id_gets_a_new_one(stack):
    sid, _ = asyncio.run(socket_conversation(stack.url, "../../etc/passwd", []))
    assert sid != "../../etc/passwd" and sessions.public_id(sid)


def test_a_conversations_name_alone_never_opens_it(stack, store):
    """Issue 18: the name agents see (web-<public id>), a made-up token for it, or the old
    plain ids give a new empty session: no history, no undelivered replies, no uploads."""
    sid, _ = asyncio.run(socket_conversation(stack.url, None, [complaint()[0]]))
    public = sessions.public_id(sid)
    for forged in (public, f"web-{public}", public + "-" + "A" * 22, sid[:-1] + ("B" if sid[-1] != "B" else "C")):
        other, events = asyncio.run(socket_conversation(stack.url, forged, [], history=True))
        assert sessions.public_id(other) != public
        assert events["history"] == [[]] and not events["bot_uttered"]
        r = requests.post(f"{stack.url}/api/uploads", data={"session_id": forged},
                          files={"file": ("a.png", png(), "image/png")}, timeout=10)
        assert r.status_code == 400 and r.json()["error"] == "invalid_session"
    again, events = asyncio.run(socket_conversation(stack.url, sid, [], history=True))  # the page itself
    assert again == sid and events["history"][0][0]["author"] == "citizen"


def test_socketio_refuses_pages_of_other_sites(stack):
    """A page on another site cannot open the widget's connection (a browser sends its Origin)."""
    for origin, allowed in ((stack.url, True), ("https://evil.example", False)):
        r = requests.get(f"{stack.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}, timeout=10)
        assert (r.status_code == 200) == allowed, (origin, r.status_code, r.text[:100])


# ------------------------------------------------------------------ uploads

def test_uploaded_image_is_attached_to_the_order(stack, store):
    sid, _ = asyncio.run(socket_conversation(stack.url, None, [complaint()[0]]))
    r = requests.post(f"{stack.url}/api/uploads", data={"session_id": sid},
                      files={"file": ("油烟.png", png(), "image/png")}, timeout=10)
    assert r.status_code == 201 and "证据" in r.json()["message"]
    _, events = asyncio.run(socket_conversation(stack.url, sid, ["确认"]))
    texts = "\n".join(e.get("text", "") for e in events["bot_uttered"])
    assert "1张图片" in texts
    order = store.get_order(order_number(texts))
    data = store.order_as_dict(order)
    assert [a["filename"] for a in data["attachments"]] == ["油烟.png"]
    assert data["attachments"][0]["content_type"] == "image/png"


@pytest.mark.parametrize("name,content,status,code", [
    ("a.png", b"<script>alert(1)</script>", 415, "unsupported_type"),
    ("a.exe", b"MZ\x90\x00" + b"\x00" * 100, 415, "unsupported_type"),
    ("a.png", b"", 400, "empty_file"),
])
def test_bad_uploads_are_refused_clearly(stack, name, content, status, code):
    r = requests.post(f"{stack.url}/api/uploads", data={"session_id": sessions.issue()},
                      files={"file": (name, content, "image/png")}, timeout=10)
    assert r.status_code == status and r.json()["error"] == code and r.json()["message"]


def test_oversized_upload_is_refused(stack):
    big = png() + b"\x00" * (5 * 1024 * 1024 + 10)
    r = requests.post(f"{stack.url}/api/uploads", data={"session_id": sessions.issue()},
                      files={"file": ("big.png", io.BytesIO(big), "image/png")}, timeout=30)
    assert r.status_code == 413 and "5MB" in r.json()["message"]


def test_upload_needs_a_valid_session(stack):
    r = requests.post(f"{stack.url}/api/uploads", data={"session_id": "x"},
                      files={"file": ("a.png", png(), "image/png")}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_session"


# ------------------------------------------------------------------ triage and work orders

def test_triage_reads_a_phone_call(stack):
    text = "我是铁西区的张女士，电话13912345678，我家楼上天天半夜装修，我要投诉"
    assert requests.post(f"{stack.url}/api/triage", json={"text": text}, timeout=10).status_code == 401
    r = requests.post(f"{stack.url}/api/triage", json={"text": text}, headers=STAFF, timeout=10)
    data = r.json()
    assert r.status_code == 200 and data["type"] == "投诉" and data["emergency"] is None
    assert data["fields"]["phone"] == "13912345678" and data["fields"]["district"] == "铁西区"
    fire = requests.post(f"{stack.url}/api/triage", json={"text": "厨房着火了"}, headers=STAFF, timeout=10).json()
    assert fire["emergency"]["numbers"][0] == "119"
    bad = requests.post(f"{stack.url}/api/triage", json={"text": ""}, headers=STAFF, timeout=10)
    assert bad.status_code == 400


def test_workorder_lookup_staff_citizen_and_strangers(stack, store):
    number, phone = file_complaint(stack, "rest-gw-" + uuid.uuid4().hex[:8])
    url = f"{stack.url}/api/workorders/{number}"
    staff = requests.get(url, headers=STAFF, timeout=10).json()
    assert staff["name"] == "王建国" and staff["phone"] == phone and staff["type"] == "投诉"
    assert staff["number"] == number and staff["status"] in ("pending", "dispatched") and staff["deadline"]
    citizen = requests.get(url, params={"phone_last4": phone[-4:]}, timeout=10).json()
    assert citizen["phone"] == phone[:3] + "****" + phone[-4:] and citizen["name"] == "王**"
    assert citizen["sender_id"] is None
    assert requests.get(url, timeout=10).status_code == 401
    wrong = "0000" if phone[-4:] != "0000" else "1111"
    assert requests.get(url, params={"phone_last4": wrong}, timeout=10).status_code == 404
    assert requests.get(url, headers=KB, timeout=10).status_code == 403
    assert requests.get(f"{stack.url}/api/workorders/AS-19990101-0001", headers=STAFF, timeout=10).status_code == 404
    # Five wrong guesses at one order, from anywhere, lock it for every asker (the chat's count too):
    # sequential numbers and 10,000 combinations are not a directory of 举报.
    for _ in range(4):
        assert requests.get(url, params={"phone_last4": wrong}, timeout=10).status_code == 404
    assert requests.get(url, params={"phone_last4": phone[-4:]}, timeout=10).status_code == 429
    assert requests.get(url, headers=STAFF, timeout=10).status_code == 200  # staff are not guessing


def test_openapi_document_and_docs_page(stack):
    spec = requests.get(f"{stack.url}/api/openapi.json", timeout=10).json()
    assert {"/api/triage", "/api/workorders/{number}", "/webhooks/rest/webhook", "/api/uploads"} <= set(spec["paths"])
    assert "swagger-ui" in requests.get(f"{stack.url}/api/docs", timeout=10).text


def test_every_page_has_security_headers_and_its_inline_scripts_are_allowed_by_hash(stack):
    """nosniff everywhere; a CSP on every page that lets only this origin's scripts and the
    page's own inline scripts (by hash) run; staff pages never framed, the widget only by itself
    (issue 18, hardening). The browser tests fail on any script the policy refuses."""
    from bot.gateway.headers import inline_script_hashes

    for path, framed in [("/", "'self'"), ("/webchat", "'self'"), ("/console", "'none'"), ("/console/login", "'none'"),
                         ("/console/orders", "'none'"), ("/api/docs", "'none'")]:
        r = requests.get(f"{stack.url}{path}", timeout=10)
        assert r.status_code == 200, path
        csp = r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], path
        assert f"frame-ancestors {framed}" in csp, path
        assert r.headers["X-Frame-Options"] == ("DENY" if framed == "'none'" else "SAMEORIGIN"), path
        for digest in inline_script_hashes(r.text):
            assert digest in csp, path
    api = requests.get(f"{stack.url}/api/openapi.json", timeout=10)
    assert api.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" not in api.headers
    missing = requests.get(f"{stack.url}/api/workorders/nothing-here", timeout=10)
    assert missing.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz_checks_every_part(stack):
    r = requests.get(f"{stack.url}/healthz", timeout=10)
    assert r.status_code == 200 and r.json()["checks"] == {"rasa": True, "actions": True, "database": True}


# ------------------------------------------------------------------ units keep the KB current

def test_unit_updates_an_article_and_the_bot_answers_with_it_without_restart(stack):
    question = "小区二次供水水箱多久清洗一次"
    article = {
        "title": "二次供水水箱清洗周期",
        "topic": "供水停水",
        "questions": [question, "水箱多长时间洗一次", "二次供水水箱清洗"],
        "answer": "二次供水设施（水箱、水池）每半年至少清洗消毒一次，清洗后须经水质检测合格方可恢复供水。",
        "unit": KB_UNIT,
        "source": "测试单位录入",
    }
    url = f"{stack.url}/api/kb/articles/water-tank-cleaning-test"
    assert requests.put(url, json=article, timeout=10).status_code == 401
    assert requests.put(url, json=article, headers=STAFF, timeout=10).status_code == 403
    wrong_unit = requests.put(url, json={**article, "unit": "市民政局"}, headers=KB, timeout=10)
    assert wrong_unit.status_code == 403
    broken = requests.put(url, json={**article, "questions": "不是列表"}, headers=KB, timeout=10)
    assert broken.status_code == 422 and "questions" in broken.json()["message"]
    r = requests.put(url, json=article, headers=KB, timeout=10)
    assert r.status_code == 201, r.text
    assert requests.get(url, headers=KB, timeout=10).json()["answer"] == article["answer"]
    deadline = time.monotonic() + 60
    reply = ""
    while time.monotonic() < deadline:
        reply = stack.text("rest-kb-" + uuid.uuid4().hex[:8], question)
        if "每半年" in reply:
            break
        time.sleep(2)
    assert "每半年" in reply and KB_UNIT.split("；")[0] in reply
    updated = requests.put(url, json={**article, "answer": "二次供水水箱每季度清洗消毒一次。"}, headers=KB, timeout=10)
    assert updated.status_code == 200


# ------------------------------------------------------------------ floods, figures, logs

def _post_many(stack, senders_and_texts, headers=None) -> list[list[dict]]:
    from concurrent.futures import ThreadPoolExecutor

    def one(item):
        sender, text = item
        r = requests.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                          headers=headers or {}, timeout=60)
        return r.status_code, r.json()

    with ThreadPoolExecutor(len(senders_and_texts)) as pool:  # all at once, as a flood comes
        return list(pool.map(one, senders_and_texts))


def test_a_flooding_citizen_is_told_politely_keeps_the_messages_and_others_are_served(stack, store):
    from tests.e2e.conftest import FLOOD_BURST

    flooder, other = f"rest-flood-{uuid.uuid4().hex[:8]}", f"rest-calm-{uuid.uuid4().hex[:8]}"
    total = FLOOD_BURST + 15
    results = _post_many(stack, [(flooder, f"第{i}条：怎么还没人回复") for i in range(total)])
    texts = [m.get("text", "") for _status, body in results for m in body]
    assert all(status == 200 for status, _ in results)
    assert sum("发送消息太频繁" in t for t in texts) == 1  # told once, not once per message
    kept = [e for e in transcript.history(flooder, limit=500) if e.author == "citizen"]
    assert len(kept) == total and sum(e.status == "limited" for e in kept) == total - FLOOD_BURST
    # Still flooding: an emergency is never limited away.
    urgent = stack.text(flooder, "楼道里着火了，好大的烟")
    assert "119" in urgent
    # Someone else, meanwhile, is answered by the assistant as usual.
    calm = stack.text(other, "你好，我想咨询一下")
    assert calm and "频繁" not in calm and "系统繁忙" not in calm


def test_one_address_flooding_with_many_sender_ids_is_limited(stack):
    address = {"X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 250}"}
    results = _post_many(stack, [(f"rest-bot-{uuid.uuid4().hex[:8]}", "在吗") for _ in range(70)], headers=address)
    told = [m["text"] for _status, body in results for m in body if "频繁" in m.get("text", "")]
    assert 1 <= len(told) <= 10 and sum(1 for _s, body in results if not body or any("频繁" in m.get("text", "")
                                                                                     for m in body)) >= 10
    # Another address is not affected.
    fine = requests.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": f"rest-ok-{uuid.uuid4().hex[:6]}",
                         "message": "你好"}, headers={"X-Forwarded-For": "198.51.100.7"}, timeout=30).json()
    assert fine and not any("频繁" in m.get("text", "") for m in fine)


def test_metrics_for_prometheus(stack):
    stack.text(f"rest-metrics-{uuid.uuid4().hex[:8]}", "你好")
    r = requests.get(f"{stack.url}/metrics", timeout=10)  # from loopback
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    body = r.text
    for name in ("hotline_messages_total{", "hotline_message_seconds_bucket{", "hotline_pending_messages",
                 "hotline_handoff_waiting", "hotline_rate_limited_total"):
        assert name in body, name
    assert 'outcome="answered"' in body


def test_no_phone_number_or_name_in_any_log(stack):
    """Run last in this module: everything the tests above said is in the servers' logs by now."""
    phone = "139" + str(uuid.uuid4().int)[:8]
    me = f"rest-logs-{uuid.uuid4().hex[:8]}"
    stack.text(me, f"我叫欧阳娜娜，电话{phone}，身份证210302198805061234，立山区那边下水道堵了")
    stack.text(me, "确认")
    time.sleep(1)
    for name in ("gateway", "rasa", "actions"):
        text = (stack.workdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        assert phone not in text and "210302198805061234" not in text and "欧阳娜娜" not in text, name
