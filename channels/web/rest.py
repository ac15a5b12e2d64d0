"""Rasa's REST channel format on the gateway: ``POST /webhooks/rest/webhook``
``{"sender", "message", "metadata"?}`` -> ``[{"recipient_id", "text", "buttons"?, ...}]``."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.gateway.hub import Hub
from bot.gateway.limits import client_address

CHANNEL = "rest"
MAX_SENDER = 128
# Conversations of the other channels: their identity is the channel's (a socket.io session, a
# WeChat openid, a phone call typed in by an agent), never a string a REST client chooses.
RESERVED_PREFIXES = ("web-", "wechat-", "phone-")


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


def routes(hub: Hub) -> list[web.RouteDef]:
    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def webhook(request: web.Request) -> web.Response:
        try:
            body = await request.json(loads=json.loads)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return error(400, "invalid_json", "请求体不是合法的 JSON。Body must be JSON.")
        if not isinstance(body, dict):
            return error(400, "invalid_body", "请求体应为 JSON 对象。Body must be a JSON object.")
        sender = body.get("sender")
        message = body.get("message")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER or not sender.isprintable():
            return error(400, "invalid_sender", f"sender 必填，应为不超过{MAX_SENDER}个字符的字符串（每位用户一个，不共用）。")
        if sender.lower().startswith(RESERVED_PREFIXES):
            return error(403, "reserved_sender", "sender 不能以 web-、wechat- 或 phone- 开头：这些是网页、微信用户和电话来电的会话。")
        if not isinstance(message, str):
            return error(400, "invalid_message", "message 应为字符串。message must be a string.")
        metadata: Any = body.get("metadata")
        replies = await hub.handle(sender, CHANNEL, message, metadata if isinstance(metadata, dict) else None,
                                   address=client_address(request.remote, request.headers.get("X-Forwarded-For")))
        out = []
        for m in replies:
            item = {"recipient_id": sender, **{k: v for k, v in m.items() if k != "author"}}
            if m.get("author") not in (None, "bot"):
                item["author"] = m["author"]
            out.append(item)
        return web.json_response(out, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    return [
        web.get("/webhooks/rest/", health),
        web.post("/webhooks/rest/webhook", webhook),
    ]
