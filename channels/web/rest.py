"""Rasa's REST channel format on the gateway: ``POST /webhooks/rest/webhook``
``{"sender"?, "message", "metadata"?}`` -> ``[{"recipient_id", "text", "buttons"?, ...}]``.

Who a REST citizen is, is never a string a client makes up (issue 18):

* A first message **without** ``sender`` starts a conversation: the gateway issues a sender (a
  signed token, like the web widget's session) and answers with it as ``recipient_id``; the
  client sends it with every later message. A sender that is not one this hotline issued is
  refused (403 ``unknown_sender``) – nobody can name someone else's conversation.
* A city app's backend that signs in its own users holds a ``chat`` API key
  (``HOTLINE_API_KEYS=chat:<app>:<secret>``) and names them by its own ids; their conversations
  are the app's own (``rest-<app>-<id>``), apart from every other app's and channel's.
* In development (``HOTLINE_ENV=development``: ``make run``, the tests) any sender is taken, as
  Rasa's own REST channel does, so ``curl`` works.

The conversation is always ``rest-…``: a REST client can never reach a web, WeChat or phone
conversation, and the name agents see (``rest-<public id>``) opens nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from bot.gateway.api import presented_key
from bot.gateway.limits import client_address
from bot.gateway.port import ChannelPort
from channels.web import sessions

CHANNEL = "rest"
MAX_SENDER = 128
PREFIX = "rest-"
# A free sender that looks like an issued token's public part would share its conversation.
PUBLIC_ID_RX = re.compile(r"^[0-9a-f]{32}$")


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


def routes(hub: ChannelPort) -> list[web.RouteDef]:
    def conversation_of(sender: str, request: web.Request) -> str | None:
        """The conversation a request's sender names, or None when the client may not name it."""
        public = sessions.public_id(sender, CHANNEL)
        if public is not None:
            return PREFIX + public
        app = presented_key(request, [k for k in hub.config.api_keys if k.role == "chat"])
        if app is not None:
            return f"{PREFIX}{app.name}-{sender}"
        if hub.config.development:  # ``me`` and ``rest-me`` are one conversation, ``rest-me``
            conversation = sender if sender.startswith(PREFIX) else PREFIX + sender
            return None if PUBLIC_ID_RX.match(conversation.removeprefix(PREFIX)) else conversation
        return None

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def webhook(request: web.Request) -> web.Response:
        try:
            body = await request.json(loads=json.loads)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):  # 「[[[[…」 nested too deep
            return error(400, "invalid_json", "请求体不是合法的 JSON。Body must be JSON.")
        if not isinstance(body, dict):
            return error(400, "invalid_body", "请求体应为 JSON 对象。Body must be a JSON object.")
        sender = body.get("sender")
        message = body.get("message")
        if not isinstance(message, str):
            return error(400, "invalid_message", "message 应为字符串。message must be a string.")
        if sender is None or sender == "":
            sender = sessions.issue(CHANNEL)  # a new conversation: its sender is the hotline's to give
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER or not sender.isprintable():
            return error(400, "invalid_sender", f"sender 应为本热线发给您的标识（首条消息不带 sender 即可获得），"
                                                f"不超过{MAX_SENDER}个字符。")
        conversation = conversation_of(sender, request)
        if conversation is None:
            return error(403, "unknown_sender", "这个 sender 不是本热线发出的。请首条消息不带 sender 发送，"
                                                "之后使用回复中的 recipient_id；接入自有用户体系的应用请使用 chat 密钥。")
        metadata: Any = body.get("metadata")
        replies = await hub.handle(conversation, CHANNEL, message, metadata if isinstance(metadata, dict) else None,
                                   address=client_address(request.remote, request.headers.get("X-Forwarded-For")))
        out = []
        for m in replies or []:
            item = {"recipient_id": sender, **{k: v for k, v in m.items() if k != "author"}}
            if m.get("author") not in (None, "bot"):
                item["author"] = m["author"]
            out.append(item)
        return web.json_response(out, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    return [
        web.get("/webhooks/rest/", health),
        web.post("/webhooks/rest/webhook", webhook),
    ]
