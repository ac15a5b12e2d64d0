"""What each part of the console (sessions.py, live.py, conversations.py, calls.py,
order_pages.py) knows of the Console they make up (web.py): its state, set in
``Console.__init__``, and the methods one part offers the others. Declarations for the type
checker only: at run time the class is empty, so it changes nothing in the parts' order."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.console import accounts
from bot.gateway.port import ConsolePort
from bot.store import repository

if TYPE_CHECKING:
    from bot.console.desk import DutyDesk


class ConsolePart:
    hub: ConsolePort
    hours: tuple[dt.time, dt.time] | None    # staffed hours (China time); None: always
    secure_cookie: bool
    sockets: dict[web.WebSocketResponse, accounts.Who]
    _login_failures: dict[str, deque[float]]  # monotonic times of failed logins, by address|name and *|name
    _queue_signature: str | None
    _queued: dict[str, dict[str, Any]]        # conversations agents may follow live, by sender
    _watcher: asyncio.Task[None] | None
    _online: set[int]                         # agents connected to any gateway
    desk: DutyDesk

    if TYPE_CHECKING:  # offered by one part to the others
        def _session(self, request: web.Request) -> tuple[accounts.Who, str] | None: ...  # sessions.py

        async def _require(self, request: web.Request, write: bool = False,
                           roles: tuple[str, ...] = ...) -> accounts.Who: ...        # sessions.py

        async def broadcast_queue(self) -> None: ...                                 # live.py

        def _order_request(self, fields: Any, sender_id: str, channel: str,
                           key: str) -> repository.OrderRequest: ...                # conversations.py

        async def _file(self, req: repository.OrderRequest, *,
                        repeat_from_any_conversation: bool) -> dict[str, Any]: ...   # conversations.py
