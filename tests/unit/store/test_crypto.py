"""Issue 24 (encryption at rest): citizens' personal fields are ciphertext in the database and
plain above the store; equality lookups, the plaintext of a database from before, a wrong key,
a rotation and the conversion command. Runs on SQLite and PostgreSQL (tests/conftest.py)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import select, text, update

from bot.orders import lifecycle
from bot.profile import load_profile
from bot.store import crypto, repository, transcript
from bot.store.db import get_engine, session_scope
from bot.store.models import Attachment, AuditEntry, TranscriptMessage, WorkOrder

P = load_profile("anshan")
PHONE = "13912345678"
NAME = "王丽"
K1 = "k1:" + base64.b64encode(bytes(range(32))).decode()
K2 = "k2:" + base64.b64encode(bytes(range(100, 132))).decode()


@pytest.fixture(autouse=True)
def _keys(monkeypatch):
    monkeypatch.setenv(crypto.ENV, K1)


def _file(key: str, phone: str = PHONE, name: str = NAME) -> str:
    req = repository.OrderRequest(request_type="投诉", content=f"我叫{name}，电话{phone}，小区门口占道经营",
                                  address="铁东区胜利街道园林小区3号楼", district="铁东区", name=name, phone=phone,
                                  confidential=False, wants_reply=True, channel="web", sender_id=f"web-{key}",
                                  idempotency_key=f"web-{key}:1")
    return repository.file_order(req, P)[0].number


def _raw(sql: str) -> list[tuple]:
    with get_engine().connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def test_personal_fields_are_ciphertext_in_the_database_and_plain_above_it():
    number = _file("a")
    transcript.add("web-a", "web", "citizen", f"我叫{NAME}，电话{PHONE}", {"_shown": PHONE})
    (name, phone, sender, content, address, key), = _raw(
        "SELECT name, phone, sender_id, content, address, idempotency_key FROM work_orders")
    for stored in (name, phone, sender, content, address, key):
        assert stored.startswith("enc:k1:")
    assert PHONE not in content and NAME not in content and "web-a" not in sender
    (tx_text, tx_data, tx_sender), = _raw("SELECT text, data, sender_id FROM transcript_messages")
    assert tx_text.startswith("enc:k1:") and tx_data.startswith("enc:k1:") and tx_sender == sender
    order = repository.get_order(number)
    assert (order.name, order.phone, order.sender_id) == (NAME, PHONE, "web-a")
    assert [e.text for e in transcript.history("web-a")] == [f"我叫{NAME}，电话{PHONE}"]


def test_free_text_is_stored_differently_every_time_searchable_values_the_same():
    ring = crypto.keyring()
    assert ring.encrypt("王丽") != ring.encrypt("王丽")
    assert ring.encrypt_searchable(PHONE) == ring.encrypt_searchable(PHONE)
    assert ring.decrypt(ring.encrypt("王丽")) == "王丽"
    assert ring.decrypt(ring.encrypt_searchable(PHONE), searchable=True) == PHONE


def test_equality_lookups_work_unchanged():
    a, b = _file("a"), _file("b", phone="13800000000", name="张三")
    assert [o.number for o in repository.orders_for_phone(PHONE)] == [a]
    assert [o.number for o in repository.orders_for_sender("web-b")] == [b]
    with session_scope() as s:
        assert s.execute(select(WorkOrder.number).where(WorkOrder.sender_id.in_(["web-a", "web-x"]))).scalars().all() == [a]
        assert s.execute(select(WorkOrder.number).where(WorkOrder.phone != PHONE)).scalars().all() == [b]
        # an ORM update whose criteria the session evaluates in Python
        s.add(Attachment(sender_id="web-a", channel="web", content_type="image/jpeg", size=1, sha256="x", path="p"))
        s.flush()
        s.execute(update(Attachment).where(Attachment.sender_id == "web-a").values(order_id=1))
    # the idempotency key (which names the conversation) is still unique
    assert _file("a") == a


def test_queries_the_database_cannot_answer_on_ciphertext_are_refused():
    with pytest.raises(TypeError, match="encrypted"):
        select(WorkOrder).where(WorkOrder.content.contains("占道"))
    with pytest.raises(TypeError, match="encrypted"):
        select(WorkOrder).where(WorkOrder.sender_id.startswith("web-"))
    with pytest.raises(TypeError, match="encrypted"):
        select(WorkOrder).where(WorkOrder.name == NAME)  # random nonce: equality can never match
    select(WorkOrder).where(WorkOrder.name.is_(None), WorkOrder.content != None)  # noqa: E711 - NULL tests are fine


def test_audit_by_citizen_finds_conversation_reads():
    number = _file("a")
    lifecycle.audit("console:王丽", "read_conversation", None, "web-a")
    lifecycle.audit("console:王丽", "read_order", number)
    lifecycle.audit("console:王丽", "read_conversation", None, "web-other")
    assert {e["action"] for e in lifecycle.audit_entries(citizen=PHONE)} == {"read_conversation", "read_order"}
    assert [e["detail"] for e in lifecycle.audit_entries(citizen="web-a") if e["action"] == "read_conversation"] == ["web-a"]


def test_a_database_from_before_reads_as_it_is_then_encrypt_all_converts_it():
    with crypto.using(None):  # written without encryption, as before this issue
        number = _file("a")
        transcript.add("web-a", "web", "citizen", f"电话{PHONE}")
    assert _raw("SELECT phone FROM work_orders") == [(PHONE,)]
    order = repository.get_order(number)  # read with the key configured: plaintext passes
    assert (order.name, order.phone) == (NAME, PHONE)
    assert [o.number for o in repository.orders_for_phone(PHONE)] == [number]  # found before conversion
    ring = crypto.keyring()
    from bot.store import models

    counts = crypto.convert(get_engine(), crypto.targets(models.Base.metadata), ring, only_plaintext=True, batch=2)
    assert counts["work_orders.phone"] == 1 and counts["transcript_messages.text"] == 1
    assert crypto.count_remaining(get_engine(), crypto.targets(models.Base.metadata), ring, True) == 0
    assert all(v.startswith("enc:k1:") for v in _raw("SELECT phone, name, sender_id FROM work_orders")[0])
    assert [o.number for o in repository.orders_for_phone(PHONE)] == [number]
    assert [e.text for e in transcript.history("web-a")] == [f"电话{PHONE}"]
    # a second run has nothing left to do
    assert sum(crypto.convert(get_engine(), crypto.targets(models.Base.metadata), ring, True).values()) == 0


def test_a_wrong_key_is_a_clear_error(monkeypatch):
    number = _file("a")
    monkeypatch.setenv(crypto.ENV, "k1:" + base64.b64encode(b"\x07" * 32).decode())
    with pytest.raises(crypto.DataKeyError, match="does not decrypt with the key 'k1'"):
        repository.get_order(number)
    monkeypatch.setenv(crypto.ENV, K2)
    with pytest.raises(crypto.DataKeyError, match="key 'k1', which HOTLINE_DATA_KEYS does not hold"):
        repository.get_order(number)


@pytest.mark.parametrize("spec, why", [("k1", "not <id>:<base64 key>"), ("k1:abc", "not 32"),
                                       ("k1:!!!!", "not base64"), (f"{K1},{K1}", "twice"), (",", "no key")])
def test_malformed_keys_are_refused_naming_the_setting(spec, why):
    with pytest.raises(crypto.DataKeyError, match=why) as refused:
        crypto.parse_keys(spec)
    assert "HOTLINE_DATA_KEYS" in str(refused.value) and K1.split(":")[1] not in str(refused.value)


def test_rotation_reencrypts_everything_under_the_new_key(monkeypatch):
    from bot.store import models

    number = _file("a")
    transcript.add("web-a", "web", "citizen", f"电话{PHONE}")
    monkeypatch.setenv(crypto.ENV, f"{K2},{K1}")  # the new key first; the old one still decrypts
    assert repository.get_order(number).phone == PHONE
    assert [o.number for o in repository.orders_for_phone(PHONE)] == [number]  # found under the old key
    other = _file("b", phone="13800000000")  # written under the new key meanwhile
    ring = crypto.keyring()
    found = crypto.targets(models.Base.metadata)
    assert crypto.count_remaining(get_engine(), found, ring, only_plaintext=False) > 0
    counts = crypto.convert(get_engine(), found, ring, only_plaintext=False, batch=1)
    assert counts["work_orders.phone"] == 1 and counts["transcript_messages.sender_id"] == 1
    assert crypto.count_remaining(get_engine(), found, ring, only_plaintext=False) == 0
    monkeypatch.setenv(crypto.ENV, K2)  # the old key removed
    assert repository.get_order(number).phone == PHONE and repository.get_order(other).phone == "13800000000"
    assert [o.number for o in repository.orders_for_phone(PHONE)] == [number]
    assert [e.text for e in transcript.history("web-a")] == [f"电话{PHONE}"]
    assert all(v.startswith("enc:k2:") for row in _raw("SELECT phone, name, content FROM work_orders") for v in row)


def test_the_command_converts_and_prints_counts(capsys, tmp_path, monkeypatch):
    with crypto.using(None):
        _file("a")
    assert crypto.main(["encrypt-all", "--no-tracker"]) == 0
    out = capsys.readouterr().out
    assert "store work_orders.phone: 1 converted" in out and "0 left" in out
    monkeypatch.setenv(crypto.ENV, f"{K2},{K1}")
    assert crypto.main(["rotate", "--no-tracker", "--batch", "1"]) == 0
    assert "store work_orders.phone: 1 converted" in capsys.readouterr().out
    assert _raw("SELECT phone FROM work_orders")[0][0].startswith("enc:k2:")


def test_a_development_key_is_made_once_and_private(monkeypatch, tmp_path):
    monkeypatch.delenv(crypto.ENV)
    monkeypatch.setattr(crypto, "KEY_FILE", tmp_path / "var" / "data_key")
    monkeypatch.setattr(crypto, "_cache", None)
    first = crypto.keyring()
    assert first.current.id == "dev" and (tmp_path / "var" / "data_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setattr(crypto, "_cache", None)
    assert crypto.keyring().current.raw == first.current.raw


def test_a_process_declared_for_production_never_makes_a_key_of_its_own(monkeypatch, tmp_path):
    """An action server started without the key would write what the gateway cannot read."""
    monkeypatch.delenv(crypto.ENV)
    monkeypatch.setattr(crypto, "KEY_FILE", tmp_path / "var" / "data_key")
    monkeypatch.setattr(crypto, "_cache", None)
    monkeypatch.setenv("HOTLINE_ENV", "production")
    with pytest.raises(crypto.DataKeyError, match="HOTLINE_ENV=production"):
        crypto.keyring()
    assert not (tmp_path / "var" / "data_key").exists()


def test_stored_dates_and_statuses_stay_readable_for_the_statistics():
    _file("a")
    status, district, created = _raw("SELECT status, district, created_at FROM work_orders")[0]
    assert status == "pending" and district == "铁东区" and created
    assert repository.get_order_by_key("web-a:1") is not None
    with session_scope() as s:
        assert s.execute(select(TranscriptMessage)).first() is None
        s.add(AuditEntry(actor="x", action="y", detail="web-a", at=dt.datetime(2026, 1, 1)))
