"""Work orders in the store: filing with its number, reading, the repeat check, one order as a dict."""

from __future__ import annotations

import datetime as dt
import random
import re
import time
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.language.emergency.urgent import URGENT_LABELS
from bot.language.sensitive import find_sensitive
from bot.language.similarity import similarity
from bot.language.streets import street_of
from bot.profile import Profile
from bot.store.attachments import attachments_for_order
from bot.store.db import session_scope
from bot.store.models import (
    OPEN_STATUSES,
    STATUS_LABELS,
    Attachment,
    OrderSequence,
    OrderStatus,
    WorkOrder,
    WorkOrderEvent,
    utcnow,
)
from bot.workdays import CHINA_TZ, add_working_days

ORDER_NUMBER_RX = re.compile(r"([A-Za-z]{2})\s*[-_－—]?\s*(\d{8})\s*[-_－—]?\s*(\d{3,4})")


@dataclass(frozen=True)
class OrderRequest:
    request_type: str
    content: str
    address: str | None
    district: str | None
    name: str | None
    phone: str | None
    confidential: bool
    wants_reply: bool
    channel: str
    sender_id: str
    idempotency_key: str
    urgent: str | None = None  # an urgent matter's kind (bot/language/emergency/urgent.py): due within hours


@dataclass(frozen=True)
class OrderView:
    """An order as the public may see it by number alone: no personal data."""

    number: str
    status: str
    status_label: str
    request_type: str
    created_at: dt.datetime
    deadline: dt.date
    unit: str | None

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "status": self.status,
            "status_label": self.status_label,
            "type": self.request_type,
            "created_at": self.created_at.isoformat(),
            "deadline": self.deadline.isoformat(),
            "unit": self.unit,
        }


def plausible_number(number: str) -> bool:
    """Whether a work-order number could exist (at most 32 printable characters); any other is
    not found without asking the database (PostgreSQL refuses NUL and over-long values)."""
    return 0 < len(number) <= 32 and number.isprintable()


def normalize_order_number(text: str) -> str | None:
    """'as20261123 0007' / 'AS-20261123-7' -> 'AS-20261123-0007' (None if no number in text)."""
    m = ORDER_NUMBER_RX.search(text or "")
    if not m:
        return None
    return f"{m.group(1).upper()}-{m.group(2)}-{int(m.group(3)):04d}"


# A run of digits (spaces and dashes inside allowed) that a citizen gives as an order number but
# is none of ours: a phone number is not one.
_DIGITS = re.compile(r"(?<![0-9A-Za-z])([0-9][0-9 \-]{6,24}[0-9])(?![0-9])")
_PHONE = re.compile(r"1[3-9][0-9]{9}|0[0-9]{9,11}")


def foreign_order_number(text: str) -> str | None:
    """「单号2026 1128 00457」 -> '2026112800457'; None when no such number (or only a phone). Of
    several, the last: 「号是…088 不对 是…089」 corrects itself."""
    found = None
    for m in _DIGITS.finditer(unicodedata.normalize("NFKC", text or "")):
        digits = re.sub(r"[ \-]", "", m.group(1))
        if 8 <= len(digits) <= 20 and not _PHONE.fullmatch(digits):
            found = digits
    return found


# A number shaped like a work order's of any hotline: a date (2020-2039) then a serial.
_DATED_SERIAL = re.compile(r"20[23][0-9](?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3,6}")


def order_shaped(text: str) -> str | None:
    """The order number a message gives, ours or another's (「20261127-00358」), when it is shaped
    like one (a date and a serial); an ID card, a bank account or a phone is not."""
    own = normalize_order_number(text)
    if own:
        return own
    other = foreign_order_number(text)
    return other if other and _DATED_SERIAL.fullmatch(other) else None


def local_now() -> dt.datetime:
    return dt.datetime.now(CHINA_TZ)


def _next_number(session, prefix: str, now: dt.datetime) -> str:
    day = now.strftime("%Y%m%d")
    seq = session.execute(
        select(OrderSequence).where(OrderSequence.prefix == prefix, OrderSequence.day == day).with_for_update()
    ).scalar_one_or_none()
    if seq is None:
        seq = OrderSequence(prefix=prefix, day=day, last=0)
        session.add(seq)
    seq.last += 1
    session.flush()
    return f"{prefix}-{day}-{seq.last:04d}"


FILING_ATTEMPTS = 10


def file_order(req: OrderRequest, profile: Profile) -> tuple[WorkOrder, bool]:
    """File a work order. Returns (order, created); a retry with the same idempotency key gets
    the order it already made and ``created`` False.

    Two filings at the same moment may draw the same next number (SQLite has no row locks) or
    both start the day's counter: the database refuses the second, which then tries again with
    the next number. A citizen's order is never lost to a busy moment."""
    existing = get_order_by_key(req.idempotency_key)
    if existing:
        return existing, False
    for attempt in range(FILING_ATTEMPTS):
        now = local_now()
        try:
            with session_scope() as s:
                order = WorkOrder(
                    number=_next_number(s, profile.order_prefix, now),
                    status=OrderStatus.PENDING,
                    request_type=req.request_type,
                    content=req.content,
                    address=req.address,
                    district=req.district,
                    street=street_of(req.address, req.district, profile),
                    sensitive=find_sensitive(req.content, profile.sensitive_words),
                    name=req.name,
                    phone=req.phone,
                    confidential=req.confidential,
                    wants_reply=req.wants_reply,
                    channel=req.channel,
                    sender_id=req.sender_id,
                    profile=profile.key,
                    created_at=utcnow(),
                    deadline=add_working_days(now.date(), profile.working_days),
                    idempotency_key=req.idempotency_key,
                    urgent=req.urgent,
                    due_at=utcnow() + dt.timedelta(hours=profile.urgent_hours) if req.urgent else None,
                )
                s.add(order)
                s.flush()
                s.add(WorkOrderEvent(order_id=order.id, actor="bot", status_to=OrderStatus.PENDING, note="智能助手受理"))
                if req.urgent:
                    s.add(WorkOrderEvent(order_id=order.id, actor="bot", status_to=OrderStatus.PENDING, kind="urgent",
                                         note=f"紧急诉求（{URGENT_LABELS.get(req.urgent, req.urgent)}），"
                                              f"须在{profile.urgent_hours}小时内处置"))
            return order, True
        except (IntegrityError, OperationalError) as exc:
            existing = get_order_by_key(req.idempotency_key)
            if existing:
                return existing, False
            busy = isinstance(exc, IntegrityError) or "locked" in str(exc)
            if not busy or attempt == FILING_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.002, 0.02) * (attempt + 1))
    raise AssertionError("unreachable")


def get_order_by_key(key: str) -> WorkOrder | None:
    with session_scope() as s:
        return s.execute(select(WorkOrder).where(WorkOrder.idempotency_key == key)).scalar_one_or_none()


def get_order(number: str) -> WorkOrder | None:
    number = normalize_order_number(number) or number
    with session_scope() as s:
        return s.execute(select(WorkOrder).where(WorkOrder.number == number)).scalar_one_or_none()


# What a citizen is told of an order's status where it differs from the staff's word: the filing reply
# said 「已受理」, so an order waiting for dispatch is not 「待受理」 to the citizen.
CITIZEN_STATUS_LABELS = {OrderStatus.PENDING: "已受理，待派单"}


def public_view(order: WorkOrder) -> OrderView:
    """What anyone with the number (and the phone's digits) may see, in the citizen's words."""
    return OrderView(
        number=order.number,
        status=order.status,
        status_label=CITIZEN_STATUS_LABELS.get(order.status) or STATUS_LABELS.get(order.status, order.status),
        request_type=order.request_type,
        created_at=order.created_at,
        deadline=order.deadline,
        unit=order.unit,
    )


def orders_for_sender(sender_id: str, limit: int = 5) -> list[WorkOrder]:
    with session_scope() as s:
        rows = s.execute(
            select(WorkOrder).where(WorkOrder.sender_id == sender_id).order_by(WorkOrder.id.desc()).limit(limit)
        ).scalars()
        return list(rows)


def find_open_repeat(
    sender_id: str, phone: str | None, content: str, address: str | None, threshold: float = 0.45
) -> WorkOrder | None:
    """An order from the same citizen (same channel identity or phone) about the same matter
    that is still being handled (鞍山条例第十五条第四项: tell its progress, don't file again)."""
    return _same_matter(sender_id, phone, content, address, threshold, OPEN_STATUSES)


def find_closed_repeat(
    sender_id: str, phone: str | None, content: str, address: str | None, threshold: float = 0.45,
    within_days: int = 365,
) -> WorkOrder | None:
    """The same citizen's order about the same matter that was closed within ``within_days``
    (鞍山条例第十五条第四项: raised again with nothing new, the citizen is told the result)."""
    since = utcnow() - dt.timedelta(days=within_days)
    return _same_matter(sender_id, phone, content, address, threshold, (OrderStatus.CLOSED,), since)


def _same_matter(sender_id: str, phone: str | None, content: str, address: str | None, threshold: float,
                 statuses: tuple[str, ...], since: dt.datetime | None = None) -> WorkOrder | None:
    with session_scope() as s:
        q = select(WorkOrder).where(WorkOrder.status.in_(statuses))
        if since is not None:
            q = q.where(WorkOrder.created_at >= since)
        who = WorkOrder.sender_id == sender_id
        if phone:
            who = who | (WorkOrder.phone == phone)
        rows = s.execute(q.where(who).order_by(WorkOrder.id.desc()).limit(50)).scalars().all()
    best, best_score = None, 0.0
    for row in rows:
        score = similarity(content, row.content)
        if address and row.address and (address in row.address or row.address in address):
            score += 0.15
        if score > best_score:
            best, best_score = row, score
    return best if best_score >= threshold else None


def link_orders(new_number: str, earlier_number: str, actor: str = "bot") -> None:
    """Record on both orders that the new one raises again a matter the earlier one closed."""
    with session_scope() as s:
        new = s.execute(select(WorkOrder).where(WorkOrder.number == new_number)).scalar_one()
        earlier = s.execute(select(WorkOrder).where(WorkOrder.number == earlier_number)).scalar_one()
        s.add(WorkOrderEvent(order_id=new.id, actor=actor, status_from=new.status, status_to=new.status,
                             kind="linked", note=f"同一事项此前已办结：{earlier_number}（有新情况、新理由，重新受理）"))
        s.add(WorkOrderEvent(order_id=earlier.id, actor=actor, status_from=earlier.status, status_to=earlier.status,
                             kind="linked", note=f"市民就同一事项再次反映，新工单：{new_number}"))


def orders_for_phone(phone: str, limit: int = 10) -> list[WorkOrder]:
    with session_scope() as s:
        return list(s.execute(
            select(WorkOrder).where(WorkOrder.phone == phone).order_by(WorkOrder.id.desc()).limit(limit)
        ).scalars())


def order_as_dict(order: WorkOrder, personal: bool = True, attachments: list[Attachment] | None = None) -> dict:
    """The order as the API returns it, fields named in English. ``personal`` False leaves out
    everything that identifies the citizen (name, phone, channel identity). ``attachments``
    when the caller already has them (a list of orders)."""
    out = {
        "number": order.number,
        "status": order.status,
        "status_label": order.status_label,
        "type": order.request_type,
        "content": order.content,
        "address": order.address,
        "district": order.district,
        "name": order.name,
        "phone": order.phone,
        "confidential": order.confidential,
        "wants_reply": order.wants_reply,
        "channel": order.channel,
        "sender_id": order.sender_id,
        "unit": order.unit,
        "profile": order.profile,
        "created_at": order.created_at.isoformat() + "Z",
        "deadline": order.deadline.isoformat(),
        "result": order.result,
        "urgent": order.urgent,
        "urgent_label": URGENT_LABELS.get(order.urgent) if order.urgent else None,
        "due_at": order.due_at.isoformat() + "Z" if order.due_at else None,
        "attachments": [
            {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
            for a in (attachments if attachments is not None else attachments_for_order(order.id))
        ],
    }
    if not personal:
        for key in ("name", "phone", "sender_id"):
            out[key] = None
    return out


# ---------------------------------------------------------------- status changes and notices


