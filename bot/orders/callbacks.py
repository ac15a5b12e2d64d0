"""回访 by telephone: the agents' call-back list (鞍山条例第二十一条; 通辽条例第二十条).

Every closed order is followed up. A chat citizen is asked in their channel (bot/gateway/
notices.py); an order whose citizen was not reached that way joins the call-back list:

- an order filed by phone, or with no channel conversation to ask in, at once when it is closed;
- a chat order whose follow-up went unanswered for the profile's ``callback_after_hours``.

An agent calls and records each attempt with its outcome. A citizen who answers gives the rating
(满意 / 基本满意 / 不满意, with a reason), which is recorded as the chat one is (a 不满意 with a
reason sends the order back to the unit once). A citizen who declines to rate ends the follow-up
as 拒绝评价. After the profile's ``callback_attempts`` (3) calls nobody answered, the follow-up
ends as 未接通: counted as unanswered, never as satisfied.

Each attempt is an event of the order (kind ``callback``); the end of a follow-up without a
rating is one too (``callback_unreached`` / ``callback_declined``). A reopened order that is
closed again is followed up afresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.orders import lifecycle
from bot.orders.lifecycle import LifecycleError
from bot.profile import Profile
from bot.store.db import session_scope
from bot.store.models import OrderStatus, WorkOrder, WorkOrderEvent, utcnow

# An outcome of one call -> how the history says it.
OUTCOMES = {
    "answered": "已接通",
    "no_answer": "无人接听",
    "busy": "占线",
    "unreachable": "关机或停机",
    "wrong_number": "号码错误",
    "declined": "市民不愿评价",
}
NOT_REACHED = ("no_answer", "busy", "unreachable")
ENDED = ("callback_unreached", "callback_declined")
LOOK_BACK = dt.timedelta(days=30)  # closed longer ago than this: the follow-up is over


@dataclass(frozen=True)
class Attempt:
    number: str
    outcome: str
    attempts: int      # calls made since the order was last closed, this one included
    finished: bool     # nothing more to call about (rated, declined, wrong number or out of tries)
    rating: str | None
    reopened: bool     # 不满意 with a reason: back to the unit


def _closed_at(order: WorkOrder) -> dt.datetime | None:
    return next((e.at for e in reversed(order.events)
                 if e.kind == "status" and e.status_to == OrderStatus.CLOSED), None)


def _since_closed(order: WorkOrder, closed_at: dt.datetime) -> list[WorkOrderEvent]:
    return [e for e in order.events if e.at >= closed_at and e.kind in ("callback", *ENDED)]


def _by_phone_only(order: WorkOrder) -> bool:
    """Orders the chat follow-up cannot reach: phone calls, and orders without a conversation."""
    return order.channel == "phone" or not order.sender_id


def due(profile: Profile, now: dt.datetime | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Closed, unrated orders the agents should call now, the longest waiting first."""
    now = now or utcnow()
    closed = (select(WorkOrderEvent.order_id, func.max(WorkOrderEvent.at).label("at"))
              .where(WorkOrderEvent.kind == "status", WorkOrderEvent.status_to == OrderStatus.CLOSED)
              .group_by(WorkOrderEvent.order_id).subquery())
    wait = dt.timedelta(hours=profile.callback_after_hours)
    out: list[dict[str, Any]] = []
    with session_scope() as s:
        rows = s.execute(
            select(WorkOrder, closed.c.at).join(closed, closed.c.order_id == WorkOrder.id)
            .where(WorkOrder.status == OrderStatus.CLOSED, WorkOrder.rating.is_(None), WorkOrder.phone.is_not(None),
                   closed.c.at >= now - LOOK_BACK)
            .options(selectinload(WorkOrder.events)).order_by(closed.c.at, WorkOrder.id).limit(limit * 2)
        ).all()
        for order, closed_at in rows:
            if not _by_phone_only(order) and closed_at + wait > now:
                continue  # the citizen may still answer in the chat
            calls = _since_closed(order, closed_at)
            if any(e.kind in ENDED for e in calls):
                continue
            out.append({"number": order.number, "type": order.request_type, "content": order.content[:200],
                        "unit": order.unit, "result": order.result, "name": order.name, "phone": order.phone,
                        "channel": order.channel, "closed_at": closed_at.isoformat() + "Z",
                        "attempts": len(calls), "max_attempts": profile.callback_attempts,
                        "last_attempt": calls[-1].note if calls else None,
                        "reason": "电话受理，电话回访" if _by_phone_only(order)
                        else f"线上回访{profile.callback_after_hours}小时未答复"})
            if len(out) >= limit:
                break
    return out


def record(number: str, actor: str, outcome: str, profile: Profile, rating: str | None = None,
           reason: str | None = None, note: str | None = None, now: dt.datetime | None = None) -> Attempt:
    """One call of the follow-up and what came of it."""
    if outcome not in OUTCOMES:
        raise LifecycleError("bad_outcome", "请选择回访结果：" + "、".join(OUTCOMES.values()) + "。")
    if outcome == "answered" and rating not in lifecycle.RATINGS:
        raise LifecycleError("bad_rating", "接通后请记录市民的评价：满意、基本满意或不满意。")
    note = (note or "").strip()[:500] or None
    reason = (reason or "").strip()[:1000] or None
    with session_scope() as s:
        order = s.execute(select(WorkOrder).where(WorkOrder.number == number).with_for_update()).scalar_one_or_none()
        if order is None:
            raise LifecycleError("not_found", "没有这个工单。")
        closed_at = _closed_at(order)
        if order.status != OrderStatus.CLOSED or closed_at is None:
            raise LifecycleError("bad_state", "这个工单还没有办结，不需要回访。")
        if order.rating is not None:
            raise LifecycleError("bad_state", "这个工单市民已经评价过了。")
        calls = _since_closed(order, closed_at)
        if any(e.kind in ENDED for e in calls):
            raise LifecycleError("bad_state", "这个工单的回访已经结束。")
        attempts = len(calls) + 1
        said = OUTCOMES[outcome] + (f"，市民评价：{rating}" if outcome == "answered" else "")
        s.add(WorkOrderEvent(order_id=order.id, actor=actor[:64], status_from=order.status, status_to=order.status,
                             kind="callback", note=f"第{attempts}次电话回访：{said}" + (f"（{note}）" if note else "")))
        finished = outcome in ("answered", "declined", "wrong_number") or attempts >= profile.callback_attempts
        if outcome == "declined":
            s.add(WorkOrderEvent(order_id=order.id, actor=actor[:64], status_from=order.status,
                                 status_to=order.status, kind="callback_declined", note="市民不愿评价，回访结束"))
        elif finished and outcome != "answered":
            why = "号码错误" if outcome == "wrong_number" else f"{attempts}次电话回访均未接通"
            s.add(WorkOrderEvent(order_id=order.id, actor=actor[:64], status_from=order.status,
                                 status_to=order.status, kind="callback_unreached",
                                 note=f"{why}，记为回访未成功（不计为满意）"))
    if outcome != "answered":
        return Attempt(number, outcome, attempts, finished, None, False)
    rated = lifecycle.rate(number, rating or "", reason, profile, now)
    return Attempt(number, outcome, attempts, True, rated.rating, rated.reopened)
