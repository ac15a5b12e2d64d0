"""Emergencies and out-of-scope matters: the replies that must never wait for anything slow."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel, hand_over, latest_text, profile
from bot import emergency, messages, scope
from bot.store import repository

log = logging.getLogger(__name__)


FOLLOW_UP_KINDS = {"self_harm", "violence", "domestic_violence", "missing_person"}


class ActionEmergency(Action):
    """Tell the citizen the number to call and what to do, and record an urgent alert."""

    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        p = profile()
        text = latest_text(tracker)
        found = emergency.detect(text)
        if found:
            dispatcher.utter_message(text=messages.emergency_reply(found, p))
            kind, numbers = found.kind, list(found.numbers)
        else:
            dispatcher.utter_message(text=messages.emergency_generic_reply(p))
            kind, numbers = "unknown", ["110", "119", "120", "122"]
        try:
            repository.record_emergency(tracker.sender_id, channel(tracker), text, kind, numbers)
        except Exception:  # the guidance above is sent whatever happens to the record
            log.exception("could not record emergency alert for %s", tracker.sender_id)
        log.warning("EMERGENCY kind=%s numbers=%s sender=%s", kind, numbers, tracker.sender_id)
        if kind in FOLLOW_UP_KINDS:
            # After the guidance a person follows up (self-harm, threats, a child or an old
            # person at risk): the conversation goes to the agents.
            return hand_over(dispatcher, tracker, "sensitive", None)
        return []


class ActionOutOfScope(Action):
    """Name the legal route for a matter the hotline does not handle itself."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        p = profile()
        found = scope.detect(latest_text(tracker), p)
        if found:
            dispatcher.utter_message(text=messages.scope_reply(found, p))
        else:
            dispatcher.utter_message(response="utter_faq/not_accepted")
        return []
