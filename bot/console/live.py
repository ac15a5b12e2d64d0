"""The queue of conversations waiting for a person and the live updates on the websocket."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import math
from typing import Any

from aiohttp import WSMsgType, web

from bot import citizen_texts
from bot.console import accounts
from bot.console.common import (
    CONVERSATION_ROLES,
    HOTLINE_ROLES,
    expert_may_read,
    handle,
    iso,
)
from bot.console.parts import ConsolePart
from bot.gateway.api import dumps, error, ok
from bot.store import deliveries, handoffs, transcript
from bot.store.models import HandoffStatus, utcnow
from bot.workdays import CHINA_TZ

log = logging.getLogger(__name__)


class Live(ConsolePart):
    # ---------------------------------------------------------------- queue

    def _undelivered(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Conversations nobody in the queue holds whose messages were given up as undelivered
        (a WeChat 客服消息 after the 48-hour window, a citizen who unfollowed): before the agents
        until one takes note (bot/store/deliveries.py)."""
        queued = {i["sender_id"] for i in items}
        return [{**u, "at": iso(u["at"]) if u["at"] else None, "reason_label": "消息未送达"}
                for u in deliveries.unseen_undelivered() if u["sender_id"] not in queued]

    def _queue(self) -> list[dict[str, Any]]:
        now = utcnow()
        items = []
        for h in handoffs.handoff_queue():
            last = next((e.text for e in reversed(transcript.history(h["sender_id"], limit=50))
                         if e.author == "citizen"), None)
            items.append({**h, "created_at": iso(h["created_at"]),
                          "waited_seconds": int((now - h["created_at"]).total_seconds()),
                          "reason_label": citizen_texts.HANDOFF_REASONS.get(h["reason"], h["reason"]),
                          "preview": (last or "")[:80] or None})
        return items

    async def queue(self, request: web.Request) -> web.Response:
        who = await self._require(request)
        items = await asyncio.to_thread(self._queue)
        undelivered = await asyncio.to_thread(self._undelivered, items) if who.role != "expert" else []
        return ok({"items": self._items_for(who, items), "online": self.online(), "undelivered": undelivered})

    def _items_for(self, who: accounts.Who, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """What of the queue a person sees: an expert only the conversations an expert seat was
        asked into (or that they hold), by handle, never by sender id."""
        if who.role != "expert":
            return items
        return [{**i, "sender_id": handle(i["id"])} for i in items
                if expert_may_read(who, i["status"], i["agent_id"], i["reason"])]

    def _for(self, who: accounts.Who, message: dict[str, Any]) -> dict[str, Any] | None:
        """A live message as ``who`` may see it (None: not for them)."""
        if message.get("type") == "warnings":  # 研判's hot spots: for the supervisors
            return message if who.role == "supervisor" else None
        if who.role != "expert":
            return message
        if message.get("type") == "queue":
            return {**message, "items": self._items_for(who, message["items"]), "undelivered": []}
        if message.get("type") == "undelivered":
            return None
        if message.get("type") == "message":
            item = self._queued.get(message.get("sender_id") or "")
            if item is None or not expert_may_read(who, item["status"], item["agent_id"], item["reason"]):
                return None
            return {**message, "sender_id": handle(item["id"])}
        if message.get("type") == "alerts":
            return None  # the duty desk is the agents' and supervisors'
        return message

    def online(self) -> int:
        """Agents who can take a conversation now: logged in, within staffed hours."""
        if not self.staffed():
            return 0
        return len(self._online | {who.id for who in self.sockets.values()})

    async def refresh_online(self) -> None:
        await self.hub.bus.announce("agents", sorted({who.id for who in self.sockets.values()}))
        self._online = await self.hub.bus.gather("agents")

    def hours_text(self) -> str:
        if self.hours is None:
            return "全天"
        return f"{self.hours[0].strftime('%H:%M')}至{self.hours[1].strftime('%H:%M')}"

    def staffed(self, now: dt.datetime | None = None) -> bool:
        """Within the console's staffed hours (``HOTLINE_CONSOLE_HOURS``, e.g. ``08:00-20:00``,
        China time; empty: always)."""
        if self.hours is None:
            return True
        start, end = self.hours
        t = (now or dt.datetime.now(CHINA_TZ)).time()
        return start <= t < end if start < end else (t >= start or t < end)

    async def broadcast(self, message: dict[str, Any]) -> None:
        text = dumps(message)
        for ws, who in list(self.sockets.items()):
            shown = self._for(who, message)
            if shown is None:
                continue
            try:
                await ws.send_str(text if shown is message else dumps(shown))
            except (ConnectionError, RuntimeError):
                self.sockets.pop(ws, None)

    async def broadcast_queue(self) -> None:
        items = await asyncio.to_thread(self._queue)
        self._queue_signature = json.dumps([(i["id"], i["status"]) for i in items])
        self._queued = {i["sender_id"]: i for i in items}
        undelivered = await asyncio.to_thread(self._undelivered, items)
        await self.broadcast({"type": "queue", "items": items, "online": self.online(), "undelivered": undelivered})

    async def on_undelivered(self, sender_id: str, channel: str) -> None:
        """Messages to a citizen were given up as undelivered: every console hears of it (the
        queue's line, and the open conversation's 「未送达」)."""
        await self.announce({"type": "undelivered", "sender_id": sender_id, "channel": channel})
        if self.sockets:
            await self.broadcast_queue()

    async def undelivered_seen(self, request: web.Request) -> web.Response:
        """An agent took note of a conversation's undelivered messages: its line leaves the queue."""
        who = await self._require(request, write=True, roles=HOTLINE_ROLES)
        sender_id = request.match_info["sender_id"]
        await asyncio.to_thread(deliveries.mark_seen, sender_id, who.display_name)
        await self.broadcast_queue()
        return ok({"ok": True})

    async def watch_queue(self) -> None:
        """New handoffs are made by the action server; tell the agents within a second."""
        while True:
            await asyncio.sleep(1.0)
            try:
                await self.refresh_online()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("agents online not refreshed")
            try:  # the duty desk: every gateway escalates (once each, atomically) and tells its consoles
                await self.desk.watch_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("duty desk refresh failed")
            # Alone, only a gateway with agents connected needs the queue; with several, every
            # gateway does (it tells the others' agents of its citizens' messages).
            if not self.sockets and not self.hub.bus.shared:
                continue
            try:
                items = await asyncio.to_thread(handoffs.handoff_queue)
                signature = json.dumps([(i["id"], i["status"]) for i in items])
                if signature != self._queue_signature:
                    await self.broadcast_queue()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("console queue refresh failed")

    async def claim(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True)
        try:
            handoff_id = int(request.match_info["handoff_id"])
        except ValueError:
            return error(404, "not_found", "没有这个转人工请求。")
        waiting = await asyncio.to_thread(handoffs.get_handoff, handoff_id)
        if waiting is not None and waiting.reason == "expert" and who.role not in ("expert", "supervisor"):
            return error(403, "expert_only", "这个对话在等待专家坐席，只有专家或班长可以接入。")
        if who.role == "expert" and (waiting is None or waiting.reason != "expert"):
            return error(403, "not_for_experts", "专家坐席只接入转给专家的对话。")
        if not await asyncio.to_thread(handoffs.claim_handoff, handoff_id, who.id):
            return error(409, "taken", "这个对话已被其他同事接入，或市民已经离开。")
        handoff = await asyncio.to_thread(handoffs.get_handoff, handoff_id)
        assert handoff is not None, "claimed just now"
        await self.hub.agent_say(handoff.sender_id, handoff.channel or "rest", who.display_name,
                                 citizen_texts.AGENT_JOINED.format(agent=who.display_name))
        await self.broadcast_queue()
        sender = handle(handoff.id) if who.role == "expert" else handoff.sender_id
        return ok({"handoff": {"id": handoff.id, "sender_id": sender, "status": handoff.status}})

    # ---------------------------------------------------------------- live

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        found = await asyncio.to_thread(self._session, request)
        origin = request.headers.get("Origin")
        if found is None:
            return error(401, "login_required", "请先登录。")
        if found[0].role not in CONVERSATION_ROLES:
            return error(403, "forbidden", "您的账号没有这项权限。")
        if origin and origin.split("://", 1)[-1] != request.host:
            return error(403, "origin", "不允许的来源。")
        ws = web.WebSocketResponse(heartbeat=25, max_msg_size=64 * 1024)
        await ws.prepare(request)
        who = found[0]
        self.sockets[ws] = who
        try:
            await ws.send_str(dumps({"type": "hello", "agent": who.__dict__}))
            if who.role != "expert":
                await self.desk.send_to(ws)
            await self.broadcast_queue()
            async for msg in ws:  # the page only listens; anything it sends is ignored
                if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
        finally:
            self.sockets.pop(ws, None)
        return ws

    async def on_message(self, sender_id: str, channel: str, entry: dict[str, Any]) -> None:
        """Live messages of the conversations in the queue (waiting or held), and no others:
        agents see citizens who asked for a person, not everyone's conversation."""
        if sender_id in self._queued:
            message = {"type": "message", "sender_id": sender_id, "channel": channel,
                       "entry": {**entry, "at": iso(utcnow())}}
            await self.hub.bus.publish("console", message)
            if self.sockets:
                await self.broadcast(message)

    async def announce(self, message: dict[str, Any]) -> None:
        """A live message for every gateway's consoles (this one's, and the others' by the bus)."""
        await self.hub.bus.publish("console", message)
        if self.sockets:
            await self.broadcast(message)

    async def _from_another_gateway(self, message: dict[str, Any]) -> None:
        if self.sockets:
            await self.broadcast(message)

    async def waiting_text(self, sender_id: str, first: bool = False) -> str:
        waiting = [h for h in await asyncio.to_thread(handoffs.handoff_queue) if h["status"] == HandoffStatus.WAITING]
        ahead = next((i for i, h in enumerate(waiting) if h["sender_id"] == sender_id), len(waiting))
        minutes = max(1, math.ceil((ahead + 1) * self.hub.config.minutes_per_conversation / max(1, self.online())))
        return citizen_texts.handoff_waiting(ahead, minutes, first)

    async def on_handoff(self, sender_id: str, channel: str) -> None:
        """The bot just handed the conversation over: say where the citizen is in the queue, or,
        with nobody online, give the conversation back to the bot and offer a work order (after
        an emergency the guidance was given already: the alert stays for the duty staff)."""
        handoff = await asyncio.to_thread(handoffs.open_handoff, sender_id)
        if handoff is None:
            return
        follow_up = handoff.reason == "sensitive"
        if self.online() == 0:
            await asyncio.to_thread(handoffs.end_handoff, handoff.id, HandoffStatus.RETURNED)
            await self.hub.unpause_bot(sender_id)
            if not follow_up:
                text = citizen_texts.handoff_nobody(self.hub.profile) if self.staffed() else \
                    citizen_texts.handoff_off_hours(self.hub.profile, self.hours_text())
                await self.hub.record(sender_id, channel, "system", text, delivered=False)
            return
        if follow_up:
            await self.hub.record(sender_id, channel, "system", citizen_texts.HANDOFF_FOLLOW_UP, delivered=False)
        await self.hub.record(sender_id, channel, "system", await self.waiting_text(sender_id, first=True),
                              delivered=False)
        await self.broadcast_queue()
