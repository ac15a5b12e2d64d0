"""The work-order store: numbering, idempotent filing, repeats, alerts, handoffs."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from bot.profile import load_profile
from bot.store import alerts, handoffs
from bot.store import repository as repo
from bot.store.db import get_engine, session_scope
from bot.store.models import WorkOrderEvent

P = load_profile("anshan")


def request(key: str, **kw) -> repo.OrderRequest:
    base = dict(
        request_type="投诉", content="胜利南路25号楼下烧烤店营业到凌晨，噪音油烟太大", address="铁东区胜利南路25号楼下",
        district="铁东区", name="王建国", phone="13898765432", confidential=False, wants_reply=True,
        channel="rest", sender_id="citizen-1", idempotency_key=key,
    )
    base.update(kw)
    return repo.OrderRequest(**base)


def test_number_is_readable_and_sequential():
    a, created = repo.file_order(request("k1"), P)
    b, _ = repo.file_order(request("k2", content="另一件事：路灯坏了一个月"), P)
    assert created
    today = repo.local_now().strftime("%Y%m%d")
    assert a.number == f"AS-{today}-0001"
    assert b.number == f"AS-{today}-0002"
    assert a.deadline > a.created_at.date()
    assert a.status == "pending"


def test_filing_is_idempotent():
    a, first = repo.file_order(request("same"), P)
    b, second = repo.file_order(request("same"), P)
    assert first and not second
    assert a.number == b.number
    with session_scope() as s:
        assert s.query(WorkOrderEvent).count() == 1


def test_concurrent_retries_make_one_order():
    results: list[str] = []

    def file():
        order, _ = repo.file_order(request("race"), P)
        results.append(order.number)

    threads = [threading.Thread(target=file) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1


def test_concurrent_filings_get_distinct_numbers():
    numbers: list[str] = []

    def file(i: int) -> None:
        order, _ = repo.file_order(request(f"many-{i}"), P)
        numbers.append(order.number)

    threads = [threading.Thread(target=file, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 12 and len(set(numbers)) == 12


def test_lookup_by_any_spelling_of_the_number():
    order, _ = repo.file_order(request("k"), P)
    day = order.number.split("-")[1]
    for spelling in (order.number, order.number.lower(), f"AS{day}0001", f"as {day} 1".replace(" 1", " 0001")):
        assert repo.get_order(spelling).number == order.number
    assert repo.get_order("AS-19990101-0001") is None


def test_public_view_has_no_personal_data():
    order, _ = repo.file_order(request("k"), P)
    view = repo.public_view(order).as_dict()
    assert "13898765432" not in str(view) and "王建国" not in str(view)
    assert view["status_label"] == "已受理，待派单"  # the filing reply said 「已受理」: the lookup agrees


def test_repeat_of_open_request_is_found():
    order, _ = repo.file_order(request("k"), P)
    same = repo.find_open_repeat("citizen-1", None, "铁东区胜利南路烧烤店噪音油烟太大了，天天到凌晨", "铁东区胜利南路25号楼下")
    assert same is not None and same.number == order.number
    by_phone = repo.find_open_repeat("other-channel", "13898765432", "胜利南路25号楼下烧烤店噪音油烟", None)
    assert by_phone is not None
    assert repo.find_open_repeat("citizen-1", None, "社保卡丢了怎么补办", None) is None
    assert repo.find_open_repeat("someone-else", "13900000000", order.content, order.address) is None


def test_emergency_alert_and_handoff_recorded():
    recorded = alerts.record("c9", "rest", "楼道着火了", "fire", ["119"])
    assert recorded.new and alerts.listing("open")[0]["numbers"] == ["119"]
    h1 = handoffs.request_handoff("c9", "rest", "citizen_request")
    h2 = handoffs.request_handoff("c9", "rest", "citizen_request")
    assert h1.id == h2.id and len(handoffs.waiting_handoffs()) == 1


def test_an_agent_answered_directly_only_when_they_held_the_conversation_and_no_order_was_filed():
    """研判's 直接答复（坐席）: ended by the agent who held it, nothing filed since it came to a person;
    the row says the channel and why, nothing of who."""
    from bot.console import accounts
    from bot.store import answers
    from bot.store.models import DirectAnswer, HandoffStatus

    agent = accounts.create_agent("wangli", "王丽", "agent", "long-enough-1")
    repo.file_order(request("before", sender_id="wechat-o1"), P)  # filed before the citizen asked for a person
    talked = handoffs.request_handoff("wechat-o1", "wechat", "angry")
    assert handoffs.claim_handoff(talked.id, agent.id)
    assert not answers.agent_answered(talked.id)  # still held: not ended
    assert handoffs.end_handoff(talked.id, HandoffStatus.CLOSED, agent.id)
    assert answers.agent_answered(talked.id)
    filed = handoffs.request_handoff("web-o2", "web", "citizen_request")
    assert handoffs.claim_handoff(filed.id, agent.id)
    repo.file_order(request("during", sender_id="web-o2"), P)  # the agent filed its order
    assert handoffs.end_handoff(filed.id, HandoffStatus.RETURNED, agent.id)
    assert not answers.agent_answered(filed.id)
    nobody = handoffs.request_handoff("web-o3", "web", "citizen_request")  # nobody online: given back unheld
    assert handoffs.end_handoff(nobody.id, HandoffStatus.RETURNED)
    assert not answers.agent_answered(nobody.id) and not answers.agent_answered(10_000)
    with session_scope() as s:
        rows = [(r.kind, r.channel, r.reason, r.article) for r in s.query(DirectAnswer)]
    assert rows == [("agent", "wechat", "angry", None)]


def test_sqlite_uses_wal():
    if not get_engine().url.drivername.startswith("sqlite"):
        pytest.skip("a SQLite setting")
    repo.get_order("AS-20260101-0001")
    with get_engine().connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_deadline_counts_working_days():
    order, _ = repo.file_order(request("k"), P)
    created = order.created_at.date()
    assert (order.deadline - created) >= dt.timedelta(days=5)


def test_undelivered_replies_are_claimed_by_one_sender_only():
    """The request's own answer and the loop pushing kept answers may look at once: each reply
    goes out once, and one given back after a failed push is sent again later."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.store import transcript

    ids = [transcript.add("web-race", "web", "bot", f"答复{i}", delivered=False) for i in range(20)]
    with ThreadPoolExecutor(4) as pool:
        claims = list(pool.map(lambda _: transcript.claim_undelivered("web-race"), range(4)))
    taken = [e.id for claim in claims for e in claim]
    assert sorted(taken) == ids
    transcript.unclaim(ids[:2])
    assert [e.id for e in transcript.claim_undelivered("web-race")] == ids[:2]


def test_a_busy_notice_is_kept_only_while_the_message_waits_for_its_answer():
    """The notice and the answer race for the same message from two threads, many times: the
    notice is kept before the answer or not at all, never after it."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.store import transcript

    for i in range(30):
        sender = f"web-slow-{i}"
        msg = transcript.add(sender, "web", "citizen", "路灯坏了", status="pending")
        with ThreadPoolExecutor(2) as pool:
            notice = pool.submit(transcript.add_while_pending, msg, sender, "web", "system", "系统繁忙")
            answer = pool.submit(transcript.answer, msg, sender, "web", [("请问地址？", {})])
            notice.result(), answer.result()
        said = [(e.author, e.status) for e in transcript.history(sender)]
        assert said in ([("citizen", "sent"), ("system", "sent"), ("bot", "sent")],
                        [("citizen", "sent"), ("bot", "sent")]), said
    answered = transcript.add("web-late", "web", "citizen", "路灯坏了", status="pending")
    transcript.answer(answered, "web-late", "web", [("请问地址？", {})])
    assert transcript.add_while_pending(answered, "web-late", "web", "system", "系统繁忙") is None
