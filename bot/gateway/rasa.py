"""Talking to the Rasa server (its REST channel) and checking the action server."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import quote

import aiohttp


class RasaUnavailable(Exception):
    """Rasa (or the action server it needs) could not take the message: it was not delivered."""


class RasaFailed(Exception):
    """Rasa took the message but did not answer properly (error or too slow)."""


def _not_sent(exc: aiohttp.ClientError) -> bool:
    """The request never reached Rasa: the connection was refused or not made in time. (A
    connection that broke later may have carried it: that is a failure, not unavailability.)"""
    if isinstance(exc, aiohttp.ClientConnectorError):
        return True
    timeout_cls = getattr(aiohttp, "ConnectionTimeoutError", None)  # aiohttp >= 3.10
    if timeout_cls is not None and isinstance(exc, timeout_cls):
        return True
    # aiohttp 3.8/3.9 raise a plain ServerTimeoutError for a connection not made in time.
    return isinstance(exc, aiohttp.ServerTimeoutError) and str(exc).startswith("Connection timeout")


class RasaClient:
    def __init__(self, rasa_url: str, actions_url: str, health_ttl: float = 1.0, connections: int = 100,
                 connect_timeout: float = 3.0, health_timeout: float = 2.0, in_flight: int = 8) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        self.actions_url = actions_url.rstrip("/")
        self.health_ttl = health_ttl
        self.connections = connections
        self.connect_timeout = connect_timeout
        self.health_timeout = health_timeout
        self._session: aiohttp.ClientSession | None = None
        self._actions_ok_until = 0.0
        # Citizen messages at Rasa at once (the rest wait their turn, first come first served);
        # agents' calls of Rasa's API do not queue behind them.
        self._in_flight = asyncio.Semaphore(in_flight)

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # The connect timeout is for making a connection only (sock_connect), not for the
            # wait for a free one: when every pooled connection is busy (a saturated Rasa), a
            # message waits its turn rather than failing.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections, keepalive_timeout=30),
                timeout=aiohttp.ClientTimeout(total=None, connect=None, sock_connect=self.connect_timeout),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def actions_up(self) -> bool:
        """The action server is there (a success is trusted for ``health_ttl``). A server that
        takes its connection but is slow to answer counts as there: it is busy (a single process
        computing for other citizens), and Rasa will wait for it as it waits for any action;
        calling it down would hold the message back and tell the citizen the system is down."""
        if time.monotonic() < self._actions_ok_until:
            return True
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.connect_timeout, sock_read=self.health_timeout)
        try:
            async with self.session.get(f"{self.actions_url}/health", timeout=timeout) as r:
                ok = r.status == 200
        except aiohttp.ClientError as exc:
            ok = not _not_sent(exc) and isinstance(exc, aiohttp.ServerTimeoutError)
        except asyncio.TimeoutError:
            ok = False
        if ok:
            self._actions_ok_until = time.monotonic() + self.health_ttl
        return ok

    async def rasa_up(self) -> bool:
        try:
            async with self.session.get(f"{self.rasa_url}/", timeout=aiohttp.ClientTimeout(total=2)) as r:
                return r.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """One user message through Rasa's REST channel; its replies in Rasa's REST format."""
        if not await self.actions_up():
            raise RasaUnavailable("action server down")
        payload = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        try:
            async with self._in_flight, self.session.post(f"{self.rasa_url}/webhooks/rest/webhook", json=payload) as r:
                if r.status >= 500:
                    raise RasaFailed(f"rasa answered {r.status}")
                if r.status != 200:
                    raise RasaFailed(f"rasa answered {r.status}: {(await r.text())[:200]}")
                replies = await r.json(content_type=None)
        except aiohttp.ClientError as exc:
            if _not_sent(exc):
                raise RasaUnavailable(str(exc)) from exc
            raise RasaFailed(str(exc)) from exc
        except ValueError as exc:
            raise RasaFailed(str(exc)) from exc
        if not isinstance(replies, list):
            raise RasaFailed("rasa answered something that is not a list")
        if not replies and not await self.actions_up():
            # The action server died while Rasa handled the message: Rasa has it, the
            # actions' part is lost. Say so rather than stay silent.
            raise RasaFailed("action server went down during the message")
        return [m for m in replies if isinstance(m, dict)]

    # ---------------------------------------------------------------- Rasa's HTTP API (agents)

    async def _api(self, method: str, path: str, body: Any = None, timeout: float = 15) -> Any:
        """One call of Rasa's HTTP API (``path`` after the server's URL)."""
        url = f"{self.rasa_url}/{path}"
        try:
            async with self.session.request(method, url, json=body, timeout=aiohttp.ClientTimeout(total=timeout)) as r:
                if r.status >= 400:
                    raise RasaFailed(f"rasa {method} {path.split('?', 1)[0].rsplit('/', 1)[-1]} answered {r.status}")
                return await r.json(content_type=None)
        except aiohttp.ClientError as exc:
            if _not_sent(exc):
                raise RasaUnavailable(str(exc)) from exc
            raise RasaFailed(str(exc)) from exc
        except (asyncio.TimeoutError, ValueError) as exc:
            raise RasaFailed(str(exc)) from exc

    async def tracker(self, sender_id: str) -> dict[str, Any]:
        return await self._api("GET", f"conversations/{quote(sender_id, safe='')}/tracker?include_events=NONE")

    async def append_events(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        """Add events to the conversation (resume, an agent's message, form reset)."""
        await self._api("POST", f"conversations/{quote(sender_id, safe='')}/tracker/events?include_events=NONE", events)

    async def execute(self, sender_id: str, action: str) -> list[dict[str, Any]]:
        """Run one action in the conversation (e.g. the form, to ask its question again); the
        messages it produced, in the REST shape."""
        result = await self._api("POST", f"conversations/{quote(sender_id, safe='')}/execute?include_events=NONE",
                                 {"name": action})
        return [m for m in (result or {}).get("messages", []) if isinstance(m, dict)]

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's NLU reading of a text (intent, entities), without touching any conversation."""
        return await self._api("POST", "model/parse", {"text": text}, timeout=5)
