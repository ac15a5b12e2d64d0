"""The gateway's small pure parts: key parsing, image checks, masking, socket.io shapes."""

from __future__ import annotations

from bot.gateway.api import mask_name, mask_phone
from bot.gateway.config import parse_api_keys
from bot.gateway.uploads import image_type
from channels.web import sessions
from channels.web.socketio import to_socketio
from tests.support.helpers import image_bytes


def test_api_keys_from_environment():
    keys = parse_api_keys("staff:值班长:abc, kb:市水务集团:d:e:f,bogus,admin:x:y,kb::z")
    assert [(k.role, k.name, k.token) for k in keys] == [("staff", "值班长", "abc"), ("kb", "市水务集团", "d:e:f")]
    assert parse_api_keys("") == []


def test_image_type_by_content_not_name():
    """Decoded, not only its first bytes (issue 18): a GIF header followed by script, an image
    with something glued after its end, a truncated or a fake one is refused."""
    for fmt, kind in (("JPEG", ("image/jpeg", "jpg")), ("PNG", ("image/png", "png")), ("GIF", ("image/gif", "gif")),
                      ("WEBP", ("image/webp", "webp"))):
        data = image_bytes(fmt)
        assert image_type(data) == kind, fmt
        assert image_type(data[: len(data) // 2]) is None, fmt  # truncated
        if fmt != "JPEG":  # a JPEG may carry more after its end (Android's motion photos)
            assert image_type(data + b"<script>alert(1)</script>") is None, fmt
    for fake in (b"GIF89a<script>alert(1)</script>", b"\xff\xd8\xff\xe0" + b"\x00" * 12,
                 b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"<svg xmlns=", b""):
        assert image_type(fake) is None, fake[:12]


def test_masking_personal_data():
    assert mask_phone("13898765432") == "138****5432"
    assert mask_phone("04125551234") == "041****1234"
    assert mask_name("王建国") == "王**" and mask_name(None) is None


def test_rasa_rest_replies_become_rasa_socketio_payloads():
    out = to_socketio({"author": "bot", "text": "请确认", "buttons": [{"title": "确认提交", "payload": "确认"}]})
    assert out == {"text": "请确认", "quick_replies": [{"content_type": "text", "title": "确认提交", "payload": "确认"}],
                   "metadata": {"author": "bot"}}
    image = to_socketio({"author": "bot", "image": "https://x/y.png"})
    assert image["attachment"] == {"type": "image", "payload": {"src": "https://x/y.png"}}
    assert to_socketio({"author": "system", "text": "忙"})["metadata"]["author"] == "system"


def test_web_sessions_are_tokens_this_hotline_issued_and_their_public_part_names_the_conversation():
    token = sessions.issue()
    public = sessions.public_id(token)
    assert public and token.startswith(public + "-") and sessions.sender_of(token) == f"web-{public}"
    assert sessions.issue() != token
    forged = public + "-" + "A" * 22
    for bad in (forged, public, "0123456789abcdef0123456789abcdef", "short", "../../etc/passwd", "a" * 65,
                "有中文的会话编号啊啊", "abc def ghi", "", None, 12345, token + "x", token.upper()):
        assert sessions.public_id(bad) is None, bad


def test_one_answer_never_says_the_same_bot_text_twice():
    import datetime as dt

    from bot.gateway.hub import without_repeats
    from bot.store.transcript import Entry

    def e(i: int, author: str, text: str, data: dict | None = None) -> Entry:
        return Entry(i, "s", "rest", author, text, data or {}, "sent", False, dt.datetime(2026, 12, 6))

    batch = [e(1, "system", "人工服务已结束"), e(2, "bot", "请问怎么称呼您？"), e(3, "bot", "不客气"),
             e(4, "bot", "请问怎么称呼您？"), e(5, "agent", "好的"), e(6, "agent", "好的"),
             e(7, "bot", "请确认", {"buttons": [{"title": "确认", "payload": "确认"}]}),
             e(8, "bot", "请确认", {"buttons": [{"title": "确认", "payload": "确认"}]})]
    assert [x.id for x in without_repeats(batch)] == [1, 3, 4, 5, 6, 7, 8]


def test_outside_development_the_cookie_is_secure_and_wechat_refuses_the_development_token(monkeypatch, tmp_path):
    """Issue 18 (hardening): a gateway not started with HOTLINE_ENV=development sends the console
    cookie only over HTTPS and does not answer WeChat on the published development token."""
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    from bot.gateway.app import create_app, secure_cookie
    from bot.gateway.config import GatewayConfig
    from channels.wechat.config import DEV_TOKEN

    for env, said, secure in (("", "", True), ("production", "", True), ("development", "", False),
                              ("development", "1", True), ("", "0", False)):
        monkeypatch.setenv("HOTLINE_ENV", env)
        monkeypatch.setenv("HOTLINE_CONSOLE_SECURE_COOKIE", said)
        assert secure_cookie(GatewayConfig.from_env()) is secure, (env, said)

    monkeypatch.delenv("HOTLINE_CONSOLE_SECURE_COOKIE")
    monkeypatch.delenv("HOTLINE_WECHAT_APPID", raising=False)
    monkeypatch.setenv("HOTLINE_KB_WARMUP", "0")
    monkeypatch.setenv("HOTLINE_UPLOAD_DIR", str(tmp_path))
    monkeypatch.setenv("HOTLINE_DATA_KEYS", "k1:q83vEjRWeJD+3a2vzerfADEyM0RVZneImaq7zN3u/wA=")  # production needs its own

    async def wechat_status(env: str) -> int:
        monkeypatch.setenv("HOTLINE_ENV", env)
        client = TestClient(TestServer(create_app()))
        await client.start_server()
        try:
            r = await client.get("/wechat", params={"signature": "x", "timestamp": "1", "nonce": "2",
                                                    "echostr": "hello", "token": DEV_TOKEN})
            return r.status
        finally:
            await client.close()

    assert asyncio.run(wechat_status("production")) == 503
    assert asyncio.run(wechat_status("development")) != 503  # the simulator's channel (a bad signature here)


def test_rest_senders_are_issued_by_the_hotline_outside_development():
    """Issue 18: a REST client never names a conversation it was not given. Outside development
    a first message without ``sender`` gets one issued (the reply's ``recipient_id``); a sender
    the hotline did not issue is refused; a city app with a ``chat`` key names its own users,
    apart from every other app's; every REST conversation is ``rest-…``."""
    import asyncio
    from dataclasses import replace

    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.gateway.config import GatewayConfig, parse_api_keys
    from channels.web import rest, sessions

    class Hub:
        def __init__(self, config: GatewayConfig) -> None:
            self.config, self.seen = config, []

        async def handle(self, sender_id, channel, text, metadata=None, address=None):
            self.seen.append((sender_id, channel))
            return [{"text": f"收到：{text}", "author": "bot"}]

    keys = parse_api_keys("chat:城市app:app-secret,staff:值班长:staff-secret")

    async def run(development: bool) -> tuple[list, list]:
        hub = Hub(replace(GatewayConfig(), api_keys=keys, development=development))
        app = web.Application()
        app.add_routes(rest.routes(hub))
        client = TestClient(TestServer(app))
        await client.start_server()
        results = []
        try:
            async def post(body, token=None):
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                r = await client.post("/webhooks/rest/webhook", json=body, headers=headers)
                return r.status, await r.json()

            status, first = await post({"message": "你好"})
            issued = first[0]["recipient_id"]
            results.append(("issued", status, sessions.public_id(issued, "rest") is not None))
            results.append(("again", *(await post({"sender": issued, "message": "在吗"}))[:1]))
            results.append(("made_up", *(await post({"sender": "13800138000", "message": "满意"}))[:1]))
            web_token = sessions.issue()  # a web session's token is not a REST sender
            results.append(("web_token", *(await post({"sender": web_token, "message": "确认"}))[:1]))
            results.append(("app", *(await post({"sender": "u42", "message": "你好"}, "app-secret"))[:1]))
            results.append(("staff_key", *(await post({"sender": "u42", "message": "你好"}, "staff-secret"))[:1]))
            results.append(("web_name", *(await post({"sender": "web-" + "a" * 32, "message": "确认"}))[:1]))
            results.append(("issued_name", *(await post({"sender": "rest-" + sessions.public_id(issued, "rest"),
                                                          "message": "确认"}))[:1]))
        finally:
            await client.close()
        return results, hub.seen

    results, seen = asyncio.run(run(development=False))
    assert results == [("issued", 200, True), ("again", 200), ("made_up", 403), ("web_token", 403),
                       ("app", 200), ("staff_key", 403), ("web_name", 403), ("issued_name", 403)]
    public = seen[0][0].removeprefix("rest-")
    assert seen == [(f"rest-{public}", "rest"), (f"rest-{public}", "rest"), ("rest-城市app-u42", "rest")]

    results, seen = asyncio.run(run(development=True))  # curl works: ``me`` is ``rest-me``
    assert [r[:2] for r in results] == [("issued", 200), ("again", 200), ("made_up", 200), ("web_token", 200),
                                        ("app", 200), ("staff_key", 200), ("web_name", 200), ("issued_name", 403)]
    assert all(s.startswith("rest-") for s, _ in seen) and "rest-13800138000" in [s for s, _ in seen]
    assert ("rest-web-" + "a" * 32, "rest") in seen


def test_the_consoles_tunables_come_from_the_environment(monkeypatch):
    from bot.gateway.config import GatewayConfig

    default = GatewayConfig.from_env()
    assert (default.login_failures_allowed, default.login_failures_per_account,
            default.login_window_seconds, default.minutes_per_conversation) == (10, 30, 600.0, 3.0)
    monkeypatch.setenv("HOTLINE_LOGIN_FAILURES", "5")
    monkeypatch.setenv("HOTLINE_LOGIN_WINDOW_SECONDS", "0")  # never below a second
    monkeypatch.setenv("HOTLINE_MINUTES_PER_CONVERSATION", "4.5")
    set_ = GatewayConfig.from_env()
    assert (set_.login_failures_allowed, set_.login_window_seconds, set_.minutes_per_conversation) == (5, 1.0, 4.5)


async def test_json_nested_past_pythons_limit_is_a_clear_400():
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.gateway.api import read_json

    async def echo(request):
        return web.json_response(await read_json(request))

    app = web.Application()
    app.router.add_post("/x", echo)
    async with TestClient(TestServer(app)) as client:
        r = await client.post("/x", data="[" * 100_000, headers={"Content-Type": "application/json"})
        assert r.status == 400 and (await r.json())["error"] == "invalid_json"
