"""The duty desk's storage: emergency alerts and their deliveries to linkage units.

Several messages of one citizen within ``group_minutes`` are one alert: the later ones are added
to it (their words, any new numbers, a surer level) instead of raising a new one. Every alert
that gave the full guidance gets one delivery per linkage contact of its numbers; a delivery is
claimed by one sender at a time (a lease), so several gateways never send it twice at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update

from bot.language.extract import MAX_CONTENT_CHARS
from bot.store.db import session_scope
from bot.store.models import AlertDelivery, EmergencyAlert, utcnow

STATES = ("open", "acknowledged", "all")
LEVEL_RANK = {"possible": 0, "confident": 1}


@dataclass(frozen=True)
class Recorded:
    alert_id: int
    new: bool            # a new alert (False: added to one raised minutes ago)


def _merge_numbers(old: str, new: list[str]) -> str:
    return ",".join(dict.fromkeys([n for n in old.split(",") if n] + list(new)))


def record(sender_id: str, channel: str, text: str, kind: str, numbers: list[str], level: str = "confident",
           place: str | None = None, contacts: Sequence[tuple[str, str]] = (), group_minutes: float = 10.0,
           now: dt.datetime | None = None) -> Recorded:
    """Raise an alert, or add this message to the citizen's alert of the last minutes.
    ``contacts`` are the linkage contacts (key, name) the alert goes to (none for a possible one)."""
    now = now or utcnow()
    text = (text or "")[:MAX_CONTENT_CHARS]
    with session_scope() as s:
        recent = s.execute(
            select(EmergencyAlert)
            .where(EmergencyAlert.sender_id == sender_id,
                   EmergencyAlert.last_at >= now - dt.timedelta(minutes=group_minutes))
            .order_by(EmergencyAlert.id.desc()).limit(1)
            .with_for_update()
        ).scalar_one_or_none()
        if recent is not None:
            recent.messages = (recent.messages or 1) + 1
            recent.last_at = now
            if text and text not in recent.text:
                recent.text = (recent.text + "\n" + text)[-MAX_CONTENT_CHARS:]
            recent.numbers = _merge_numbers(recent.numbers, numbers)[:64]
            if LEVEL_RANK.get(level, 0) > LEVEL_RANK.get(recent.level, 0):
                recent.level, recent.kind = level, kind
            recent.place = recent.place or place
            alert, new = recent, False
        else:
            alert = EmergencyAlert(sender_id=sender_id, channel=channel, text=text, kind=kind,
                                   numbers=",".join(numbers)[:64], level=level, place=place,
                                   created_at=now, last_at=now)
            s.add(alert)
            s.flush()
            new = True
        known = {c for (c,) in s.execute(select(AlertDelivery.contact).where(AlertDelivery.alert_id == alert.id))}
        for key, name in contacts:
            if key not in known:
                s.add(AlertDelivery(alert_id=alert.id, contact=key, name=name[:64], created_at=now, next_try_at=now))
        return Recorded(alert.id, new)


def as_dict(alert: EmergencyAlert, deliveries: list[AlertDelivery]) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "level": alert.level,
        "numbers": [n for n in alert.numbers.split(",") if n],
        "text": alert.text,
        "messages": alert.messages or 1,
        "channel": alert.channel,
        "sender": alert.sender_id,
        "place": alert.place,
        "received_at": alert.created_at,
        "last_at": alert.last_at or alert.created_at,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at,
        "escalated_at": alert.escalated_at,
        "note": alert.note,
        "noted_by": alert.noted_by,
        "noted_at": alert.noted_at,
        "deliveries": [
            {"contact": d.contact, "name": d.name, "status": d.status, "attempts": d.attempts,
             "delivered_at": d.delivered_at, "last_error": d.last_error}
            for d in deliveries
        ],
    }


def listing(state: str = "open", limit: int = 100) -> list[dict[str, Any]]:
    """Alerts, newest first: ``open`` (not acknowledged), ``acknowledged`` or ``all``."""
    if state not in STATES:
        raise ValueError(f"state must be one of {', '.join(STATES)}")
    with session_scope() as s:
        q = select(EmergencyAlert)
        if state == "open":
            q = q.where(EmergencyAlert.acknowledged_at.is_(None))
        elif state == "acknowledged":
            q = q.where(EmergencyAlert.acknowledged_at.is_not(None))
        alerts = list(s.execute(q.order_by(EmergencyAlert.id.desc()).limit(limit)).scalars())
        ids = [a.id for a in alerts]
        by_alert: dict[int, list[AlertDelivery]] = {i: [] for i in ids}
        if ids:
            for d in s.execute(select(AlertDelivery).where(AlertDelivery.alert_id.in_(ids))
                               .order_by(AlertDelivery.id)).scalars():
                by_alert[d.alert_id].append(d)
        return [as_dict(a, by_alert[a.id]) for a in alerts]


def get(alert_id: int) -> dict[str, Any] | None:
    with session_scope() as s:
        alert = s.get(EmergencyAlert, alert_id)
        if alert is None:
            return None
        deliveries = list(s.execute(select(AlertDelivery).where(AlertDelivery.alert_id == alert_id)
                                    .order_by(AlertDelivery.id)).scalars())
        return as_dict(alert, deliveries)


def open_for(sender_id: str) -> list[dict[str, Any]]:
    """A citizen's alerts not yet acknowledged (for the console's conversation view)."""
    return [a for a in listing("open", 200) if a["sender"] == sender_id]


def acknowledge(alert_id: int, by: str, note: str | None = None) -> dict[str, Any] | None:
    """The first acknowledgement counts (who, when); a later one only adds its note. None when
    there is no such alert."""
    now = utcnow()
    with session_scope() as s:
        s.execute(update(EmergencyAlert)
                  .where(EmergencyAlert.id == alert_id, EmergencyAlert.acknowledged_at.is_(None))
                  .values(acknowledged_at=now, acknowledged_by=by[:64]))
    if note:
        add_note(alert_id, by, note)
    return get(alert_id)


def add_note(alert_id: int, by: str, note: str) -> dict[str, Any] | None:
    """The follow-up note (what the duty officer did: 已转110, 已回电 …); a new note replaces it."""
    with session_scope() as s:
        found = s.execute(update(EmergencyAlert).where(EmergencyAlert.id == alert_id)
                          .values(note=note[:2000], noted_by=by[:64], noted_at=utcnow())).rowcount
    return get(alert_id) if found else None


def escalate_due(after_seconds: float, now: dt.datetime | None = None) -> list[int]:
    """Confident alerts not acknowledged ``after_seconds`` after they came: marked escalated
    (once). A possible one stays on the desk without going up to the supervisors."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=after_seconds)
    with session_scope() as s:
        due = [a for (a,) in s.execute(
            select(EmergencyAlert.id).where(EmergencyAlert.acknowledged_at.is_(None),
                                            EmergencyAlert.escalated_at.is_(None),
                                            EmergencyAlert.level == "confident",
                                            EmergencyAlert.created_at <= cutoff))]
        done = []
        for alert_id in due:
            if s.execute(update(EmergencyAlert)
                         .where(EmergencyAlert.id == alert_id, EmergencyAlert.escalated_at.is_(None))
                         .values(escalated_at=now)).rowcount:
                done.append(alert_id)
        return done


def signature() -> tuple[Any, ...]:
    """Changes whenever the desk's open alerts change (for the console's one-second watcher)."""
    with session_scope() as s:
        rows = s.execute(
            select(EmergencyAlert.id, EmergencyAlert.messages, EmergencyAlert.acknowledged_at,
                   EmergencyAlert.escalated_at, EmergencyAlert.noted_at)
            .order_by(EmergencyAlert.id.desc()).limit(50)
        ).all()
        sent = s.execute(select(AlertDelivery.id, AlertDelivery.status).order_by(AlertDelivery.id.desc())
                         .limit(200)).all()
        return tuple(tuple(r) for r in rows) + tuple(tuple(r) for r in sent)


# ---------------------------------------------------------------- deliveries


@dataclass(frozen=True)
class Due:
    id: int
    alert_id: int
    contact: str
    attempts: int
    alert: dict[str, Any]


def claim_due(limit: int = 20, lease_seconds: float = 30.0, now: dt.datetime | None = None) -> list[Due]:
    """Deliveries to send now, each claimed for ``lease_seconds`` (a sender that dies mid-way
    leaves it to be claimed again when the lease runs out)."""
    now = now or utcnow()
    out: list[Due] = []
    with session_scope() as s:
        rows = list(s.execute(
            select(AlertDelivery).where(
                or_(AlertDelivery.status == "pending", AlertDelivery.status == "sending"),
                AlertDelivery.next_try_at <= now)
            .order_by(AlertDelivery.next_try_at).limit(limit)
        ).scalars())
        for d in rows:
            claimed = s.execute(
                update(AlertDelivery).where(AlertDelivery.id == d.id, AlertDelivery.status == d.status,
                                            AlertDelivery.next_try_at == d.next_try_at)
                .values(status="sending", next_try_at=now + dt.timedelta(seconds=lease_seconds))
            ).rowcount
            if claimed:
                alert = s.get(EmergencyAlert, d.alert_id)
                out.append(Due(d.id, d.alert_id, d.contact, d.attempts, as_dict(alert, [])))
    return out


def delivered(delivery_id: int, status: str = "delivered") -> None:
    now = utcnow()
    with session_scope() as s:
        s.execute(update(AlertDelivery).where(AlertDelivery.id == delivery_id)
                  .values(status=status, delivered_at=now, attempts=AlertDelivery.attempts + 1, last_error=None))


def failed(delivery_id: int, error: str, retry_in: float) -> None:
    with session_scope() as s:
        s.execute(update(AlertDelivery).where(AlertDelivery.id == delivery_id)
                  .values(status="pending", attempts=AlertDelivery.attempts + 1, last_error=error[:300],
                          next_try_at=utcnow() + dt.timedelta(seconds=retry_in)))
