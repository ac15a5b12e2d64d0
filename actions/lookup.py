"""Looking up a work order: by number (public fields only) or the orders of this conversation."""

from __future__ import annotations

import datetime as dt

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_entities, latest_text
from bot.store import repository


def _say_order(dispatcher: CollectingDispatcher, order, own: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Public fields by number; the unit's result too when the order is this conversation's own."""
    view = repository.public_view(order)
    extra = f"\n承办单位：{view.unit}" if view.unit else ""
    if own and order.result:
        extra += f"\n办理结果：{order.result}"
    dispatcher.utter_message(
        response="utter_order_status",
        number=view.number,
        type=view.request_type,
        status=view.status_label,
        created=view.created_at.replace(tzinfo=dt.timezone.utc).astimezone(repository.CHINA_TZ).strftime("%Y年%m月%d日 %H:%M"),
        deadline=view.deadline.strftime("%Y年%m月%d日"),
        unit_text=extra,
    )


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        candidates = [str(v) for v in latest_entities(tracker, "order_number")] + [latest_text(tracker)]
        number = next((n for n in map(repository.normalize_order_number, candidates) if n), None)
        if number:
            order = repository.get_order(number)
            if order is None:
                dispatcher.utter_message(response="utter_order_not_found", number=number)
            else:
                _say_order(dispatcher, order, own=order.sender_id == tracker.sender_id)
            return []
        # No number: the orders filed from this very conversation (its channel identity).
        orders = repository.orders_for_sender(tracker.sender_id, limit=3)
        if not orders:
            dispatcher.utter_message(response="utter_no_orders_here")
        for order in orders:
            _say_order(dispatcher, order, own=True)
        return []
