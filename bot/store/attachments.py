"""Images citizens send as evidence, and the order each joins."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.store.db import session_scope
from bot.store.models import (
    OPEN_STATUSES,
    Attachment,
    WorkOrder,
    utcnow,
)


def add_attachment(sender_id: str, channel: str, filename: str | None, content_type: str, size: int,
                   sha256: str, path: str) -> tuple[Attachment, WorkOrder | None]:
    """Keep an uploaded file as evidence. It joins the order filed from the same conversation:
    the one waiting for this citizen's answer (补充材料), or the one filed within the last hour and
    still open, otherwise the order filed next (``link_attachments``)."""
    with session_scope() as s:
        since = utcnow() - dt.timedelta(hours=1)
        recent = _asking(s, sender_id) or s.execute(
            select(WorkOrder)
            .where(WorkOrder.sender_id == sender_id, WorkOrder.created_at >= since,
                   WorkOrder.status.in_(OPEN_STATUSES))
            .order_by(WorkOrder.id.desc()).limit(1)
        ).scalar_one_or_none()
        att = Attachment(sender_id=sender_id, channel=channel, filename=(filename or "")[:200] or None,
                         content_type=content_type, size=size, sha256=sha256, path=path,
                         order_id=recent.id if recent else None)
        s.add(att)
        s.flush()
        return att, recent


def _asking(s, sender_id: str) -> WorkOrder | None:
    """The conversation's open order that asked this citizen for more (补充材料): not answered yet,
    or answered within the day (the photos often come after the words)."""
    day_ago = utcnow() - dt.timedelta(days=1)
    for order in s.execute(select(WorkOrder).where(WorkOrder.sender_id == sender_id,
                                                   WorkOrder.status.in_(OPEN_STATUSES))
                           .order_by(WorkOrder.id.desc()).limit(5)).scalars():
        last = next((e for e in reversed(order.events) if e.kind in ("citizen_asked", "citizen_answered")), None)
        if last is not None and (last.kind == "citizen_asked" or last.at >= day_ago):
            return order
    return None


def link_attachments(sender_id: str, order_id: int) -> int:
    """Attach the conversation's pending uploads to the order just filed; returns how many."""
    with session_scope() as s:
        result = s.execute(
            update(Attachment)
            .where(Attachment.sender_id == sender_id, Attachment.order_id.is_(None))
            .values(order_id=order_id)
        )
        return result.rowcount or 0


def attachments_for_order(order_id: int) -> list[Attachment]:
    with session_scope() as s:
        return list(s.execute(select(Attachment).where(Attachment.order_id == order_id).order_by(Attachment.id)).scalars())


def attachments_by_order(order_ids: list[int]) -> dict[int, list[Attachment]]:
    """The attachments of many orders in one query (for lists)."""
    found: dict[int, list[Attachment]] = {i: [] for i in order_ids}
    if order_ids:
        with session_scope() as s:
            q = select(Attachment).where(Attachment.order_id.in_(order_ids)).order_by(Attachment.id)
            for a in s.execute(q).scalars():
                found[a.order_id].append(a)
    return found
