"""The agents' console, served by the gateway under ``/console``: the Console composed of its parts
(sessions.py, live.py, conversations.py, calls.py, order_pages.py; shared constants in common.py).

Pages: ``/console/login`` (public), ``/console`` (agents and supervisors: the conversations),
``/console/orders`` (handling units: their work orders; supervisors: the 督办 queues and the
audit log; agents: the call-back list and an order's topic to correct), ``/console/analytics`` (研判: supervisors and leaders). JSON API under ``/console/api``
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
import logging
from collections import defaultdict, deque
from typing import Any

from aiohttp import web

from bot.console import accounts
from bot.console.calls import Calls
from bot.console.common import STATIC, parse_hours
from bot.console.conversations import Conversations
from bot.console.desk import DutyDesk
from bot.console.live import Live
from bot.console.order_pages import OrderPages
from bot.console.sessions import Sessions
from bot.gateway.port import ConsolePort

log = logging.getLogger(__name__)


class Console(Sessions, Live, Conversations, Calls, OrderPages):
    def __init__(self, hub: ConsolePort, secure_cookie: bool = False, hours: str = "") -> None:
        self.hub = hub
        self.hours = parse_hours(hours)
        self.secure_cookie = secure_cookie
        self.sockets: dict[web.WebSocketResponse, accounts.Who] = {}
        self._login_failures: dict[str, deque] = defaultdict(deque)
        self._queue_signature: str | None = None
        self._queued: dict[str, dict[str, Any]] = {}  # conversations agents may follow live, by sender
        self._watcher: asyncio.Task | None = None
        self._online: set[int] = set()  # agents connected to any gateway (refreshed every second)
        hub.on_citizen_message(self.on_message)
        hub.bus.on("console", self._from_another_gateway)
        hub.on_handoff(self.on_handoff)
        hub.set_waiting_text(self.waiting_text)
        self.desk = DutyDesk(self)

    # ---------------------------------------------------------------- wiring

    def start(self) -> None:
        self._watcher = asyncio.get_running_loop().create_task(self.watch_queue())

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        for ws in list(self.sockets):
            await ws.close()

    def routes(self) -> list[web.AbstractRouteDef]:  # pages, the API and the static files
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
            web.post(conv + "/undelivered/seen", self.undelivered_seen),
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
            web.get("/console/api/order-topic/{number}", self.order_topic),
            web.post("/console/api/order-topic/{number}", self.set_order_topic),
            web.get("/console/api/callbacks", self.callbacks),
            web.get("/console/analytics", self.analytics_page),
            web.get("/console/api/analytics/{what}", self.analytics),
            web.post("/console/api/analytics/warnings/{id}/{action}", self.warning),
            web.post("/console/api/callbacks/{number}", self.callback),
            *self.desk.routes(),
            web.get("/console/ws", self.websocket),
            web.static("/console/static", STATIC),
        ]
