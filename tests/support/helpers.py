"""Build real rasa_sdk trackers for action tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

_ts = [1_700_000_000.0]


def tracker(
    text: str,
    intent: str = "complain",
    slots: dict[str, Any] | None = None,
    requested: str | None = None,
    form: str | None = None,
    sender: str = "citizen-1",
    entities: list[dict] | None = None,
    history: list[dict] | None = None,
    paused: bool = False,
) -> Tracker:
    _ts[0] += 1
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    all_slots = {"requested_slot": requested, "field_failures": 0.0}
    all_slots.update(slots or {})
    events = list(history or []) + [
        {"event": "user", "text": text, "timestamp": _ts[0], "parse_data": latest, "input_channel": "rest"}
    ]
    return Tracker(
        sender_id=sender,
        slots=all_slots,
        latest_message=latest,
        events=events,
        paused=paused,
        followup_action=None,
        active_loop={"name": form} if form else {},
        latest_action_name="action_listen",
    )


def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:
    """Run an action; return (events, messages)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return events, dispatcher.messages


def slots_set(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: list[dict]) -> list[str]:
    return [m.get("response") for m in messages if m.get("response")]


def notices(events: list[dict]) -> list[str]:
    """Response names queued by action_extract_fields for validate_intake_form to say."""
    return [n["response"] for n in slots_set(events).get("notices") or []]


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (4, 4)) -> bytes:
    """A real image of a format Pillow writes (JPEG, PNG, GIF, WEBP), for upload tests."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def wait_for(check: Callable[[], Any], timeout: float = 20, every: float = 0.3) -> Any:
    """``check()`` until it gives something true or ``timeout`` seconds pass; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    return check()
