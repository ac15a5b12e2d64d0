"""Telling citizens, in the channel they came from, when their work order moves, and asking
them to rate it when it is closed (回访, 鞍山条例第二十一条 / 通辽条例第二十条).

A loop in every gateway process looks for status changes nobody has told yet; one process
claims each (a unique row in ``order_notifications``) and hands it to the channel's teller:
WeChat sends a customer-service or template message (channels/wechat/notify.py); the web and
REST channels put the notice in the conversation's transcript, pushed at once to an open page
and otherwise shown when the citizen comes back. Orders from phone calls are followed up by
phone, by the agents.

When an order is closed, the citizen's next answer that reads as a rating (满意 / 基本满意 /
不满意, stars) is taken by the hub (``take_rating``), not by Rasa. When the hotline or the unit
asked the citizen for more (补充材料, or a unit's message passed on to a protected citizen), the
citizen's next message is the answer and goes into the order (``take_answer``), unless it reads
as an emergency or asks for a person.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable

from bot import citizen_texts
from bot.gateway import loops
from bot.gateway.hub import NOT_PEEKED, Hub
from bot.language import emergency
from bot.orders import lifecycle
from bot.store import notices, repository
from bot.store.models import STATUS_LABELS, OrderStatus, utcnow
from bot.store.shared import SharedStore

log = logging.getLogger(__name__)

LOOK_BACK = dt.timedelta(days=7)
RATING_TTL = 7 * 24 * 3600.0
REASON_TTL = 24 * 3600.0
ASK_TTL = 16 * 24 * 3600.0  # the longest a question to the citizen stays open (15 working days)
# Not an answer to the hotline's question: asking for a person, giving up, looking up an order.
_NOT_AN_ANSWER = re.compile(r"^\s*(?:转人工|人工|人工服务|找人工|客服|取消|算了|不用了|查询工单|查工单|你好|您好|在吗)\s*[。.!！?？]*\s*$")
# (notice, text, buttons) -> (method, result); result "sent" when the citizen was reached.
Teller = Callable[[notices.PendingNotice, str, list[dict[str, str]]], Awaitable[tuple[str, str]]]


def notice_text(notice: notices.PendingNotice) -> tuple[str, list[dict[str, str]]]:
    label = STATUS_LABELS.get(notice.status, notice.status)
    if notice.kind == "citizen_asked":
        return citizen_texts.citizen_asked_text(notice.number, notice.note), []
    if notice.status == OrderStatus.CLOSED:
        return citizen_texts.order_closed_text(notice.number, notice.result or notice.note), citizen_texts.RATING_BUTTONS
    if notice.status == OrderStatus.DISPATCHED and notice.kind == "status":
        # The dispatcher's own note (智能派单, confidence) is for staff, not the citizen.
        note = f"已转交{notice.unit}办理" if notice.unit else None
        return citizen_texts.order_update_text(notice.number, label, note), []
    return citizen_texts.order_update_text(notice.number, label, notice.note), []


class OrderUpdates:
    def __init__(self, hub: Hub, store: SharedStore, every: float = 5.0) -> None:
        self.hub = hub
        self.store = store
        self.every = every
        self.tellers: dict[str, Teller] = {}
        # Citizens asked why they were not satisfied (kept in the store too; this set spares a
        # store read on every other message).
        self._awaiting_reason: set[str] = set()
        hub.on_rating(self.take_reply, self.asked)

    def register(self, channel: str, teller: Teller) -> None:
        self.tellers[channel] = teller

    async def _in_transcript(self, notice: notices.PendingNotice, text: str,
                             buttons: list[dict[str, str]]) -> tuple[str, str]:
        await self.hub.record(notice.sender_id, notice.channel, "system", text,
                              {"buttons": buttons} if buttons else None, delivered=False)
        await self.hub.flush(notice.sender_id, notice.channel)
        return "transcript", "sent"

    async def run_once(self) -> int:
        pending = await asyncio.to_thread(notices.unnotified_changes, None, utcnow() - LOOK_BACK)
        told = 0
        for notice in pending:
            claim = await asyncio.to_thread(notices.claim_notice, notice, notice.channel)
            if claim is None:
                continue  # another gateway process has it
            text, buttons = notice_text(notice)
            if notice.channel == "phone":
                method, result = "none", "phone order: the agents call back"
            else:
                teller = self.tellers.get(notice.channel, self._in_transcript)
                try:
                    method, result = await teller(notice, text, buttons)
                except Exception as exc:
                    log.exception("notice of %s not told", notice.number)
                    method, result = "failed", type(exc).__name__
            if notice.kind == "citizen_asked":
                await asyncio.to_thread(self.store.set, f"ask:{notice.sender_id}", notice.number, ASK_TTL)
            elif notice.status == OrderStatus.CLOSED:
                await asyncio.to_thread(self.store.set, f"rating:{notice.sender_id}", notice.number, RATING_TTL)
            await asyncio.to_thread(notices.finish_notice, claim, method, result)
            told += result == "sent"
        return told

    async def run_forever(self) -> None:
        await loops.every(self.every, self.run_once, "telling citizens about their orders failed")

    # ---------------------------------------------------------------- the citizen's answers

    def asked(self, sender_id: str) -> str | None:
        """The order whose question the citizen has yet to answer (blocking; the hub reads it on
        the message's first trip to a worker thread, with the transcript's work)."""
        return self.store.get(f"ask:{sender_id}")

    async def take_reply(self, sender_id: str, text: str, asked: object = NOT_PEEKED) -> str | None:
        """A rating of a closed order, or the answer to a question the hotline asked (``asked``:
        what ``asked()`` read with the message, or NOT_PEEKED: read it now); None: the message
        goes to Rasa as usual."""
        rated = await self.take_rating(sender_id, text)
        return rated if rated is not None else await self.take_answer(sender_id, text, asked)

    async def take_answer(self, sender_id: str, text: str, asked: object = NOT_PEEKED) -> str | None:
        """The citizen's answer to 补充材料 (or to a unit's message passed on), kept in the order.
        An emergency, a request for a person or a control word is never taken for an answer."""
        number = await asyncio.to_thread(self.asked, sender_id) if asked is NOT_PEEKED else asked
        if not isinstance(number, str) or not (text or "").strip() or _NOT_AN_ANSWER.match(text):
            return None
        reading = emergency.assess(text)
        if reading.confident is not None or reading.possible is not None:
            return None  # the hub's emergency path answers it; the question stays open
        try:
            await asyncio.to_thread(lifecycle.citizen_answered, number, sender_id, text, self.hub.profile)
        except lifecycle.LifecycleError as exc:
            log.info("answer for %s not taken: %s", number, exc.code)
            await asyncio.to_thread(self.store.delete, f"ask:{sender_id}")
            return None
        await asyncio.to_thread(self.store.delete, f"ask:{sender_id}")
        return citizen_texts.CITIZEN_ANSWER_TAKEN

    # ---------------------------------------------------------------- the answer to 回访

    async def take_rating(self, sender_id: str, text: str) -> str | None:
        """If the citizen is answering the follow-up of a closed order, record it and return the
        reply; otherwise None (the message goes to Rasa as usual)."""
        parsed = lifecycle.parse_rating(text)
        reason_for = None
        number: str | None
        if parsed is None:
            if sender_id not in self._awaiting_reason:
                return None
            self._awaiting_reason.discard(sender_id)
            reason_for = await asyncio.to_thread(self.store.get, f"rating-reason:{sender_id}")
            if reason_for is None:
                return None
            parsed = ("不满意", text.strip()[:1000])
            number = reason_for
        else:
            number = await asyncio.to_thread(self.store.get, f"rating:{sender_id}")
            if number is None:
                return None
        rating, reason = parsed
        order = await asyncio.to_thread(repository.get_order, number)
        if order is None or order.sender_id != sender_id:  # only the conversation that filed it rates it
            log.warning("rating of %s from another conversation refused", number)
            return None
        try:
            rated = await asyncio.to_thread(lifecycle.rate, number, rating, reason, self.hub.profile)
        except lifecycle.LifecycleError as exc:
            log.info("rating of %s not taken: %s", number, exc.code)
            await asyncio.to_thread(self.store.delete, f"rating:{sender_id}")
            return None
        await asyncio.to_thread(self.store.delete, f"rating:{sender_id}")
        await asyncio.to_thread(self.store.delete, f"rating-reason:{sender_id}")
        if rated.reopened:
            order = await asyncio.to_thread(repository.get_order, number)
            return citizen_texts.rating_reopened(number, order.unit if order else None, order.deadline if order else None)
        if rating == "不满意" and reason is None:
            await asyncio.to_thread(self.store.set, f"rating-reason:{sender_id}", number, REASON_TTL)
            self._awaiting_reason.add(sender_id)
            return citizen_texts.RATING_ASK_REASON
        if rating == "不满意":
            return citizen_texts.RATING_REVIEW
        return citizen_texts.RATING_THANKS
