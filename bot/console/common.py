"""What every part of the console shares: its constants and small helpers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from bot import citizen_texts
from bot.console import accounts
from bot.store.models import HandoffStatus

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "hotline_console"
MAX_REPLY = 2000
CONVERSATION_ROLES = ("agent", "expert", "supervisor")
# The hotline's own staff: the duty desk's alerts and phone calls are theirs (a unit's expert at the
# expert seat sees only the conversations it was asked into).
HOTLINE_ROLES = ("agent", "supervisor")


def parse_hours(value: str) -> tuple[dt.time, dt.time] | None:
    """``08:00-20:00`` -> (08:00, 20:00); empty -> None (always staffed). Bad values fail at
    start, where the operator sees them."""
    if not value.strip():
        return None
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in value.split("-", 1))
    except ValueError as exc:
        raise ValueError(f"HOTLINE_CONSOLE_HOURS should look like 08:00-20:00, not {value!r}") from exc
    return start, end


def actor_name(who: accounts.Who) -> str:
    """How a console user is named in the audit log and an order's history."""
    if who.role == "unit":
        return f"{who.unit}/{who.username}"
    return f"console:{who.username}"


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def order_fields(order: Any) -> dict[str, Any]:
    return {"number": order.number, "deadline": order.deadline.isoformat(), "status": order.status,
            "status_label": order.status_label, "unit": order.unit, "urgent": order.urgent,
            "urgent_label": citizen_texts.URGENT_LABELS.get(order.urgent) if order.urgent else None,
            "due_at": order.due_at.isoformat() + "Z" if order.due_at else None}


HANDLE = re.compile(r"h(\d{1,12})")


def handle(handoff_id: int) -> str:
    """How an expert names a conversation: its handoff, not the citizen's channel identity."""
    return f"h{handoff_id}"


def expert_may_read(who: accounts.Who, status: str, agent_id: int | None, reason: str) -> bool:
    """An expert reads a conversation waiting for an expert seat, or one they hold."""
    return agent_id == who.id if status == HandoffStatus.HELD else reason == "expert"

