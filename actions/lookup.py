"""Looking up a work order: the orders of this conversation, or another by its number and its
phone's last four digits (public fields only)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_entities, latest_text
from bot.orders import lookups
from bot.store import repository
from bot.store.shared import shared_store
from bot.workdays import CHINA_TZ


def _say_order(dispatcher: CollectingDispatcher, order, own: bool = False) -> None:
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
        created=view.created_at.replace(tzinfo=dt.timezone.utc).astimezone(CHINA_TZ).strftime("%Y年%m月%d日 %H:%M"),
        deadline=view.deadline.strftime("%Y年%m月%d日"),
        unit_text=extra,
    )


# An order not filed in this conversation is shown only with its phone's last four digits
# (like the API's phone_last4); wrong guesses are counted per conversation and per order, with
# the API's (bot/orders/lookups.py).
_LAST4 = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")


def last4_in(text: str, number: str) -> str | None:
    """The four digits the citizen gave beside the order number (「AS-20261206-0001 尾号5432」)."""
    rest = repository.ORDER_NUMBER_RX.sub(" ", unicodedata.normalize("NFKC", text or ""))
    found = _LAST4.findall(rest)
    return found[-1] if found else None


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
            if order is not None and order.sender_id == tracker.sender_id:
                _say_order(dispatcher, order, own=True)
            else:
                self._verified_lookup(dispatcher, tracker, number, order)
            return []
        # No number: the orders filed from this very conversation (its channel identity).
        orders = repository.orders_for_sender(tracker.sender_id, limit=3)
        other = repository.foreign_order_number(latest_text(tracker))
        if other:  # digits that are no number of ours (「单号2026120300123」): said back, never ignored
            dispatcher.utter_message(response="utter_order_number_not_ours", given=other)
        elif not orders:
            dispatcher.utter_message(response="utter_no_orders_here")
        for order in orders:
            _say_order(dispatcher, order, own=True)
        return []

    @staticmethod
    def _verified_lookup(dispatcher: CollectingDispatcher, tracker: Tracker, number: str, order) -> None:
        """Another conversation's order (or none): only with the phone's last four digits. The
        answer never tells whether the number exists unless the digits match."""
        last4 = last4_in(latest_text(tracker), number)
        if last4 is None:
            dispatcher.utter_message(response="utter_order_needs_last4", number=number)
            return
        store = shared_store()
        keys: tuple[str, ...] = (lookups.asker_key(f"conv:{tracker.sender_id}"), lookups.order_key(number))
        asker = ((tracker.latest_message or {}).get("metadata") or {}).get("asker")
        if isinstance(asker, str) and asker:  # the address behind it, keyed by the gateway: new conversations do not reset it
            keys += (lookups.asker_key(f"addr:{asker}"),)
        if lookups.locked(store, keys):
            dispatcher.utter_message(response="utter_order_lookup_locked")
            return
        if order is not None and order.phone and order.phone.endswith(last4):
            _say_order(dispatcher, order)
            return
        lookups.failed(store, keys)
        dispatcher.utter_message(response="utter_order_lookup_failed", number=number)
