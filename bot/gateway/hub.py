"""Every citizen message goes through the hub: transcript first, then Rasa, replies back.

Guarantees, whatever state Rasa and the action server are in:
- the citizen's message is in the transcript before anything else is tried;
- messages of one conversation reach Rasa one at a time and in order;
- when Rasa or the action server is down, the citizen is told the message is kept (and, if it
  is an emergency, given the emergency numbers at once: that never waits for Rasa); the
  message stays ``pending`` and a background loop sends it to Rasa when the parts are back, and the
  replies reach the citizen through their channel (pushed, or with their next message);
- when Rasa is slow, the citizen is told so after ``rasa_timeout`` (an emergency, with its
  numbers, after ``EMERGENCY_WAIT``) and Rasa's answer follows; never after the answer itself.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot import desk
from bot.citizen_texts import (
    EMPTY_MESSAGE,
    busy_reply,
    emergency_reply,
    failed_reply,
    possible_emergency_line,
    too_fast_reply,
    too_long_reply,
)
from bot.gateway import metrics
from bot.gateway.bus import Bus
from bot.gateway.config import GatewayConfig
from bot.gateway.limits import FloodLog, Limits, RateLimiter, counter_for
from bot.gateway.port import Failed, HandoffHook, Listener, Push
from bot.gateway.rasa import RasaClient, RasaFailed, RasaUnavailable
from bot.language import emergency
from bot.orders.filing import ORDER_FIELDS
from bot.profile import Profile
from bot.store import deliveries, handoffs, transcript
from bot.store.models import Handoff, HandoffStatus, utcnow

log = logging.getLogger(__name__)

# The intake form's slots, emptied when an agent has dealt with the matter.
FORM_SLOTS = (*ORDER_FIELDS, "confirmed", "requested_slot", "field_failures", "notices")
LISTEN = {"event": "action", "name": "action_listen"}
KEPT_AFTER = 5.0  # seconds before the retry loop takes a pending message as kept
# An emergency waits at most this long for Rasa (a saturated server) before the gateway gives
# the emergency numbers itself, with the busy notice; Rasa's answer follows.
EMERGENCY_WAIT = 2.0
# The emergency numbers wait at most this long for the alert to be on the duty desk.
EMERGENCY_RECORD_WAIT = 1.0
# The same conditional emergency line is not said again to a citizen within this many seconds.
CONDITIONAL_REPEAT_AFTER = 600.0
# What the rating taker is given when its peek did not run or failed (it reads for itself).
NOT_PEEKED: Any = object()
# Events that end the intake form (an agent filed or closed the matter).
END_FORM = [{"event": "active_loop", "name": None}] + [{"event": "slot", "name": s, "value": None} for s in FORM_SLOTS]


_ASKER_KEY = (os.environ.get("HOTLINE_SESSION_SECRET") or secrets.token_hex(32)).encode()


def asker_of(address: str) -> str:
    """A network address as the actions may count it: keyed, so the address itself is kept
    nowhere (an IPv4 address hashed without a key is one of four billion guesses away)."""
    return hmac.new(_ASKER_KEY, b"asker:" + address.encode(), hashlib.sha256).hexdigest()[:24]


def reply_from_rasa(message: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """(text, data) of one of Rasa's REST-channel replies, for the transcript."""
    data = {k: message[k] for k in ("buttons", "image", "custom", "attachment") if message.get(k)}
    text = message.get("text")
    return (text if isinstance(text, str) else None), data


def _numbers(line: str) -> set[str]:
    """The emergency numbers a line names (110, 119, 120, 122)."""
    return set(re.findall(r"(?<!\d)1(?:10|19|20|22)(?!\d)", line))


def without_repeats(entries: list[transcript.Entry]) -> list[transcript.Entry]:
    """One answer never says the same bot text twice (the form's question asked at hand back and
    again after the citizen's next message): the last one stays, where it follows the context."""
    last = {}
    for i, e in enumerate(entries):
        if e.author == "bot" and e.text and not e.data.get("buttons"):
            last[e.text] = i
    return [e for i, e in enumerate(entries)
            if not (e.author == "bot" and e.text and not e.data.get("buttons")) or last[e.text] == i]


def outgoing(entry: transcript.Entry) -> dict[str, Any]:
    """A transcript entry as the channels send it: Rasa's REST reply shape plus ``author``."""
    out: dict[str, Any] = {"author": entry.author}
    if entry.text is not None:
        out["text"] = entry.text
    out.update({k: v for k, v in entry.data.items() if not k.startswith("_")})
    return out


class Waiting:
    """A request that gives the citizen the answer itself (not pushed, not left for the channel):
    while it still waits, the answer's transaction also takes the citizen's undelivered replies
    for it (``claimed``), one transaction and one trip to a worker thread fewer per message.
    ``done`` is set once such a transaction has ended (``claimed`` stays None if it failed)."""

    def __init__(self) -> None:
        self.waiting = True
        self.done: asyncio.Event | None = None
        self.claimed: list[transcript.Entry] | None = None


class Hub:
    def __init__(self, config: GatewayConfig, rasa: RasaClient, profile: Profile,
                 limiter: RateLimiter | None = None, bus: Bus | None = None) -> None:
        self.config = config
        self.bus = bus or Bus()
        self.limiter = limiter or RateLimiter(Limits.from_env(), counter_for(self.bus))
        self.flood_log = FloodLog()
        self.bus.on("flush", self._flush_for_another_gateway)
        self.rasa = rasa
        self.profile = profile
        self.outputs: dict[str, Push] = {}
        # For channels whose citizens are connected to one gateway (socket.io): whether they are here.
        self.reaches: dict[str, Callable[[str], bool]] = {}
        self.listeners: list[Listener] = []
        self.handoff_hook: HandoffHook | None = None
        self.undelivered_hooks: list[HandoffHook] = []
        # What a citizen waiting for an agent is told (queue position, wait), set by the console.
        self.waiting_text: Callable[[str], Awaitable[str]] | None = None
        # Takes a citizen's answer to the satisfaction follow-up (bot.gateway.order_updates), with
        # what ``rating_peek`` read for the conversation on the message's first trip to a thread.
        self.rating_taker: Callable[[str, str, Any], Awaitable[str | None]] | None = None
        self.rating_peek: Callable[[str], Any] | None = None
        self._background: set[asyncio.Task] = set()
        # The conditional emergency line last said to each citizen, and when (not said again at once).
        self._conditional_said: dict[str, tuple[str, float]] = {}
        self._drainer: asyncio.Task | None = None
        self._listener: asyncio.Task | None = None

    # ---------------------------------------------------------------- lifecycle

    def register_output(self, channel: str, push: Push, reaches: Callable[[str], bool] | None = None) -> None:
        """``push`` sends to a citizen of ``channel``; ``reaches`` tells whether the citizen is
        connected to this gateway (when another may hold the connection)."""
        self.outputs[channel] = push
        if reaches is not None:
            self.reaches[channel] = reaches

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._drainer = loop.create_task(self._drain_forever())
        self._listener = loop.create_task(self.bus.run())

    async def stop(self) -> None:
        for task in [self._drainer, self._listener, *self._background]:
            if task is not None:
                task.cancel()
        await self.bus.close()
        await self.rasa.close()
        self.flood_log.close()

    def _lock(self, sender_id: str):
        """One conversation's messages go to Rasa one at a time, whichever gateway took them."""
        return self.bus.lock(f"sender:{sender_id}")

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ---------------------------------------------------------------- one message

    async def handle(self, sender_id: str, channel: str, text: str, metadata: dict[str, Any] | None = None,
                     shown: str | None = None, push: bool = False, address: str | None = None,
                     take: bool = True) -> list[dict[str, Any]] | None:
        """Take one citizen message; return what to show them now (earlier replies they have
        not seen yet first). ``shown`` is what the citizen saw themselves send (a button's
        title for its payload). With ``push`` the replies go through the channel's push
        instead, marked delivered only when someone was there to receive them. ``address`` is
        the network address the message came from, for the flood limit per address. Without
        ``take`` the replies stay in the transcript for the channel to take or push itself
        (WeChat decides between its passive reply and a push only later): None then, unless
        there are replies that are not in the transcript (what to show at once)."""
        if not text.strip():
            return [{"author": "system", "text": EMPTY_MESSAGE}]
        started = time.perf_counter()
        direct: list[dict[str, Any]] | None
        waiting = Waiting() if take and not push else None
        if address is not None and not (await self.limiter.address(address)).allowed:
            metrics.RATE_LIMITED.labels("address").inc()
            direct = await self._limited(sender_id, channel, text, True, "address")
        else:
            verdict = await self.limiter.sender(sender_id)
            if not verdict.allowed:
                metrics.RATE_LIMITED.labels("sender").inc()
                direct = await self._limited(sender_id, channel, text, verdict.first_refusal, "sender",
                                             verdict.retry_after)
            else:
                direct = await self._handle(sender_id, channel, text, metadata, shown, address, waiting)
        metrics.LATENCY.labels(channel).observe(time.perf_counter() - started)
        if direct is not None:
            return direct
        if not take:
            return None
        if not push:
            if waiting is not None and waiting.done is not None:
                await waiting.done.wait()  # the answer's transaction took the replies
                if waiting.claimed is not None:
                    return [outgoing(e) for e in without_repeats(waiting.claimed)]
            return await self.take_undelivered(sender_id)
        await self.flush(sender_id, channel)
        return []

    async def _handle(self, sender_id: str, channel: str, text: str, metadata: dict[str, Any] | None,
                      shown: str | None, address: str | None = None,
                      waiting: Waiting | None = None) -> list[dict[str, Any]] | None:
        """Record the message and get Rasa's replies into the transcript as undelivered (and, while
        ``waiting`` waits, taken for it). Returns replies only when they could not be kept (the
        database is down)."""
        if len(text) > self.config.max_message_chars:
            metrics.MESSAGES.labels(channel, "too_long").inc()
            await self.record(sender_id, channel, "citizen", text, status="refused")
            reply = too_long_reply(self.config.max_message_chars)
            await self.record(sender_id, channel, "system", reply, delivered=False)
            return None
        meta = {**(metadata or {}), "channel": channel}
        if address:  # who is asking, for the actions' per-address counts (order lookups), not the address
            meta["asker"] = asker_of(address)
        data: dict[str, Any] = {"_metadata": meta}
        if shown and shown != text:
            data["_shown"] = shown[:200]
        msg_id, handoff, peeked = await self._take(sender_id, channel, text, data)
        if msg_id is None:  # the database is down: Rasa keeps its own tracker, go on without ours
            metrics.MESSAGES.labels(channel, "without_transcript").inc()
            metrics.ERRORS.labels("transcript_write").inc()
            return await self._direct(sender_id, text, meta)
        if handoff is not None:
            metrics.MESSAGES.labels(channel, "with_agent").inc()
            await self._with_agent(sender_id, channel, text, msg_id, handoff.status)
            return None
        if self.rating_taker is not None:
            answer = await self.rating_taker(sender_id, text, peeked)
            if answer is not None:  # the answer to the satisfaction follow-up, not for Rasa
                metrics.MESSAGES.labels(channel, "rating").inc()
                await asyncio.to_thread(transcript.set_status, msg_id, "handled")
                await self.record(sender_id, channel, "system", answer, delivered=False)
                return None
        reading = emergency.assess(text)
        found = reading.confident
        if reading.possible is not None:  # the numbers in one line before Rasa's ordinary answer
            line = await self._emergency_text(sender_id, channel, text, reading)
            await self.record(sender_id, channel, "system", line, delivered=False)
        task = asyncio.ensure_future(self._to_rasa(sender_id, up_to=msg_id, answer_expected=True, waiting=waiting))
        wait = self.config.rasa_timeout if found is None else min(self.config.rasa_timeout, EMERGENCY_WAIT)
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=wait)
        except asyncio.TimeoutError:
            if waiting is not None:  # from now on the answer is left for the request to take, or pushed
                waiting.waiting = False
            log.warning("rasa slow for %s; the answer will follow", sender_id)
            metrics.ERRORS.labels("rasa_slow").inc()
            task.add_done_callback(lambda _t: self._spawn(self.flush(sender_id, channel)))
            if not await self._busy(sender_id, channel, text, found, waiting_for=msg_id):
                metrics.MESSAGES.labels(channel, "answered").inc()  # just in time after all
                return None
        except RasaUnavailable as exc:
            log.warning("rasa unavailable (%s); message %s kept for %s", exc, msg_id, sender_id)
            metrics.ERRORS.labels("rasa_unavailable").inc()
            await self._busy(sender_id, channel, text, found)
        except RasaFailed as exc:
            log.error("rasa failed on message %s for %s: %s", msg_id, sender_id, exc)
            metrics.ERRORS.labels("rasa_failed").inc()
            await self._busy(sender_id, channel, text, found, failed=True)
        else:
            metrics.MESSAGES.labels(channel, "answered").inc()
            return None
        metrics.MESSAGES.labels(channel, "busy").inc()
        return None

    async def _limited(self, sender_id: str, channel: str, text: str, tell: bool, scope: str,
                       retry_after: int = 60) -> list[dict[str, Any]]:
        """Over a flood limit: the message is kept (status ``limited``, never sent to Rasa, written
        by the flood log so that a flood does not hold up other citizens); the citizen is told
        once per window; an emergency still gets its numbers at once. Nothing else is read or
        written for a refused message: earlier answers come with the next message let through."""
        metrics.MESSAGES.labels(channel, "limited").inc()
        data = {"_limited": scope}
        kept = text[:self.config.max_message_chars]
        try:
            msg_id = await self.flood_log.add(sender_id, channel, "citizen", kept, data, "limited")
        except Exception:
            log.exception("transcript write failed for %s", sender_id)
        else:
            self._notify(sender_id, channel, msg_id, "citizen", kept, data)
        reading = emergency.assess(text)
        said = await self._emergency_text(sender_id, channel, text, reading)
        if said is not None:
            reply = said
            if reading.possible is not None and tell:  # a conditional line leaves the notice to say
                reply += "\n" + too_fast_reply(self.profile, retry_after)
        elif tell:
            reply = too_fast_reply(self.profile, retry_after)
        else:
            return []
        await self.record(sender_id, channel, "system", reply)
        return [{"author": "system", "text": reply}]

    def on_citizen_message(self, listener: Listener) -> None:
        """``listener`` hears every entry of every conversation (the console's live view)."""
        self.listeners.append(listener)

    def on_handoff(self, hook: HandoffHook) -> None:
        """``hook`` is called when the bot has just handed a conversation to the agents."""
        self.handoff_hook = hook

    def set_waiting_text(self, text: Callable[[str], Awaitable[str]]) -> None:
        """What a citizen waiting for an agent is told (queue position, wait)."""
        self.waiting_text = text

    def on_rating(self, taker: Callable[[str, str, Any], Awaitable[str | None]],
                  peek: Callable[[str], Any] | None = None) -> None:
        """Who takes a citizen's answer to the satisfaction follow-up: ``taker(sender_id, text,
        peeked)``, where ``peeked`` is what ``peek(sender_id)`` (blocking: state the taker keeps in
        a store) returned on the message's first trip to a worker thread, else ``NOT_PEEKED``."""
        self.rating_taker = taker
        self.rating_peek = peek

    # ------------------------------------------------------------ the bot's side of a handoff

    async def pause_bot(self, sender_id: str) -> None:
        """The bot stays silent while a person holds the conversation."""
        await self.rasa.append_events(sender_id, [{"event": "pause"}, LISTEN])

    async def unpause_bot(self, sender_id: str) -> None:
        """The bot listens again, saying nothing now (nobody took the conversation)."""
        await self.rasa.append_events(sender_id, [{"event": "resume"}, LISTEN])

    async def end_form(self, sender_id: str) -> None:
        """The matter is dealt with (an agent filed it): the form will not ask again."""
        await self.rasa.append_events(sender_id, END_FORM)

    async def collected_fields(self, sender_id: str) -> dict[str, Any]:
        """What the bot's form has collected so far, field by field (None where nothing)."""
        slots = (await self.rasa.tracker(sender_id)).get("slots") or {}
        return {k: slots.get(k) for k in ORDER_FIELDS}

    async def _take(self, sender_id: str, channel: str, text: str,
                    data: dict[str, Any]) -> tuple[int | None, Handoff | None, Any]:
        """The citizen's message into the transcript (``pending``), then the conversation's open
        handoff and what the rating taker peeks at, in one trip to a worker thread (each trip
        costs the event loop a wake-up). (None, None, NOT_PEEKED) when the message could not be kept;
        no handoff when it could not be read, and ``NOT_PEEKED`` when the peek could not."""
        peek = self.rating_peek

        def take() -> tuple[int, Handoff | None, Any]:
            msg_id = transcript.add(sender_id, channel, "citizen", text, data, "pending")
            try:
                handoff = handoffs.open_handoff(sender_id)
            except Exception:
                log.exception("could not read the handoff state of %s", sender_id)
                handoff = None
            peeked = NOT_PEEKED
            if peek is not None:
                try:
                    peeked = peek(sender_id)
                except Exception:
                    log.exception("the rating taker could not read the state of %s", sender_id)
            return msg_id, handoff, peeked

        try:
            msg_id, handoff, peeked = await asyncio.to_thread(take)
        except Exception:
            log.exception("transcript write failed for %s", sender_id)
            return None, None, NOT_PEEKED
        self._notify(sender_id, channel, msg_id, "citizen", text, data)
        return msg_id, handoff, peeked

    async def _with_agent(self, sender_id: str, channel: str, text: str, msg_id: int, status: str) -> None:
        """A message while the conversation waits for or is held by an agent: Rasa still gets it
        (the tracker stays whole; it is paused, so it says nothing), the agent sees it live, an
        emergency still gets its numbers at once, and a waiting citizen hears where they are."""
        async def to_rasa() -> None:
            try:
                await self._to_rasa(sender_id, up_to=msg_id)
            except (RasaUnavailable, RasaFailed) as exc:
                log.warning("message %s of %s (with an agent) kept for rasa: %s", msg_id, sender_id, exc)
        self._spawn(to_rasa())
        said = await self._emergency_text(sender_id, channel, text, emergency.assess(text))
        if said is not None:
            await self.record(sender_id, channel, "system", said, delivered=False)
        elif status == HandoffStatus.WAITING and self.waiting_text is not None:
            await self.record(sender_id, channel, "system", await self.waiting_text(sender_id), delivered=False)

    async def agent_say(self, sender_id: str, channel: str, agent: str, text: str) -> None:
        """An agent's message: into the transcript (and Rasa's tracker), out through the channel."""
        await self.record(sender_id, channel, "agent", text, {"agent": agent}, delivered=False)
        await self.flush(sender_id, channel)
        # Into Rasa's tracker too, after the citizen has it: Rasa may still hold the
        # conversation's lock for the citizen's last message (its lock store waits 1 s).
        self._spawn(self._agent_event(sender_id, text, agent))

    async def _agent_event(self, sender_id: str, text: str, agent: str) -> None:
        try:
            async with self._lock(sender_id):  # after the citizen's messages before it
                await self.rasa.append_events(sender_id, [{"event": "bot", "text": text,
                                                           "metadata": {"author": "agent", "agent": agent}}])
        except (RasaUnavailable, RasaFailed) as exc:
            log.warning("agent message not added to rasa's tracker of %s: %s", sender_id, exc)

    async def system_say(self, sender_id: str, channel: str, text: str) -> None:
        await self.record(sender_id, channel, "system", text, delivered=False)
        await self.flush(sender_id, channel)

    async def resume_bot(self, sender_id: str, channel: str, end_form: bool, notice: str | None) -> None:
        """Give the conversation back to the bot: Rasa resumes; the intake form goes on from its
        question (or is ended when the agent filed or closed the matter)."""
        events: list[dict[str, Any]] = [{"event": "resume"}]
        if end_form:
            events += END_FORM
        # Messages taken while paused were never followed by a prediction: the conversation
        # goes on from "waiting for the citizen", as after any bot turn.
        events.append(LISTEN)
        async with self._lock(sender_id):
            # What the citizen said while the agent held the conversation reaches Rasa first,
            # while it is still paused: it fills the form silently and is never answered later.
            await self._to_rasa_locked(sender_id)
            await self.rasa.append_events(sender_id, events)
        if notice:
            await self.record(sender_id, channel, "system", notice, delivered=False)
        if not end_form:
            tracker = await self.rasa.tracker(sender_id)
            loop = (tracker.get("active_loop") or {}).get("name")
            if loop:
                for message in await self.rasa.execute(sender_id, loop):
                    text, data = reply_from_rasa(message)
                    await self.record(sender_id, channel, "bot", text, data, delivered=False)
        await self.flush(sender_id, channel)

    async def _to_rasa(self, sender_id: str, up_to: int | None = None, answer_expected: bool = False,
                       waiting: Waiting | None = None) -> int:
        """Send this conversation's pending messages (up to ``up_to``) to Rasa, in order, and
        record the replies as not yet delivered. Returns how many were sent. With
        ``answer_expected`` (no agent holds the conversation) Rasa saying nothing to message
        ``up_to`` is a breakdown inside Rasa (e.g. an action's answer lost): the citizen is
        asked to send it again rather than left in silence. While ``waiting`` waits, the answer
        to ``up_to`` is kept and the citizen's undelivered replies taken for it in one
        transaction (not when something is said after the answer: the silence notice, a
        handoff's announcement)."""
        async with self._lock(sender_id):
            return await self._to_rasa_locked(sender_id, up_to, answer_expected, waiting)

    async def _to_rasa_locked(self, sender_id: str, up_to: int | None = None, answer_expected: bool = False,
                              waiting: Waiting | None = None) -> int:
        """``_to_rasa`` for a caller that holds the conversation's lock."""
        sent = 0
        entries = await asyncio.to_thread(transcript.pending, sender_id)
        for entry in entries:
            if up_to is not None and entry.id > up_to:
                break
            meta = entry.data.get("_metadata") or {"channel": entry.channel}
            try:
                replies = await self.rasa.send(sender_id, entry.text or "", meta)
            except RasaFailed:
                await asyncio.to_thread(transcript.set_status, entry.id, "failed")
                raise
            handed_off = False
            rows: list[tuple[str | None, dict[str, Any]]] = []
            for message in replies:
                text, data = reply_from_rasa(message)
                custom = data.get("custom")
                if isinstance(custom, dict) and "handoff" in custom:
                    handed_off = True  # a signal for the gateway, not a message for the citizen
                    data.pop("custom")
                    if text is None and not data:
                        continue
                rows.append((text, data))
            silent = not rows and not handed_off and answer_expected and entry.id == up_to
            try:
                if waiting is not None and waiting.waiting and entry.id == up_to and not silent and not handed_off:
                    waiting.done = asyncio.Event()
                    try:
                        ids, waiting.claimed = await asyncio.to_thread(
                            transcript.answer_and_claim, entry.id, sender_id, entry.channel, rows)
                    finally:
                        waiting.done.set()
                else:
                    ids = await asyncio.to_thread(transcript.answer, entry.id, sender_id, entry.channel, rows)
            except Exception:
                log.exception("replies to message %s of %s not kept", entry.id, sender_id)
                ids, rows = [], []
            sent += 1
            for msg_id, (text, data) in zip(ids, rows, strict=True):
                self._notify(sender_id, entry.channel, msg_id, "bot", text, data)
            if silent:
                log.warning("rasa answered nothing to message %s of %s", entry.id, sender_id)
                metrics.ERRORS.labels("rasa_silent").inc()
                await self.record(sender_id, entry.channel, "system", failed_reply(self.profile), delivered=False)
            if handed_off and self.handoff_hook is not None:
                try:
                    await self.handoff_hook(sender_id, entry.channel)
                except Exception:
                    log.exception("handoff of %s not announced", sender_id)
        return sent

    async def _direct(self, sender_id: str, text: str, meta: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            replies = await asyncio.wait_for(self.rasa.send(sender_id, text, meta), self.config.rasa_timeout)
        except (RasaUnavailable, RasaFailed, asyncio.TimeoutError):
            said = await self._emergency_text(sender_id, meta.get("channel", ""), text, emergency.assess(text))
            return [{"author": "system", "text": self._busy_text(said)}]
        return [{"author": "bot", **{k: v for k, v in m.items() if k != "recipient_id"}} for m in replies]

    def _busy_text(self, said: str | None, failed: bool = False) -> str:
        """The busy (or failed) notice, after what an emergency reading had to say."""
        reply = failed_reply(self.profile) if failed else busy_reply(self.profile)
        return reply if said is None else said + "\n" + reply

    async def _busy(self, sender_id: str, channel: str, text: str, found: emergency.Emergency | None,
                    failed: bool = False, waiting_for: int | None = None) -> bool:
        """The reply while Rasa cannot answer (or, ``failed``, broke down on the message: then it
        is not kept for later, and the citizen is asked to send it again). An emergency still
        gets its numbers at once and is recorded for the agents on duty, without waiting for Rasa.
        With ``waiting_for`` (Rasa is slow on that message) nothing is said if its answer was kept
        in the meantime: a busy notice after the answer would leave the citizen waiting for
        another. Returns whether the notice was given."""
        said = None
        if found is not None:  # on the desk first, so that the reply can say so truthfully
            said = await self._emergency_text(sender_id, channel, text, emergency.Reading(emergency.CONFIDENT, found))
        reply = self._busy_text(said, failed)
        if waiting_for is None:
            await self.record(sender_id, channel, "system", reply, delivered=False)
        else:
            try:
                msg_id = await asyncio.to_thread(transcript.add_while_pending, waiting_for, sender_id, channel,
                                                 "system", reply)
            except Exception:
                log.exception("transcript write failed for %s", sender_id)
            else:
                if msg_id is None:
                    return False
                self._notify(sender_id, channel, msg_id, "system", reply, None)
        return True

    async def _emergency_text(self, sender_id: str, channel: str, text: str,
                              reading: emergency.Reading) -> str | None:
        """What the citizen is told of an emergency reading, once it is on the duty desk: the full
        guidance (saying that the duty staff have it only when they do), or for a possible one
        the numbers in one conditional line. None when there is nothing to say."""
        if reading.confident is not None:
            metrics.EMERGENCIES.labels(reading.confident.kind).inc()
            recorded = await self._record_emergency(sender_id, channel, text, reading.confident)
            return emergency_reply(reading.confident, self.profile, recorded)
        if reading.possible is not None:
            metrics.EMERGENCIES.labels("possible").inc()
            await self._record_emergency(sender_id, channel, text, reading.possible, emergency.POSSIBLE)
            line = possible_emergency_line(reading.possible)
            now = time.monotonic()
            said, at = self._conditional_said.get(sender_id, ("", 0.0))
            if _numbers(line) <= _numbers(said) and now - at < CONDITIONAL_REPEAT_AFTER:
                # a conditional line with the same numbers a moment ago (a long story told in several
                # messages): the citizen has the numbers; the desk still has every message. A line
                # naming a number they were not given is said.
                return None
            self._conditional_said[sender_id] = (line, now)
            if len(self._conditional_said) > 10_000:
                self._conditional_said.clear()
            return line
        return None

    async def _record_emergency(self, sender_id: str, channel: str, text: str, found: emergency.Emergency,
                                level: str = emergency.CONFIDENT) -> bool:
        """On the duty desk (and to the linkage units); whether it is there. A database that
        does not answer fails this in a moment: the citizen's numbers never wait for it."""
        try:
            done = await asyncio.wait_for(asyncio.to_thread(desk.raise_alert, sender_id, channel, text, found, level,
                                                            self.profile), EMERGENCY_RECORD_WAIT)
        except asyncio.TimeoutError:  # it may still be recorded; the citizen is not told it was
            log.error("the emergency of %s was not on the desk within %.1f s", sender_id, EMERGENCY_RECORD_WAIT)
            return False
        return done is not None

    # ---------------------------------------------------------------- transcript helpers

    async def record(self, sender_id: str, channel: str, author: str, text: str | None,
                      data: dict[str, Any] | None = None, status: str = "sent",
                      delivered: bool = True) -> int | None:
        try:
            msg_id = await asyncio.to_thread(transcript.add, sender_id, channel, author, text, data, status, delivered)
        except Exception:
            log.exception("transcript write failed for %s", sender_id)
            return None
        self._notify(sender_id, channel, msg_id, author, text, data)
        return msg_id

    def _notify(self, sender_id: str, channel: str, msg_id: int, author: str, text: str | None,
                data: dict[str, Any] | None) -> None:
        if self.listeners:
            entry = {"id": msg_id, "author": author, "text": text,
                     "data": {k: v for k, v in (data or {}).items() if k != "_metadata"}}
            for listener in self.listeners:
                self._spawn(listener(sender_id, channel, entry))

    async def take_undelivered(self, sender_id: str, with_ids: bool = False) -> list[dict[str, Any]]:
        try:
            entries = await asyncio.to_thread(transcript.claim_undelivered, sender_id)
        except Exception:
            log.exception("transcript read failed for %s", sender_id)
            return []
        return [{**outgoing(e), "_id": e.id} if with_ids else outgoing(e) for e in without_repeats(entries)]

    async def give_back(self, ids: list[int]) -> None:
        """Entries taken but not given to the citizen after all: for the next push or message."""
        await asyncio.to_thread(transcript.unclaim, ids)

    async def flush(self, sender_id: str, channel: str, relay: bool = True) -> bool | Failed:
        """Push replies the citizen has not seen through their channel, if it can push (from
        the gateway their page is connected to: the others pass the word on). A push that fails
        with its reason (``Failed``: WeChat) is kept for the retry loop; one that fails without
        (nobody on the page) waits for the citizen's next message. Returns the push's result
        (True when there was nothing to send or nothing could be pushed here)."""
        push = self.outputs.get(channel)
        if push is None:
            return True  # e.g. REST: they come with the citizen's next message
        reaches = self.reaches.get(channel)
        if reaches is not None and not reaches(sender_id):
            if relay:
                await self.bus.publish("flush", {"sender_id": sender_id, "channel": channel})
            return True
        async with self.push_lock(sender_id):
            entries = await asyncio.to_thread(transcript.claim_undelivered, sender_id)
            if not entries:
                return True
            shown = without_repeats(entries)
            result = await push(sender_id, [outgoing(e) for e in shown])
            if isinstance(result, Failed):
                await self.push_failed(sender_id, channel, [e.id for e in shown[result.sent:]], result)
            elif not result:
                await asyncio.to_thread(transcript.unclaim, [e.id for e in entries])
            return result

    def push_lock(self, sender_id: str):
        """One push to a citizen at a time, whichever gateway and loop sends it: a kept answer a
        retry is sending reaches them before an agent's message sent meanwhile, never after."""
        return self.bus.lock(f"push:{sender_id}")

    async def push_failed(self, sender_id: str, channel: str, ids: list[int], failure: Failed,
                          now: dt.datetime | None = None) -> str:
        """Entries a push did not deliver: given back and their attempt kept (retried by
        bot/gateway/deliveries.py, or undelivered for good). Returns their new status."""
        metrics.DELIVERY_FAILURES.labels(channel, failure.code).inc()
        try:
            status = await asyncio.to_thread(deliveries.failed, ids, sender_id, channel, failure.code,
                                             failure.reason, final=failure.final, until=failure.until, now=now)
        except Exception:
            log.exception("failed push to %s not kept for a retry", sender_id)
            metrics.ERRORS.labels("delivery_write").inc()
            return deliveries.RETRYING
        log.info("push of %d message(s) to %s failed (%s): %s", len(ids), sender_id, failure.code, status)
        if status == deliveries.UNDELIVERED:
            await self.gave_up(sender_id, channel, failure.code, len(ids))
        return status

    async def gave_up(self, sender_id: str, channel: str, code: str, count: int) -> None:
        """Entries that will not reach the citizen by a push: counted, and the agents told."""
        metrics.DELIVERY_GIVEN_UP.labels(channel, code).inc(count)
        for hook in self.undelivered_hooks:
            try:
                await hook(sender_id, channel)
            except Exception:
                log.exception("undelivered messages of %s not announced", sender_id)

    def on_undelivered(self, hook: HandoffHook) -> None:
        """``hook`` is called when messages to a citizen are given up as undelivered."""
        self.undelivered_hooks.append(hook)

    async def _flush_for_another_gateway(self, payload: dict[str, Any]) -> None:
        sender_id, channel = payload.get("sender_id"), payload.get("channel")
        if isinstance(sender_id, str) and isinstance(channel, str):
            await self.flush(sender_id, channel, relay=False)

    async def history(self, sender_id: str) -> list[dict[str, Any]]:
        entries = await asyncio.to_thread(transcript.history, sender_id)
        await asyncio.to_thread(transcript.mark_delivered, [e.id for e in entries if not e.delivered])
        return [e.as_dict() for e in entries]

    # ---------------------------------------------------------------- kept messages

    async def drain_once(self) -> int:
        """Deliver kept messages of every conversation whose parts are back; returns how many."""
        # Only messages kept for a while: a message just taken is its own request's business
        # (the answer to a satisfaction follow-up, say, is still being told apart from a
        # message for Rasa and must never reach Rasa).
        cutoff = utcnow() - dt.timedelta(seconds=KEPT_AFTER)
        entries = [e for e in await asyncio.to_thread(transcript.pending) if e.created_at <= cutoff]
        newest = {e.sender_id: e for e in entries}  # each conversation's last kept message, oldest conversation first
        delivered = 0
        for sender_id, last in newest.items():
            channel = last.channel
            try:
                delivered += await self._to_rasa(sender_id, up_to=last.id)
            except RasaUnavailable:
                break  # still down: try again next round
            except RasaFailed:
                log.error("kept message of %s failed in rasa", sender_id)
            await self.flush(sender_id, channel)
        return delivered

    async def _drain_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.retry_every)
            try:
                await self.drain_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("draining kept messages failed")
