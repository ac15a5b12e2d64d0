"""The life of a work order: dispatch, accept, return within its window, review, extension under
the cap, close, termination after review, 督办 across a holiday, and the history kept whole."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import update

from bot.orders import lifecycle
from bot.orders.lifecycle import LifecycleError
from bot.profile import load_profile
from bot.store import attachments, notices, repository
from bot.store.db import session_scope
from bot.store.models import AuditEntry, WorkOrder

P = load_profile("anshan")
CN = dt.timezone(dt.timedelta(hours=8))
UNIT, OTHER = "市城市管理综合行政执法局", "市住房和城乡建设局"


def at(day: str, hour: int = 10) -> dt.datetime:
    """A moment in China time, as the UTC the store keeps."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CN).astimezone(dt.timezone.utc).replace(tzinfo=None)


def new_order(key: str = "k1", request_type: str = "投诉", confidential: bool = False) -> str:
    req = repository.OrderRequest(request_type=request_type, content="小区门口占道经营，车辆无法通行", address="铁东区胜利路",
                                  district="铁东区", name="王丽", phone="13912345678", confidential=confidential,
                                  wants_reply=True, channel="web", sender_id=f"web-{key}", idempotency_key=key)
    return repository.file_order(req, P)[0].number


def closed_after_review(number: str, result: str, unit: str = UNIT) -> lifecycle.Change:
    """The unit's 办结 and the hotline's approval (鞍山条例第十八条)."""
    lifecycle.close(number, unit, result)
    return lifecycle.review_close(number, "console:boss", True)


def test_the_whole_life_with_every_step_recorded():
    number = new_order()
    change = lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-23"))
    assert change.status == "dispatched" and change.deadline == dt.date(2026, 11, 30)  # 5 working days
    assert lifecycle.accept(number, UNIT).status == "in_progress"
    asked = lifecycle.extend(number, UNIT, "需要协调多个部门现场核查", 5, P, now=at("2026-11-27"))
    assert asked.deadline == dt.date(2026, 11, 30)  # not before the hotline approves it
    extended = lifecycle.review_extension(number, "staff:值班长", True, P)
    assert extended.deadline == dt.date(2026, 12, 7) and extended.status == "in_progress"
    answered = lifecycle.close(number, UNIT, "已责令商户退回店内经营，道路已畅通")
    assert answered.status == "reviewing" and repository.get_order(number).result.startswith("已责令")
    closed = lifecycle.review_close(number, "console:boss", True)
    assert closed.status == "closed"
    steps = [(h["kind"], h["from"], h["to"], h["actor"]) for h in lifecycle.history(number)]
    assert steps == [("status", None, "pending", "bot"), ("status", "pending", "dispatched", "staff:派单员"),
                     ("status", "dispatched", "in_progress", UNIT),
                     ("extension_requested", "in_progress", "in_progress", UNIT),
                     ("extension", "in_progress", "in_progress", "staff:值班长"),
                     ("status", "in_progress", "reviewing", UNIT), ("status", "reviewing", "closed", "console:boss")]
    with pytest.raises(LifecycleError) as again:
        lifecycle.close(number, UNIT, "再办结一次试试")
    assert again.value.code == "bad_state"


def test_only_the_unit_it_was_sent_to_can_act_and_reasons_are_required():
    number = new_order("k2")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    with pytest.raises(LifecycleError) as other:
        lifecycle.accept(number, OTHER)
    assert other.value.code == "not_yours"
    with pytest.raises(LifecycleError) as empty:
        lifecycle.return_order(number, UNIT, "  ")
    assert empty.value.code == "reason_required" and "理由" in empty.value.message
    with pytest.raises(LifecycleError):
        lifecycle.dispatch("AS-20990101-0001", UNIT, "staff:派单员", P)


def test_return_within_one_working_day_then_review():
    number = new_order("k3")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-27"))  # a Friday
    # Monday is the first working day after: still in time.
    lifecycle.return_order(number, UNIT, "该路段属于住建部门管理的在建工程范围", now=at("2026-11-30"))
    changed = lifecycle.review_return(number, "staff:值班长", True, P, new_unit=OTHER, now=at("2026-11-30"))
    assert changed.unit == OTHER and changed.status == "dispatched"
    # The new unit is too late on the third working day; a complex matter has two.
    with pytest.raises(LifecycleError) as late:
        lifecycle.return_order(number, OTHER, "不属于本单位职责范围", now=at("2026-12-03"))
    assert late.value.code == "too_late"
    lifecycle.return_order(number, OTHER, "职责交叉需会商确定", complex_matter=True, now=at("2026-12-02"))
    refused = lifecycle.review_return(number, "staff:值班长", False, P, reason="经核实属于住建部门职责")
    assert refused.status == "dispatched" and refused.unit == OTHER


def test_the_return_window_is_the_profiles():
    number = new_order("k3w")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-27"))  # a Friday
    longer = dataclasses.replace(P, return_working_days=(3, 5))
    with pytest.raises(LifecycleError):  # the third working day: too late by the default window
        lifecycle.return_order(number, UNIT, "不属于本单位职责范围", profile=P, now=at("2026-12-02"))
    lifecycle.return_order(number, UNIT, "不属于本单位职责范围", profile=longer, now=at("2026-12-02"))


def test_extensions_stop_at_two_months_and_must_come_before_the_deadline():
    number = new_order("k4")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-23"))
    first = repository.get_order(number).deadline
    total = first
    for _ in range(2):
        lifecycle.extend(number, UNIT, "涉及多个产权单位协调", 20, P, now=at("2026-11-24"))
        total = lifecycle.review_extension(number, "staff:值班长", True, P).deadline
    assert total > first
    with pytest.raises(LifecycleError) as cap:
        lifecycle.extend(number, UNIT, "还需要再协调", 20, P, now=at("2026-11-24"))
    assert cap.value.code == "over_cap" and "2个月" in cap.value.message
    late = new_order("k5")
    lifecycle.dispatch(late, UNIT, "staff:派单员", P, now=at("2026-11-23"))
    with pytest.raises(LifecycleError) as after:
        lifecycle.extend(late, UNIT, "来不及了需要延期", 3, P, now=at("2026-12-10"))
    assert after.value.code == "too_late"


def test_an_extension_is_approved_by_the_hotline_and_the_citizen_told_the_new_date_anshan_2026_article_17():
    """鞍山条例第十七条: the unit asks within its deadline; the hotline approves (the citizen hears
    the new date) or refuses with a reason (the deadline stands); one request at a time; the
    two-month cap counts from the day the hotline received the request."""
    number = new_order("e1")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-23"))
    deadline = repository.get_order(number).deadline
    with pytest.raises(LifecycleError):
        lifecycle.review_extension(number, "staff:值班长", True, P)  # nothing asked
    lifecycle.extend(number, UNIT, "需要等待产权单位出具鉴定报告", 5, P, now=at("2026-11-24"))
    with pytest.raises(LifecycleError) as twice:
        lifecycle.extend(number, UNIT, "再申请一次延期试试", 3, P, now=at("2026-11-24"))
    assert twice.value.code == "bad_state"
    [asked] = lifecycle.extensions_to_review()
    assert (asked["number"], asked["reason"], asked["requested_deadline"]) == \
        (number, "需要等待产权单位出具鉴定报告", "2026-12-07")
    with pytest.raises(LifecycleError) as no_reason:
        lifecycle.review_extension(number, "staff:值班长", False, P, "")
    assert no_reason.value.code == "reason_required"
    refused = lifecycle.review_extension(number, "staff:值班长", False, P, "鉴定可在时限内完成，请按期办结")
    assert refused.deadline == deadline and lifecycle.extensions_to_review() == []
    since = dt.datetime(2000, 1, 1)
    told = {n.event_id for n in notices.unnotified_changes(None, since)}
    lifecycle.extend(number, UNIT, "产权单位确认需要十个工作日鉴定", 5, P, now=at("2026-11-25"))
    assert [n for n in notices.unnotified_changes(None, since) if n.event_id not in told] == []  # a request: not told
    approved = lifecycle.review_extension(number, "staff:值班长", True, P)
    assert approved.deadline == dt.date(2026, 12, 7)
    [notice] = [n for n in notices.unnotified_changes(None, since) if n.event_id not in told]
    assert notice.kind == "extension" and "2026年12月07日" in notice.note and "鉴定" in notice.note
    with session_scope() as s:
        order = s.query(WorkOrder).filter_by(number=number).one()
        cap = lifecycle._cap(order, P)
    received = lifecycle.china_today(repository.get_order(number).created_at.replace(tzinfo=dt.timezone.utc))
    assert cap == lifecycle._add_months(received, 2)


def test_termination_needs_evidence_and_the_hotlines_review():
    number = new_order("k6")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    with pytest.raises(LifecycleError):
        lifecycle.review_termination(number, "staff:值班长", True, "没有申请也想终止")
    asked = lifecycle.request_termination(number, UNIT, "11月24日、25日三次拨打13912345678均无人接听，短信未回复")
    assert asked.status == "dispatched"  # still open until reviewed
    done = lifecycle.review_termination(number, "staff:值班长", True, "通话记录截图已核实")
    assert done.status == "terminated"


def test_overdue_orders_listed_for_supervision_across_the_national_day_holiday():
    number = new_order("k7")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-09-30"))
    order = repository.get_order(number)
    assert order.deadline == dt.date(2026, 10, 13)  # 10/1-10/7 are holidays, 10/10 a make-up workday
    assert lifecycle.overdue(dt.date(2026, 10, 9)) == []  # three working days left
    soon = lifecycle.overdue(dt.date(2026, 10, 12))
    assert [o["number"] for o in soon] == [number] and not soon[0]["overdue"]
    late = lifecycle.overdue(dt.date(2026, 10, 15))
    assert late[0]["overdue"] and late[0]["working_days_over"] == 2
    lifecycle.accept(number, UNIT)
    lifecycle.close(number, UNIT, "已现场处理完毕")
    assert lifecycle.overdue(dt.date(2026, 10, 15)) == []


def test_audit_entries_are_appended():
    lifecycle.audit("staff:值班长", "read_order", "AS-20261123-0001")
    with session_scope() as s:
        [entry] = s.query(AuditEntry).all()
    assert (entry.actor, entry.action, entry.order_number) == ("staff:值班长", "read_order", "AS-20261123-0001")


@pytest.mark.parametrize("text, expected", [
    ("满意", ("满意", None)), ("非常满意！", ("满意", None)), ("基本满意", ("基本满意", None)), ("一般", ("基本满意", None)),
    ("不满意，油烟还是很大", ("不满意", "油烟还是很大")), ("不满意 根本没人来", ("不满意", "根本没人来")),
    ("5星", ("满意", None)), ("三星", ("基本满意", None)), ("1", ("不满意", None)),
])
def test_ratings_as_citizens_give_them(text, expected):
    assert lifecycle.parse_rating(text) == expected


@pytest.mark.parametrize("text", ["满意度是怎么算的", "满意吗", "我想投诉", "不满", "", "楼下烧烤店又开始了"])
def test_what_is_not_a_rating(text):
    assert lifecycle.parse_rating(text) is None


def test_dissatisfied_with_a_reason_reopens_once_then_goes_to_the_supervisor():
    number = new_order("k8")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    closed_after_review(number, "已劝离摊贩")
    with pytest.raises(LifecycleError):
        lifecycle.rate(number, "很好", None, P)
    first = lifecycle.rate(number, "不满意", "第二天摊贩又回来了", P)
    assert first.reopened and repository.get_order(number).status == "dispatched"
    with pytest.raises(LifecycleError):  # not closed: nothing to rate
        lifecycle.rate(number, "满意", None, P)
    closed_after_review(number, "已安排每日巡查")
    second = lifecycle.rate(number, "不满意", "还是有", P)
    assert not second.reopened and second.to_supervisor and repository.get_order(number).status == "closed"
    kinds = [h["kind"] for h in lifecycle.history(number)]
    assert kinds.count("rating") == 2 and "dissatisfied_review" in kinds


def test_the_supervisors_queues_hold_what_waits_for_a_decision_and_empty_when_decided():
    returned, ending, rated = new_order("q1"), new_order("q2"), new_order("q3")
    for number in (returned, ending, rated):
        lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    lifecycle.return_order(returned, UNIT, "占道经营属于街道办事处管辖")
    lifecycle.request_termination(ending, UNIT, "三次拨打市民电话均无人接听，短信未回复")
    closed_after_review(rated, "已劝离占道摊贩")
    lifecycle.rate(rated, "不满意", None, P)  # no reason: the hotline decides

    [r] = lifecycle.returns_to_review()
    assert (r["number"], r["unit"], r["reason"]) == (returned, UNIT, "占道经营属于街道办事处管辖")
    [t] = lifecycle.terminations_to_review()
    assert t["number"] == ending and "无人接听" in t["evidence"]
    [d] = lifecycle.dissatisfied_to_review()
    assert d["number"] == rated and d["rating"] == "不满意"

    lifecycle.review_return(returned, "console:boss", True, P, OTHER)
    lifecycle.review_termination(ending, "console:boss", False, "请再上门核实一次")
    with pytest.raises(LifecycleError):  # refused: a new request is needed before another review
        lifecycle.review_termination(ending, "console:boss", True, "改主意了")
    again = lifecycle.review_rating(rated, "console:boss", True, P, OTHER, "市民反映摊贩仍在，改由住建局处理")
    assert again.status == "dispatched" and again.unit == OTHER
    assert lifecycle.returns_to_review() == lifecycle.terminations_to_review() == lifecycle.dissatisfied_to_review() == []
    with pytest.raises(LifecycleError):
        lifecycle.review_rating(rated, "console:boss", False, P, reason="已经处理过了")


def test_keeping_a_dissatisfied_order_closed_needs_a_reason_and_is_recorded():
    number = new_order("q4")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    closed_after_review(number, "已答复政策")
    lifecycle.rate(number, "不满意", None, P)
    with pytest.raises(LifecycleError):
        lifecycle.review_rating(number, "console:boss", False, P, reason="")
    kept = lifecycle.review_rating(number, "console:boss", False, P, reason="已按政策答复，诉求超出政策范围")
    assert kept.status == "closed"
    assert lifecycle.history(number)[-1]["kind"] == "rating_reviewed"


def test_a_units_close_is_reviewed_before_the_order_is_closed_anshan_2026_article_18():
    """鞍山条例第十八条: the hotline reviews a unit's 办结; what does not meet the standard goes back
    to the unit (its deadline running as before), and every send-back is counted."""
    number = new_order("r1")
    first_deadline = lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-23")).deadline
    lifecycle.accept(number, UNIT)
    assert lifecycle.close(number, UNIT, "已现场处理").status == "reviewing"
    with pytest.raises(LifecycleError):  # not closed yet: nothing to rate
        lifecycle.rate(number, "满意", None, P)
    with pytest.raises(LifecycleError):  # the unit cannot act on it while it is reviewed
        lifecycle.close(number, UNIT, "再提交一次办结")
    [waiting] = lifecycle.closings_to_review()
    assert (waiting["number"], waiting["result"], waiting["sent_back"]) == (number, "已现场处理", 0)
    with pytest.raises(LifecycleError) as no_reason:
        lifecycle.review_close(number, "console:boss", False, " ")
    assert no_reason.value.code == "reason_required"

    back = lifecycle.review_close(number, "console:boss", False, "未说明现场核查情况，也未联系市民")
    assert back.status == "in_progress" and back.deadline == first_deadline  # the clock was not reset
    assert repository.get_order(number).result is None and lifecycle.closings_to_review() == []
    lifecycle.close(number, UNIT, "经现场核查，已责令商户退回店内经营，已电话告知市民")
    [again] = lifecycle.closings_to_review()
    assert again["sent_back"] == 1
    lifecycle.review_close(number, "console:boss", False, "市民反映仍有占道，请复查")
    lifecycle.close(number, UNIT, "复查确认已无占道经营，已安排每日巡查")
    assert lifecycle.closings_to_review()[0]["sent_back"] == 2
    done = lifecycle.review_close(number, "console:boss", True, "过程和结果清楚")
    assert done.status == "closed" and lifecycle.closings_to_review() == []
    with pytest.raises(LifecycleError):
        lifecycle.review_close(number, "console:boss", True)
    assert lifecycle.rate(number, "满意", None, P).rating == "满意"


def test_an_order_in_review_is_open_but_not_overdue_for_the_unit():
    number = new_order("r2")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-23"))
    lifecycle.close(number, UNIT, "已现场处理完毕")
    assert repository.get_order(number).status in lifecycle.OPEN_STATUSES
    assert lifecycle.overdue(dt.date(2026, 12, 20)) == []


def test_the_citizen_hears_the_result_only_after_the_review_approves_it():
    number = new_order("r3")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    since = dt.datetime(2000, 1, 1)
    told = {n.event_id for n in notices.unnotified_changes(None, since)}
    lifecycle.close(number, UNIT, "已现场处理")
    lifecycle.review_close(number, "console:boss", False, "结果没有写清楚")
    lifecycle.close(number, UNIT, "已责令商户退回店内经营，道路已畅通")
    assert [n.status for n in notices.unnotified_changes(None, since) if n.event_id not in told] == []
    lifecycle.review_close(number, "console:boss", True)
    [notice] = [n for n in notices.unnotified_changes(None, since) if n.event_id not in told]
    assert notice.status == "closed" and notice.result.startswith("已责令商户")


def test_the_audit_log_reads_newest_first_by_order_or_actor():
    lifecycle.audit("staff:值班长", "read_order", "AS-1")
    lifecycle.audit("市生态环境局/eco", "list_orders", None, "AS-1,AS-2")
    lifecycle.audit("staff:值班长", "dispatch", "AS-2")
    assert [e["action"] for e in lifecycle.audit_entries()] == ["dispatch", "list_orders", "read_order"]
    assert [e["action"] for e in lifecycle.audit_entries(number="AS-2")] == ["dispatch"]
    assert [e["actor"] for e in lifecycle.audit_entries(actor="生态")] == ["市生态环境局/eco"]
    assert [e["action"] for e in lifecycle.audit_entries(number=" AS-2 ")] == ["dispatch"]  # as typed
    assert lifecycle.audit_entries(actor="\x00") == []


def test_the_audit_log_by_citizen_shows_who_read_their_orders_and_conversations():
    mine, other = new_order("cit-1"), new_order("cit-2")
    with session_scope() as s:
        s.execute(update(WorkOrder).where(WorkOrder.number == other).values(phone="13800001111"))
    lifecycle.audit("staff:值班长", "read_order", mine)
    lifecycle.audit("console:agent1", "read_conversation", None, "web-cit-1")
    lifecycle.audit("console:agent1", "read_conversation", None, "web-cit-2")
    lifecycle.audit("staff:值班长", "read_order", other)
    by_phone = lifecycle.audit_entries(citizen="13912345678")
    assert [(e["actor"], e["order_number"] or e["detail"]) for e in by_phone] == [
        ("console:agent1", "web-cit-1"), ("staff:值班长", mine)]
    assert [e["detail"] for e in lifecycle.audit_entries(citizen="web-cit-2")] == [None, "web-cit-2"]
    assert lifecycle.audit_entries(citizen="13000000000") == []


def test_a_units_list_is_read_in_a_few_queries_whatever_its_length():
    from sqlalchemy import event

    from bot.orders import views as order_views
    from bot.store.db import get_engine

    numbers = [new_order(f"list-{i}", confidential=i == 2) for i in range(8)]
    for n in numbers:
        lifecycle.dispatch(n, UNIT, "staff:派单员", P, now=at("2026-11-23"))
    lifecycle.accept(numbers[0], UNIT)
    attachments.add_attachment("web-list-1", "web", "照片.jpg", "image/jpeg", 10, "ab" * 32, "/tmp/x.jpg")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        views = order_views.unit_orders(UNIT, None)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sorted(v["number"] for v in views) == sorted(numbers)
    assert len(statements) <= 4  # orders, their events, their attachments: not a query per order
    by_number = {v["number"]: v for v in views}
    assert [a["filename"] for a in by_number[numbers[1]]["attachments"]] == ["照片.jpg"]
    assert by_number[numbers[2]]["channel"] is None and all(v["name"] is None and v["phone"] is None for v in views)


def test_the_history_names_console_users_as_people_read_them():
    from bot.console.accounts import create_agent

    create_agent("zhao5", "赵班长", "supervisor", "a-long-password-2026")
    number = new_order()
    lifecycle.dispatch(number, UNIT, "console:zhao5", P, now=at("2026-11-23"))
    lifecycle.accept(number, UNIT)
    names = [(h["actor"], h["actor_name"]) for h in lifecycle.history(number)]
    assert names == [("bot", None), ("console:zhao5", "热线 赵班长"), (UNIT, None)]


def can_appeal(number: str) -> bool:
    with session_scope() as s:
        return lifecycle.appealable(s.query(WorkOrder).filter_by(number=number).one())


def test_a_unit_may_ask_for_a_dissatisfied_rating_to_be_reviewed_tianjin_article_23():
    """天津办法第二十三条: with a written explanation and evidence; the hotline decides, and the
    decision is recorded (it counts in the unit's evaluation)."""
    number = new_order("a1")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    closed_after_review(number, "已答复：赔偿属民事纠纷，已告知诉讼途径")
    with pytest.raises(LifecycleError):  # nothing to appeal yet
        lifecycle.appeal_rating(number, UNIT, "本单位已依法处理并答复")
    lifecycle.rate(number, "不满意", None, P)  # no reason: the hotline's review queue, not reopened
    assert can_appeal(number)
    with pytest.raises(LifecycleError) as other:
        lifecycle.appeal_rating(number, OTHER, "本单位已依法处理并答复")
    assert other.value.code == "not_yours"
    with pytest.raises(LifecycleError) as short:
        lifecycle.appeal_rating(number, UNIT, "尽责")
    assert short.value.code == "reason_required"
    lifecycle.appeal_rating(number, UNIT, "12月3日现场核查并答复，赔偿诉求属民事纠纷", "现场照片3张、答复录音")
    with pytest.raises(LifecycleError):  # once per rating
        lifecycle.appeal_rating(number, UNIT, "再申请一次复核看看")
    [asked] = lifecycle.appeals_to_review()
    assert asked["number"] == number and "现场照片" in asked["explanation"] and asked["rating"] == "不满意"
    decided = lifecycle.review_appeal(number, "console:boss", True, "核查记录完整，确已尽责")
    assert decided.status == "closed" and lifecycle.appeals_to_review() == []
    assert lifecycle.history(number)[-1]["kind"] == "appeal_upheld"
    with pytest.raises(LifecycleError):
        lifecycle.review_appeal(number, "console:boss", False, "改变主意了")


def test_an_appeal_refused_keeps_the_rating_and_a_new_rating_may_be_appealed_again():
    number = new_order("a2")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    closed_after_review(number, "已劝离摊贩并加强巡查")
    lifecycle.rate(number, "不满意", "摊贩第二天又回来了", P)  # reopened for the unit
    lifecycle.appeal_rating(number, UNIT, "已按规定劝离，摊贩流动性强")
    lifecycle.review_appeal(number, "console:boss", False, "摊贩仍在，未见长效措施")
    assert not can_appeal(number)
    assert lifecycle.history(number)[-1]["kind"] == "appeal_refused"
    closed_after_review(number, "已安排每日早晚巡查，摊贩已不再出现")
    lifecycle.rate(number, "不满意", "还是偶尔有", P)
    assert can_appeal(number)  # a new rating, a new request


def test_the_hotline_sets_each_orders_time_limit_where_the_profile_says_so_tongliao_article_18():
    """通辽条例第十八条第二项: 按照热线工作机构规定的时限; elsewhere the profile's limit stands."""
    tongliao = load_profile("tongliao")
    assert tongliao.deadline_per_order and not P.deadline_per_order
    number = new_order("d1")
    with pytest.raises(LifecycleError) as fixed:
        lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-23"), working_days=3)
    assert fixed.value.code == "fixed_deadline"
    for bad in (0, 61, "3", True, 2.5):
        with pytest.raises(LifecycleError) as wrong:
            lifecycle.dispatch(number, UNIT, "staff:派单员", tongliao, now=at("2026-11-23"), working_days=bad)
        assert wrong.value.code == "bad_days"
    set_here = lifecycle.dispatch(number, UNIT, "staff:派单员", tongliao, now=at("2026-11-23"), working_days=3)
    assert set_here.deadline == dt.date(2026, 11, 26)
    assert lifecycle.history(number)[-1]["note"].endswith("办理时限3个工作日")
    default = new_order("d2")
    assert lifecycle.dispatch(default, UNIT, "staff:派单员", tongliao, now=at("2026-11-23")).deadline == dt.date(2026, 11, 30)


def test_a_catalogue_entry_with_its_own_legal_time_limit_sets_the_deadline(monkeypatch):
    """法律法规另有规定的从其规定: a unit's entry may carry its own working days."""
    from bot.orders import suggest

    units = [suggest.Unit(UNIT, "占道经营", ("摆摊",), (), 10)]
    monkeypatch.setattr(suggest, "load_catalogue", lambda profile: units)
    number = new_order("d3")
    assert lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-23")).deadline == dt.date(2026, 12, 7)
    other = new_order("d4")
    assert lifecycle.dispatch(other, OTHER, "staff:派单员", P, now=at("2026-11-23")).deadline == dt.date(2026, 11, 30)


def test_a_lead_and_co_units_each_record_their_part_and_the_lead_closes_the_whole_anshan_2026_article_14():
    """鞍山条例第十四条 (主办单位和协办单位); 通辽条例第十六条; 潍坊条例第二十二条."""
    number = new_order("u1")
    helper, third = "铁东区住房和城乡建设局", "市生态环境局"
    lifecycle.dispatch(number, UNIT, "staff:派单员", P, co_units=[helper])
    with session_scope() as s:
        assert [c["unit"] for c in lifecycle.co_units_view(s.query(WorkOrder).filter_by(number=number).one())] == [helper]
    with pytest.raises(LifecycleError) as waiting:
        lifecycle.close(number, UNIT, "已责令商户退回店内经营")
    assert waiting.value.code == "co_units_pending" and helper in waiting.value.message
    with pytest.raises(LifecycleError) as not_helping:
        lifecycle.report_part(number, third, "本单位已配合检查")
    assert not_helping.value.code == "not_yours"
    with pytest.raises(LifecycleError):  # a co-unit does not act as the lead
        lifecycle.close(number, helper, "已办结全部事项")
    lifecycle.report_part(number, helper, "已配合现场核查，商户房屋手续齐全")
    lifecycle.set_co_units(number, "console:boss", [helper, third])
    with pytest.raises(LifecycleError) as reported:  # a co-unit that reported stays
        lifecycle.set_co_units(number, "console:boss", [third])
    assert reported.value.code == "bad_units"
    with pytest.raises(LifecycleError) as lead_too:
        lifecycle.set_co_units(number, "console:boss", [UNIT])
    assert lead_too.value.code == "bad_units"
    lifecycle.set_co_units(number, "console:boss", [helper])  # the third removed before it reported
    assert lifecycle.close(number, UNIT, "已责令商户退回店内经营，住建部门配合核查").status == "reviewing"
    kinds = [h["kind"] for h in lifecycle.history(number)]
    assert kinds.count("co_units") == 3 and "co_unit_part" in kinds


def test_the_hotline_changes_the_lead_unit_and_its_time_limit_starts_again():
    number = new_order("u2")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-23"), co_units=[OTHER])
    with pytest.raises(LifecycleError):  # a co-unit must be removed first
        lifecycle.change_lead(number, "console:boss", OTHER, "住建部门职责更直接", P, now=at("2026-11-25"))
    with pytest.raises(LifecycleError):
        lifecycle.change_lead(number, "console:boss", "市生态环境局", "", P, now=at("2026-11-25"))
    changed = lifecycle.change_lead(number, "console:boss", "市生态环境局", "油烟属于生态环境部门", P, now=at("2026-11-25"))
    assert changed.unit == "市生态环境局" and changed.status == "dispatched" and changed.deadline == dt.date(2026, 12, 2)


def test_a_unit_designated_after_a_consultation_cannot_return_the_order_tianjin_article_17():
    """天津办法第十七条第三款; 通辽条例第十六条第三项: 经研究确定或者直接指定的承办单位不得退回."""
    number = new_order("g1")
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    lifecycle.return_order(number, UNIT, "楼顶加盖属于住建部门管理")
    with pytest.raises(LifecycleError) as no_record:
        lifecycle.designate(number, "console:boss", OTHER, "", P)
    assert no_record.value.code == "reason_required"
    done = lifecycle.designate(number, "console:boss", OTHER, "12月5日市城管局、市住建局会商，确定住建局牵头", P)
    assert (done.status, done.unit) == ("dispatched", OTHER)
    with pytest.raises(LifecycleError) as refused:
        lifecycle.return_order(number, OTHER, "不属于本单位职责")
    assert refused.value.code == "designated"
    assert [h["kind"] for h in lifecycle.history(number)][-1] == "designated"
    # Designated while a unit has it: the lead changes; the old lead could return, the new one cannot.
    other = new_order("g2")
    lifecycle.dispatch(other, UNIT, "staff:派单员", P)
    lifecycle.designate(other, "console:boss", OTHER, "会商后指定住建局承办", P)
    assert repository.get_order(other).unit == OTHER
    with pytest.raises(LifecycleError):
        lifecycle.return_order(other, OTHER, "不属于本单位职责")


def test_a_citizens_urging_is_recorded_once_a_day_and_only_on_an_open_order():
    number = new_order("urge1")
    first = lifecycle.urge(number, now=dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.timezone.utc))
    again = lifecycle.urge(number, now=dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.timezone.utc))
    next_day = lifecycle.urge(number, now=dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.timezone.utc))
    assert (first.outcome, again.outcome, next_day.outcome) == ("urged", "already", "urged")
    assert [e["kind"] for e in lifecycle.history(number)].count("urged") == 2
    lifecycle.dispatch(number, UNIT, "console:boss", P)
    closed_after_review(number, "已清理占道摊点，恢复通行")
    done = lifecycle.urge(number)
    assert done.outcome == "not_open" and done.status_label == "已办结"
    assert [e["kind"] for e in lifecycle.history(number)].count("urged") == 2


def test_an_agent_reads_an_order_without_its_citizen_and_its_topic_corrections_with_who_and_when():
    """研判: an agent corrects a topic from the console; what they read of the order is what the
    topic needs, never who the citizen is, and no words of a 举报."""
    from bot.gateway import units
    from bot.orders import views

    number = new_order("t1")
    units.staff_action("console:wangli", number, "set-topic", {"topic": "生态环境/噪声"}, P)
    view = views.topic_view(number, "console:wangli", P)
    assert view["topic"] == "生态环境/噪声" and "生态环境/噪声" in view["topics"]
    assert view["name"] is None and view["phone"] is None and view["address"] is None and view["content"]
    assert "13912345678" not in str(view) and "王丽" not in str(view)
    [step] = view["history"]
    assert step["actor"] == "console:wangli" and step["note"].endswith("→ 生态环境/噪声") and step["at"]
    reported = new_order("t2", request_type="举报")
    assert views.topic_view(reported, "console:wangli", P)["content"] is None
    assert views.topic_view("AS-20000101-0001", "console:wangli", P) is None
    with session_scope() as s:
        audited = [(a.actor, a.action, a.order_number) for a in s.query(AuditEntry).order_by(AuditEntry.id)]
    assert ("console:wangli", "set-topic", number) in audited and ("console:wangli", "read_order", number) in audited
    assert ("console:wangli", "read_order", reported) not in audited  # nothing of its citizen was shown
    refused = units.staff_action("console:wangli", number, "set-topic", {"topic": "不存在/的主题"}, P)
    assert refused.status == 400 and repository.get_order(number).topic == "生态环境/噪声"
