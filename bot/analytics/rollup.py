"""研判's daily roll-up: the volume figures of a whole year read from ~100 rows a day instead of
every order.

``order_day_counts`` holds, for each China day, the orders filed that day in total and by each
value of one dimension, and the citizens answered directly that day (``direct_answers``: by kind,
kind and channel, article, and why a conversation came to a person; ``ANSWER_DIMS``); ``unit_day_stats`` the counts behind the units' evaluation for the orders
dispatched that day; ``rolled_days`` says which days are current. The periodic job (with the
hot-spot warnings, every minute, one gateway a round) recomputes the days whose orders were
filed or changed since its last good round (a failed round leaves them to the next; an order sent
to another unit also recomputes the days its earlier units received it) (a new order, a dispatch, a topic corrected, an answer), and rolls up
a month of not-yet-rolled days per round (a store filled before this existed catches up by
itself; ``python -m bot.analytics.rollup`` does it at once, ``--all`` recomputes every day after
orders were imported with their old dates). ``queries.summary`` reads rolled
days from here and counts the others live, so a figure is never missing and a new order shows
within the minute.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable

from sqlalchemy import delete, distinct, func, insert, select

from bot.store.db import session_scope
from bot.store.models import (
    DirectAnswer,
    OrderDayCount,
    OrderStatus,
    RolledDay,
    UnitDayStats,
    WorkOrder,
    WorkOrderEvent,
    utcnow,
)
from bot.store.shared import SharedStore

CHINA = dt.timedelta(hours=8)
STREET_SEP = "·"  # a street is named with its district (「铁东区·胜利街道」): districts share street names
DISTRICT_STREET = WorkOrder.district + STREET_SEP + WorkOrder.street  # NULL for an order without a street
DIMS = {"channel": WorkOrder.channel, "type": WorkOrder.request_type, "district": WorkOrder.district,
        "street": DISTRICT_STREET, "topic": WorkOrder.topic, "unit": WorkOrder.unit}
# 直接答复 (bot/store/answers.py), kept in the same table under their own dimensions
ANSWER_DIMS = {"answer": DirectAnswer.kind, "answer_channel": DirectAnswer.kind + "|" + DirectAnswer.channel,
               "article": DirectAnswer.article, "answer_reason": DirectAnswer.reason}
LOCK, SINCE = "analytics:rollup-job", "analytics:rollup-since"
CATCH_UP_DAYS = 31


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(day, dt.time()) - CHINA
    return lo, lo + dt.timedelta(days=1)


def refresh(days: Iterable[dt.date]) -> int:
    """Recompute these days; how many."""
    done = 0
    for day in sorted(set(days)):
        lo, hi = _bounds(day)
        window = (WorkOrder.created_at >= lo, WorkOrder.created_at < hi)
        with session_scope() as s:
            rows = [{"day": day, "dim": "all", "value": "", "count": s.execute(select(func.count()).where(*window))
                     .scalar_one()}]
            for dim, col in DIMS.items():
                rows += [{"day": day, "dim": dim, "value": (value or "")[:64], "count": n}
                         for value, n in s.execute(select(col, func.count()).where(*window).group_by(col)).all()]
            answered = (DirectAnswer.at >= lo, DirectAnswer.at < hi)
            for dim, col in ANSWER_DIMS.items():
                rows += [{"day": day, "dim": dim, "value": value[:64], "count": n}
                         for value, n in s.execute(select(col, func.count()).where(*answered, col.is_not(None))
                                                   .group_by(col)).all()]
            s.execute(delete(OrderDayCount).where(OrderDayCount.day == day))
            s.execute(insert(OrderDayCount.__table__), rows)
            from bot.analytics.queries import unit_measures  # queries reads the roll-up too

            stats = [{"day": day, "unit": unit[:64], "data": json.dumps(m, ensure_ascii=False)}
                     for unit, m in unit_measures(s, lo, hi).items()]
            s.execute(delete(UnitDayStats).where(UnitDayStats.day == day))
            if stats:
                s.execute(insert(UnitDayStats.__table__), stats)
            s.merge(RolledDay(day=day, computed_at=utcnow()))
        done += 1
    return done


def changed_days(since: dt.datetime) -> set[dt.date]:
    """The China days of the orders filed or changed, and of the direct answers, since ``since``."""
    with session_scope() as s:
        created = s.execute(select(WorkOrder.created_at).where(WorkOrder.created_at >= since)).scalars()
        days = {(t + CHINA).date() for t in created}
        days |= {(t + CHINA).date() for t in s.execute(select(DirectAnswer.at).where(DirectAnswer.at >= since)).scalars()}
        touched = select(distinct(WorkOrderEvent.order_id)).where(WorkOrderEvent.at >= since)
        for created, dispatched in s.execute(select(WorkOrder.created_at, WorkOrder.dispatched_at)
                                             .where(WorkOrder.id.in_(touched))).all():
            days.add((created + CHINA).date())
            if dispatched is not None:  # the unit's figures are kept by the day it received the order
                days.add((dispatched + CHINA).date())
        # ... and by the day an earlier unit received it: sent to another unit (returned and dispatched
        # again, a new lead), the order leaves that day's figures of the unit it had, its topic with it
        for at in s.execute(select(distinct(WorkOrderEvent.at)).where(
                WorkOrderEvent.order_id.in_(touched), WorkOrderEvent.status_to == OrderStatus.DISPATCHED)).scalars():
            days.add((at + CHINA).date())
    return days


def unit_days(s, days: list[dt.date]) -> dict[str, dict]:
    """The units' rolled-up counts over these days, per unit (as ``queries.unit_measures``)."""
    out: dict[str, dict] = {}
    for unit, data in s.execute(select(UnitDayStats.unit, UnitDayStats.data).where(UnitDayStats.day.in_(days))).all():
        m = json.loads(data)
        total = out.setdefault(unit, {"topics": {}})
        for key, value in m.items():
            if key == "topics":  # topic -> the same counts (a day rolled up before 0024: the orders alone)
                for topic, counts in value.items():
                    into = total["topics"].setdefault(topic, {})
                    for k, n in (counts if isinstance(counts, dict) else {"received": counts}).items():
                        into[k] = into.get(k, 0) + n
            else:
                total[key] = total.get(key, 0) + value
    return out


def unrolled_days(limit: int = CATCH_UP_DAYS) -> list[dt.date]:
    """Days with orders and no roll-up yet, the most recent first."""
    with session_scope() as s:
        first = s.execute(select(func.min(WorkOrder.created_at))).scalar()
        rolled = set(s.execute(select(RolledDay.day)).scalars())
    if first is None:
        return []
    day, today = (first + CHINA).date(), (utcnow() + CHINA).date()
    out: list[dt.date] = []
    while today >= day and len(out) < limit:
        if today not in rolled:
            out.append(today)
        today -= dt.timedelta(days=1)
    return out


def run_once(store: SharedStore, every: float = 60.0) -> int:
    """One round of the job (none when another gateway has it); the days recomputed."""
    if not store.add(LOCK, "1", max(1.0, every * 0.9)):
        return 0
    now = utcnow()
    last = store.get(SINCE)
    since = dt.datetime.fromisoformat(last) if last else now - dt.timedelta(days=2)
    days = changed_days(since - dt.timedelta(minutes=1)) | set(unrolled_days())
    done = refresh(days)
    # Only once its days are recomputed: a round that fails (the database away, a lock) leaves the
    # changes since the last good round to the next, however long ago they were made, instead of
    # leaving those days counting an order as it was (a corrected topic under the old one).
    store.set(SINCE, now.isoformat())
    return done


def rolled(days: Iterable[dt.date]) -> set[dt.date]:
    days = list(days)
    if not days:
        return set()
    with session_scope() as s:
        return set(s.execute(select(RolledDay.day).where(RolledDay.day >= min(days), RolledDay.day <= max(days)))
                   .scalars())


def main(argv: list[str] | None = None) -> int:
    """Roll up every day not rolled up yet; with ``--all``, recompute every day (after importing
    orders with their old dates, which the job's change tracking cannot see)."""
    argv = sys.argv[1:] if argv is None else argv
    total = 0
    if "--all" in argv:
        with session_scope() as s:
            first, last = s.execute(select(func.min(WorkOrder.created_at), func.max(WorkOrder.created_at))).one()
        if first is not None:
            day, end = (first + CHINA).date(), (last + CHINA).date()
            total = refresh(day + dt.timedelta(days=i) for i in range((end - day).days + 1))
    while True:
        days = unrolled_days(366)
        if not days:
            break
        total += refresh(days)
    print(f"rolled up {total} days", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
