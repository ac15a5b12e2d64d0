"""Session start (the city profile), handoff to a person, and what to do when not understood."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    EventType,
    FollowupAction,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    hand_over,
    has_chinese,
    is_emoji_only,
    latest_intent,
    latest_text,
    profile,
)

log = logging.getLogger(__name__)


class ActionSessionStart(Action):
    """Start a session with the city profile's facts in slots, for the responses in domain.yml."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        p = profile()
        return [
            SessionStarted(),
            SlotSet("city", p.city),
            SlotSet("hotline_name", p.hotline_name),
            SlotSet("hotline_number", p.hotline_number),
            SlotSet("working_days", str(p.working_days)),
            SlotSet("max_extension_months", str(p.max_extension_months)),
            SlotSet("service_hours", p.service_hours),
            SlotSet("channels", "、".join(p.channels)),
            ActionExecuted("action_listen"),
        ]


class ActionHandoff(Action):
    """Mark the conversation for a human agent and pause the bot (the console takes over).

    A request being filled in stays as it is: the agent sees the fields collected so far, and
    when the agent hands back the form goes on from the question it was at."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        angry = latest_intent(tracker) == "insult"
        # A plain request says nothing here: the gateway's one message says whether a person
        # is coming and when, or that nobody is online.
        return hand_over(dispatcher, tracker, "angry" if angry else "citizen_request",
                         "utter_handoff_angry" if angry else None)


def consecutive_fallbacks(tracker: Tracker) -> int:
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") == "nlu_fallback":
            count += 1
        else:
            break
    return count


def _actions_since_last_user(tracker: Tracker) -> list[str]:
    names: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "action" and event.get("name") not in (None, "action_listen"):
            names.append(event["name"])
    return names


class ActionFallback(Action):
    """Not understood: a description of a problem still starts a request; otherwise help."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # The policies' own fallback (no rule or story was sure what comes next), not the NLU's:
        # inside the form, the form goes on; and never twice in one turn (Rasa would call this
        # again and again until its circuit breaker stops the conversation for good).
        actions_this_turn = _actions_since_last_user(tracker)
        if "action_fallback" in actions_this_turn or "intake_form" in actions_this_turn:
            return [FollowupAction("action_listen")]
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if tracker.active_loop.get("name") == "intake_form" and intent != "nlu_fallback":
            return [FollowupAction("intake_form")]
        text = latest_text(tracker).strip()
        if text and is_emoji_only(text):
            dispatcher.utter_message(response="utter_emoji_only")
            return []
        if text and not has_chinese(text):
            dispatcher.utter_message(response="utter_non_chinese")
            return []
        if tracker.get_slot("content") and not tracker.active_loop.get("name"):
            # A description the classifier was unsure about is still a request.
            return [FollowupAction("intake_form")]
        if consecutive_fallbacks(tracker) >= 2:
            return hand_over(dispatcher, tracker, "not_understood", "utter_handoff_not_understood")
        else:
            dispatcher.utter_message(response="utter_default")
        return []
