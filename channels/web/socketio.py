"""Rasa's socket.io channel protocol, served by the gateway (python-socketio, aiohttp mode).

``session_request {session_id}`` -> ``session_confirm session_id``; ``user_uttered {message,
session_id}`` -> one ``bot_uttered`` per reply, in the shapes Rasa's SocketIOOutput uses (text,
``quick_replies``, ``attachment``), so the rasa-webchat widget works unchanged. Two additions
that clients may ignore: ``metadata.author`` on each reply (bot, agent, system), and, for
clients that ask with ``{"history": true}``, a ``history`` event with the whole conversation,
which is how our widget shows it again after a page reload. The session id a page sends is a
token this hotline issued (channels/web/sessions.py): any other starts a new session, so a
conversation's name alone never opens it.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio

from bot.gateway.limits import client_address
from bot.gateway.port import ChannelPort
from channels.web import sessions

log = logging.getLogger(__name__)

CHANNEL = "web"


def sender_for(public_id: str) -> str:
    """The conversation of a session's public id (channels/web/sessions.py)."""
    return f"web-{public_id}"


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


def attach(sio: socketio.AsyncServer, hub: ChannelPort) -> None:
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

    async def begin(sid: str, requested: Any) -> str:
        """The session of this page: the one its token names, or a new one (then confirmed to
        the page, which keeps the new token). Returns the public id (the room)."""
        token = requested if sessions.public_id(requested) else sessions.issue()
        public = sessions.public_id(token)
        assert public is not None
        await sio.save_session(sid, {"session_id": public})
        await sio.enter_room(sid, public)
        await sio.emit("session_confirm", token, room=sid)
        return public

    @sio.on("session_request")
    async def session_request(sid: str, data: Any = None) -> None:
        data = data if isinstance(data, dict) else {}
        sender = sender_for(await begin(sid, data.get("session_id")))
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
        if not session_id:  # a client that spoke before asking for its session
            session_id = await begin(sid, data.get("session_id"))
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
        for m in direct or []:  # only when the transcript could not keep them
            await sio.emit("bot_uttered", to_socketio(m), room=session_id)
