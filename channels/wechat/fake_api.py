"""A local stand-in for WeChat's HTTP API (api.weixin.qq.com/cgi-bin/), for tests, the
simulator and demos on machines that cannot reach WeChat. The gateway talks to it through the
same wechatpy code as in production (``HOTLINE_WECHAT_API_BASE``).

It answers like WeChat: ``token`` issues access tokens (the previous one stays valid, as WeChat
keeps it for five minutes), ``message/custom/send`` and ``message/template/send`` check the
token and record the message, ``media/get`` returns uploaded media or errcode 40007,
``menu/create`` records the menu. Test hooks under ``/_fake/``: ``sent`` (what was sent, by
openid), ``media`` (PUT bytes -> media_id), ``close_window`` (that openid's 48-hour window is
over: 45015), ``fail`` (the next ``count`` customer-service messages, or every one to ``openid``
until ``recover``, answered with ``errcode``: -1 busy, 45047, 43004 …), ``revoke_tokens`` (the
tokens issued so far refused: 40001 until a new one is fetched), ``stats`` (token fetches,
customer-service calls).

    python -m channels.wechat.fake_api --port 8010
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from typing import Any

from aiohttp import web

MAX_CUSTOM_TEXT_BYTES = 2048
ERRMSGS = {-1: "system error", 45015: "response out of time limit or subscription is canceled",
           45047: "out of response count limit", 40003: "invalid openid", 43004: "require subscribe",
           48001: "api unauthorized"}


class FakeWechat:
    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.token_fetches = 0
        self.sent: list[dict[str, Any]] = []
        self.media: dict[str, bytes] = {}
        self.menus: list[dict[str, Any]] = []
        self.closed_windows: set[str] = set()
        self.failures: list[tuple[int, str]] = []  # the next customer-service calls to refuse
        self.failing: dict[str, tuple[int, str]] = {}  # openid -> the error every call to it gets
        self.revoked: set[str] = set()
        self.custom_calls = 0
        self._ids = itertools.count(1)

    @staticmethod
    def _err(code: int, msg: str) -> web.Response:
        return web.json_response({"errcode": code, "errmsg": msg})

    def _token_ok(self, request: web.Request) -> bool:
        token = request.query.get("access_token", "")
        return token in self.tokens[-2:] and token not in self.revoked

    async def token(self, request: web.Request) -> web.Response:
        if not request.query.get("appid") or not request.query.get("secret"):
            return self._err(41002, "appid missing")
        if request.query.get("secret") == "wrong":
            return self._err(40125, "invalid appsecret")
        self.token_fetches += 1
        token = f"FAKE_TOKEN_{self.token_fetches}_{int(time.time())}"
        self.tokens.append(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def _json(self, request: web.Request) -> dict[str, Any] | None:
        try:
            body = json.loads(await request.text())
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def fail(self, errcode: int, count: int | None = 1, openid: str | None = None, errmsg: str = "") -> None:
        """Refuse the next ``count`` customer-service messages (or, with ``openid``, every one to
        that follower until ``recover``) with ``errcode``."""
        errmsg = errmsg or ERRMSGS.get(errcode, "error")
        if openid:
            self.failing[openid] = (errcode, errmsg)
        else:
            self.failures += [(errcode, errmsg)] * (count or 1)

    def recover(self, openid: str | None = None) -> None:
        if openid:
            self.failing.pop(openid, None)
        else:
            self.failures.clear()
            self.failing.clear()

    def revoke_tokens(self) -> None:
        self.revoked.update(self.tokens)

    async def custom_send(self, request: web.Request) -> web.Response:
        self.custom_calls += 1
        if not self._token_ok(request):
            return self._err(40001, "invalid credential, access_token is invalid or not latest")
        body = await self._json(request)
        if body is None or not body.get("touser"):
            return self._err(44002, "empty post data")
        if body["touser"] in self.failing:
            return self._err(*self.failing[body["touser"]])
        if self.failures:
            return self._err(*self.failures.pop(0))
        if body["touser"] in self.closed_windows:
            return self._err(45015, "response out of time limit or subscription is canceled")
        content = (body.get("text") or {}).get("content", "")
        if len(content.encode()) > MAX_CUSTOM_TEXT_BYTES:
            return self._err(45002, "content size out of limit")
        self.sent.append({"kind": "custom", "at": time.time(), **body})
        return self._err(0, "ok")

    async def template_send(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return self._err(40001, "invalid credential")
        body = await self._json(request)
        if body is None or not body.get("touser") or not body.get("template_id"):
            return self._err(44002, "empty post data")
        self.sent.append({"kind": "template", "at": time.time(), **body})
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": next(self._ids)})

    async def media_get(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return self._err(40001, "invalid credential")
        data = self.media.get(request.query.get("media_id", ""))
        if data is None:
            return self._err(40007, "invalid media_id")
        return web.Response(body=data, content_type="image/jpeg")

    async def menu_create(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return self._err(40001, "invalid credential")
        body = await self._json(request)
        if body is None or not isinstance(body.get("button"), list) or not 1 <= len(body["button"]) <= 3:
            return self._err(40016, "invalid button size")
        self.menus.append(body)
        return self._err(0, "ok")

    # ---------------------------------------------------------------- test hooks

    async def hook_sent(self, request: web.Request) -> web.Response:
        openid = request.query.get("openid")
        return web.json_response([m for m in self.sent if openid is None or m.get("touser") == openid])

    async def hook_media(self, request: web.Request) -> web.Response:
        media_id = f"MEDIA_{next(self._ids)}"
        self.media[media_id] = await request.read()
        return web.json_response({"media_id": media_id})

    async def hook_close_window(self, request: web.Request) -> web.Response:
        self.closed_windows.add(request.query.get("openid", ""))
        return web.json_response({"ok": True})

    async def hook_fail(self, request: web.Request) -> web.Response:
        q = request.query
        self.fail(int(q.get("errcode", "-1")), int(q.get("count", "1")), q.get("openid") or None)
        return web.json_response({"ok": True})

    async def hook_recover(self, request: web.Request) -> web.Response:
        self.recover(request.query.get("openid") or None)
        return web.json_response({"ok": True})

    async def hook_revoke_tokens(self, _request: web.Request) -> web.Response:
        self.revoke_tokens()
        return web.json_response({"ok": True})

    async def hook_stats(self, _request: web.Request) -> web.Response:
        return web.json_response({"token_fetches": self.token_fetches, "menus": self.menus,
                                  "custom_calls": self.custom_calls})

    def app(self) -> web.Application:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.add_routes([
            web.get("/cgi-bin/token", self.token),
            web.post("/cgi-bin/message/custom/send", self.custom_send),
            web.post("/cgi-bin/message/template/send", self.template_send),
            web.get("/cgi-bin/media/get", self.media_get),
            web.post("/cgi-bin/menu/create", self.menu_create),
            web.get("/_fake/sent", self.hook_sent),
            web.put("/_fake/media", self.hook_media),
            web.post("/_fake/close_window", self.hook_close_window),
            web.post("/_fake/fail", self.hook_fail),
            web.post("/_fake/recover", self.hook_recover),
            web.post("/_fake/revoke_tokens", self.hook_revoke_tokens),
            web.get("/_fake/stats", self.hook_stats),
        ])
        return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local stand-in for WeChat's API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    args = parser.parse_args(argv)
    web.run_app(FakeWechat().app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
