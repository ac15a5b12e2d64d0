"""Issue 24 (encryption at rest), the proof on the real stack: after a citizen filed an order
giving their name and phone, no database file of the stack — the work-order store, its WAL and
shared-memory files, Rasa's tracker store and its journal — holds the phone or the name in
clear, while the order reads back whole through the API."""

from __future__ import annotations

import json
import time
import uuid

import requests

from tests.e2e.conftest import STAFF_KEY
from tests.e2e.test_e2e_conversations import order_number

STAFF = {"Authorization": f"Bearer {STAFF_KEY}"}
NAME = "王建国"
STREET = "胜利南路25号"


def _forms(phone: str) -> list[bytes]:
    """Every way the phone or the name could sit in a file in clear: UTF-8 (JSON with
    ensure_ascii=False, the transcript), JSON's \\u escapes (Rasa's events), the digits as an
    integer (SQLite's big-endian 6- and 8-byte forms)."""
    forms = [phone.encode(), NAME.encode("utf-8"), json.dumps(NAME).strip('"').encode(),
             NAME.encode("utf-16-le"), int(phone).to_bytes(6, "big"), int(phone).to_bytes(8, "big")]
    return forms


def _database_files(stack) -> list:
    return sorted(p for p in stack.workdir.iterdir() if p.is_file() and ".db" in p.name)


def test_no_database_file_holds_the_citizens_phone_or_name_in_clear(stack):
    phone = "139" + str(uuid.uuid4().int)[:8]
    me = "rest-enc-" + uuid.uuid4().hex[:8]
    stack.text(me, f"我叫{NAME}，电话{phone}，铁东区{STREET}楼下烧烤店天天营业到凌晨两点，噪音油烟太大，我要投诉")
    number = order_number(stack.text(me, "确认"))

    # The order reads back whole: to staff with its personal data, to the citizen by the last four digits.
    order = requests.get(f"{stack.url}/api/workorders/{number}", headers=STAFF, timeout=10).json()
    assert (order["name"], order["phone"], order["sender_id"]) == (NAME, phone, me)
    assert STREET in order["address"] and "烧烤" in order["content"]
    mine = requests.get(f"{stack.url}/api/workorders/{number}?phone_last4={phone[-4:]}", timeout=10)
    assert mine.status_code == 200 and mine.json()["number"] == number
    # Rasa holds the conversation and its slots (read through its own API).
    tracker = stack.tracker(me)
    assert tracker["slots"].get("phone") == phone and any(phone in (e.get("text") or "") for e in tracker["events"])

    time.sleep(1)  # the notices loop and Rasa's last save of the turn
    files = _database_files(stack)
    names = {p.name for p in files}
    assert {"hotline.db", "tracker.db"} <= names and "hotline.db-wal" in names, names
    leaks = [(p.name, form) for p in files for form in _forms(phone) if form in p.read_bytes()]
    assert leaks == []
    # what is there is ciphertext, and the readable columns stay readable
    raw = (stack.workdir / "hotline.db-wal").read_bytes() + (stack.workdir / "hotline.db").read_bytes()
    assert b"enc:dev:" in raw or b"enc:k" in raw
    assert number.encode() in raw
