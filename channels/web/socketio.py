"""Rasa's socket.io channel protocol, served by the gateway (python-socketio, aiohttp mode).

``session_request {session_id}`` -> ``session_confirm session_id``; ``user_uttered {message,
session_id}`` -> one ``bot_uttered`` per reply, in the shapes Rasa's SocketIOOutput uses (text,
``quick_replies``, ``attachment``), so the rasa-webchat widget works unchanged. Two additions
that clients may ignore: ``metadata.author`` on each reply (bot, agent, system), and, for
clients that ask with ``{"history": true}``, a ``history`` event with the whole conversation,
which is how our widget shows it again after a page reload.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import socketio

from bot.gateway.hub import Hub
from bot.gateway.limits import client_address

log = logging.getLogger(__name__)

CHANNEL = "web"
SESSION_RX = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def sender_for(session_id: str) -> str:
    return f"web-{session_id}"


def to_socketio(message: dict[str, Any]) -> dict[str, Any]:
    """One reply in Rasa's REST shape (plus author) -> the bot_uttered payload."""
    out: dict[str, Any] = {}
    if message.get("text"):
        out["text"] = message["text"]
    buttons = message.get("buttons") or []
    if buttons:
        out["quick_replies"] = [
            {"content_type": "text", "title": b.get("title", ""), "payload": b.get("payload", b.get("title", ""))}
            for b in buttons if isinstance(b, dict)
        ]
    if message.get("image"):
        out["attachment"] = {"type": "image", "payload": {"src": message["image"]}}
    if message.get("attachment"):
        out["attachment"] = message["attachment"]
    if isinstance(message.get("custom"), dict):
        out.update(message["custom"])
    out["metadata"] = {"author": message.get("author", "bot")}
    return out


def attach(sio: socketio.AsyncServer, hub: Hub) -> None:
    def reaches(sender_id: str) -> bool:
        """A page of this citizen is connected to this gateway."""
        return any(True for _ in sio.manager.get_participants("/", sender_id.removeprefix("web-")))

    async def push(sender_id: str, messages: list[dict[str, Any]]) -> bool:
        if not reaches(sender_id):
            return False
        room = sender_id.removeprefix("web-")
        for m in messages:
            await sio.emit("bot_uttered", to_socketio(m), room=room)
        return True

    hub.register_output(CHANNEL, push, reaches)

    @sio.on("session_request")
    async def session_request(sid: str, data: Any = None) -> None:
        data = data if isinstance(data, dict) else {}
        requested = data.get("session_id")
        session_id = requested if isinstance(requested, str) and SESSION_RX.match(requested) else uuid.uuid4().hex
        await sio.save_session(sid, {"session_id": session_id})
        await sio.enter_room(sid, session_id)
        await sio.emit("session_confirm", session_id, room=sid)
        sender = sender_for(session_id)
        if data.get("history"):
            await sio.emit("history", await hub.history(sender), room=sid)
        else:
            # rasa-webchat keeps its own history; give it only what it has not seen.
            for m in await hub.take_undelivered(sender):
                await sio.emit("bot_uttered", to_socketio(m), room=sid)

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: Any = None) -> None:
        data = data if isinstance(data, dict) else {}
        session = await sio.get_session(sid)
        session_id = session.get("session_id")
        if not session_id:
            requested = data.get("session_id")
            if not (isinstance(requested, str) and SESSION_RX.match(requested)):
                requested = uuid.uuid4().hex
            session_id = requested
            await sio.save_session(sid, {"session_id": session_id})
            await sio.enter_room(sid, session_id)
        message = data.get("message")
        if not isinstance(message, str) or not message.strip():
            return  # rasa-webchat sends one without a message when a session starts
        custom = data.get("customData") if isinstance(data.get("customData"), dict) else {}
        shown = data.get("display_text") if isinstance(data.get("display_text"), str) else None
        # Replies go to every page of this session that is open, and stay undelivered (shown
        # with the history on the next connect) when none is, e.g. during a page reload.
        environ = sio.get_environ(sid) or {}
        request = environ.get("aiohttp.request")  # engineio's REMOTE_ADDR is always 127.0.0.1
        address = client_address(getattr(request, "remote", None), environ.get("HTTP_X_FORWARDED_FOR"))
        direct = await hub.handle(sender_for(session_id), CHANNEL, message,
                                  {"customData": custom} if custom else None, shown=shown, push=True, address=address)
        for m in direct:  # only when the transcript could not keep them
            await sio.emit("bot_uttered", to_socketio(m), room=session_id)
