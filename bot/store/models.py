"""Database tables. Timestamps are stored in UTC; statuses as English codes (see STATUS_LABELS).

Citizens' personal data is encrypted at rest by its column's type (bot/store/crypto.py):
``Encrypted`` for free text (read and written only), ``Searchable`` for what is looked up by
equality (the conversation ``sender_id``, the phone, an audit entry's detail)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

from bot.store.crypto import Encrypted, Searchable

# SQLAlchemy 1.4 (pinned by Rasa) has no types: the models are Any to the type checker (pyproject.toml)
Base: Any = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class OrderStatus:
    """A work order's status (the ``status`` column and each event's ``status_to``)."""

    PENDING = "pending"          # filed, waiting for dispatch
    DISPATCHED = "dispatched"    # sent to a unit
    IN_PROGRESS = "in_progress"  # the unit signed for it
    REVIEWING = "reviewing"      # the unit answered 办结; the hotline reviews it (办结审核)
    CLOSED = "closed"            # 办结, approved by the hotline
    RETURNED = "returned"        # the unit sent it back
    TERMINATED = "terminated"    # 终止, approved by the hotline
    ALL = (PENDING, DISPATCHED, IN_PROGRESS, REVIEWING, CLOSED, RETURNED, TERMINATED)
    WORKED = (DISPATCHED, IN_PROGRESS)  # with a unit: it may return, extend, close or ask to terminate
    # Open and waiting on the hotline or a unit to act: what 超期 is counted on (an order in
    # 办结审核 has its answer; the wait for review is the hotline's, not the unit's).
    RUNNING = (PENDING, DISPATCHED, IN_PROGRESS, RETURNED)


class HandoffStatus:
    """A conversation handed to the agents."""

    WAITING = "waiting"    # in the queue
    HELD = "held"          # an agent has it
    RETURNED = "returned"  # given back to the bot
    CLOSED = "closed"      # the agent ended it
    OPEN = (WAITING, HELD)


STATUS_LABELS = {
    OrderStatus.PENDING: "待受理",
    OrderStatus.DISPATCHED: "已派单",
    OrderStatus.IN_PROGRESS: "办理中",
    OrderStatus.REVIEWING: "办结审核中",
    OrderStatus.CLOSED: "已办结",
    OrderStatus.RETURNED: "退回",
    OrderStatus.TERMINATED: "终止",
}
OPEN_STATUSES = (*OrderStatus.RUNNING, OrderStatus.REVIEWING)


class WorkOrder(Base):
    __tablename__ = "work_orders"

    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False, unique=True, index=True)
    status = Column(String(16), nullable=False, default=OrderStatus.PENDING, index=True)
    request_type = Column(String(8), nullable=False)
    content = Column(Encrypted, nullable=False)
    address = Column(Encrypted)
    district = Column(String(32))
    name = Column(Encrypted)
    phone = Column(Searchable)
    confidential = Column(Boolean, nullable=False, default=False)
    wants_reply = Column(Boolean, nullable=False, default=True)
    channel = Column(String(16), nullable=False, default="rest")
    sender_id = Column(Searchable, index=True)
    profile = Column(String(32), nullable=False)
    unit = Column(String(64))
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    deadline = Column(Date, nullable=False)
    # A retried filing (same conversation, same user turn) finds the order it already made.
    idempotency_key = Column(Searchable, nullable=False, unique=True)  # holds the conversation
    dispatched_at = Column(DateTime, index=True)  # when the current unit received it (its deadline counts from here)
    first_deadline = Column(Date)  # the deadline before any extension (the cap counts from created_at)
    result = Column(Encrypted)  # what the unit did, as told to the citizen
    suggested_unit = Column(String(64))  # 智能派单's suggestion at filing
    cluster = Column(String(32), index=True)  # 集中反映: the number of the first order of its group
    suggestion_confidence = Column(Float)
    rating = Column(String(8))  # 满意 | 基本满意 | 不满意 (回访)
    rating_reason = Column(Encrypted)
    reopened = Column(Integer, nullable=False, default=0)  # times reopened after 不满意 (at most once)
    # 紧急: an outage of water, power, gas or heating for many households, or a disaster (通辽条例
    # 第十二条): dispatched at once, due within the profile's hours (bot/language/emergency/urgent.py).
    urgent = Column(String(16), index=True)  # water | power | gas | heating | disaster
    due_at = Column(DateTime)  # urgent orders: when it must be dealt with (UTC)
    topic = Column(String(48), index=True)  # 研判: 「大类/小类」 from the topic catalogue (bot/orders/topics.py)
    # 研判's early warnings, read at filing (bot/store/repository.py): the street (街道/镇/乡) of the
    # address within its district, and the first sensitive word of the profile's list in the content
    # (the content is encrypted: the database could not search it later).
    street = Column(String(32))
    sensitive = Column(String(16))
    # 考核 reads these without walking the events: when the current unit first signed for it and
    # first answered 办结 (set by bot/orders/lifecycle.py; a new unit starts them afresh).
    accepted_at = Column(DateTime)
    answered_at = Column(DateTime)
    # Retention (bot/orders/retention.py): when the citizen's personal data left this order (name,
    # phone, conversation, address below the street, names and numbers in the content).
    anonymised_at = Column(DateTime)

    events = relationship("WorkOrderEvent", back_populates="order", order_by="WorkOrderEvent.id")
    co_units = relationship("OrderCoUnit", back_populates="order", order_by="OrderCoUnit.id")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


class OrderCoUnit(Base):
    """A unit that helps the lead unit (``WorkOrder.unit``) with an order (协办, 鞍山条例第十四条;
    通辽条例第十六条; 潍坊条例第二十二条): it records its part; the lead closes the whole."""

    __tablename__ = "order_co_units"
    __table_args__ = (UniqueConstraint("order_id", "unit"),)

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("work_orders.id"), nullable=False, index=True)
    unit = Column(String(64), nullable=False, index=True)
    assigned_at = Column(DateTime, nullable=False, default=utcnow)
    assigned_by = Column(String(64), nullable=False)
    part = Column(Encrypted)  # what the co-unit did, as it reported it
    reported_at = Column(DateTime)

    order = relationship("WorkOrder", back_populates="co_units")


class OrderDayCount(Base):
    """研判's daily roll-up: how many orders were filed on a China day, in total (dim ``all``) and
    by each value of one dimension (channel, type, district, topic, unit); recomputed for the days
    whose orders changed (bot/analytics/rollup.py)."""

    __tablename__ = "order_day_counts"
    __table_args__ = (UniqueConstraint("day", "dim", "value"),)

    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False, index=True)
    dim = Column(String(16), nullable=False)
    value = Column(String(64), nullable=False, default="")
    count = Column(Integer, nullable=False)


class UnitDayStats(Base):
    """研判's daily roll-up for the units' evaluation: for the orders dispatched to a unit on a
    China day, the counts behind its figures and its orders by topic (JSON; bot/analytics)."""

    __tablename__ = "unit_day_stats"
    __table_args__ = (UniqueConstraint("day", "unit"),)

    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False, index=True)
    unit = Column(String(64), nullable=False)
    data = Column(Text, nullable=False)


class RolledDay(Base):
    """A China day whose roll-up is current (computed after its orders last changed)."""

    __tablename__ = "rolled_days"

    day = Column(Date, primary_key=True)
    computed_at = Column(DateTime, nullable=False, default=utcnow)


class DirectAnswer(Base):
    """A citizen answered without a work order (研判: 直接答复 versus 派单): by the knowledge base
    (``kb``, the article given) or by an agent who ended or handed back a conversation in which no
    order was filed (``agent``, why it came to a person). Never the citizen's name, phone,
    conversation or words: what was answered, when and through which channel, nothing of who."""

    __tablename__ = "direct_answers"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    channel = Column(String(16), nullable=False)
    kind = Column(String(8), nullable=False)  # kb | agent
    article = Column(String(64), index=True)  # kb: the article's id
    title = Column(String(120))  # kb: its title as the citizen read it
    topic = Column(String(48))  # kb: the article's topic (kb/articles/<topic>/)
    reason = Column(String(32))  # agent: why the conversation came to a person (the handoff's reason)


class HotspotWarning(Base):
    """An early warning the periodic job raised (研判, bot/analytics/warnings.py): one per ``kind``
    and ``key`` while it is open (a hot spot: topic and district; a street hot spot: topic, district
    and street; 集中反映: the group; a repeat caller: a keyed pseudonym, never the phone; a sensitive
    word: the order); acknowledged and closed with a note by the hotline."""

    __tablename__ = "hotspot_warnings"

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False, default="hotspot")  # hotspot | street | cluster | repeat | sensitive
    key = Column(String(160), nullable=False, index=True)  # what a running warning of its kind is about
    topic = Column(String(48), nullable=False)  # "" when the orders behind it have several or none
    district = Column(String(32), nullable=False)  # "" when unknown
    street = Column(String(32))
    unit = Column(String(64), index=True)  # the unit most of its orders went to: it sees the warning too
    window_hours = Column(Integer, nullable=False)
    count = Column(Integer, nullable=False)
    baseline = Column(Float, nullable=False)
    score = Column(Float, nullable=False)
    reason = Column(Text, nullable=False)
    numbers = Column(Text, nullable=False, default="")  # the orders behind it, comma-separated
    state = Column(String(16), nullable=False, default="open", index=True)  # open | acknowledged | closed
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    acknowledged_by = Column(String(64))
    acknowledged_at = Column(DateTime)
    closed_by = Column(String(64))
    closed_at = Column(DateTime)
    note = Column(Encrypted)


class MonthlyReport(Base):
    """A month's 研判报告 as it was generated once the month had ended (bot/analytics/archive.py):
    the PDF people download and the figures it was made from (JSON), kept as the record of what
    was reported; no name or phone is in either."""

    __tablename__ = "monthly_reports"

    id = Column(Integer, primary_key=True)
    month = Column(String(7), nullable=False, unique=True)  # YYYY-MM: one report a month
    generated_at = Column(DateTime, nullable=False, default=utcnow)
    generated_by = Column(String(64), nullable=False)  # "schedule" or who regenerated it (cli:…)
    pdf = Column(LargeBinary, nullable=False)
    content = Column(Text, nullable=False)


class Backfill(Base):
    """How far a resumable backfill has come (bot/analytics/backfill.py): it works in bounded batches
    by order id, each batch and its progress in one transaction, up to the newest order when it
    started (orders filed later were read at filing)."""

    __tablename__ = "backfills"

    name = Column(String(32), primary_key=True)
    upto = Column(Integer, nullable=False)  # the newest order's id when the backfill started
    last_id = Column(Integer, nullable=False, default=0)  # every order up to this id is done
    done = Column(Integer, nullable=False, default=0)  # orders read so far
    changed = Column(Integer, nullable=False, default=0)  # orders given a street or a sensitive word
    started_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    finished_at = Column(DateTime)


class WorkOrderEvent(Base):
    """Every change of an order, appended and never edited."""

    __tablename__ = "work_order_events"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("work_orders.id"), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    actor = Column(String(64), nullable=False)
    status_from = Column(String(16))
    status_to = Column(String(16), nullable=False)
    note = Column(Encrypted)
    # status (a change of status) | extension | return_refused | termination_requested | unit | urged (市民催办) …
    kind = Column(String(24), nullable=False, default="status", index=True)

    order = relationship("WorkOrder", back_populates="events")


class OrderSequence(Base):
    """Per-prefix, per-day counter behind readable numbers like AS-20261123-0007."""

    __tablename__ = "order_sequences"
    __table_args__ = (UniqueConstraint("prefix", "day"),)

    id = Column(Integer, primary_key=True)
    prefix = Column(String(8), nullable=False)
    day = Column(String(8), nullable=False)
    last = Column(Integer, nullable=False, default=0)


class EmergencyAlert(Base):
    """An emergency a citizen reported, on the duty desk: several messages of one citizen within
    minutes are one alert (``messages`` counts them, ``text`` holds them all)."""

    __tablename__ = "emergency_alerts"

    id = Column(Integer, primary_key=True)
    sender_id = Column(Searchable, index=True)
    channel = Column(String(16))
    text = Column(Encrypted, nullable=False)
    kind = Column(String(32), nullable=False)
    numbers = Column(String(64), nullable=False)
    # "confident" (the full guidance was given) or "possible" (the numbers in one conditional line)
    level = Column(String(16), nullable=False, default="confident", server_default="confident")
    place = Column(Encrypted)
    messages = Column(Integer, nullable=False, default=1, server_default="1")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_at = Column(DateTime, index=True)
    acknowledged_at = Column(DateTime)
    acknowledged_by = Column(String(64))
    escalated_at = Column(DateTime)
    note = Column(Encrypted)
    noted_by = Column(String(64))
    noted_at = Column(DateTime)


class AlertDelivery(Base):
    """One alert sent to one linkage contact (110/119/120/122 centres, the gas company): kept
    until the contact has it, retried with backoff while it is down."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("alert_id", "contact"),)

    id = Column(Integer, primary_key=True)
    alert_id = Column(Integer, ForeignKey("emergency_alerts.id"), nullable=False, index=True)
    contact = Column(String(32), nullable=False)
    name = Column(String(64), nullable=False)
    status = Column(String(16), nullable=False, default="pending")  # pending, sending, delivered, logged
    attempts = Column(Integer, nullable=False, default=0)
    next_try_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    last_error = Column(String(300))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    delivered_at = Column(DateTime)


class Handoff(Base):
    """A conversation waiting for (``waiting``), held by (``held``) or done with a human agent
    (``returned`` to the bot, ``closed``)."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    sender_id = Column(Searchable, nullable=False, index=True)
    channel = Column(String(16))
    reason = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False, default=HandoffStatus.WAITING)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    closed_at = Column(DateTime)
    agent_id = Column(Integer, ForeignKey("agents.id"))
    claimed_at = Column(DateTime)


class Agent(Base):
    """Someone who logs in to the console: a hotline agent, expert or supervisor, or a handling
    unit's staff (role ``unit``, with the unit's name). Accounts are made by
    ``python -m bot.console adduser``; passwords are stored as scrypt hashes."""

    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)
    role = Column(String(16), nullable=False, default="agent")  # agent | expert | supervisor | unit
    unit = Column(String(64))  # the handling unit of a ``unit`` account
    password_hash = Column(String(256), nullable=False)
    disabled = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ConsoleSession(Base):
    """A logged-in console session: the cookie holds the token, the table only its hash."""

    __tablename__ = "console_sessions"

    token_hash = Column(String(64), primary_key=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)


class AgentNote(Base):
    """An agent's note on a conversation (kept with it, never shown to the citizen)."""

    __tablename__ = "agent_notes"

    id = Column(Integer, primary_key=True)
    sender_id = Column(Searchable, nullable=False, index=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=False)
    text = Column(Encrypted, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class TranscriptMessage(Base):
    """One message of a conversation as the gateway saw it, in order, whatever happened next.

    Citizen messages are written before anything else is tried, so a message is never lost even
    when Rasa or the action server is down; ``status`` says whether Rasa has it yet. Bot, agent
    and system (gateway) messages carry ``delivered`` so that a reply produced while the
    citizen was away reaches them when they come back.
    """

    __tablename__ = "transcript_messages"

    id = Column(Integer, primary_key=True)
    sender_id = Column(Searchable, nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    author = Column(String(16), nullable=False)  # citizen | bot | agent | system
    text = Column(Encrypted)
    data = Column(Encrypted)  # JSON: buttons, image, attachment, custom payload
    # Citizen messages: pending (not yet with Rasa) | sent | failed | refused (too long, rate limit) | handled (by the gateway: a rating)
    status = Column(String(16), nullable=False, default="sent")
    delivered = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class MessageDelivery(Base):
    """A transcript entry a channel failed to push (a WeChat 客服消息 refused or not reached):
    tried again with backoff while it can still arrive (``retrying``; ``sending`` while one
    gateway has it), then ``undelivered`` for good (the reason shown to the agents) or
    ``delivered`` (by a retry, or with the citizen's next message). The entry itself stays
    ``delivered=False`` until the citizen has it."""

    __tablename__ = "message_deliveries"

    id = Column(Integer, primary_key=True)
    message_id = Column(Integer, ForeignKey("transcript_messages.id"), nullable=False, unique=True)
    sender_id = Column(Searchable, nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="retrying", index=True)  # retrying | sending | undelivered | delivered
    attempts = Column(Integer, nullable=False, default=0)
    next_try_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    until = Column(DateTime)  # after this, trying again cannot help (WeChat's 48-hour window)
    last_code = Column(String(16))  # the channel's error code (WeChat errcode, "network")
    last_error = Column(String(300))  # why, in Chinese, for the agents
    created_at = Column(DateTime, nullable=False, default=utcnow)
    finished_at = Column(DateTime)
    seen_by = Column(String(64))  # the agent who took note of it being undelivered
    seen_at = Column(DateTime)


class Attachment(Base):
    """Evidence a citizen uploaded (an image), linked to the work order filed from the same
    conversation."""

    __tablename__ = "attachments"

    id = Column(Integer, primary_key=True)
    sender_id = Column(Searchable, nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    order_id = Column(Integer, ForeignKey("work_orders.id"), index=True)
    filename = Column(Encrypted)
    content_type = Column(String(64), nullable=False)
    size = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    path = Column(String(300), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class SharedEntry(Base):
    """A key-value entry shared by every gateway process (bot.store.shared's database
    backend): WeChat's access token, message de-duplication, a citizen's last choices."""

    __tablename__ = "shared_entries"

    key = Column(Searchable, primary_key=True)  # may name a citizen (wechat:choices:<openid>)
    value = Column(Encrypted, nullable=False)
    expires_at = Column(Float)  # unix time; NULL = never


class OrderNotification(Base):
    """One change of an order told (or not) to the citizen in their channel. The unique
    event id makes every gateway process agree on who sends it: the one that inserts the row."""

    __tablename__ = "order_notifications"

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, ForeignKey("work_order_events.id"), nullable=False, unique=True)
    order_id = Column(Integer, ForeignKey("work_orders.id"), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    method = Column(String(16))  # custom (客服消息) | template (模板消息) | none
    result = Column(String(200))
    created_at = Column(DateTime, nullable=False, default=utcnow)


class AuditEntry(Base):
    """A read of citizens' personal data by staff, or a staff action on an order: who, when,
    what. Appended only."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    actor = Column(String(128), nullable=False)
    action = Column(String(32), nullable=False)
    order_number = Column(String(32), index=True)
    detail = Column(Searchable)  # a conversation read is looked up by it (audit by citizen)
