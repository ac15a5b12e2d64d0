"""What the handling units and the hotline's supervisors see of orders: a unit's list and one
order (never who made a 举报 or asked for confidentiality: name, phone and channel identity left
out, names and numbers in the content masked), the supervisor's lists (待派单, urgent, every review
queue at once: 督办) and the call-back list. Every view of personal data is in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot import citizen_texts
from bot.language.redact import redact_identity
from bot.orders import callbacks, clusters, lifecycle, suggest, topics
from bot.profile import Profile
from bot.store import attachments, repository
from bot.store.db import session_scope
from bot.store.models import OPEN_STATUSES, OrderCoUnit, OrderStatus, WorkOrder, utcnow

STATUSES = OrderStatus.ALL


def protected(order: WorkOrder) -> bool:
    """Orders whose citizen the unit must not be able to identify."""
    return bool(order.confidential or order.request_type == "举报")


def _progress(order: WorkOrder) -> dict[str, Any]:
    return {"overdue": order.status in OrderStatus.RUNNING and order.deadline < lifecycle.china_today(),
            "termination_requested": lifecycle.termination_requested(order), "sent_back": lifecycle.sent_back(order),
            "appealable": lifecycle.appealable(order), "designated": lifecycle.designated(order),
            "awaiting_citizen": lifecycle.awaiting_citizen(order), "extension_requested": lifecycle.extension_requested(order)}


def unit_view(order: WorkOrder, attachments: list[Any] | None = None, unit: str | None = None) -> dict[str, Any]:
    data = repository.order_as_dict(order, personal=not protected(order), attachments=attachments)
    data["sender_id"] = None  # the citizen's conversation is theirs: a unit could speak as them with it
    data["co_units"] = lifecycle.co_units_view(order)
    data["co_unit"] = unit is not None and unit != order.unit  # this unit helps; the lead is another
    if protected(order):
        data["channel"] = None
        data["content"] = redact_identity(order.content, order.name, order.phone)
    data.update(_progress(order))
    return data


def unit_orders(unit: str, status: str | None) -> list[dict[str, Any]]:
    """A unit's orders (at most 500, nearest deadline first), without the citizens' names and
    phones: those are read one order at a time, and each read is audited."""
    with session_scope() as s:
        helping = select(OrderCoUnit.order_id).where(OrderCoUnit.unit == unit)
        q = select(WorkOrder).where((WorkOrder.unit == unit) | WorkOrder.id.in_(helping))
        if status:
            q = q.where(WorkOrder.status == status)
        q = q.options(selectinload(WorkOrder.events), selectinload(WorkOrder.co_units)).order_by(
            WorkOrder.urgent.is_(None), WorkOrder.due_at, WorkOrder.deadline, WorkOrder.id).limit(500)
        orders = list(s.execute(q).scalars())
        photos = attachments.attachments_by_order([o.id for o in orders])
        views = []
        for o in orders:
            view = unit_view(o, photos[o.id], unit)
            view.update(name=None, phone=None, sender_id=None)
            views.append(view)
        return views


def order_detail(number: str, actor: str, unit: str | None = None) -> dict[str, Any] | None:
    """One order with its history: as its unit sees it (``unit`` given: None for another unit's
    order), or whole for the hotline's staff. The read is audited when it shows personal data."""
    if not repository.plausible_number(number):
        return None
    with session_scope() as s:
        order = s.execute(select(WorkOrder).where(WorkOrder.number == number)).scalar_one_or_none()
        if order is None or (unit is not None and order.unit != unit and unit not in {c.unit for c in order.co_units}):
            return None
        if unit is None:
            view = repository.order_as_dict(order)
            view.update(_progress(order), co_units=lifecycle.co_units_view(order), rating=order.rating,
                        rating_reason=order.rating_reason, suggested_unit=order.suggested_unit,
                        confidence=order.suggestion_confidence, cluster=order.cluster, topic=order.topic,
                        street=order.street)
        else:
            view = unit_view(order, unit=unit)
        shows_personal = unit is None or not protected(order)
        protected_citizen = (order.name, order.phone) if protected(order) else None
    view["history"] = lifecycle.history(number)
    if unit is not None and protected_citizen:
        for step in view["history"]:  # the citizen's own words may name them: not for the unit
            if step["kind"] == "citizen_answered" and step["note"]:
                step["note"] = redact_identity(step["note"], *protected_citizen)
    if shows_personal:
        lifecycle.audit(actor, "read_order", number)
    return view


def topic_view(number: str, actor: str, profile: Profile) -> dict[str, Any] | None:
    """One order as an agent needs it to correct its topic (研判): what it is about and its topic,
    without the citizen (no name, phone, address or channel identity; a 举报's or confidential
    order's words never), the corrections made so far and the catalogue to choose from. The read
    is audited when it shows the citizen's words."""
    if not repository.plausible_number(number):
        return None
    with session_scope() as s:
        order = s.execute(select(WorkOrder).where(WorkOrder.number == number)).scalar_one_or_none()
        if order is None:
            return None
        hidden = protected(order)
        view: dict[str, Any] = {
            "number": order.number, "type": order.request_type, "status": order.status,
            "status_label": order.status_label, "created_at": order.created_at.isoformat() + "Z",
            "deadline": order.deadline.isoformat(), "district": order.district, "street": order.street,
            "unit": order.unit, "channel": order.channel, "wants_reply": order.wants_reply,
            "confidential": order.confidential, "topic": order.topic,
            "content": None if hidden else order.content, "name": None, "phone": None, "address": None,
            "personal_hidden": True}
    view["history"] = [step for step in lifecycle.history(number) if step["kind"] == "topic"]
    view["topics"] = topics.keys(profile)
    if not hidden:
        lifecycle.audit(actor, "read_order", number)
    return view


def callback_list(actor: str, profile: Profile) -> list[dict[str, Any]]:
    """The call-back list; it shows citizens' names and phones, so the read is audited."""
    rows = callbacks.due(profile)
    if rows:
        lifecycle.audit(actor, "read_callbacks", None, ",".join(r["number"] for r in rows)[:2000])
    return rows


def _listed(o: WorkOrder) -> dict[str, Any]:
    return {"number": o.number, "type": o.request_type, "content": o.content[:200], "address": o.address,
            "status": o.status, "status_label": o.status_label, "unit": o.unit,
            "created_at": o.created_at.isoformat() + "Z", "deadline": o.deadline.isoformat(),
            "suggested_unit": o.suggested_unit,
            "confidence": round(o.suggestion_confidence, 3) if o.suggestion_confidence is not None else None,
            "urgent": o.urgent, "urgent_label": citizen_texts.URGENT_LABELS.get(o.urgent) if o.urgent else None,
            "due_at": o.due_at.isoformat() + "Z" if o.due_at else None,
            "overdue": bool(o.due_at and o.due_at < utcnow())}


def pending_orders(profile: Profile) -> list[dict[str, Any]]:
    """Orders 智能派单 was not sure enough to send, with its suggestion: urgent ones first, then
    the longest waiting; those waiting beyond the profile's hours are flagged (及时派单)."""
    limit = dt.timedelta(hours=profile.dispatch_within_hours)
    now = utcnow()
    with session_scope() as s:
        orders = s.execute(select(WorkOrder).where(WorkOrder.status == OrderStatus.PENDING)
                           .order_by(WorkOrder.urgent.is_(None), WorkOrder.due_at, WorkOrder.created_at, WorkOrder.id)
                           .limit(500)).scalars()
        return [{**_listed(o), "waiting_too_long": o.created_at + limit < now,
                 "dispatch_within_hours": profile.dispatch_within_hours} for o in orders]


def urgent_orders() -> list[dict[str, Any]]:
    """Open urgent orders (outages for many households, disasters), the nearest due first: the
    head of the supervisor's lists."""
    with session_scope() as s:
        orders = s.execute(select(WorkOrder).where(WorkOrder.urgent.is_not(None),
                                                   WorkOrder.status.in_(OPEN_STATUSES))
                           .order_by(WorkOrder.due_at, WorkOrder.id).limit(500)).scalars()
        return [_listed(o) for o in orders]


def oversight(profile: Profile) -> dict[str, Any]:
    """Everything waiting for the hotline's supervisor (督办), in one read."""
    return {"urgent": urgent_orders(), "pending": pending_orders(profile), "overdue": lifecycle.overdue(),
            "clusters": clusters.flagged(), "extensions": lifecycle.extensions_to_review(),
            "closings": lifecycle.closings_to_review(), "returns": lifecycle.returns_to_review(),
            "terminations": lifecycle.terminations_to_review(), "dissatisfied": lifecycle.dissatisfied_to_review(),
            "appeals": lifecycle.appeals_to_review(), "units": suggest.unit_names(profile),
            "topics": topics.keys(profile),  # the catalogue a dispatcher corrects an order's topic from (研判)
            "deadline_per_order": profile.deadline_per_order, "working_days": profile.working_days}
