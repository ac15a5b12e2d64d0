"""Retention (issue 24): personal data leaves the store when the profile says, in resumable
batches; a citizen's request to see or erase their data is a staff command with an audit entry."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from sqlalchemy import select

from bot.orders import lifecycle, retention
from bot.profile import load_profile
from bot.store import attachments, repository, transcript
from bot.store.db import session_scope
from bot.store.models import (
    Attachment,
    AuditEntry,
    EmergencyAlert,
    TranscriptMessage,
    WorkOrder,
    utcnow,
)

P = load_profile("anshan")
UNIT = "市生态环境局"
PHONE = "13912345678"


def _order(key: str, phone: str = PHONE, content: str = "我叫王丽，小区门口占道经营，电话13912345678，车辆无法通行") -> str:
    req = repository.OrderRequest(request_type="投诉", content=content, address="铁东区胜利街道园林小区3号楼2单元",
                                  district="铁东区", name="王丽", phone=phone, confidential=False,
                                  wants_reply=True, channel="web", sender_id=f"web-{key}", idempotency_key=key)
    number = repository.file_order(req, P)[0].number
    transcript.add(f"web-{key}", "web", "citizen", content)
    return number


def _closed(number: str) -> None:
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    lifecycle.accept(number, UNIT)
    lifecycle.close(number, UNIT, "已联系王丽（13912345678）并清理占道")
    lifecycle.review_close(number, "console:boss", True)


def _attach(key: str, number: str | None, upload_dir, name: str = "a.jpg"):
    path = upload_dir / name
    path.write_bytes(b"\xff\xd8\xff" + key.encode())
    att, _ = attachments.add_attachment(f"web-{key}", "web", name, "image/jpeg", 4, key * 8, str(path))
    if number:
        with session_scope() as s:
            order = s.execute(select(WorkOrder).where(WorkOrder.number == number)).scalar_one()
            s.get(Attachment, att.id).order_id = order.id
    return path


def _later(days: int) -> dt.datetime:
    return utcnow() + dt.timedelta(days=days)


def test_a_closed_order_keeps_its_matter_and_loses_its_citizen_after_the_profiles_days(tmp_path):
    number = _order("r1")
    _closed(number)
    photo = _attach("r1", number, tmp_path)
    assert retention.run_once(P, now=_later(364), upload_dir=tmp_path).orders == 0  # not yet
    done = retention.run_once(P, now=_later(366), upload_dir=tmp_path)
    assert done.orders == 1 and done.attachments == 1 and not photo.exists()
    order = repository.get_order(number)
    assert order.name is None and order.phone is None and order.sender_id is None and order.anonymised_at
    assert order.address == "铁东区胜利街道"  # where, not whose door
    assert "王丽" not in order.content and PHONE not in order.content and "占道经营" in order.content
    assert PHONE not in (order.result or "") and "清理占道" in order.result
    with session_scope() as s:
        notes = [e.note or "" for e in s.execute(select(WorkOrder).where(WorkOrder.number == number)).scalar_one().events]
    assert notes and all(PHONE not in n and "王丽" not in n for n in notes)
    assert order.request_type == "投诉" and order.unit == UNIT and order.status == "closed"  # the statistics stay
    with session_scope() as s:
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "anonymise",
                                                  AuditEntry.order_number == number)).scalar_one()
    assert retention.run_once(P, now=_later(400), upload_dir=tmp_path).orders == 0  # done once


def test_open_orders_and_their_conversations_are_kept(tmp_path):
    number = _order("r2")
    done = retention.run_once(P, now=_later(1000), upload_dir=tmp_path)
    assert done.orders == 0 and done.conversations == 0
    assert repository.get_order(number).phone == PHONE and transcript.history("web-r2")


def test_a_conversation_without_an_open_order_goes_after_its_days_with_its_loose_uploads(tmp_path):
    transcript.add("web-chat", "web", "citizen", "我叫李明，电话13800001111，问问社保")
    from bot import desk
    from bot.language import emergency
    alert = desk.raise_alert("web-chat", "web", "我叫李明，家里着火了，电话13800001111",
                             emergency.detect("家里着火了"), emergency.CONFIDENT, P)
    photo = _attach("chat", None, tmp_path, "loose.jpg")
    assert retention.run_once(P, now=_later(179), upload_dir=tmp_path).conversations == 0
    done = retention.run_once(P, now=_later(181), upload_dir=tmp_path)
    assert done.conversations == 1 and done.attachments == 1 and not photo.exists()
    with session_scope() as s:
        assert not s.execute(select(TranscriptMessage).where(TranscriptMessage.sender_id == "web-chat")).first()
        kept = s.get(EmergencyAlert, alert.alert_id)
        assert kept.sender_id is None and "13800001111" not in kept.text and "着火" in kept.text

def test_a_round_is_batched_and_resumes(tmp_path):
    numbers = [_order(f"b{i}", phone=f"1391234{i:04d}") for i in range(5)]
    for n in numbers:
        _closed(n)
    first = retention.run_once(P, now=_later(366), batch=2, max_batches=1, upload_dir=tmp_path)
    assert first.orders == 2  # stopped after one batch, as a killed round would be
    rest = retention.run_once(P, now=_later(366), batch=2, upload_dir=tmp_path)
    assert rest.orders == 3 and all(repository.get_order(n).phone is None for n in numbers)


def test_the_profile_sets_the_days_and_bad_values_fall_back():
    assert retention.Policy.of(P) == retention.Policy(365, 180)
    import dataclasses
    odd = dataclasses.replace(P, retention={"personal_days_after_close": "一年", "conversation_days": 30})
    assert retention.Policy.of(odd) == retention.Policy(365, 30)


def test_rasas_copy_of_the_conversation_goes_too(tmp_path, monkeypatch):
    tracker = tmp_path / "tracker.db"
    with sqlite3.connect(tracker) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
        db.executemany("INSERT INTO events (sender_id, data) VALUES (?, ?)",
                       [("web-gone", json.dumps({"text": "电话13800001111"})), ("web-other", "{}")])
    monkeypatch.setenv("HOTLINE_TRACKER_DB_URL", f"sqlite:///{tracker}")
    transcript.add("web-gone", "web", "citizen", "电话13800001111")
    assert retention.run_once(P, now=_later(200), upload_dir=tmp_path).tracker_events == 1
    with sqlite3.connect(tracker) as db:
        assert [r[0] for r in db.execute("SELECT sender_id FROM events")] == ["web-other"]


def test_a_citizens_request_to_see_and_to_erase_their_data_is_audited(tmp_path, capsys):
    closed, still_open = _order("c1"), _order("c2")
    _closed(closed)
    with pytest.raises(ValueError):
        retention.export(PHONE, None, "console:boss", "  ")  # a reason is required
    seen = retention.export(PHONE, None, "console:boss", "本人来电申请查阅，核对身份证")
    assert {o["number"] for o in seen["orders"]} == {closed, still_open}
    assert set(seen["conversations"]) == {"web-c1", "web-c2"} and seen["conversations"]["web-c1"]
    erased = retention.erase(PHONE, None, "console:boss", "本人书面申请删除", upload_dir=tmp_path)
    assert erased["erased"] == [closed] and erased["kept_open"] == [still_open]
    assert repository.get_order(closed).phone is None and repository.get_order(still_open).phone == PHONE
    assert not transcript.history("web-c1") and transcript.history("web-c2")  # the open one still needs it
    with session_scope() as s:
        actions = [e.action for e in s.execute(select(AuditEntry)).scalars()]
    assert "citizen_export" in actions and actions.count("citizen_erase") == 2
    # The command line says what is wrong and exits non-zero.
    assert retention.main(["export", "--reason", "x"]) == 2
    assert "phone or conversation" in capsys.readouterr().err
    assert retention.main(["erase", "--phone", PHONE, "--reason", "本人申请"]) == 0
    assert json.loads(capsys.readouterr().out)["kept_open"] == [still_open]


def test_one_gateway_a_round(tmp_path):
    from bot.store.shared import DatabaseStore

    _closed(_order("g1"))
    store = DatabaseStore()
    assert retention.scheduled_round(store, P, tmp_path, 3600).orders == 0  # nothing due yet
    assert not store.add(retention.LOCK, "1", 10)  # the round holds the period: another gateway skips it
