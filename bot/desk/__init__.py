"""The duty desk (值班台): where the hotline receives emergencies and passes them on.

``raise_alert`` is called wherever an emergency reading is answered (the action server's
emergency action, the gateway when Rasa is slow, down or paused for an agent, the flood limit):
it records the alert (several messages of one citizen within minutes are one alert), and for a
confident reading queues one delivery per linkage contact of its numbers (``linkage.py`` sends
them). The console shows open alerts live to every agent and supervisor, escalates the ones not
acknowledged in time, and lets them acknowledge, note and take the conversation over.
"""

from __future__ import annotations

import logging

from bot.desk.linkage import contacts_for
from bot.language.emergency import CONFIDENT, Emergency
from bot.profile import Profile
from bot.store import alerts

log = logging.getLogger(__name__)


def escalate_after(profile: Profile) -> float:
    return float((profile.duty_desk or {}).get("escalate_after_seconds", 60))


def group_minutes(profile: Profile) -> float:
    return float((profile.duty_desk or {}).get("group_minutes", 10))


def place_of(text: str, profile: Profile) -> str | None:
    """Where it happens, when the message says (the form's own address reading)."""
    try:
        from bot.language import extract

        fields = extract.extract_fields(extract.normalize(text), profile)
        return (fields.address or fields.district or None) and str(fields.address or fields.district)[:200]
    except Exception:  # the place is a help for the desk, never a reason to lose the alert
        log.exception("no place read from an emergency message")
        return None


def raise_alert(sender_id: str, channel: str, text: str, found: Emergency, level: str,
                profile: Profile) -> alerts.Recorded | None:
    """Put an emergency on the desk; None when it could not be recorded (the citizen is then
    not told that the duty staff have it)."""
    contacts = contacts_for(found, profile) if level == CONFIDENT else []
    try:
        return alerts.record(sender_id, channel, text, found.kind, list(found.numbers), level,
                             place_of(text, profile), [(c.key, c.name) for c in contacts],
                             group_minutes(profile))
    except Exception:
        log.exception("could not record the emergency of %s", sender_id)
        return None
