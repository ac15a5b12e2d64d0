"""回访 by telephone (鞍山条例第二十一条; 通辽条例第二十条): phone orders and chat follow-ups left
unanswered go to the agents' call-back list; each call is recorded; three calls nobody answered
end the follow-up as unanswered, never as satisfied."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.orders import callbacks, lifecycle
from bot.orders.lifecycle import LifecycleError
from bot.profile import load_profile
from bot.store import repository

P = load_profile("anshan")
UNIT = "市城市管理综合行政执法局"


def closed_order(key: str, channel: str = "phone", phone: str | None = "13912345678") -> str:
    req = repository.OrderRequest(request_type="投诉", content="小区门口占道经营，车辆无法通行", address="铁东区胜利路",
                                  district="铁东区", name="王丽", phone=phone, confidential=False, wants_reply=True,
                                  channel=channel, sender_id=f"{channel}-{key}", idempotency_key=key)
    number = repository.file_order(req, P)[0].number
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    lifecycle.close(number, UNIT, "已劝离占道摊贩")
    lifecycle.review_close(number, "console:boss", True)
    return number


def listed(now: dt.datetime | None = None) -> dict[str, dict]:
    return {row["number"]: row for row in callbacks.due(P, now)}


def test_a_phone_order_is_called_back_as_soon_as_it_is_closed_tongliao_article_20():
    number = closed_order("p1")
    row = listed()[number]
    assert (row["phone"], row["name"], row["attempts"], row["max_attempts"]) == ("13912345678", "王丽", 0, 3)
    assert row["reason"] == "电话受理，电话回访" and row["result"] == "已劝离占道摊贩"


def test_a_chat_order_joins_the_list_only_when_its_follow_up_goes_unanswered():
    number = closed_order("w1", channel="web")
    assert number not in listed()  # the citizen may still answer in the chat
    later = listed(dt.datetime.utcnow() + dt.timedelta(hours=P.callback_after_hours + 1))
    assert later[number]["reason"] == "线上回访48小时未答复"
    lifecycle.rate(number, "满意", None, P)  # answered in the chat after all
    assert number not in listed(dt.datetime.utcnow() + dt.timedelta(hours=P.callback_after_hours + 1))


def test_an_order_without_a_phone_cannot_be_called():
    assert closed_order("w2", channel="web", phone=None) not in listed(dt.datetime.utcnow() + dt.timedelta(days=3))


def test_three_calls_nobody_answers_end_the_follow_up_as_unanswered_never_satisfied():
    number = closed_order("p2")
    first = callbacks.record(number, "console:wangli", "no_answer", P)
    assert (first.attempts, first.finished) == (1, False) and listed()[number]["attempts"] == 1
    assert "第1次电话回访：无人接听" in listed()[number]["last_attempt"]
    callbacks.record(number, "console:wangli", "busy", P, note="下午再打")
    third = callbacks.record(number, "console:wangli", "unreachable", P)
    assert (third.attempts, third.finished, third.rating) == (3, True, None)
    assert number not in listed()
    order = repository.get_order(number)
    assert order.rating is None and order.status == "closed"  # not counted as satisfied
    kinds = [h["kind"] for h in lifecycle.history(number)]
    assert kinds.count("callback") == 3 and kinds[-1] == "callback_unreached"
    with pytest.raises(LifecycleError) as over:
        callbacks.record(number, "console:wangli", "answered", P, rating="满意")
    assert over.value.code == "bad_state"


def test_an_answered_call_records_the_rating_and_dissatisfaction_reopens_the_order():
    number = closed_order("p3")
    with pytest.raises(LifecycleError) as no_rating:
        callbacks.record(number, "console:wangli", "answered", P)
    assert no_rating.value.code == "bad_rating"
    callbacks.record(number, "console:wangli", "no_answer", P)
    done = callbacks.record(number, "console:wangli", "answered", P, rating="不满意", reason="摊贩第二天又回来了")
    assert (done.attempts, done.finished, done.rating, done.reopened) == (2, True, "不满意", True)
    order = repository.get_order(number)
    assert (order.status, order.rating, order.rating_reason) == ("dispatched", "不满意", "摊贩第二天又回来了")
    assert number not in listed()
    # Closed again after the unit's second try: followed up afresh, the earlier calls not counted.
    lifecycle.close(number, UNIT, "已安排每日巡查")
    lifecycle.review_close(number, "console:boss", True)
    order = repository.get_order(number)
    assert order.rating == "不满意"  # the rating stays until the citizen gives a new one: not on the list
    assert number not in listed()


def test_a_citizen_who_declines_to_rate_or_a_wrong_number_ends_the_follow_up():
    declined, wrong = closed_order("p4"), closed_order("p5")
    assert callbacks.record(declined, "console:wangli", "declined", P).finished
    assert callbacks.record(wrong, "console:wangli", "wrong_number", P).finished
    assert declined not in listed() and wrong not in listed()
    assert lifecycle.history(declined)[-1]["kind"] == "callback_declined"
    assert lifecycle.history(wrong)[-1]["note"].startswith("号码错误")


@pytest.mark.parametrize("outcome", ["", "satisfied", "<script>", "no_answer" * 100])
def test_a_call_without_a_known_outcome_is_refused(outcome):
    number = closed_order("p6")
    with pytest.raises(LifecycleError) as bad:
        callbacks.record(number, "console:wangli", outcome, P)
    assert bad.value.code == "bad_outcome" and listed()[number]["attempts"] == 0


def test_an_open_order_is_not_called_back():
    req = repository.OrderRequest(request_type="咨询", content="低保怎么申请", address=None, district=None, name="李四",
                                  phone="13800000000", confidential=False, wants_reply=True, channel="phone",
                                  sender_id=None, idempotency_key="p7")
    number = repository.file_order(req, P)[0].number
    assert number not in listed()
    with pytest.raises(LifecycleError) as early:
        callbacks.record(number, "console:wangli", "no_answer", P)
    assert early.value.code == "bad_state"


def test_an_order_waiting_too_long_for_a_dispatcher_is_flagged():
    """及时派单 (通辽条例第十六条第一项): pending beyond the profile's hours is flagged, the oldest first."""
    from bot.orders import views
    from bot.store.db import session_scope
    from bot.store.models import WorkOrder

    fresh, old = (repository.file_order(repository.OrderRequest(
        request_type="投诉", content=text, address=None, district=None, name=None, phone=None, confidential=False,
        wants_reply=True, channel="web", sender_id=f"web-{key}", idempotency_key=key), P)[0].number
        for key, text in (("d1", "路灯不亮"), ("d2", "井盖丢了")))
    with session_scope() as s:
        s.query(WorkOrder).filter_by(number=old).one().created_at -= dt.timedelta(hours=P.dispatch_within_hours + 1)
    rows = {r["number"]: r for r in views.pending_orders(P)}
    assert rows[old]["waiting_too_long"] and not rows[fresh]["waiting_too_long"]
    assert [r["number"] for r in views.pending_orders(P)][:2] == [old, fresh]
