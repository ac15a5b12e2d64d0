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

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.gateway.bus import Bus
from bot.gateway.config import GatewayConfig
from bot.profile import Profile


@dataclass(frozen=True)
class Failed:
    """A push that did not reach the citizen, as a channel that knows why tells it (false, like
    ``False``): the first ``sent`` messages did arrive; ``code`` and ``reason`` (in Chinese, for
    the agents) say why the rest did not; ``final`` when trying again cannot help; ``until``
    (UTC) when it stops being possible (WeChat's 48-hour window). The hub keeps what failed for
    the retry loop (bot/gateway/deliveries.py)."""

    code: str
    reason: str
    sent: int = 0
    final: bool = False
    until: dt.datetime | None = None

    def __bool__(self) -> bool:
        return False


# A channel's way to push messages to a citizen who is not waiting on a request; returns
# whether they were delivered live (a ``Failed`` when the channel can say why not).
Push = Callable[[str, list[dict[str, Any]]], Awaitable["bool | Failed"]]
# Told of every entry recorded (the console's live view): (sender, channel, entry dict).
Listener = Callable[[str, str, dict[str, Any]], Awaitable[None]]
# Called when the bot has just handed a conversation to the agents: (sender, channel).
HandoffHook = Callable[[str, str], Awaitable[None]]


class ChannelPort(Protocol):
    config: GatewayConfig
    profile: Profile

    async def handle(self, sender_id: str, channel: str, text: str, metadata: dict[str, Any] | None = None,
                     shown: str | None = None, push: bool = False,
                     address: str | None = None, take: bool = True) -> list[dict[str, Any]] | None:
        """Take one citizen message; what to show them now (``take=False``: None when it is all
        in the transcript, for the channel to take or push)."""

    def register_output(self, channel: str, push: Push, reaches: Callable[[str], bool] | None = None) -> None:
        """How replies reach this channel's citizens when they are not waiting on a request."""

    async def record(self, sender_id: str, channel: str, author: str, text: str | None,
                     data: dict[str, Any] | None = None, status: str = "sent",
                     delivered: bool = True) -> int | None:
        """Keep an entry of the conversation (an upload, a system note)."""

    async def take_undelivered(self, sender_id: str, with_ids: bool = False) -> list[dict[str, Any]]:
        """Replies the citizen has not seen yet, now taken as seen (``with_ids``: each with its
        transcript id as ``_id``, to give back what was not sent after all)."""

    async def give_back(self, ids: list[int]) -> None:
        """Replies taken but not sent after all: for the next push or message."""

    async def flush(self, sender_id: str, channel: str, relay: bool = True) -> bool | Failed:
        """Push the citizen what they have not seen yet (a failure is kept and retried)."""

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

    def on_undelivered(self, hook: HandoffHook) -> None:
        """``hook`` is called when messages to a citizen are given up as undelivered."""

    async def agent_say(self, sender_id: str, channel: str, agent: str, text: str) -> None:
        """An agent's message, out to the citizen and into the bot's memory of the conversation."""

    async def system_say(self, sender_id: str, channel: str, text: str) -> None:
        """A note from the hotline, out to the citizen."""

    async def record(self, sender_id: str, channel: str, author: str, text: str | None,
                     data: dict[str, Any] | None = None, status: str = "sent",
                     delivered: bool = True) -> int | None:
        """Keep an entry of the conversation (``delivered=False``: for the next ``flush``)."""

    async def flush(self, sender_id: str, channel: str, relay: bool = True) -> bool | Failed:
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
