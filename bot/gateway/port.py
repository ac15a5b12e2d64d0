"""What a citizen's channel may ask of the gateway: the few methods of the hub it needs.

Channels (``channels/web``, ``channels/wechat``) are written against this Protocol, not against the
concrete ``Hub``, as Rasa's own input channels know only an ``on_new_message`` callback: a channel
hands a citizen's message in, registers how to push replies out, and reads what the citizen has not
seen yet. The composition root (``bot/gateway/app.py``) gives them the hub.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.gateway.config import GatewayConfig
from bot.profile import Profile

# A channel's way to push messages to a citizen who is not waiting on a request; returns
# whether they were delivered live.
Push = Callable[[str, list[dict[str, Any]]], Awaitable[bool]]


class ChannelPort(Protocol):
    config: GatewayConfig
    profile: Profile

    async def handle(self, sender_id: str, channel: str, text: str, metadata: dict[str, Any] | None = None,
                     shown: str | None = None, push: bool = False,
                     address: str | None = None) -> list[dict[str, Any]]:
        """Take one citizen message; what to show them now."""

    def register_output(self, channel: str, push: Push, reaches: Callable[[str], bool] | None = None) -> None:
        """How replies reach this channel's citizens when they are not waiting on a request."""

    async def record(self, sender_id: str, channel: str, author: str, text: str | None,
                     data: dict[str, Any] | None = None, status: str = "sent",
                     delivered: bool = True) -> int | None:
        """Keep an entry of the conversation (an upload, a system note)."""

    async def take_undelivered(self, sender_id: str) -> list[dict[str, Any]]:
        """Replies the citizen has not seen yet, now taken as seen."""

    async def history(self, sender_id: str) -> list[dict[str, Any]]:
        """The conversation so far (a page reloaded)."""
