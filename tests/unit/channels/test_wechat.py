"""The WeChat channel's parts: WeChat's crypto with its published vector and our own
messages, signatures, replays and hostile XML, reply rendering, the shared access token, and
work-order notices. Messages are built the way WeChat's server builds them (channels.wechat.simulate)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time

import pytest
import requests
from aiohttp import web

from bot.profile import load_profile
from bot.store import notices, repository
from bot.store.shared import DatabaseStore
from channels.wechat.adapter import WechatChannel
from channels.wechat.client import WechatApi
from channels.wechat.config import WechatConfig
from channels.wechat.fake_api import FakeWechat
from channels.wechat.menu import COMMANDS, menu_definition
from channels.wechat.notify import WechatTeller
from channels.wechat.protocol import Protocol, Refused
from channels.wechat.render import (
    TEXT_LIMIT_BYTES,
    merge_for_passive,
    pick_choice,
    render,
    split_text,
)
from channels.wechat.simulate import WechatUser, signature
from tests.support.stack import free_port

# WeChat's own sample (WXBizMsgCrypt demo): token, EncodingAESKey, AppID and an encrypted message.
VECTOR = {
    "token": "spamtest", "aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "appid": "wx2c2769f8efd9abc2",
    "timestamp": "1409735669", "nonce": "1320562132", "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    "encrypt": "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAF"
               "mOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSny"
               "U8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszT"
               "fRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9e"
               "hVsNPfUM669WuMyVWQLCzpu9GhglF2PE=",
}


def vector_config(mode: str = "safe") -> WechatConfig:
    return WechatConfig(token=VECTOR["token"], aes_key=VECTOR["aes_key"], appid=VECTOR["appid"], mode=mode,
                        development=False)


def vector_params(**changes: str) -> dict[str, str]:
    params = {"signature": signature(VECTOR["token"], VECTOR["timestamp"], VECTOR["nonce"]),
              "timestamp": VECTOR["timestamp"], "nonce": VECTOR["nonce"], "encrypt_type": "aes",
              "msg_signature": VECTOR["msg_signature"], "openid": "oyORnuP8q7ou2gfYjqLzSIWZf0rs"}
    params.update(changes)
    return params


VECTOR_BODY = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{VECTOR['encrypt']}]]></Encrypt></xml>".encode()
NOW = int(VECTOR["timestamp"])


def test_wechat_published_vector_decrypts_to_its_text_message():
    inbound = Protocol(vector_config()).parse(vector_params(), VECTOR_BODY, now=NOW)
    m = inbound.message
    assert inbound.encrypted and m.type == "text"
    assert (m.content, m.source, m.id) == ("abcdteT", "oyORnuP8q7ou2gfYjqLzSIWZf0rs", 6054768590064713728)


@pytest.mark.parametrize("change, status", [
    ({"msg_signature": "0" * 40}, 403),  # ciphertext signature forged
    ({"signature": "0" * 40}, 403),  # request signature forged
    ({"nonce": "1320562133"}, 403),  # signed for another nonce
])
def test_forged_requests_are_refused(change, status):
    with pytest.raises(Refused) as refused:
        Protocol(vector_config()).parse(vector_params(**change), VECTOR_BODY, now=NOW)
    assert refused.value.status == status


def test_stale_request_is_refused_as_a_replay():
    with pytest.raises(Refused) as refused:
        Protocol(vector_config()).parse(vector_params(), VECTOR_BODY, now=NOW + 3600)
    assert refused.value.status == 403 and "stale" in refused.value.reason


def test_message_for_another_app_id_is_refused():
    config = WechatConfig(token=VECTOR["token"], aes_key=VECTOR["aes_key"], appid="wxsomeoneelse00", development=False)
    with pytest.raises(Refused) as refused:
        Protocol(config).parse(vector_params(), VECTOR_BODY, now=NOW)
    assert refused.value.status == 403


def _own(mode: str, config_mode: str | None = None) -> tuple[Protocol, WechatUser]:
    user = WechatUser("http://unused", "o_user_1", token="tok", aes_key="k" * 43, appid="wxappid000001", mode=mode)
    config = WechatConfig(token="tok", aes_key="k" * 43, appid="wxappid000001", mode=config_mode or mode,
                          development=False)
    return Protocol(config), user


def _request(user: WechatUser, xml: str) -> tuple[dict[str, str], bytes]:
    """What user.post_xml would send, captured instead of posted."""
    captured = {}

    class Capture:
        def post(self, url, params, data, timeout, headers):
            captured.update(params=params, data=data)
            raise StopIteration

    user.http = Capture()  # type: ignore[assignment]
    with pytest.raises(StopIteration):
        user.post_xml(xml)
    return captured["params"], captured["data"]


@pytest.mark.parametrize("mode", ["plain", "compatible", "safe"])
def test_each_mode_reads_messages_we_encrypt_and_answers_in_kind(mode):
    protocol, user = _own(mode)
    params, body = _request(user, user.xml("text", {"Content": "小区路灯坏了"})[0])
    inbound = protocol.parse(params, body)
    assert inbound.message.content == "小区路灯坏了" and inbound.encrypted == (mode != "plain")
    reply = protocol.text_reply(inbound, "收到，请问具体在哪里？", nonce="123")
    assert user.read_reply(reply) == "收到，请问具体在哪里？"
    assert ("<Encrypt>" in reply) == (mode != "plain")


def test_safe_mode_refuses_plaintext_and_compatible_mode_takes_it():
    safe, user = _own("plain", config_mode="safe")
    params, body = _request(user, user.xml("text", {"Content": "你好"})[0])
    with pytest.raises(Refused):
        safe.parse(params, body)
    compatible, _ = _own("plain", config_mode="compatible")
    assert compatible.parse(params, body).message.content == "你好"


@pytest.mark.parametrize("body, status", [
    (b"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;'>]>"
     b"<xml><Content>&lol2;</Content></xml>", 400),  # entity expansion
    (b"<!DOCTYPE x SYSTEM 'file:///etc/passwd'><xml/>", 400),  # external entity
    (b"<xml><ToUserName>unclosed", 400),
    (b"not xml at all", 400),
    (b"<other/>", 400),
    (b"\xff\xfe\x00bad utf8", 400),
    (b"<xml>" + b"A" * (70 * 1024) + b"</xml>", 413),
    (b"<xml><MsgType>text</MsgType><Content>no sender</Content></xml>", 400),
])
def test_hostile_and_malformed_xml_is_refused(body, status):
    protocol, user = _own("plain")
    params, _ = _request(user, user.xml("text", {"Content": "x"})[0])
    with pytest.raises(Refused) as refused:
        protocol.parse(params, body)
    assert refused.value.status == status


def test_url_verification_echoes_only_for_a_good_signature():
    protocol, _ = _own("safe")
    ts = str(int(time.time()))
    good = {"signature": signature("tok", ts, "42"), "timestamp": ts, "nonce": "42", "echostr": "hello123"}
    assert protocol.verify_url(good) == "hello123"
    with pytest.raises(Refused):
        protocol.verify_url({**good, "signature": "f" * 40})
    with pytest.raises(Refused):
        protocol.verify_url({**good, "echostr": ""})


# ---------------------------------------------------------------- rendering


def test_choices_are_numbered_and_typed_answers_map_back_to_payloads():
    chunks, choices = render([{"author": "bot", "text": "请核对信息", "buttons": [
        {"title": "确认提交", "payload": "/affirm"}, {"title": "我要修改", "payload": "/deny"}]}])
    assert chunks == ["请核对信息\n\n请回复序号或文字选择：\n1. 确认提交\n2. 我要修改"]
    stored = json.dumps(choices, ensure_ascii=False)
    assert pick_choice("1", stored)["payload"] == "/affirm"
    assert pick_choice("２", stored)["payload"] == "/deny"  # full-width digit from a phone keyboard
    assert pick_choice("确认提交。", stored)["payload"] == "/affirm"
    assert pick_choice("3", stored) is None and pick_choice("确认", stored) is None
    assert pick_choice("1", None) is None and pick_choice("1", "not json") is None


def test_agent_replies_are_marked_and_empty_replies_send_nothing():
    chunks, _ = render([{"author": "agent", "text": "您好，我是值班员小王"}, {"author": "bot", "text": ""}])
    assert chunks == ["【人工客服】您好，我是值班员小王"]
    assert render([]) == ([], [])


def test_long_answers_are_split_within_wechat_limits_and_lose_nothing():
    text = "\n".join(f"第{i}条：" + "市民反映的情况" * 20 for i in range(30)) + "\n" + "长" * 2000
    chunks = split_text(text)
    assert len(chunks) > 1 and all(len(c.encode()) <= TEXT_LIMIT_BYTES for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")
    first, rest = merge_for_passive(["短一", "短二", "长" * 700])
    assert first == "短一\n\n短二" and rest == ["长" * 700]


def test_menu_fits_wechat_and_every_click_has_words():
    menu = menu_definition()
    assert len(menu["button"]) <= 3
    keys = [b["key"] for b in menu["button"] if "key" in b] + [
        s["key"] for b in menu["button"] for s in b.get("sub_button", [])]
    assert sorted(keys) == sorted(COMMANDS)
    assert all(len(b["name"].encode()) <= 16 for b in menu["button"])  # WeChat: 4 Chinese characters


# ---------------------------------------------------------------- shared store and WeChat's API


@pytest.fixture
def redis_store():
    from bot.store.shared import RedisStore
    from tests.support import services

    store = RedisStore(services.REDIS_URL, prefix=services.redis_prefix())
    yield store
    services.drop_redis_prefix(store.prefix)


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_shared_store_add_is_once_and_entries_expire(backend, request):
    store = DatabaseStore() if backend == "database" else request.getfixturevalue("redis_store")
    assert store.add("k", "first", ttl=60) and not store.add("k", "second", ttl=60)
    assert store.get("k") == "first"
    store.set("short", "v", ttl=0.05)
    time.sleep(0.1)
    assert store.get("short") is None and store.add("short", "again", ttl=60)


@pytest.fixture
def fake_wechat():
    fake = FakeWechat()
    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(fake.app())

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/_fake/stats", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.05)
    fake.base = f"http://127.0.0.1:{port}/cgi-bin/"  # type: ignore[attr-defined]
    yield fake
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)


def _api(fake: FakeWechat, **changes) -> WechatApi:
    config = WechatConfig(token="tok", aes_key="k" * 43, appid="wxappid000001", secret="s3cret",
                          api_base=fake.base, development=False, **changes)  # type: ignore[attr-defined]
    return WechatApi(config, DatabaseStore())


def test_access_token_is_fetched_once_for_every_process_and_refreshed_before_expiry(fake_wechat):
    one, two = _api(fake_wechat), _api(fake_wechat)  # two gateway processes, one shared store

    async def send_many() -> list[bool]:
        return await asyncio.gather(*[api.send_text(f"o_{i}", "工单有进展") for i, api in enumerate([one, two] * 5)])

    assert all(asyncio.run(send_many()))
    assert fake_wechat.token_fetches == 1 and len(fake_wechat.sent) == 10
    # Four minutes before expiry: the next call refreshes it, once.
    one.client.session.set(one.client.expires_key, time.time() + 240)
    assert asyncio.run(two.send_text("o_x", "再发一条")) and asyncio.run(one.send_text("o_y", "又一条"))
    assert fake_wechat.token_fetches == 2


def test_closed_window_and_unreachable_api_are_reported_not_raised(fake_wechat):
    api = _api(fake_wechat)
    fake_wechat.closed_windows.add("o_gone")
    assert asyncio.run(api.send_text("o_gone", "你好")) is False
    dead = WechatApi(WechatConfig(api_base=f"http://127.0.0.1:{free_port()}/cgi-bin/", development=False,
                                  token="t", aes_key="k" * 43), DatabaseStore())
    assert asyncio.run(dead.send_text("o_1", "你好")) is False


def test_media_download_checks_size_and_existence(fake_wechat):
    api = _api(fake_wechat)
    fake_wechat.media["M1"] = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    assert asyncio.run(api.download_media("M1", 10_000)) == (fake_wechat.media["M1"], "ok")
    assert asyncio.run(api.download_media("M1", 50))[0] is None
    assert asyncio.run(api.download_media("nope", 10_000))[0] is None


def _notices(api: WechatApi):  # type: ignore[no-untyped-def]
    """A gateway process's notices loop with the WeChat teller (its hub never reaches Rasa here)."""
    from bot.gateway.config import GatewayConfig
    from bot.gateway.hub import Hub
    from bot.gateway.order_updates import OrderUpdates
    from bot.gateway.rasa import RasaClient

    hub = Hub(GatewayConfig(), RasaClient("http://127.0.0.1:9", "http://127.0.0.1:9"), load_profile("anshan"))
    notices = OrderUpdates(hub, api.client.store)
    channel = WechatChannel(api.config, GatewayConfig(), hub, api.client.store, api)
    notices.register("wechat", WechatTeller(channel))
    return notices


def _wechat_order(openid: str) -> str:
    req = repository.OrderRequest(request_type="投诉", content="楼下烧烤店油烟很大", address="铁东区胜利路1号",
                                  district="铁东区", name="王女士", phone="13912345678", confidential=False,
                                  wants_reply=True, channel="wechat", sender_id=f"wechat-{openid}",
                                  idempotency_key=f"t-{openid}")
    order, _ = repository.file_order(req, load_profile("anshan"))
    return order.number


def test_order_changes_reach_the_citizen_once_by_service_message_or_template(fake_wechat):
    api = _api(fake_wechat, template_id="TPL_ORDER")
    store = api.client.store
    inside, outside = _wechat_order("o_recent"), _wechat_order("o_long_ago")
    store.set("wechat:last:o_recent", str(time.time() - 3600))
    store.set("wechat:last:o_long_ago", str(time.time() - 72 * 3600))
    from bot.orders import lifecycle

    lifecycle.dispatch(inside, "市城市管理综合行政执法局", "staff:派单员", load_profile("anshan"), "智能派单（置信度80%）")
    lifecycle.dispatch(outside, "市城市管理综合行政执法局", "staff:派单员", load_profile("anshan"))
    lifecycle.close(outside, "市城市管理综合行政执法局", "已责令整改")
    lifecycle.review_close(outside, "staff:值班长", True)
    notifiers = [_notices(api), _notices(_api(fake_wechat, template_id="TPL_ORDER"))]

    async def run_both() -> list[int]:
        return await asyncio.gather(*[n.run_once() for n in notifiers])

    assert sum(asyncio.run(run_both())) == 3  # two gateways, each of the three changes told once
    assert sum(asyncio.run(run_both())) == 0
    custom = [m for m in fake_wechat.sent if m["kind"] == "custom"]
    template = [m for m in fake_wechat.sent if m["kind"] == "template"]
    assert [m["touser"] for m in custom] == ["o_recent"] and inside in custom[0]["text"]["content"]
    told = custom[0]["text"]["content"]
    assert "已派单" in told and "已转交市城市管理综合行政执法局办理" in told and "置信度" not in told
    assert [m["touser"] for m in template] == ["o_long_ago", "o_long_ago"]
    assert all(m["data"]["keyword1"]["value"] == outside for m in template)
    remarks = [m["data"]["remark"]["value"] for m in template]  # two processes: either order
    assert sum("满意" in r for r in remarks) == 1  # the closing asks for a rating


def test_without_a_template_an_unreachable_citizen_is_recorded_for_the_agents(fake_wechat):
    api = _api(fake_wechat)
    number = _wechat_order("o_silent")
    from bot.orders import lifecycle

    lifecycle.dispatch(number, "供水企业；市城市供水主管部门", "staff:派单员", load_profile("anshan"))
    assert asyncio.run(_notices(api).run_once()) == 0
    assert fake_wechat.sent == []
    assert notices.unnotified_changes("wechat", dt.datetime(2000, 1, 1)) == []  # claimed, with its reason


def test_expired_shared_rows_are_purged_on_a_schedule():
    """WeChat's de-duplication rows expire; without Redis the gateway deletes them on a schedule
    (HOTLINE_PURGE_EVERY), so the table does not grow forever."""
    import asyncio

    from bot.gateway.app import purge_expired_forever
    from bot.store.db import session_scope
    from bot.store.models import SharedEntry

    store = DatabaseStore()
    store.set("dedup:old", "1", ttl=0.01)
    store.set("dedup:fresh", "1", ttl=3600)
    store.set("token", "t")  # no expiry

    async def run_a_little() -> None:
        task = asyncio.create_task(purge_expired_forever(store, 0.05))
        await asyncio.sleep(0.3)
        task.cancel()

    asyncio.run(run_a_little())
    with session_scope() as s:
        keys = {row.key for row in s.query(SharedEntry).all()}
    assert keys == {"dedup:fresh", "token"}
