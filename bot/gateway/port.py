"""What the citizens' channels and the agents' console may ask of the gateway: the few methods of
the hub each needs.

Channels (``channels/web``, ``channels/wechat``) are written against this Protocol, not against the
concrete ``Hub``, as Rasa's own input channels know only an ``on_new_message`` callback: a channel
hands a citizen's message in, registers how to push replies out, and reads what the citizen has not
seen yet. The console (``bot/console``) is written against ``ConsolePort`` in the same way: it
speaks and records in a conversation, hears every entry, hands a conversation back and forth
between the bot and a person, and reaches the other gateways through the bus. The composition
root (``bot/gateway/app.py``) gives them the hub.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.gateway.bus import Bus
from bot.gateway.config import GatewayConfig
from bot.profile import Profile

# A channel's way to push messages to a citizen who is not waiting on a request; returns
# whether they were delivered live.
Push = Callable[[str, list[dict[str, Any]]], Awaitable[bool]]
# Told of every entry recorded (the console's live view): (sender, channel, entry dict).
Listener = Callable[[str, str, dict[str, Any]], Awaitable[None]]
# Called when the bot has just handed a conversation to the agents: (sender, channel).
HandoffHook = Callable[[str, str], Awaitable[None]]


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


class ConsolePort(Protocol):
    config: GatewayConfig
    profile: Profile
    bus: Bus  # the other gateways (agents online, live messages for their sockets)

    def on_citizen_message(self, listener: Listener) -> None:
        """``listener`` hears every entry of every conversation."""

    def on_handoff(self, hook: HandoffHook) -> None:
        """``hook`` is called when the bot has just handed a conversation to the agents."""

    def set_waiting_text(self, text: Callable[[str], Awaitable[str]]) -> None:
        """What a citizen waiting for an agent is told."""

    async def agent_say(self, sender_id: str, channel: str, agent: str, text: str) -> None:
        """An agent's message, out to the citizen and into the bot's memory of the conversation."""

    async def system_say(self, sender_id: str, channel: str, text: str) -> None:
        """A note from the hotline, out to the citizen."""

    async def record(self, sender_id: str, channel: str, author: str, text: str | None,
                     data: dict[str, Any] | None = None, status: str = "sent",
                     delivered: bool = True) -> int | None:
        """Keep an entry of the conversation (``delivered=False``: for the next ``flush``)."""

    async def flush(self, sender_id: str, channel: str, relay: bool = True) -> None:
        """Send the citizen what they have not seen yet."""

    async def pause_bot(self, sender_id: str) -> None:
        """The bot stays silent while a person holds the conversation."""

    async def unpause_bot(self, sender_id: str) -> None:
        """The bot listens again, saying nothing now."""

    async def resume_bot(self, sender_id: str, channel: str, end_form: bool, notice: str | None) -> None:
        """Hand the conversation back to the bot, its form going on or ended."""

    async def end_form(self, sender_id: str) -> None:
        """The matter is dealt with: the bot's form will not ask again."""

    async def collected_fields(self, sender_id: str) -> dict[str, Any]:
        """What the bot's form has collected so far."""
