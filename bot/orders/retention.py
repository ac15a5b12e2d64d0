"""Retention of citizens' personal data (鞍山条例第九条、第二十六条, 天津办法第二十七条, 潍坊条例第十一条;
个人信息保护法 第十九条: kept no longer than the purpose needs, 第四十五条/第四十七条: a person may see and
have their data deleted).

The profile's ``retention`` sets how long personal data lives:
- ``personal_days_after_close``: after an order is closed, its citizen's name, phone, channel
  identity and the address below the street go, names and numbers are masked in its content and
  history, and its attachments are deleted. The order itself (type, matter, place to the street,
  unit, result, dates, rating) stays for the statistics and the archive;
- ``conversation_days``: a conversation with no open order is deleted (transcript, agents'
  notes, ended handoffs, attachments not on an order, and Rasa's tracker when the tracker store
  is reachable) this long after its last message; its emergency alerts stay on the duty desk's
  record without who reported them.

``run_once`` does one round in batches (each its own transaction, so a stopped round resumes
where it was: what is done is no longer selected); a gateway runs it on a schedule and
``python -m bot.orders.retention`` by hand. A citizen's request to see or erase their data is a
staff command (``export`` / ``erase``) with an audit entry; an order still being handled is not
erased (the unit must still reach the citizen): the command says which and why.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, delete, func, or_, select, text
from sqlalchemy.orm import Session

from bot.language.redact import redact_identity
from bot.profile import Profile, load_profile
from bot.store import backup, crypto
from bot.store.db import migrate, session_scope
from bot.store.models import (
    AgentNote,
    Attachment,
    AuditEntry,
    EmergencyAlert,
    Handoff,
    HandoffStatus,
    OrderStatus,
    TranscriptMessage,
    WorkOrder,
    WorkOrderEvent,
    utcnow,
)
from bot.store.shared import SharedStore

log = logging.getLogger(__name__)

DEFAULT_PERSONAL_DAYS = 365
DEFAULT_CONVERSATION_DAYS = 180
# The address is kept to the street (街道/镇/乡) or the district: where the matter was, not who.
_STREET = re.compile(r"^.*?(?:街道|镇|乡|开发区|风景区)")


@dataclass(frozen=True)
class Policy:
    personal_days: int
    conversation_days: int

    @classmethod
    def of(cls, profile: Profile) -> Policy:
        given = profile.retention or {}

        def days(key: str, default: int) -> int:
            value = given.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 36500 else default

        return cls(days("personal_days_after_close", DEFAULT_PERSONAL_DAYS),
                   days("conversation_days", DEFAULT_CONVERSATION_DAYS))


@dataclass
class Round:
    orders: int = 0
    conversations: int = 0
    attachments: int = 0
    tracker_events: int = 0

    def __bool__(self) -> bool:
        return bool(self.orders or self.conversations or self.attachments or self.tracker_events)


def street_level(address: str | None, district: str | None) -> str | None:
    """The place of the matter without the door: 「铁东区胜利街道园林小区3号楼」 -> 「铁东区胜利街道」."""
    if not address:
        return district
    found = _STREET.match(address)
    return found.group(0) if found else district


# ---------------------------------------------------------------- orders

def _closed_before(cutoff: dt.datetime) -> Any:
    """Closed orders whose last closing is older than ``cutoff`` and still hold personal data."""
    last_closed = (select(WorkOrderEvent.order_id, func.max(WorkOrderEvent.at).label("at"))
                   .where(WorkOrderEvent.status_to == OrderStatus.CLOSED)
                   .group_by(WorkOrderEvent.order_id).subquery())
    return (select(WorkOrder.id).join(last_closed, last_closed.c.order_id == WorkOrder.id)
            .where(WorkOrder.status == OrderStatus.CLOSED, WorkOrder.anonymised_at.is_(None),
                   last_closed.c.at < cutoff)
            .order_by(WorkOrder.id))


def _anonymise(s: Session, order: WorkOrder, upload_dir: Path | None, now: dt.datetime) -> int:
    """Personal data out of one order; returns the attachments deleted."""
    name, phone = order.name, order.phone
    order.content = redact_identity(order.content, name, phone)
    for field in ("result", "rating_reason"):
        if getattr(order, field):
            setattr(order, field, redact_identity(getattr(order, field), name, phone))
    for event in order.events:
        if event.note:
            event.note = redact_identity(event.note, name, phone)
    order.address = street_level(order.address, order.district)
    order.name = order.phone = order.sender_id = None
    order.anonymised_at = now
    attachments = list(s.execute(select(Attachment).where(Attachment.order_id == order.id)).scalars())
    _delete_attachments(s, attachments, upload_dir)
    return len(attachments)


def _delete_attachments(s: Session, attachments: Iterable[Attachment], upload_dir: Path | None) -> None:
    """Rows now; a file once no other row names it (files are kept by content: one image sent
    twice is one file)."""
    for att in attachments:
        path = att.path
        s.delete(att)
        s.flush()
        if s.execute(select(func.count()).select_from(Attachment).where(Attachment.path == path)).scalar_one():
            continue
        file = Path(path) if Path(path).is_absolute() or upload_dir is None else upload_dir / path
        try:
            file.unlink(missing_ok=True)
        except OSError as exc:  # the row is gone; the file is reported for the operator
            log.warning("attachment file %s not deleted: %s", file, exc)


# ---------------------------------------------------------------- conversations

def _stale_conversations(cutoff: dt.datetime, limit: int) -> list[str]:
    """Conversations whose last message is older than ``cutoff`` and which have no order still open."""
    open_orders = select(WorkOrder.sender_id).where(WorkOrder.sender_id.is_not(None),
                                                    WorkOrder.status != OrderStatus.CLOSED)
    with session_scope() as s:
        return list(s.execute(
            select(TranscriptMessage.sender_id).group_by(TranscriptMessage.sender_id)
            .having(func.max(TranscriptMessage.created_at) < cutoff)
            .where(TranscriptMessage.sender_id.not_in(open_orders))
            .order_by(TranscriptMessage.sender_id).limit(limit)).scalars())


def _forget_conversation(s: Session, sender_id: str, upload_dir: Path | None) -> int:
    s.execute(delete(TranscriptMessage).where(TranscriptMessage.sender_id == sender_id))
    s.execute(delete(AgentNote).where(AgentNote.sender_id == sender_id))
    # The duty desk's record of an emergency stays (kind, numbers, when, what was done), without
    # who reported it.
    for alert in s.execute(select(EmergencyAlert).where(EmergencyAlert.sender_id == sender_id)).scalars():
        alert.text = redact_identity(alert.text, None, None)
        alert.sender_id = None
    s.execute(delete(Handoff).where(Handoff.sender_id == sender_id, Handoff.status.not_in(HandoffStatus.OPEN)))
    loose = list(s.execute(select(Attachment).where(Attachment.sender_id == sender_id,
                                                    Attachment.order_id.is_(None))).scalars())
    _delete_attachments(s, loose, upload_dir)
    return len(loose)


def tracker_url() -> str | None:
    """Rasa's tracker store as the backup command finds it (``HOTLINE_TRACKER_DB_URL``, else the
    endpoints file's), when it is an SQL store that exists."""
    try:
        url = backup.tracker_url()
    except backup.BackupError as exc:
        log.warning("Rasa's tracker store not cleaned: %s", exc)
        return None
    if url and url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None  # never made here: Rasa has not written one
    return url


def _forget_trackers(sender_ids: list[str]) -> int:
    """Rasa's own copy of the conversations (its SQL tracker store's ``events`` table)."""
    url = tracker_url()
    if not url or not sender_ids:
        return 0
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if not engine.dialect.has_table(conn, "events"):
                return 0
            deleted = 0
            # Stored encrypted (bot.rasa.tracker_store.EncryptedSQLTrackerStore) under any of the
            # keys, or in plaintext by a store from before.
            forget = text("DELETE FROM events WHERE sender_id IN :s").bindparams(bindparam("s", expanding=True))
            for sender in sender_ids:
                deleted += conn.execute(forget, {"s": crypto.stored_forms(sender)}).rowcount or 0
            return deleted
    except Exception:
        log.exception("Rasa's tracker store (%s) not cleaned", engine.url.render_as_string(hide_password=True))
        return 0
    finally:
        engine.dispose()


# ---------------------------------------------------------------- the round

def run_once(profile: Profile, now: dt.datetime | None = None, batch: int = 200,
             upload_dir: Path | None = None, max_batches: int | None = None) -> Round:
    """One round: every order and conversation past the profile's retention, ``batch`` at a time
    (at most ``max_batches`` batches of each kind; None: until nothing is left)."""
    now = now or utcnow()
    policy = Policy.of(profile)
    done = Round()
    query = _closed_before(now - dt.timedelta(days=policy.personal_days)).limit(batch)
    for _ in range(max_batches or 10**9):
        with session_scope() as s:
            ids = list(s.execute(query).scalars())
            for order in s.execute(select(WorkOrder).where(WorkOrder.id.in_(ids))).scalars():
                done.attachments += _anonymise(s, order, upload_dir, now)
                s.add(AuditEntry(actor="retention", action="anonymise", order_number=order.number,
                                 detail=f"{policy.personal_days} days after closing"))
        done.orders += len(ids)
        if len(ids) < batch:
            break
    cutoff = now - dt.timedelta(days=policy.conversation_days)
    for _ in range(max_batches or 10**9):
        senders = _stale_conversations(cutoff, batch)
        with session_scope() as s:
            for sender in senders:
                done.attachments += _forget_conversation(s, sender, upload_dir)
        done.tracker_events += _forget_trackers(senders)
        done.conversations += len(senders)
        if len(senders) < batch:
            break
    if done:
        log.info("retention: %d orders anonymised, %d conversations and %d attachments deleted, "
                 "%d tracker events", done.orders, done.conversations, done.attachments, done.tracker_events)
    return done


# ---------------------------------------------------------------- a citizen's request

def _citizens_orders(s: Session, phone: str | None, sender_id: str | None) -> list[WorkOrder]:
    conditions = []
    if phone:
        conditions.append(WorkOrder.phone == phone)
    if sender_id:
        conditions.append(WorkOrder.sender_id == sender_id)
    if not conditions:
        raise ValueError("give the citizen's phone or conversation")
    return list(s.execute(select(WorkOrder).where(or_(*conditions)).order_by(WorkOrder.id)).scalars())


def export(phone: str | None, sender_id: str | None, actor: str, reason: str) -> dict[str, Any]:
    """Everything the hotline holds about one citizen (个人信息保护法第四十五条), audited."""
    if not (reason or "").strip():
        raise ValueError("say why (the citizen's request and how they were identified)")
    with session_scope() as s:
        orders = _citizens_orders(s, phone, sender_id)
        senders = sorted({o.sender_id for o in orders if o.sender_id} | ({sender_id} if sender_id else set()))
        out: dict[str, Any] = {
            "orders": [{"number": o.number, "type": o.request_type, "status": o.status_label,
                        "content": o.content, "address": o.address, "name": o.name, "phone": o.phone,
                        "confidential": o.confidential, "unit": o.unit, "result": o.result,
                        "rating": o.rating, "created_at": o.created_at.isoformat(timespec="seconds")}
                       for o in orders],
            "conversations": {sid: [{"at": m.created_at.isoformat(timespec="seconds"), "author": m.author,
                                     "text": m.text}
                                    for m in s.execute(select(TranscriptMessage)
                                                       .where(TranscriptMessage.sender_id == sid)
                                                       .order_by(TranscriptMessage.id)).scalars()]
                              for sid in senders},
            "attachments": [{"order": a.order_id, "filename": a.filename, "content_type": a.content_type,
                             "size": a.size}
                            for a in s.execute(select(Attachment).where(Attachment.sender_id.in_(senders))).scalars()],
        }
        s.add(AuditEntry(actor=actor[:128], action="citizen_export", order_number=None,
                         detail=f"{len(orders)} orders, {len(senders)} conversations; {reason.strip()[:300]}"))
    return out


def erase(phone: str | None, sender_id: str | None, actor: str, reason: str,
          upload_dir: Path | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """A citizen's request to delete their data (个人信息保护法第四十七条): closed orders are
    anonymised now and their conversations deleted; orders still being handled are kept (named
    in the answer) until they are closed."""
    if not (reason or "").strip():
        raise ValueError("say why (the citizen's request and how they were identified)")
    now = now or utcnow()
    with session_scope() as s:
        orders = _citizens_orders(s, phone, sender_id)
        still_open = [o.number for o in orders if o.status != OrderStatus.CLOSED]
        # A conversation goes with its orders, unless one of them is still being handled.
        busy = {o.sender_id for o in orders if o.status != OrderStatus.CLOSED}
        senders = sorted(({o.sender_id for o in orders if o.sender_id} | ({sender_id} if sender_id else set()))
                         - busy - {None})
        erased, attachments = [], 0
        for order in orders:
            if order.status == OrderStatus.CLOSED and order.anonymised_at is None:
                erased.append(order.number)
                attachments += _anonymise(s, order, upload_dir, now)
                s.add(AuditEntry(actor=actor[:128], action="citizen_erase", order_number=order.number,
                                 detail=reason.strip()[:300]))
    with session_scope() as s:
        for sid in senders:
            attachments += _forget_conversation(s, sid, upload_dir)
        s.add(AuditEntry(actor=actor[:128], action="citizen_erase", order_number=None,
                         detail=f"{len(erased)} orders, {len(senders)} conversations; {reason.strip()[:300]}"))
    tracker_events = _forget_trackers(senders)
    return {"erased": erased, "kept_open": still_open, "conversations": len(senders),
            "attachments": attachments, "tracker_events": tracker_events}


# ---------------------------------------------------------------- the schedule and the command

LOCK = "retention:round"


def scheduled_round(store: SharedStore, profile: Profile, upload_dir: Path | None, every: float) -> Round:
    """A gateway's round (none when another gateway has it this period)."""
    if not store.add(LOCK, "1", max(1.0, every * 0.9)):
        return Round()
    return run_once(profile, upload_dir=upload_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.orders.retention",
                                     description="Citizens' personal data past the profile's retention, "
                                                 "and a citizen's request to see or erase theirs.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="one round now (the gateways also run it on a schedule)")
    run.add_argument("--batch", type=int, default=200)
    for name, text_ in (("export", "everything held about one citizen, as JSON"),
                        ("erase", "a citizen's request to delete their data")):
        one = sub.add_parser(name, help=text_)
        one.add_argument("--phone")
        one.add_argument("--sender", help="the conversation (as agents see it, e.g. web-…)")
        one.add_argument("--reason", required=True, help="the request and how the citizen was identified")
        one.add_argument("--actor", default=f"cli:{getpass.getuser()}")
    args = parser.parse_args(argv)
    migrate()
    profile = load_profile()
    upload_dir = Path(os.environ.get("HOTLINE_UPLOAD_DIR", "var/uploads"))
    try:
        if args.command == "run":
            done = run_once(profile, batch=max(1, args.batch), upload_dir=upload_dir)
            out: dict[str, Any] = vars(done)
        elif args.command == "export":
            out = export(args.phone, args.sender, args.actor, args.reason)
        else:
            out = erase(args.phone, args.sender, args.actor, args.reason, upload_dir=upload_dir)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
