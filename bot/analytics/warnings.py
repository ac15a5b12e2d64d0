"""Hot-spot warnings (研判): the periodic job that turns what ``queries.hotspots`` finds into
warnings people act on, and their acknowledgment and closing.

Every gateway runs the job (every minute by default, ``HOTLINE_WARNINGS_EVERY``); a lock in the
shared store (Redis or the database) lets one of them do each round. A hot spot already warned
about (open or acknowledged) updates its warning instead of raising a new one; one closed within
the last day is not raised again unless it has grown by half. Each warning names the unit most of
its orders went to: that unit sees it in its list.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select

from bot.analytics import queries
from bot.store.db import session_scope
from bot.store.models import HotspotWarning, WorkOrder, utcnow
from bot.store.shared import SharedStore

STATES = ("open", "acknowledged", "closed")
LOCK = "analytics:warnings-job"
QUIET_AFTER_CLOSE = dt.timedelta(days=1)


class WarningError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def run_once(store: SharedStore, now: dt.datetime | None = None, every: float = 60.0) -> list[dict]:
    """One round of the job; the new warnings (none when another gateway has this round)."""
    if not store.add(LOCK, "1", max(1.0, every * 0.9)):
        return []
    return raise_warnings(queries.hotspots(now), now)


def raise_warnings(spots: list[dict], now: dt.datetime | None = None) -> list[dict]:
    now = now or utcnow()
    new = []
    with session_scope() as s:
        for h in spots:
            current = s.execute(select(HotspotWarning).where(
                HotspotWarning.topic == h["topic"], HotspotWarning.district == h["district"])
                .order_by(HotspotWarning.id.desc()).limit(1)).scalar_one_or_none()
            if current is not None and current.state != "closed":
                if h["count"] != current.count:  # still going: the warning follows it
                    _fill(current, h, s)
                    current.updated_at = now
                continue
            if current is not None and current.closed_at and now - current.closed_at < QUIET_AFTER_CLOSE \
                    and h["count"] < 1.5 * current.count:
                continue
            warning = HotspotWarning(created_at=now, updated_at=now, state="open")
            _fill(warning, h, s)
            s.add(warning)
            s.flush()
            new.append(as_dict(warning))
    return new


def _fill(w: HotspotWarning, h: dict, s) -> None:
    w.topic, w.district, w.window_hours = h["topic"], h["district"], h["window_hours"]
    w.count, w.baseline, w.score, w.reason = h["count"], h["baseline"], h["score"], h["reason"]
    w.numbers = ",".join(h.get("numbers") or [])
    units = Counter(u for u in s.execute(select(WorkOrder.unit).where(
        WorkOrder.number.in_(h.get("numbers") or []), WorkOrder.unit.is_not(None))).scalars())
    w.unit = units.most_common(1)[0][0] if units else None


def as_dict(w: HotspotWarning) -> dict[str, Any]:
    def iso(t: dt.datetime | None) -> str | None:
        return t.isoformat() + "Z" if t else None

    return {"id": w.id, "topic": w.topic, "district": w.district, "unit": w.unit, "window_hours": w.window_hours,
            "count": w.count, "baseline": w.baseline, "score": w.score, "reason": w.reason,
            "numbers": [n for n in (w.numbers or "").split(",") if n], "state": w.state,
            "created_at": iso(w.created_at), "updated_at": iso(w.updated_at),
            "acknowledged_by": w.acknowledged_by, "acknowledged_at": iso(w.acknowledged_at),
            "closed_by": w.closed_by, "closed_at": iso(w.closed_at), "note": w.note}


def listing(state: str | None = "open", unit: str | None = None, limit: int = 200) -> list[dict]:
    """Warnings by state (``open`` also lists the acknowledged ones still open), newest first."""
    if state not in (*STATES, "all", None):
        raise WarningError("bad_state", "state 只能是 open、acknowledged、closed 或 all。")
    q = select(HotspotWarning)
    if state == "open":
        q = q.where(HotspotWarning.state.in_(("open", "acknowledged")))
    elif state in STATES:
        q = q.where(HotspotWarning.state == state)
    if unit is not None:
        q = q.where(HotspotWarning.unit == unit)
    with session_scope() as s:
        return [as_dict(w) for w in s.execute(q.order_by(HotspotWarning.id.desc()).limit(limit)).scalars()]


def act(warning_id: int, action: str, actor: str, note: str | None) -> dict:
    """``acknowledge`` (seen, being looked into) or ``close`` (dealt with: a note is required)."""
    if action not in ("acknowledge", "close"):
        raise WarningError("not_found", "没有这个操作。")
    note = (note or "").strip()[:2000] or None
    if action == "close" and (note is None or len(note) < 4):
        raise WarningError("note_required", "关闭预警需要写明处理情况（至少4个字）。")
    with session_scope() as s:
        w = s.get(HotspotWarning, warning_id)
        if w is None:
            raise WarningError("not_found", "没有这条预警。")
        if w.state == "closed":
            raise WarningError("bad_state", "这条预警已经关闭。")
        now = utcnow()
        if action == "acknowledge":
            if w.state == "acknowledged":
                raise WarningError("bad_state", "这条预警已经有人确认。")
            w.state, w.acknowledged_by, w.acknowledged_at = "acknowledged", actor[:64], now
        else:
            w.state, w.closed_by, w.closed_at = "closed", actor[:64], now
            if not w.acknowledged_at:
                w.acknowledged_by, w.acknowledged_at = actor[:64], now
        if note:
            w.note = note
        w.updated_at = now
        return as_dict(w)
