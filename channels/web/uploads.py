"""``POST /api/uploads``: the web widget's image, kept as evidence for the citizen's order.

The uploader is the widget's own session (its signed token, channels/web/sessions.py); the image is
checked by its bytes, kept beside the conversation and attached to the order when it is filed.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot import citizen_texts
from bot.gateway.api import error, ok
from bot.gateway.config import GatewayConfig
from bot.gateway.port import ChannelPort
from bot.gateway.uploads import image_type, keep_image
from channels.web import sessions
from channels.web.socketio import CHANNEL as WEB_CHANNEL
from channels.web.socketio import sender_for


class WebUploads:
    def __init__(self, config: GatewayConfig, hub: ChannelPort) -> None:
        self.config = config
        self.hub = hub

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/api/uploads", self.post_upload)]

    async def post_upload(self, request: web.Request) -> web.Response:
        mb = self.config.upload_max_bytes // (1024 * 1024)
        if not request.content_type.startswith("multipart/"):
            return error(400, "not_multipart", citizen_texts.UPLOAD_EMPTY)
        if request.content_length and request.content_length > self.config.upload_max_bytes + 64 * 1024:
            return error(413, "too_large", citizen_texts.UPLOAD_TOO_LARGE.format(mb=mb))
        session_id, data, filename = None, None, None
        try:
            reader = await request.multipart()
            async for part in reader:
                if part.name == "session_id":
                    session_id = (await part.text())[:100]
                elif part.name == "file" and data is None:
                    # Shown to staff; PostgreSQL refuses NUL (RFC 5987 lets a client send one: a%00b).
                    filename = "".join(c for c in part.filename or "" if c.isprintable()) or None
                    buf = bytearray()
                    while chunk := await part.read_chunk(64 * 1024):
                        buf.extend(chunk)
                        if len(buf) > self.config.upload_max_bytes:
                            return error(413, "too_large", citizen_texts.UPLOAD_TOO_LARGE.format(mb=mb))
                    data = bytes(buf)
        except (ValueError, AssertionError, UnicodeDecodeError, HttpProcessingError):  # e.g. a part's bad header line
            return error(400, "bad_multipart", citizen_texts.UPLOAD_EMPTY)
        public = sessions.public_id(session_id)  # the uploader's own session only
        if public is None:
            return error(400, "invalid_session", citizen_texts.UPLOAD_NO_SESSION)
        if not data:
            return error(400, "empty_file", citizen_texts.UPLOAD_EMPTY)
        kind = await asyncio.to_thread(image_type, data)
        if kind is None:
            return error(415, "unsupported_type", citizen_texts.UPLOAD_BAD_TYPE)
        content_type, ext = kind
        sender = sender_for(public)
        kept = await keep_image(self.config.upload_dir, sender, WEB_CHANNEL, filename, data, content_type, ext)
        reply = kept.reply
        shown = f"[图片] {filename}" if filename else "[图片]"
        await self.hub.record(sender, WEB_CHANNEL, "citizen", shown[:200], {"upload": kept.attachment_id})
        await self.hub.record(sender, WEB_CHANNEL, "system", reply)
        return ok({"message": reply, "attachment": {
            "id": kept.attachment_id, "filename": kept.filename, "content_type": content_type,
            "size": kept.size, "order_number": kept.order_number}}, status=201)
