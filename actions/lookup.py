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

from actions.common import latest_entities, latest_text, recent_texts
from bot.language.questions import URGES
from bot.orders import lifecycle, lookups
from bot.store import repository
from bot.store.models import OPEN_STATUSES
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
        text = latest_text(tracker)
        urging = bool(URGES.search(text))
        # 「都十来天了 你给我催催」 after the number: the number said a message or two before
        earlier = list(reversed(recent_texts(tracker, 3)[:-1])) if urging else []
        candidates = [str(v) for v in latest_entities(tracker, "order_number")] + [text] + earlier
        number = next((n for n in map(repository.normalize_order_number, candidates) if n), None)
        if number:
            order = repository.get_order(number)
            if order is not None and order.sender_id == tracker.sender_id:
                _say_order(dispatcher, order, own=True)
                if urging:
                    _urge(dispatcher, order.number)
            elif self._verified_lookup(dispatcher, tracker, number, order) and urging:
                _urge(dispatcher, number)
            elif urging:
                dispatcher.utter_message(response="utter_urge_after_lookup")
            return []
        # No number: the orders filed from this very conversation (its channel identity).
        orders = repository.orders_for_sender(tracker.sender_id, limit=3)
        other = next((n for n in map(repository.foreign_order_number, [text, *earlier]) if n), None)
        if other:  # digits that are no number of ours (「单号2026120300123」): said back, never ignored
            dispatcher.utter_message(response="utter_order_number_not_ours", given=other)
        elif not orders:
            dispatcher.utter_message(response="utter_no_orders_here")
        for order in orders:
            _say_order(dispatcher, order, own=True)
        if urging:
            running = next((o for o in orders if o.status in OPEN_STATUSES), None)
            if running is not None:
                _urge(dispatcher, running.number)
            elif other or not orders:
                dispatcher.utter_message(response="utter_urge_needs_number")
            else:
                _urge(dispatcher, orders[0].number)  # every one finished: said so
        return []

    @staticmethod
    def _verified_lookup(dispatcher: CollectingDispatcher, tracker: Tracker, number: str, order) -> bool:
        """Another conversation's order (or none): only with the phone's last four digits. The
        answer never tells whether the number exists unless the digits match. True when shown."""
        last4 = last4_in(latest_text(tracker), number)
        if last4 is None:
            dispatcher.utter_message(response="utter_order_needs_last4", number=number)
            return False
        store = shared_store()
        keys: tuple[str, ...] = (lookups.asker_key(f"conv:{tracker.sender_id}"), lookups.order_key(number))
        asker = ((tracker.latest_message or {}).get("metadata") or {}).get("asker")
        if isinstance(asker, str) and asker:  # the address behind it, keyed by the gateway: new conversations do not reset it
            keys += (lookups.asker_key(f"addr:{asker}"),)
        if lookups.locked(store, keys):
            dispatcher.utter_message(response="utter_order_lookup_locked")
            return False
        if order is not None and order.phone and order.phone.endswith(last4):
            _say_order(dispatcher, order)
            return True
        lookups.failed(store, keys)
        dispatcher.utter_message(response="utter_order_lookup_failed", number=number)
        return False


def _urge(dispatcher: CollectingDispatcher, number: str) -> None:
    """催办, recorded on the order and told as it is: once a day, and only while it is open."""
    urged = lifecycle.urge(number)
    deadline = urged.deadline.strftime("%Y年%m月%d日")
    if urged.outcome == "urged":
        dispatcher.utter_message(response="utter_order_urged", number=urged.number, deadline=deadline)
    elif urged.outcome == "already":
        dispatcher.utter_message(response="utter_order_urged_already", number=urged.number, deadline=deadline)
    else:
        dispatcher.utter_message(response="utter_order_urge_not_open", number=urged.number, status=urged.status_label)
