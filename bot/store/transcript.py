"""The gateway's transcript: every message of every conversation, in order.

A citizen's message is written first, before the gateway tries Rasa, so nothing is lost when a
part is down. Synchronous (SQLAlchemy); the gateway calls it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.store.db import session_scope
from bot.store.models import MessageDelivery, TranscriptMessage, utcnow

MAX_STORED_TEXT = 20_000
# The updates here change rows by id or status and nothing reads the session's copies after:
# SQLAlchemy need not evaluate their criteria against the objects it holds (a tenth of a
# millisecond a statement, on every citizen message).
UNSYNCED = {"synchronize_session": False}
FAILED_PUSHES = ("retrying", "undelivered")  # a delivery's statuses that the next claim ends


@dataclass(frozen=True)
class Entry:
    id: int
    sender_id: str
    channel: str
    author: str
    text: str | None
    data: dict[str, Any]
    status: str
    delivered: bool
    created_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        text = self.data.get("_shown") or self.text  # a button's title rather than its payload
        out: dict[str, Any] = {"author": self.author, "text": text, "at": self.created_at.isoformat() + "Z"}
        out.update({k: v for k, v in self.data.items() if not k.startswith("_")})
        return out


def _entry(row: TranscriptMessage) -> Entry:
    return Entry(row.id, row.sender_id, row.channel, row.author, row.text,
                 json.loads(row.data) if row.data else {}, row.status, row.delivered, row.created_at)


def _row(sender_id: str, channel: str, author: str, text: str | None, data: dict[str, Any] | None,
         status: str, delivered: bool) -> TranscriptMessage:
    return TranscriptMessage(
        sender_id=sender_id, channel=channel, author=author,
        text=text[:MAX_STORED_TEXT] if text is not None else None,
        data=json.dumps(data, ensure_ascii=False) if data else None,
        status=status, delivered=delivered,
    )


def add(sender_id: str, channel: str, author: str, text: str | None, data: dict[str, Any] | None = None,
        status: str = "sent", delivered: bool = True) -> int:
    with session_scope() as s:
        row = _row(sender_id, channel, author, text, data, status, delivered)
        s.add(row)
        s.flush()
        return row.id


def add_many(rows: list[tuple[str, str, str, str | None, dict[str, Any] | None, str, bool]]) -> list[int]:
    """Several messages in one transaction (``add``'s arguments each); their ids, in order."""
    with session_scope() as s:
        made = [_row(*row) for row in rows]
        s.add_all(made)
        s.flush()
        return [m.id for m in made]


def set_status(message_id: int, status: str) -> None:
    with session_scope() as s:
        s.execute(update(TranscriptMessage).where(TranscriptMessage.id == message_id).values(status=status)
                  .execution_options(**UNSYNCED))


def history(sender_id: str, limit: int = 300) -> list[Entry]:
    with session_scope() as s:
        rows = s.execute(
            select(TranscriptMessage).where(TranscriptMessage.sender_id == sender_id)
            .order_by(TranscriptMessage.id.desc()).limit(limit)
        ).scalars()
        return [_entry(r) for r in reversed(list(rows))]


def pending(sender_id: str | None = None) -> list[Entry]:
    """Citizen messages Rasa has not had yet, oldest first (one conversation or all)."""
    with session_scope() as s:
        q = select(TranscriptMessage).where(TranscriptMessage.status == "pending")
        if sender_id is not None:
            q = q.where(TranscriptMessage.sender_id == sender_id)
        return [_entry(r) for r in s.execute(q.order_by(TranscriptMessage.id)).scalars()]


def count_pending() -> int:
    with session_scope() as s:
        return s.execute(select(func.count()).select_from(TranscriptMessage)
                         .where(TranscriptMessage.status == "pending")).scalar_one()


def undelivered(sender_id: str) -> list[Entry]:
    with session_scope() as s:
        rows = s.execute(
            select(TranscriptMessage)
            .where(TranscriptMessage.sender_id == sender_id, TranscriptMessage.delivered.is_(False))
            .order_by(TranscriptMessage.id)
        ).scalars()
        return [_entry(r) for r in rows]


def mark_delivered(ids: list[int]) -> None:
    if not ids:
        return
    with session_scope() as s:
        s.execute(update(TranscriptMessage).where(TranscriptMessage.id.in_(ids)).values(delivered=True))


def claim_undelivered(sender_id: str) -> list[Entry]:
    """Take the replies the citizen has not been given yet, marking them delivered, so that two
    callers at once (an answer returned to the request, and the loop that pushes kept answers)
    never both send the same reply. ``unclaim`` gives them back if sending fails."""
    with session_scope() as s:
        return _claim_undelivered(s, sender_id)


def _claim_undelivered(s: Session, sender_id: str) -> list[Entry]:
    claimed = []
    rows = s.execute(
        select(TranscriptMessage)
        .where(TranscriptMessage.sender_id == sender_id, TranscriptMessage.delivered.is_(False))
        .order_by(TranscriptMessage.id)
    ).scalars().all()
    for entry in [_entry(r) for r in rows]:
        # each row is taken only if nobody took it since it was read (the row count says)
        result = s.execute(update(TranscriptMessage)
                           .where(TranscriptMessage.id == entry.id, TranscriptMessage.delivered.is_(False))
                           .values(delivered=True).execution_options(**UNSYNCED))
        if result.rowcount == 1:
            claimed.append(entry)
    if claimed:  # a push that failed before (bot/store/deliveries.py) reaches the citizen now
        # (always asked here, never decided from the read above: a push may have failed and
        # given an entry back between that read and this claim)
        s.execute(update(MessageDelivery)
                  .where(MessageDelivery.message_id.in_([e.id for e in claimed]),
                         MessageDelivery.status.in_(FAILED_PUSHES))
                  .values(status="delivered", finished_at=utcnow()).execution_options(**UNSYNCED))
    return claimed


def claim(ids: list[int]) -> list[Entry]:
    """``claim_undelivered`` for the entries ``ids`` only (a retry of those that failed)."""
    claimed = []
    with session_scope() as s:
        for message_id in sorted(ids):
            result = s.execute(update(TranscriptMessage)
                               .where(TranscriptMessage.id == message_id, TranscriptMessage.delivered.is_(False))
                               .values(delivered=True))
            if result.rowcount == 1:
                row = s.get(TranscriptMessage, message_id)
                if row is not None:
                    claimed.append(_entry(row))
    return claimed


def unclaim(ids: list[int]) -> None:
    if not ids:
        return
    with session_scope() as s:
        s.execute(update(TranscriptMessage).where(TranscriptMessage.id.in_(ids)).values(delivered=False))


def add_while_pending(message_id: int, sender_id: str, channel: str, author: str, text: str | None,
                      delivered: bool = False) -> int | None:
    """Add a message (the busy notice) only if the citizen's message ``message_id`` is still
    waiting for Rasa's answer; None when the answer was kept first. The no-op update takes the
    message's row (PostgreSQL) or the database's write lock (SQLite) before the check, so an
    answer being kept at the same moment comes either wholly before or wholly after."""
    with session_scope() as s:
        held = s.execute(update(TranscriptMessage)
                         .where(TranscriptMessage.id == message_id, TranscriptMessage.status == "pending")
                         .values(status="pending").execution_options(**UNSYNCED))
        if held.rowcount != 1:
            return None
        row = _row(sender_id, channel, author, text, None, "sent", delivered)
        s.add(row)
        s.flush()
        return row.id


def answer(message_id: int, sender_id: str, channel: str,
           replies: list[tuple[str | None, dict[str, Any]]]) -> list[int]:
    """Rasa has the citizen's message and answered: mark it sent and keep the replies (not yet
    delivered), in one transaction. Returns the replies' ids."""
    with session_scope() as s:
        return _answer(s, message_id, sender_id, channel, replies)


def answer_and_claim(message_id: int, sender_id: str, channel: str,
                     replies: list[tuple[str | None, dict[str, Any]]]) -> tuple[list[int], list[Entry]]:
    """``answer``, and then ``claim_undelivered`` in the same transaction (for the request that
    waits to give the citizen the answer): the replies' ids, and the entries taken."""
    with session_scope() as s:
        ids = _answer(s, message_id, sender_id, channel, replies)
        return ids, _claim_undelivered(s, sender_id)


def _answer(s: Session, message_id: int, sender_id: str, channel: str,
            replies: list[tuple[str | None, dict[str, Any]]]) -> list[int]:
    s.execute(update(TranscriptMessage).where(TranscriptMessage.id == message_id).values(status="sent")
              .execution_options(**UNSYNCED))
    rows = [_row(sender_id, channel, "bot", text, data, "sent", False) for text, data in replies]
    s.add_all(rows)
    s.flush()
    return [r.id for r in rows]
