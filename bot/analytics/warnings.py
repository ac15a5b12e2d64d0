"""Early warnings (研判): the periodic job that turns what ``queries`` finds into warnings people
act on, and their acknowledgment and closing. Five kinds, each with its own key:

- ``hotspot`` 热点: a topic rising in a district against its own baseline (``queries.hotspots``);
- ``street`` 街道热点: the same within one street of a district (``hotspots(street=True)``, with
  the street's own thresholds ``queries.STREET``: fewer orders, its level pulled towards its
  district's);
- ``cluster`` 集中反映: a group of the same matter from ``cluster_citizens`` different citizens;
- ``repeat`` 重复来电: one citizen filing ``repeat_orders`` orders within ``repeat_days`` (keyed by a
  pseudonym; the warning never names or shows who);
- ``sensitive`` 敏感词: an order whose content held a word of the profile's list.

Every gateway runs the job (every minute by default, ``HOTLINE_WARNINGS_EVERY``); a lock in the
shared store (Redis or the database) lets one of them do each round, all kinds in it. A warning
already raised (open or acknowledged) is updated instead of raised again. A closed hot spot (of a
district or a street) is quiet for a day unless it has grown by half; a closed group, repeat caller
or sensitive order, whose count only grows while its orders stay in the window, is quiet until it
has grown by half. Each warning names the unit most of its orders went to: that unit sees it in its
list.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select

from bot.analytics import queries
from bot.language.redact import redact_identity
from bot.profile import Profile, load_profile
from bot.store.db import session_scope
from bot.store.models import HotspotWarning, WorkOrder, utcnow
from bot.store.shared import SharedStore

STATES = ("open", "acknowledged", "closed")
KINDS = {"hotspot": "热点", "street": "街道热点", "cluster": "集中反映", "repeat": "重复来电", "sensitive": "敏感词"}
LOCK = "analytics:warnings-job"
QUIET_AFTER_CLOSE = dt.timedelta(days=1)
# Kinds whose count only grows while their orders stay in the window: closed, they stay quiet
# until grown by half (after a day they would otherwise be raised again, unchanged).
CUMULATIVE = ("cluster", "repeat", "sensitive")


class WarningError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def run_once(store: SharedStore, now: dt.datetime | None = None, every: float = 60.0,
             profile: Profile | None = None) -> list[dict]:
    """One round of the job, every kind; the new warnings (none when another gateway has this round)."""
    if not store.add(LOCK, "1", max(1.0, every * 0.9)):
        return []
    return find_all(now, profile)


def find_all(now: dt.datetime | None = None, profile: Profile | None = None) -> list[dict]:
    """Every kind's findings raised as warnings (each kind's own queries, bounded windows)."""
    profile = profile or load_profile()
    new = raise_warnings(queries.hotspots(now), now)
    new += raise_warnings(queries.hotspots(now, street=True), now, "street")
    new += raise_warnings(queries.clusters_reaching(now, profile.cluster_warning_size), now, "cluster")
    new += raise_warnings(queries.repeat_callers(now, profile.repeat_warning_orders, profile.repeat_warning_days),
                          now, "repeat")
    new += raise_warnings(queries.sensitive_orders(now), now, "sensitive")
    return new


def key_of(kind: str, found: dict) -> str:
    """What a running warning of ``kind`` is about: a place and topic, a group, a citizen's
    pseudonym or an order."""
    if kind == "hotspot":
        return f"hotspot|{found['topic']}|{found['district']}"
    if kind == "street":
        return f"street|{found['topic']}|{found['district']}|{found['street']}"
    return f"{kind}|{found['key']}"[:160]


def raise_warnings(spots: list[dict], now: dt.datetime | None = None, kind: str = "hotspot") -> list[dict]:
    if kind not in KINDS:
        raise ValueError(f"unknown kind of warning: {kind}")
    now = now or utcnow()
    new = []
    with session_scope() as s:
        for h in spots:
            key = key_of(kind, h)
            current = s.execute(select(HotspotWarning).where(HotspotWarning.key == key)
                                .order_by(HotspotWarning.id.desc()).limit(1)).scalar_one_or_none()
            if current is not None and current.state != "closed":
                if h["count"] != current.count or current.unit is None:  # still going: the warning follows it
                    _fill(current, h, s)
                    current.updated_at = now
                continue
            if current is not None and current.closed_at and h["count"] < 1.5 * current.count and (
                    kind in CUMULATIVE or now - current.closed_at < QUIET_AFTER_CLOSE):
                continue
            warning = HotspotWarning(created_at=now, updated_at=now, state="open", kind=kind, key=key)
            _fill(warning, h, s)
            s.add(warning)
            s.flush()
            new.append(as_dict(warning))
    return new


def _fill(w: HotspotWarning, h: dict, s) -> None:
    w.topic, w.district, w.street = (h["topic"] or "")[:48], (h["district"] or "")[:32], h.get("street")
    w.window_hours = h["window_hours"]
    w.count, w.baseline, w.score, w.reason = h["count"], h["baseline"], h["score"], h["reason"]
    w.numbers = ",".join(h.get("numbers") or [])
    units = Counter(u for u in s.execute(select(WorkOrder.unit).where(
        WorkOrder.number.in_(h.get("numbers") or []), WorkOrder.unit.is_not(None))).scalars())
    w.unit = units.most_common(1)[0][0] if units else None


def as_dict(w: HotspotWarning) -> dict[str, Any]:
    def iso(t: dt.datetime | None) -> str | None:
        return t.isoformat() + "Z" if t else None

    return {"id": w.id, "kind": w.kind, "kind_label": KINDS.get(w.kind, w.kind), "topic": w.topic,
            "district": w.district, "street": w.street, "unit": w.unit, "window_hours": w.window_hours,
            "count": w.count, "baseline": w.baseline, "score": w.score, "reason": w.reason,
            "numbers": [n for n in (w.numbers or "").split(",") if n], "state": w.state,
            "created_at": iso(w.created_at), "updated_at": iso(w.updated_at),
            "acknowledged_by": w.acknowledged_by, "acknowledged_at": iso(w.acknowledged_at),
            "closed_by": w.closed_by, "closed_at": iso(w.closed_at), "note": w.note}


def listing(state: str | None = "open", unit: str | None = None, limit: int = 200, kind: str | None = None,
            with_orders: bool = False) -> list[dict]:
    """Warnings by state (``open`` also lists the acknowledged ones still open) and kind, newest
    first; ``with_orders``: each with the orders behind it as the order lists show them (no name,
    phone or address; a 举报's or confidential order's content never)."""
    if state not in (*STATES, "all", None):
        raise WarningError("bad_state", "state 只能是 open、acknowledged、closed 或 all。")
    if kind not in (*KINDS, None):
        raise WarningError("bad_kind", f"kind 只能是 {'、'.join(KINDS)}。")
    q = select(HotspotWarning)
    if kind is not None:
        q = q.where(HotspotWarning.kind == kind)
    if state == "open":
        q = q.where(HotspotWarning.state.in_(("open", "acknowledged")))
    elif state in STATES:
        q = q.where(HotspotWarning.state == state)
    if unit is not None:
        q = q.where(HotspotWarning.unit == unit)
    with session_scope() as s:
        found = [as_dict(w) for w in s.execute(q.order_by(HotspotWarning.id.desc()).limit(limit)).scalars()]
        if with_orders:
            numbers = sorted({n for w in found for n in w["numbers"]})
            orders: dict[str, dict] = {}
            for i in range(0, len(numbers), 500):
                for o in s.execute(select(WorkOrder).where(WorkOrder.number.in_(numbers[i:i + 500]))).scalars():
                    orders[o.number] = queries.public_order(o)
            for w in found:
                w["orders"] = [orders[n] for n in w["numbers"] if n in orders]
                if w["kind"] == "repeat":  # one citizen's orders side by side: no name or number in their words
                    w["orders"] = [{**o, "content": redact_identity(o["content"], None, None) if o["content"] else None}
                                   for o in w["orders"]]
        return found


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
