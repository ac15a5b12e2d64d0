"""The agents' console, served by the gateway under ``/console``.

Pages: ``/console/login`` (public), ``/console`` (agents and supervisors: the conversations),
``/console/orders`` (handling units: their work orders; supervisors: the 督办 queues and the
audit log). JSON API under ``/console/api``
and live updates on the websocket ``/console/ws``; nothing but the login page and its static
files answers without a session. A session is a random token in an HttpOnly, SameSite=Strict
cookie; every POST must also carry the session's CSRF token in ``X-CSRF-Token``; the websocket
checks the Origin.

While an agent holds a conversation the hub routes the citizen's messages here (Rasa is paused
and silent), the agent's replies go out through the citizen's own channel, and handing back
resumes Rasa where it was (the form asks its question again) or ends the form when the agent
dealt with the matter.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import re
import time
import uuid
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from bot import desk, messages
from bot.console import accounts
from bot.console.desk import DutyDesk
from bot.gateway import units
from bot.gateway.api import dumps, error, ok, read_json, read_message
from bot.gateway.hub import END_FORM, LISTEN, Hub
from bot.gateway.rasa import RasaFailed, RasaUnavailable
from bot.language import emergency
from bot.language.extract import MAX_CONTENT_CHARS, REQUEST_TYPES
from bot.orders import lifecycle
from bot.orders.filing import ORDER_FIELDS, file_request
from bot.store import repository, transcript
from bot.store.models import HandoffStatus, utcnow
from bot.store.repository import CHINA_TZ

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "hotline_console"
MAX_REPLY = 2000
LOGIN_FAILURES_ALLOWED = 10
LOGIN_FAILURES_PER_ACCOUNT = 30  # from any addresses
LOGIN_WINDOW = 600.0
MINUTES_PER_CONVERSATION = 3  # for the citizen's rough wait estimate
CONVERSATION_ROLES = ("agent", "expert", "supervisor")


def parse_hours(value: str) -> tuple[dt.time, dt.time] | None:
    """``08:00-20:00`` -> (08:00, 20:00); empty -> None (always staffed). Bad values fail at
    start, where the operator sees them."""
    if not value.strip():
        return None
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in value.split("-", 1))
    except ValueError as exc:
        raise ValueError(f"HOTLINE_CONSOLE_HOURS should look like 08:00-20:00, not {value!r}") from exc
    return start, end


def _actor(who: accounts.Who) -> str:
    """How a console user is named in the audit log and an order's history."""
    if who.role == "unit":
        return f"{who.unit}/{who.username}"
    return f"console:{who.username}"


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


class Console:
    def __init__(self, hub: Hub, secure_cookie: bool = False, hours: str = "") -> None:
        self.hub = hub
        self.hours = parse_hours(hours)
        self.secure_cookie = secure_cookie
        self.sockets: dict[web.WebSocketResponse, accounts.Who] = {}
        self._login_failures: dict[str, deque] = defaultdict(deque)
        self._queue_signature: str | None = None
        self._queued: dict[str, dict[str, Any]] = {}  # conversations agents may follow live, by sender
        self._watcher: asyncio.Task | None = None
        self._online: set[int] = set()  # agents connected to any gateway (refreshed every second)
        hub.listeners.append(self.on_message)
        hub.bus.on("console", self._from_another_gateway)
        hub.handoff_hook = self.on_handoff
        hub.waiting_text = self.waiting_text
        self.desk = DutyDesk(self)

    # ---------------------------------------------------------------- sessions

    def _session(self, request: web.Request) -> tuple[accounts.Who, str] | None:
        return accounts.session_for(request.cookies.get(COOKIE))

    async def _require(self, request: web.Request, write: bool = False,
                       roles: tuple[str, ...] = CONVERSATION_ROLES) -> accounts.Who:
        """The logged-in user, who must have one of ``roles`` (by default: those who talk with
        citizens; a handling unit's staff only see their own orders)."""
        found = await asyncio.to_thread(self._session, request)
        if found is None:
            raise web.HTTPUnauthorized(text=dumps({"error": "login_required", "message": "请先登录。"}),
                                       content_type="application/json")
        who, csrf = found
        sent = request.headers.get("X-CSRF-Token", "").encode("utf-8", "surrogateescape")
        if write and not hmac.compare_digest(sent, csrf.encode()):
            raise web.HTTPForbidden(text=dumps({"error": "csrf", "message": "页面已过期，请刷新后再试。"}),
                                    content_type="application/json")
        if who.role not in roles:
            raise web.HTTPForbidden(text=dumps({"error": "forbidden", "message": "您的账号没有这项权限。"}),
                                    content_type="application/json")
        return who

    async def login_page(self, _request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "login.html", headers={"Cache-Control": "no-store"})

    async def console_page(self, request: web.Request) -> web.StreamResponse:
        found = await asyncio.to_thread(self._session, request)
        if found is None:
            raise web.HTTPFound("/console/login")
        if found[0].role == "unit":
            raise web.HTTPFound("/console/orders")
        return web.FileResponse(STATIC / "console.html", headers={"Cache-Control": "no-store"})

    async def orders_page(self, request: web.Request) -> web.StreamResponse:
        if await asyncio.to_thread(self._session, request) is None:
            raise web.HTTPFound("/console/login")
        return web.FileResponse(STATIC / "orders.html", headers={"Cache-Control": "no-store"})

    async def login(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        username, password = body.get("username"), body.get("password")
        # Failures are counted per address and account name: guessing one account's password is
        # stopped without letting one mistyping colleague lock out the whole room (one NAT); and
        # per account across addresses. The name is counted as it is looked up (「 pt1」 is pt1).
        name = str(username).strip()[:64]
        ip = f"{request.remote or '?'}|{name}"
        counters = [(self._login_failures[ip], LOGIN_FAILURES_ALLOWED),
                    (self._login_failures[f"*|{name}"], LOGIN_FAILURES_PER_ACCOUNT)]
        for failures, allowed in counters:
            while failures and failures[0] < time.monotonic() - LOGIN_WINDOW:
                failures.popleft()
            if len(failures) >= allowed:
                return error(429, "too_many", "登录失败次数太多，请10分钟后再试。")
        if not isinstance(username, str) or not isinstance(password, str) or len(password) > 200:
            return error(400, "invalid", "请输入用户名和密码。")
        who = await asyncio.to_thread(accounts.authenticate, username, password)
        if who is None:
            for failures, _allowed in counters:
                failures.append(time.monotonic())
            log.warning("console login failed from %s", ip)
            return error(401, "bad_login", "用户名或密码不对。")
        token, csrf = await asyncio.to_thread(accounts.start_session, who)
        response = ok({"agent": who.__dict__, "csrf": csrf})
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/console",
                            secure=self.secure_cookie, max_age=accounts.SESSION_HOURS * 3600)
        return response

    async def logout(self, request: web.Request) -> web.Response:
        await self._require(request, write=True, roles=accounts.ROLES)
        await asyncio.to_thread(accounts.end_session, request.cookies.get(COOKIE))
        response = ok({"ok": True})
        response.del_cookie(COOKIE, path="/console")
        return response

    async def me(self, request: web.Request) -> web.Response:
        found = await asyncio.to_thread(self._session, request)
        if found is None:
            return error(401, "login_required", "请先登录。")
        who, csrf = found
        return ok({"agent": who.__dict__, "csrf": csrf})

    # ---------------------------------------------------------------- queue

    def _queue(self) -> list[dict[str, Any]]:
        now = utcnow()
        items = []
        for h in repository.handoff_queue():
            last = next((e.text for e in reversed(transcript.history(h["sender_id"], limit=50))
                         if e.author == "citizen"), None)
            items.append({**h, "created_at": _iso(h["created_at"]),
                          "waited_seconds": int((now - h["created_at"]).total_seconds()),
                          "reason_label": messages.HANDOFF_REASONS.get(h["reason"], h["reason"]),
                          "preview": (last or "")[:80] or None})
        return items

    async def queue(self, request: web.Request) -> web.Response:
        who = await self._require(request)
        items = await asyncio.to_thread(self._queue)
        return ok({"items": self._items_for(who, items), "online": self.online()})

    def _items_for(self, who: accounts.Who, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """What of the queue a person sees: an expert only the conversations an expert seat was
        asked into (or that they hold), by handle, never by sender id."""
        if who.role != "expert":
            return items
        return [{**i, "sender_id": handle(i["id"])} for i in items if _expert_may_read(who, i)]

    def _for(self, who: accounts.Who, message: dict[str, Any]) -> dict[str, Any] | None:
        """A live message as ``who`` may see it (None: not for them)."""
        if who.role != "expert":
            return message
        if message.get("type") == "queue":
            return {**message, "items": self._items_for(who, message["items"])}
        if message.get("type") == "message":
            item = self._queued.get(message.get("sender_id") or "")
            if item is None or not _expert_may_read(who, item):
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
        await self.broadcast({"type": "queue", "items": items, "online": self.online()})

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
                items = await asyncio.to_thread(repository.handoff_queue)
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
        waiting = await asyncio.to_thread(repository.get_handoff, handoff_id)
        if waiting is not None and waiting.reason == "expert" and who.role not in ("expert", "supervisor"):
            return error(403, "expert_only", "这个对话在等待专家坐席，只有专家或班长可以接入。")
        if not await asyncio.to_thread(repository.claim_handoff, handoff_id, who.id):
            return error(409, "taken", "这个对话已被其他同事接入，或市民已经离开。")
        handoff = await asyncio.to_thread(repository.get_handoff, handoff_id)
        await self.hub.agent_say(handoff.sender_id, handoff.channel or "rest", who.display_name,
                                 messages.AGENT_JOINED.format(agent=who.display_name))
        await self.broadcast_queue()
        sender = handle(handoff.id) if who.role == "expert" else handoff.sender_id
        return ok({"handoff": {"id": handoff.id, "sender_id": sender, "status": handoff.status}})

    # ---------------------------------------------------------------- one conversation

    async def _sender(self, request: web.Request, who: accounts.Who) -> str:
        """The conversation a request names: by its sender id, or by its handoff's handle (h<id>),
        which is all an expert is ever shown (an expert seat is outside the hotline: a citizen's
        WeChat openid or web session is not theirs to see)."""
        named = request.match_info["sender_id"]
        m = HANDLE.fullmatch(named)
        if m:
            handoff = await asyncio.to_thread(repository.get_handoff, int(m.group(1)))
            if handoff is not None:
                return handoff.sender_id
        elif who.role != "expert":
            return named
        raise web.HTTPNotFound(text=dumps({"error": "not_found", "message": "没有这个对话，或它现在不在人工服务中。"}),
                               content_type="application/json")

    async def _held(self, sender_id: str, who: accounts.Who):  # type: ignore[no-untyped-def]
        handoff = await asyncio.to_thread(repository.open_handoff, sender_id)
        if handoff is None or handoff.status != HandoffStatus.HELD:
            raise web.HTTPConflict(text=dumps({"error": "not_held", "message": "这个对话现在没有人工接待。"}),
                                   content_type="application/json")
        if handoff.agent_id != who.id and who.role != "supervisor":
            raise web.HTTPConflict(text=dumps({"error": "not_yours", "message": "这个对话由其他同事接待中。"}),
                                   content_type="application/json")
        return handoff

    @staticmethod
    def may_read(who: accounts.Who, handoff) -> bool:  # type: ignore[no-untyped-def]
        """Least privilege (issue 18): supervisors read any conversation; agents those waiting for
        a person or held by one; experts those waiting for an expert seat or held by themselves."""
        if who.role == "supervisor":
            return True
        if handoff is None:
            return False
        if who.role == "expert":
            return handoff.agent_id == who.id if handoff.status == HandoffStatus.HELD else handoff.reason == "expert"
        return handoff.status in HandoffStatus.OPEN

    async def conversation(self, request: web.Request) -> web.Response:
        who = await self._require(request)
        sender_id = await self._sender(request, who)
        handoff = await asyncio.to_thread(repository.open_handoff, sender_id)
        if not self.may_read(who, handoff):
            # The same answer whether or not the conversation exists.
            return error(404, "not_found", "没有这个对话，或它现在不在人工服务中。")
        entries = await asyncio.to_thread(transcript.history, sender_id)
        if not entries and handoff is None:
            return error(404, "not_found", "没有这个对话。")
        await asyncio.to_thread(lifecycle.audit, _actor(who), "read_conversation", None, sender_id[:200])
        fields: dict[str, Any] = {k: None for k in ORDER_FIELDS}
        fields_error = None
        try:
            slots = (await self.hub.rasa.tracker(sender_id)).get("slots") or {}
            fields.update({k: slots.get(k) for k in ORDER_FIELDS})
        except (RasaUnavailable, RasaFailed):
            fields_error = "智能助手暂时连不上，已收集的信息读不到，请根据对话记录填写。"
        orders = await asyncio.to_thread(repository.orders_for_sender, sender_id, 10)
        if fields.get("phone"):
            seen = {o.number for o in orders}
            orders += [o for o in await asyncio.to_thread(repository.orders_for_phone, fields["phone"])
                       if o.number not in seen]
        channel = entries[-1].channel if entries else (handoff.channel if handoff else "rest")
        transcript_out = []
        for e in entries:
            item = e.as_dict()
            item.pop("upload", None)
            transcript_out.append(item)
        return ok({
            "sender_id": handle(handoff.id) if who.role == "expert" and handoff else sender_id, "channel": channel,
            "handoff": {"id": handoff.id, "status": handoff.status, "agent_id": handoff.agent_id,
                        "agent": await asyncio.to_thread(accounts.display_name, handoff.agent_id),
                        "reason": handoff.reason, "reason_label": messages.HANDOFF_REASONS.get(handoff.reason)}
            if handoff else None,
            "transcript": transcript_out, "fields": fields, "fields_error": fields_error,
            "orders": [{"number": o.number, "status": o.status, "status_label": o.status_label,
                        "request_type": o.request_type, "content": o.content[:200], "created_at": _iso(o.created_at),
                        "deadline": o.deadline.isoformat()} for o in orders],
            "notes": [{**n, "created_at": _iso(n["created_at"])}
                      for n in await asyncio.to_thread(repository.notes_for, sender_id)],
        })

    async def reply(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True)
        sender_id = await self._sender(request, who)
        body = await read_json(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return error(400, "empty", "回复内容不能为空。")
        if len(text) > MAX_REPLY:
            return error(400, "too_long", f"回复不能超过{MAX_REPLY}个字，请分几条发送。")
        handoff = await self._held(sender_id, who)
        await self.hub.agent_say(sender_id, handoff.channel or "rest", who.display_name, text.strip())
        return ok({"ok": True})

    def _order_request(self, fields: Any, sender_id: str, channel: str, key: str) -> repository.OrderRequest:
        if not isinstance(fields, dict):
            raise ValueError("工单信息格式不对。")
        request_type = fields.get("request_type")
        if request_type not in REQUEST_TYPES:
            raise ValueError("请选择诉求类型（咨询、求助、投诉、举报、意见建议）。")
        content = fields.get("content")
        if not isinstance(content, str) or len(content.strip()) < 2:
            raise ValueError("请填写诉求内容。")
        if len(content) > MAX_CONTENT_CHARS:
            raise ValueError(f"诉求内容不能超过{MAX_CONTENT_CHARS}个字。")

        def text(key_: str, limit: int) -> str | None:
            value = fields.get(key_)
            if value is None or value == "":
                return None
            if not isinstance(value, str) or len(value) > limit:
                raise ValueError(f"{key_} 格式不对或太长。")
            return value.strip() or None

        phone = text("phone", 20)
        if phone and not (phone.replace("-", "").replace(" ", "").isdigit() and 7 <= len(phone) <= 20):
            raise ValueError("联系电话只能是数字（座机可带区号和“-”）。")
        confidential = fields.get("confidential")
        return repository.OrderRequest(
            request_type=request_type, content=content.strip(), address=text("address", 200),
            district=text("district", 32), name=text("name", 64), phone=phone,
            confidential=bool(confidential) if confidential is not None else request_type == "举报",
            wants_reply=bool(fields.get("wants_reply", True)), channel=channel, sender_id=sender_id,
            idempotency_key=key)

    async def _file(self, req: repository.OrderRequest, *, repeat_from_any_conversation: bool) -> dict[str, Any]:
        """An agent's filing (a chat taken over, a phone call) goes the bot's way
        (bot/orders/filing.py): the repeat check, the multi-matter split, an urgent matter at
        once, 智能派单 and 集中反映."""
        filing = await asyncio.to_thread(file_request, req, self.hub.profile,
                                         repeat_from_any_conversation=repeat_from_any_conversation)
        return {**_order_fields(filing.order), "repeat": filing.repeat,
                "others": [{**_order_fields(o), "unit": o.unit or unit, "content": o.content} for o, unit in filing.others]}

    async def file(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True)
        sender_id = await self._sender(request, who)
        handoff = await self._held(sender_id, who)
        body = await read_json(request)
        content = str(body.get("content", ""))
        key = f"agent:{handoff.id}:{hashlib.sha256(content.encode()).hexdigest()[:16]}"
        try:
            req = self._order_request(body, sender_id, handoff.channel or "rest", key)
        except ValueError as exc:
            return error(400, "invalid", str(exc))
        order = await self._file(req, repeat_from_any_conversation=False)
        deadline = dt.date.fromisoformat(order["deadline"])
        said = (messages.AGENT_REPEAT if order["repeat"] else messages.AGENT_FILED).format(
            number=order["number"], status=order["status_label"],
            deadline=f"{deadline.year}年{deadline.month:02d}月{deadline.day:02d}日")
        if order["urgent"] and not order["repeat"]:
            said += "\n" + messages.urgent_filed(order["urgent"], self.hub.profile.urgent_hours, order["unit"])
        if order["others"]:
            said += "\n" + messages.several_orders([(o["number"], o["content"], o["unit"]) for o in order["others"]])
        await self.hub.agent_say(sender_id, req.channel, who.display_name, said)
        try:  # the matter is dealt with: when the bot resumes, its form does not ask again
            await self.hub.rasa.append_events(sender_id, END_FORM)
        except (RasaUnavailable, RasaFailed) as exc:
            log.warning("form of %s not ended after agent filing: %s", sender_id, exc)
        return ok({"order": order}, status=201)

    async def note(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True)
        body = await read_json(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 2000:
            return error(400, "invalid", "备注不能为空，最多2000字。")
        sender_id = await self._sender(request, who)
        await self._held(sender_id, who)  # notes on a conversation one holds
        await asyncio.to_thread(repository.add_note, sender_id, who.id, text.strip())
        return ok({"ok": True}, status=201)

    async def _end(self, request: web.Request, status: str) -> web.Response:
        who = await self._require(request, write=True)
        sender_id = await self._sender(request, who)
        handoff = await self._held(sender_id, who)
        ended = await asyncio.to_thread(repository.end_handoff, handoff.id, status,
                                        None if who.role == "supervisor" else who.id)
        if not ended:
            return error(409, "not_held", "这个对话已经结束或交还。")
        notice = messages.AGENT_HANDBACK if status == HandoffStatus.RETURNED else messages.AGENT_CLOSED
        try:
            await self.hub.resume_bot(sender_id, handoff.channel or "rest", end_form=status == HandoffStatus.CLOSED,
                                      notice=notice)
        except (RasaUnavailable, RasaFailed) as exc:
            log.error("rasa not resumed for %s: %s", sender_id, exc)
            await self.hub.system_say(sender_id, handoff.channel or "rest", notice)
        await self.broadcast_queue()
        return ok({"ok": True})

    async def ask_expert(self, request: web.Request) -> web.Response:
        """Ask the citizen whether they agree to be put through to an expert seat (通辽条例
        第十五条: only with their consent)."""
        who = await self._require(request, write=True)
        sender_id = await self._sender(request, who)
        handoff = await self._held(sender_id, who)
        channel = handoff.channel or "rest"
        await self.hub.record(sender_id, channel, "agent", messages.EXPERT_CONSENT_QUESTION,
                              {"agent": who.display_name, "buttons": [
                                  {"title": t, "payload": t} for t in messages.EXPERT_CONSENT_CHOICES]},
                              delivered=False)
        await self.hub.flush(sender_id, channel)
        return ok({"ok": True})

    async def transfer_expert(self, request: web.Request) -> web.Response:
        """Put the conversation back in the queue for an expert seat, once the citizen agreed."""
        who = await self._require(request, write=True)
        sender_id = await self._sender(request, who)
        handoff = await self._held(sender_id, who)
        body = await read_json(request)
        if body.get("consent") is not True:
            return error(400, "no_consent", "转接专家坐席需要先征得市民同意。")
        if not await asyncio.to_thread(repository.requeue_handoff, handoff.id, "expert"):
            return error(409, "not_held", "这个对话已经结束或交还。")
        await self.hub.system_say(sender_id, handoff.channel or "rest", messages.EXPERT_TRANSFER)
        await asyncio.to_thread(repository.add_note, sender_id, who.id, "市民同意后转专家坐席")
        await self.broadcast_queue()
        return ok({"ok": True})

    async def handback(self, request: web.Request) -> web.Response:
        return await self._end(request, HandoffStatus.RETURNED)

    async def close(self, request: web.Request) -> web.Response:
        return await self._end(request, HandoffStatus.CLOSED)

    # ---------------------------------------------------------------- phone calls

    async def triage(self, request: web.Request) -> web.Response:
        await self._require(request, write=True)
        body = await read_json(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return error(400, "invalid_text", "请先输入来电内容。")
        if len(text) > MAX_CONTENT_CHARS:
            return error(413, "text_too_long", f"来电内容不能超过{MAX_CONTENT_CHARS}个字。")
        reading = await read_message(self.hub, text)
        reading["desk_alert"] = await self._call_alert(body.get("call_id"), text)
        return ok(reading)

    async def _call_alert(self, call_id: Any, text: str) -> int | None:
        """A caller's emergency goes on the duty desk like a chat's (the linkage units are told
        too): the agent on the phone transfers the call, the desk keeps the record. One alert
        per call, however often the agent reads it again."""
        if not isinstance(call_id, str) or not 8 <= len(call_id) <= 64 or not call_id.isalnum():
            return None
        reading = await asyncio.to_thread(emergency.assess, text)
        if reading.emergency is None:
            return None
        done = await asyncio.to_thread(desk.raise_alert, f"phone-{call_id}", "phone", text, reading.emergency,
                                       reading.level, self.hub.profile)
        await self.desk.watch_once()
        return done.alert_id if done else None

    async def call(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True)
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
        await asyncio.to_thread(repository.add_note, req.sender_id, who.id, "电话来电，由坐席录入")
        return ok({"order": order}, status=201)

    # ---------------------------------------------------------------- work orders (units, 督办)

    async def unit_orders(self, request: web.Request) -> web.Response:
        who = await self._require(request, roles=("unit",))
        status = request.query.get("status") or None
        if status is not None and status not in units.STATUSES:
            return error(400, "bad_status", "没有这个工单状态。")
        return ok({"orders": await asyncio.to_thread(units.unit_orders, who.unit, status)})

    async def unit_order(self, request: web.Request) -> web.Response:
        who = await self._require(request, roles=("unit",))
        view = await asyncio.to_thread(units.order_detail, request.match_info["number"], _actor(who), who.unit)
        return ok(view) if view is not None else error(404, "not_found", "本单位没有这个工单。")

    async def unit_act(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True, roles=("unit",))
        body = await read_json(request)
        return await asyncio.to_thread(units.unit_action, who.unit, _actor(who), request.match_info["number"],
                                       request.match_info["action"], body, self.hub.profile)

    async def oversight(self, request: web.Request) -> web.Response:
        await self._require(request, roles=("supervisor",))
        return ok(await asyncio.to_thread(units.oversight, self.hub.profile))

    async def order(self, request: web.Request) -> web.Response:
        who = await self._require(request, roles=("supervisor",))
        view = await asyncio.to_thread(units.order_detail, request.match_info["number"], _actor(who))
        return ok(view) if view is not None else error(404, "not_found", "没有这个工单。")

    async def order_act(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True, roles=("supervisor",))
        body = await read_json(request)
        return await asyncio.to_thread(units.staff_action, _actor(who), request.match_info["number"],
                                       request.match_info["action"], body, self.hub.profile)

    async def audit(self, request: web.Request) -> web.Response:
        await self._require(request, roles=("supervisor",))
        q = request.query
        return ok({"entries": await asyncio.to_thread(lifecycle.audit_entries, q.get("number"), q.get("actor"),
                                                      units.parse_limit(q.get("limit")))})

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
                       "entry": {**entry, "at": _iso(utcnow())}}
            await self.hub.bus.publish("console", message)
            if self.sockets:
                await self.broadcast(message)

    async def _from_another_gateway(self, message: dict[str, Any]) -> None:
        if self.sockets:
            await self.broadcast(message)

    async def waiting_text(self, sender_id: str, first: bool = False) -> str:
        waiting = [h for h in await asyncio.to_thread(repository.handoff_queue) if h["status"] == "waiting"]
        ahead = next((i for i, h in enumerate(waiting) if h["sender_id"] == sender_id), len(waiting))
        minutes = max(1, math.ceil((ahead + 1) * MINUTES_PER_CONVERSATION / max(1, self.online())))
        return messages.handoff_waiting(ahead, minutes, first)

    async def on_handoff(self, sender_id: str, channel: str) -> None:
        """The bot just handed the conversation over: say where the citizen is in the queue, or,
        with nobody online, give the conversation back to the bot and offer a work order (after
        an emergency the guidance was given already: the alert stays for the duty staff)."""
        handoff = await asyncio.to_thread(repository.open_handoff, sender_id)
        if handoff is None:
            return
        follow_up = handoff.reason == "sensitive"
        if self.online() == 0:
            await asyncio.to_thread(repository.end_handoff, handoff.id, HandoffStatus.RETURNED)
            await self.hub.rasa.append_events(sender_id, [{"event": "resume"}, LISTEN])
            if not follow_up:
                text = messages.handoff_nobody(self.hub.profile) if self.staffed() else \
                    messages.handoff_off_hours(self.hub.profile, self.hours_text())
                await self.hub.record(sender_id, channel, "system", text, delivered=False)
            return
        if follow_up:
            await self.hub.record(sender_id, channel, "system", messages.HANDOFF_FOLLOW_UP, delivered=False)
        await self.hub.record(sender_id, channel, "system", await self.waiting_text(sender_id, first=True),
                              delivered=False)
        await self.broadcast_queue()

    # ---------------------------------------------------------------- wiring

    def start(self) -> None:
        self._watcher = asyncio.get_running_loop().create_task(self.watch_queue())

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        for ws in list(self.sockets):
            await ws.close()

    def routes(self) -> list[web.RouteDef]:
        conv = "/console/api/conversations/{sender_id}"
        return [
            web.get("/console", self.console_page),
            web.get("/console/login", self.login_page),
            web.post("/console/login", self.login),
            web.post("/console/logout", self.logout),
            web.get("/console/api/me", self.me),
            web.get("/console/api/queue", self.queue),
            web.post("/console/api/handoffs/{handoff_id}/claim", self.claim),
            web.get(conv, self.conversation),
            web.post(conv + "/reply", self.reply),
            web.post(conv + "/file", self.file),
            web.post(conv + "/note", self.note),
            web.post(conv + "/handback", self.handback),
            web.post(conv + "/ask-expert", self.ask_expert),
            web.post(conv + "/transfer-expert", self.transfer_expert),
            web.post(conv + "/close", self.close),
            web.post("/console/api/triage", self.triage),
            web.post("/console/api/calls", self.call),
            web.get("/console/orders", self.orders_page),
            web.get("/console/api/unit/orders", self.unit_orders),
            web.get("/console/api/unit/orders/{number}", self.unit_order),
            web.post("/console/api/unit/orders/{number}/{action}", self.unit_act),
            web.get("/console/api/oversight", self.oversight),
            web.get("/console/api/orders/{number}", self.order),
            web.post("/console/api/orders/{number}/{action}", self.order_act),
            web.get("/console/api/audit", self.audit),
            *self.desk.routes(),
            web.get("/console/ws", self.websocket),
            web.static("/console/static", STATIC),
        ]


def _order_fields(order: Any) -> dict[str, Any]:
    return {"number": order.number, "deadline": order.deadline.isoformat(), "status": order.status,
            "status_label": order.status_label, "unit": order.unit, "urgent": order.urgent,
            "urgent_label": messages.URGENT_LABELS.get(order.urgent) if order.urgent else None,
            "due_at": order.due_at.isoformat() + "Z" if order.due_at else None}


HANDLE = re.compile(r"h(\d{1,12})")


def handle(handoff_id: int) -> str:
    """How an expert names a conversation: its handoff, not the citizen's channel identity."""
    return f"h{handoff_id}"


def _expert_may_read(who: accounts.Who, item: dict[str, Any]) -> bool:
    if item["status"] == HandoffStatus.HELD:
        return item["agent_id"] == who.id
    return item["reason"] == "expert"
