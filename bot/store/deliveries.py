"""Pushes that failed: a transcript entry a channel could not deliver (a WeChat 客服消息 refused
or not reached) is kept ``delivered=False`` and gets a row here: attempts, the last error, the
next try. The gateway's loop (bot/gateway/deliveries.py) claims due rows the way the duty desk
claims its deliveries (a conditional update: one gateway each, a lease if it dies mid-way) and
tries again with backoff until the row's ``until`` (WeChat's 48-hour window); then, or at once
for an error that retrying cannot mend, the row is ``undelivered`` for good and the agents see
why. Whoever gives the citizen the entry later (the retry, a push after an agent's message, the
citizen's next message) marks it ``delivered``: the transcript's ``delivered`` flag, claimed
atomically, stays the one guard against sending an entry twice.

Synchronous (SQLAlchemy); the gateway calls it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update

from bot.store.db import session_scope
from bot.store.models import MessageDelivery, TranscriptMessage, utcnow

RETRYING, SENDING, UNDELIVERED, DELIVERED = "retrying", "sending", "undelivered", "delivered"
FIRST_BACKOFF = 30.0  # seconds: 30 s, 1, 2, 4 … minutes
MAX_BACKOFF = 30 * 60.0
# With no window known from the channel, an entry is tried for this long after it was kept.
DEFAULT_SPAN = dt.timedelta(hours=48)


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failed ones."""
    return min(MAX_BACKOFF, FIRST_BACKOFF * 2.0 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Due:
    message_id: int
    sender_id: str
    channel: str
    attempts: int
    until: dt.datetime | None
    created_at: dt.datetime


def failed(message_ids: list[int], sender_id: str, channel: str, code: str, error: str, *,
           final: bool = False, until: dt.datetime | None = None, now: dt.datetime | None = None) -> str:
    """The entries ``message_ids`` (claimed by the caller) were not delivered: given back
    (``delivered=False``) and their attempt recorded, in one transaction. Returns the status they
    now have: ``retrying`` or, when the error is final or the window is over, ``undelivered``."""
    if not message_ids:
        return RETRYING
    now = now or utcnow()
    with session_scope() as s:
        s.execute(update(TranscriptMessage).where(TranscriptMessage.id.in_(message_ids)).values(delivered=False))
        rows = {r.message_id: r for r in s.execute(
            select(MessageDelivery).where(MessageDelivery.message_id.in_(message_ids))).scalars()}
        status = RETRYING
        for message_id in message_ids:
            row = rows.get(message_id)
            if row is None:
                row = MessageDelivery(message_id=message_id, sender_id=sender_id, channel=channel, attempts=0,
                                      created_at=now)
                s.add(row)
            row.attempts = (row.attempts or 0) + 1
            row.last_code, row.last_error = code[:16], error[:300]
            row.until = until or row.until or (row.created_at or now) + DEFAULT_SPAN
            next_try = now + dt.timedelta(seconds=backoff(row.attempts))
            if final or row.until <= now:
                row.status, row.finished_at, row.next_try_at = UNDELIVERED, now, now
                status = UNDELIVERED
            else:
                row.status, row.next_try_at, row.finished_at = RETRYING, min(next_try, row.until), None
    return status


def claim_due(now: dt.datetime | None = None, lease_seconds: float = 60.0, limit: int = 50) -> list[Due]:
    """Rows to try now (and those whose sender's lease ran out), each claimed by this caller
    alone, oldest entry first."""
    now = now or utcnow()
    out: list[Due] = []
    with session_scope() as s:
        rows = list(s.execute(
            select(MessageDelivery).where(or_(MessageDelivery.status == RETRYING, MessageDelivery.status == SENDING),
                                          MessageDelivery.next_try_at <= now)
            .order_by(MessageDelivery.message_id).limit(limit)).scalars())
        for d in rows:
            claimed = s.execute(
                update(MessageDelivery).where(MessageDelivery.id == d.id, MessageDelivery.status == d.status,
                                              MessageDelivery.next_try_at == d.next_try_at)
                .values(status=SENDING, next_try_at=now + dt.timedelta(seconds=lease_seconds))).rowcount
            if claimed:
                out.append(Due(d.message_id, d.sender_id, d.channel, d.attempts, d.until, d.created_at))
    return out


def give_up(message_ids: list[int], code: str, error: str, now: dt.datetime | None = None) -> None:
    """No more tries: ``undelivered`` for good (the entries stay ``delivered=False``, for the
    citizen's next message)."""
    if not message_ids:
        return
    now = now or utcnow()
    with session_scope() as s:
        s.execute(update(MessageDelivery).where(MessageDelivery.message_id.in_(message_ids))
                  .values(status=UNDELIVERED, last_code=code[:16], last_error=error[:300], finished_at=now))


def delivered(message_ids: list[int], now: dt.datetime | None = None) -> None:
    """The citizen has these entries now (rows that exist; others are left alone)."""
    if not message_ids:
        return
    with session_scope() as s:
        s.execute(update(MessageDelivery)
                  .where(MessageDelivery.message_id.in_(message_ids), MessageDelivery.status != DELIVERED)
                  .values(status=DELIVERED, finished_at=now or utcnow()))


def for_messages(message_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The delivery state of those entries that have one, for the console."""
    if not message_ids:
        return {}
    with session_scope() as s:
        rows = s.execute(select(MessageDelivery).where(MessageDelivery.message_id.in_(message_ids))).scalars()
        return {r.message_id: {"status": r.status, "attempts": r.attempts, "code": r.last_code,
                               "reason": r.last_error, "finished_at": r.finished_at} for r in rows}


def unseen_undelivered(limit: int = 50) -> list[dict[str, Any]]:
    """Conversations with entries given up as undelivered that no agent has taken note of yet,
    newest first: (sender, channel, how many, the last reason, when)."""
    with session_scope() as s:
        rows = s.execute(
            select(MessageDelivery).where(MessageDelivery.status == UNDELIVERED, MessageDelivery.seen_at.is_(None))
            .order_by(MessageDelivery.finished_at.desc(), MessageDelivery.id.desc()).limit(500)).scalars()
        out: dict[str, dict[str, Any]] = {}
        for r in rows:
            item = out.get(r.sender_id)
            if item is None:
                if len(out) >= limit:
                    continue
                out[r.sender_id] = {"sender_id": r.sender_id, "channel": r.channel, "count": 1,
                                    "reason": r.last_error, "at": r.finished_at}
            else:
                item["count"] += 1
        return list(out.values())


def has_unseen(sender_id: str) -> bool:
    with session_scope() as s:
        return s.execute(select(MessageDelivery.id).where(
            MessageDelivery.sender_id == sender_id, MessageDelivery.status == UNDELIVERED,
            MessageDelivery.seen_at.is_(None)).limit(1)).first() is not None


def mark_seen(sender_id: str, by: str, now: dt.datetime | None = None) -> int:
    """An agent took note of the conversation's undelivered entries (they leave the queue)."""
    with session_scope() as s:
        return s.execute(update(MessageDelivery).where(
            MessageDelivery.sender_id == sender_id, MessageDelivery.status == UNDELIVERED,
            MessageDelivery.seen_at.is_(None)).values(seen_by=by[:64], seen_at=now or utcnow())).rowcount or 0
