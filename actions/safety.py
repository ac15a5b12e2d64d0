"""Emergencies and out-of-scope matters: the replies that must never wait for anything slow."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel, hand_over, latest_text, profile, recent_texts
from bot import citizen_texts, desk
from bot.language import emergency, scope

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
        # On the duty desk first, so that the reply says truthfully whether the duty staff have it.
        # (A story or a button without an emergency in the words: on the desk as possible only,
        # not sent to the linkage units.)
        alert = desk.raise_alert(tracker.sender_id, channel(tracker), text, found or citizen_texts.GENERIC_EMERGENCY,
                                 emergency.CONFIDENT if found else emergency.POSSIBLE, p)
        if found:
            dispatcher.utter_message(text=citizen_texts.emergency_reply(found, p, alert is not None))
        else:  # a story or a button that asked for this action: every number
            dispatcher.utter_message(text=citizen_texts.emergency_generic_reply(p, alert is not None))
        kind = (found or citizen_texts.GENERIC_EMERGENCY).kind
        log.warning("EMERGENCY kind=%s sender=%s alert=%s", kind, tracker.sender_id, alert and alert.alert_id)
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
        text = latest_text(tracker)
        found, asked = scope.read(text, p)
        if (found and found.route == "litigation") or asked == "litigation":
            # 「公司把我开了…」 then 「我要告他们」: the employer was named a message earlier, and a dispute
            # with an employer goes to 劳动仲裁 before any court
            if scope.employment_dispute("，".join(recent_texts(tracker))):
                found, asked = (scope.OutOfScope("arbitration", found.matched), None) if found else (None, "arbitration")
        told = text
        if found is None and asked is None and _asks_if_we_take_it(tracker):
            # 「这个找你们行吗」 after the matter: the route of what was told before, the same as then
            told = "，".join(recent_texts(tracker, ROUTE_MEMORY + 1)[:-1])
            found, _ = scope.read(told, p) if told else (None, None)
            if found is None:
                dispatcher.utter_message(response="utter_we_take_it")
                return []
        if found:
            dispatcher.utter_message(text=citizen_texts.scope_reply(found, p, scope.elsewhere(told, p)))
        elif asked:  # how to use a route: answered, not refused
            dispatcher.utter_message(text=citizen_texts.route_answer(asked, p))
        else:
            dispatcher.utter_message(response="utter_faq/not_accepted")
        return []


# How many of the citizen's last messages a follow-up question about the route is read with.
ROUTE_MEMORY = 4


def _asks_if_we_take_it(tracker: Tracker) -> bool:
    safety = (tracker.latest_message or {}).get("safety") or {}
    return bool(safety.get("route_followup"))
