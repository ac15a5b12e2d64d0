"""Small helpers shared by the custom actions."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.language.request_types import INTENT_TYPES
from bot.orders.filing import ORDER_FIELDS
from bot.profile import Profile, load_profile
from bot.store import handoffs

log = logging.getLogger(__name__)

REQUEST_INTENT_TYPES = INTENT_TYPES
# Intents that interrupt the intake form instead of answering its question.
URGENT_INTERRUPTIONS = {"report_emergency", "request_human", "cancel", "legal_route"}
SOFT_INTERRUPTIONS = {"faq", "check_status", "greet", "chitchat", "insult", "bot_challenge", "goodbye", "consult",
                      "thank"}
# Emptied after a filing: name and phone stay for a next request in this session.
INTAKE_SLOTS = (*(f for f in ORDER_FIELDS if f not in ("name", "phone")), "confirmed")


def profile() -> Profile:
    return load_profile()


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def recent_texts(tracker: Tracker, n: int = 3) -> list[str]:
    """The citizen's last ``n`` messages in this conversation, oldest first (the latest included)."""
    said = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user"]
    return [t for t in said if t][-n:]


def since_last_turn(tracker: Tracker) -> list[dict[str, Any]]:
    """What happened between the citizen's previous message and the latest one, newest first (the
    assistant's actions and replies to the previous message)."""
    between: list[dict[str, Any]] = []
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                break
            seen_user = True
        elif seen_user:
            between.append(event)
    return between


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_entities(tracker: Tracker, entity: str) -> list[Any]:
    return [e.get("value") for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == entity]


def channel(tracker: Tracker) -> str:
    """The citizen's channel: what the gateway put in the message metadata (web, wechat),
    otherwise Rasa's input channel (rest when talked to directly)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            meta = event.get("metadata") or {}
            if isinstance(meta, dict) and isinstance(meta.get("channel"), str) and meta["channel"]:
                return meta["channel"][:16]
            break
    return tracker.get_latest_input_channel() or "rest"


def latest_location(tracker: Tracker) -> dict[str, str] | None:
    """A location pin the citizen sent (WeChat), from the message metadata the gateway set."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            meta = event.get("metadata") or {}
            loc = meta.get("location") if isinstance(meta, dict) else None
            if isinstance(loc, dict) and (loc.get("label") or (loc.get("lat") and loc.get("lon"))):
                return {k: str(loc.get(k) or "")[:120] for k in ("lat", "lon", "label")}
            return None
    return None


def latest_user_timestamp(tracker: Tracker) -> str:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return str(event.get("timestamp"))
    return "0"


def intake_texts(tracker: Tracker) -> list[str]:
    """What the citizen wrote since the last request was filed or cancelled, oldest first."""
    texts: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in ("action_file_work_order", "action_cancel_intake"):
            break
        if event.get("event") == "user":
            texts.append(str(event.get("text") or ""))
    return texts[::-1]


def has_chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def is_emoji_only(text: str) -> bool:
    stripped = re.sub(r"[\s\u200d\ufe0f]", "", text)
    return bool(stripped) and all(ord(ch) > 0x2000 and not has_chinese(ch) and not ch.isalnum() for ch in stripped)


def spoken_number(number: str) -> str:
    """AS-20261123-0007 -> 'A S 2026 1123 0007' style, easy to read aloud over the phone."""
    digits_cn = "零一二三四五六七八九"
    prefix, _, rest = number.partition("-")
    spoken_digits = "".join(digits_cn[int(c)] if c.isdigit() else "，" for c in rest)
    return f"{' '.join(prefix)} {spoken_digits}"


def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, response: str | None) -> list[EventType]:
    """Queue the conversation for an agent and pause the bot. ``custom.handoff`` tells the
    gateway, which adds the queue position (or, with nobody online, gives the conversation back
    to the bot and offers a work order instead)."""
    try:
        handoffs.request_handoff(tracker.sender_id, channel(tracker), reason=reason)
    except Exception:
        log.exception("could not record handoff for %s", tracker.sender_id)
    if response:
        dispatcher.utter_message(response=response)
    dispatcher.utter_message(json_message={"handoff": reason})
    return [ConversationPaused()]
