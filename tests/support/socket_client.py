"""A citizen on the web channel for tests: Rasa's socket.io protocol, as a widget speaks it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import socketio


class SocketCitizen:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = socketio.AsyncClient(reconnection=False)
        self.session_id: str | None = None
        self.replies: list[dict[str, Any]] = []
        self.history: list[list[dict[str, Any]]] = []
        self._confirmed = asyncio.Event()
        self._arrived = asyncio.Event()
        self.client.on("session_confirm", self._on_confirm)
        self.client.on("bot_uttered", self._on_bot)
        self.client.on("history", self._on_history)

    async def _on_confirm(self, data: str) -> None:
        self.session_id = data
        self._confirmed.set()

    async def _on_bot(self, data: dict[str, Any]) -> None:
        self.replies.append(data)
        self._arrived.set()

    async def _on_history(self, data: list[dict[str, Any]]) -> None:
        self.history.append(data)

    async def connect(self, session_id: str | None = None, history: bool = False) -> str:
        await self.client.connect(self.url, socketio_path="socket.io", transports=["websocket"])
        await self.client.emit("session_request", {"session_id": session_id, "history": history})
        await asyncio.wait_for(self._confirmed.wait(), 10)
        assert self.session_id
        return self.session_id

    async def say(self, text: str, wait: float = 30) -> list[dict[str, Any]]:
        """Send a message; return the replies that came for it (several events in a row)."""
        before = len(self.replies)
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        await self.wait_for_replies(before + 1, wait)
        await asyncio.sleep(0.3)
        return self.replies[before:]

    async def wait_for_replies(self, count: int, wait: float = 30) -> bool:
        deadline = time.monotonic() + wait
        while len(self.replies) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except asyncio.TimeoutError:
                return len(self.replies) >= count
        return True

    async def close(self) -> None:
        await asyncio.sleep(0.2)
        await self.client.disconnect()


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)
