"""Wrong guesses at an order's phone digits, counted in the shared store for every door: a
citizen may read an order not filed in their own conversation only with the last four digits of
its phone (the chat's 「查询工单 … 尾号1234」, the API's ``phone_last4``). Order numbers are
sequential and a 举报's progress must not be listed by whoever asks, so the guesses are counted
per order (whatever the address or conversation: 5 an hour reach 10,000 combinations in about
eight years) and per asker (conversation or address)."""

from __future__ import annotations

from bot.store.shared import SharedStore

FAILURES_ALLOWED = 5
WINDOW_SECONDS = 3600


def order_key(number: str) -> str:
    return f"lookup-fail:order:{number}"


def asker_key(asker: str) -> str:
    """``conv:<sender>`` for a chat, ``ip:<address>`` for the API."""
    return f"lookup-fail:{asker}"


def _count(store: SharedStore, key: str) -> int:
    try:
        return int(store.get(key) or 0)
    except ValueError:
        return 0


def locked(store: SharedStore, keys: tuple[str, ...]) -> bool:
    return any(_count(store, k) >= FAILURES_ALLOWED for k in keys)


def failed(store: SharedStore, keys: tuple[str, ...]) -> None:
    for key in keys:
        store.set(key, str(_count(store, key) + 1), WINDOW_SECONDS)
