"""Changes of an order the citizen has not been told yet, and who claimed telling them (one gateway each)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.db import session_scope
from bot.store.models import (
    OrderNotification,
    OrderStatus,
    WorkOrder,
    WorkOrderEvent,
)


@dataclass(frozen=True)
class PendingNotice:
    event_id: int
    order_id: int
    number: str
    sender_id: str
    status: str
    note: str | None
    channel: str = "rest"
    result: str | None = None
    kind: str = "status"
    unit: str | None = None


def unnotified_changes(channel: str | None, since: dt.datetime, limit: int = 50) -> list[PendingNotice]:
    """Status changes of orders (after filing; of one channel, or all) that no process has told
    the citizen yet."""
    with session_scope() as s:
        told = select(OrderNotification.event_id)
        rows = s.execute(
            select(WorkOrderEvent, WorkOrder)
            .join(WorkOrder, WorkOrder.id == WorkOrderEvent.order_id)
            .where(WorkOrder.channel == channel if channel else WorkOrder.channel.is_not(None),
                   WorkOrder.sender_id.is_not(None),
                   WorkOrderEvent.kind.in_(("status", "extension", "citizen_asked")),
                   WorkOrderEvent.status_from.is_not(None),
                   or_(WorkOrderEvent.status_from != WorkOrderEvent.status_to,
                       WorkOrderEvent.kind.in_(("extension", "citizen_asked"))),
                   # 办结审核 is the hotline's own step: the citizen hears the result once it is approved
                   WorkOrderEvent.status_to != OrderStatus.REVIEWING,
                   or_(WorkOrderEvent.status_from != OrderStatus.REVIEWING, WorkOrderEvent.status_to == OrderStatus.CLOSED),
                   WorkOrderEvent.at >= since,
                   WorkOrderEvent.id.not_in(told))
            .order_by(WorkOrderEvent.id).limit(limit)
        ).all()
        return [PendingNotice(e.id, o.id, o.number, o.sender_id, e.status_to, e.note, o.channel, o.result, e.kind,
                              o.unit) for e, o in rows]


def claim_notice(notice: PendingNotice, channel: str) -> int | None:
    """Take the job of telling one change; None when another process already has it."""
    try:
        with session_scope() as s:
            row = OrderNotification(event_id=notice.event_id, order_id=notice.order_id, channel=channel)
            s.add(row)
            s.flush()
            return row.id
    except IntegrityError:
        return None


def finish_notice(notification_id: int, method: str, result: str) -> None:
    with session_scope() as s:
        s.execute(update(OrderNotification).where(OrderNotification.id == notification_id)
                  .values(method=method, result=result[:200]))
