"""Issue 24 (encryption at rest): Rasa's tracker store keeps every message and slot, encrypted by
the project's own store class; Rasa's behaviour (sessions, the full tracker, keys) is unchanged,
a tracker store from before is still read, and retention still deletes a conversation's events."""

from __future__ import annotations

import base64
import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.orders import retention
from bot.rasa.tracker_store import EncryptedSQLTrackerStore
from bot.store import crypto

PHONE = "13898765432"
NAME = "王建国"
DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [inform]
slots:
  name: {type: text, mappings: [{type: custom}]}
  phone: {type: text, mappings: [{type: custom}]}
""")


@pytest.fixture(autouse=True)
def _keys(monkeypatch):
    monkeypatch.setenv(crypto.ENV, "k1:" + base64.b64encode(bytes(range(32))).decode())


def _store(path) -> EncryptedSQLTrackerStore:
    return EncryptedSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))


def _conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered(f"我叫{NAME}，电话{PHONE}", {"name": "inform", "confidence": 1.0}),
        SlotSet("name", NAME), SlotSet("phone", PHONE)], DOMAIN.slots)
    return tracker


def _bytes_of(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def test_events_are_encrypted_and_rasa_reads_them_back(tmp_path):
    path = tmp_path / "tracker.db"
    store = _store(path)
    await store.save(_conversation("rest-abc"))
    tracker = await store.retrieve("rest-abc")
    assert tracker.get_slot("phone") == PHONE and tracker.get_slot("name") == NAME
    assert tracker.latest_message.text == f"我叫{NAME}，电话{PHONE}"
    assert list(await store.keys()) == ["rest-abc"]
    # a second save stores only the new events (Rasa counts what is there through the types)
    tracker.update(SlotSet("phone", "13800000000"))
    await store.save(tracker)
    again = await store.retrieve_full_tracker("rest-abc")
    assert again.get_slot("phone") == "13800000000" and len(again.events) == len(_conversation("x").events) + 1
    store.engine.dispose()
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT sender_id, data, type_name FROM events").fetchall()
    assert len(rows) == len(again.events)  # each event stored once
    assert all(sender.startswith("enc:k1:") and data.startswith("enc:k1:") for sender, data, _ in rows)
    assert {t for *_, t in rows} >= {"user", "slot"}  # the kind of event stays readable
    raw = _bytes_of(path)
    for secret in (PHONE, NAME, "rest-abc"):
        assert secret.encode() not in raw and secret.encode("unicode_escape") not in raw


async def test_sessions_and_the_full_tracker_are_what_rasa_s_own_store_gives(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore

    async def play(store) -> tuple[list, list, object]:
        tracker = _conversation("web-1")
        await store.save(tracker)
        tracker = await store.retrieve("web-1")
        for event in (ActionExecuted("action_session_start"), SessionStarted(),
                      UserUttered("你好", {"name": "inform", "confidence": 1.0})):
            tracker.update(event)
        await store.save(tracker)
        latest, full = await store.retrieve("web-1"), await store.retrieve_full_tracker("web-1")
        return ([e.as_dict() for e in latest.events], [e.as_dict() for e in full.events], await store.retrieve("web-2"))

    def without_times(events: list) -> list:
        return [{k: v for k, v in e.items() if k != "timestamp"} for e in events]

    ours = await play(_store(tmp_path / "tracker.db"))
    rasa = await play(SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "plain.db")))
    assert [without_times(x) for x in ours[:2]] == [without_times(x) for x in rasa[:2]]
    assert ours[2] is None and rasa[2] is None
    assert len(ours[1]) > len(ours[0]) and ours[0][-1]["text"] == "你好"


async def test_a_tracker_store_from_before_is_read_then_converted(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore

    path = tmp_path / "tracker.db"
    plain = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    await plain.save(_conversation("web-old"))
    plain.engine.dispose()
    store = _store(path)
    assert (await store.retrieve("web-old")).get_slot("phone") == PHONE
    counts = crypto.convert(store.engine, crypto.tracker_targets(), crypto.keyring(), only_plaintext=True)
    assert counts["events.data"] == counts["events.sender_id"] > 0
    assert (await store.retrieve("web-old")).get_slot("phone") == PHONE
    store.engine.dispose()
    assert PHONE.encode() not in path.read_bytes()


async def test_retention_deletes_an_encrypted_conversation(tmp_path, monkeypatch):
    path = tmp_path / "tracker.db"
    store = _store(path)
    await store.save(_conversation("web-gone"))
    await store.save(_conversation("web-kept"))
    store.engine.dispose()
    monkeypatch.setenv("HOTLINE_TRACKER_DB_URL", f"sqlite:///{path}")
    assert retention._forget_trackers(["web-gone"]) == len(_conversation("x").events)
    store = _store(path)
    assert await store.retrieve("web-gone") is None and await store.retrieve("web-kept") is not None
