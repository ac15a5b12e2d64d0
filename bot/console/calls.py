"""Phone intake (新来电): reading a call as it is typed, filing it."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from aiohttp import web

from bot import desk
from bot.console.common import HOTLINE_ROLES
from bot.console.parts import ConsolePart
from bot.gateway.api import error, ok, read_json, read_message
from bot.language import emergency
from bot.language.extract import MAX_CONTENT_CHARS
from bot.store import handoffs

log = logging.getLogger(__name__)


class Calls(ConsolePart):
    # ---------------------------------------------------------------- phone calls

    async def triage(self, request: web.Request) -> web.Response:
        await self._require(request, write=True, roles=HOTLINE_ROLES)
        body = await read_json(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return error(400, "invalid_text", "请先输入来电内容。")
        if len(text) > MAX_CONTENT_CHARS:
            return error(413, "text_too_long", f"来电内容不能超过{MAX_CONTENT_CHARS}个字。")
        reading = await read_message(self.hub.profile, text)
        reading["desk_alert"] = await self._call_alert(body.get("call_id"), text)
        return ok(reading)

    async def _call_alert(self, call_id: Any, text: str) -> int | None:
        """A caller's emergency goes on the duty desk like a chat's (the linkage units are told
        too): the agent on the phone transfers the call, the desk keeps the record. One alert
        per call, however often the agent reads it again."""
        if not isinstance(call_id, str) or not 8 <= len(call_id) <= 64 or not call_id.isalnum():
            return None
        reading = await asyncio.to_thread(emergency.assess, text)
        if reading.emergency is None or reading.level is None:  # the one is None when the other is
            return None
        done = await asyncio.to_thread(desk.raise_alert, f"phone-{call_id}", "phone", text, reading.emergency,
                                       reading.level, self.hub.profile)
        await self.desk.watch_once()
        return done.alert_id if done else None

    async def call(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True, roles=HOTLINE_ROLES)
        body = await read_json(request)
        call_id = body.get("call_id")
        if not isinstance(call_id, str) or not 8 <= len(call_id) <= 64:
            call_id = uuid.uuid4().hex
        try:
            req = self._order_request(body.get("fields"), f"phone-{call_id}", "phone", f"call:{call_id}")
        except ValueError as exc:
            return error(400, "invalid", str(exc))
        # A caller's number is what the agent reads off the line: the same caller's open order
        # about the same matter is told, not filed twice.
        order = await self._file(req, repeat_from_any_conversation=True)
        await asyncio.to_thread(handoffs.add_note, req.sender_id, who.id, "电话来电，由坐席录入")
        return ok({"order": order}, status=201)
