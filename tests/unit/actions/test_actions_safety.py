"""Emergency, legal-route, lookup, handoff and fallback actions on real trackers."""

from __future__ import annotations

import pytest

from actions.intake import ActionFileWorkOrder
from actions.lookup import ActionCheckStatus
from actions.safety import ActionEmergency, ActionOutOfScope
from actions.session import ActionFallback, ActionHandoff
from bot.orders import lifecycle
from bot.store import alerts, handoffs
from tests.support.helpers import responses, run, tracker

FULL = {"request_type": "投诉", "content": "胜利南路25号楼下烧烤店天天营业到凌晨两点，噪音油烟太大",
        "address": "铁东区胜利南路25号楼下", "name": "王建国", "phone": "13898765432", "confirmed": True}


def test_emergency_reply_and_urgent_record():
    _, messages = run(ActionEmergency(), tracker("楼道里着火了好大的烟", intent="report_emergency", sender="e1"))
    assert "119" in messages[0]["text"]
    alert = alerts.listing("open")[0]
    assert alert["sender"] == "e1" and alert["kind"] == "fire" and alert["text"] == "楼道里着火了好大的烟"
    assert "值班人员" in messages[0]["text"]  # the desk has it: the reply may say so


def test_nlu_only_emergency_gets_every_number(monkeypatch):
    # the classifier said emergency, the lexicon knows nothing specific: list every number
    monkeypatch.setattr("bot.language.emergency.detect", lambda text: None)
    _, messages = run(ActionEmergency(), tracker("快来人啊", intent="report_emergency"))
    text = messages[0]["text"]
    assert all(n in text for n in ("110", "119", "120", "122"))


def test_legal_route_named():
    _, messages = run(ActionOutOfScope(), tracker("法院判决我不服，你们帮我改判", intent="legal_route"))
    assert "法院" in messages[0]["text"]
    _, messages = run(ActionOutOfScope(), tracker("这事你们管不了吧", intent="legal_route"))
    assert responses(messages) == ["utter_faq/not_accepted"]
    _, messages = run(ActionOutOfScope(), tracker("是不是得走什么信息公开？具体怎么申请 网上能弄吗", intent="legal_route"))
    assert "关于政府信息公开" in messages[0]["text"] and "20个工作日" in messages[0]["text"]


def test_lookup_by_number_and_by_conversation():
    _, filed = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots=FULL, sender="owner"))
    number = filed[0]["number"]
    _, messages = run(ActionCheckStatus(), tracker(f"查一下{number.lower()}", intent="check_status", sender="owner"))
    assert messages[0]["response"] == "utter_order_status" and messages[0]["number"] == number  # its own
    _, messages = run(ActionCheckStatus(), tracker("我反映的问题怎么样了", intent="check_status", sender="owner"))
    assert messages[0]["number"] == number
    _, messages = run(ActionCheckStatus(), tracker("我反映的问题怎么样了", intent="check_status", sender="nobody"))
    assert responses(messages) == ["utter_no_orders_here"]


@pytest.mark.parametrize("text, given", [("查一下单号2026120300123", "2026120300123"),
                                         ("查下进度 单号是2026 1128 00457", "2026112800457"),
                                         ("2026120100088 这单咋回事", "2026120100088")])
def test_a_number_that_is_none_of_ours_is_said_back_with_our_format(text, given):
    _, messages = run(ActionCheckStatus(), tracker(text, intent="check_status", sender="nobody"))
    assert responses(messages) == ["utter_order_number_not_ours"] and messages[0]["given"] == given


@pytest.mark.parametrize("text", ["我电话13842298765 查一下我的工单", "座机0412-5551234 我报的事咋样了", "查一下我的工单"])
def test_a_phone_is_not_taken_for_an_order_number(text):
    _, messages = run(ActionCheckStatus(), tracker(text, intent="check_status", sender="nobody"))
    assert responses(messages) == ["utter_no_orders_here"]


def test_another_conversations_order_needs_the_phones_last_four_digits_and_guesses_are_counted():
    """Issue 18: order numbers are sequential; without the digits nobody learns whether a number
    exists, what it is (a 举报) or how it stands."""
    _, filed = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots={**FULL, "request_type": "举报"},
                                                   sender="reporter"))
    number = filed[0]["number"]
    for text in (f"查一下{number.lower()}", f"查工单{number}", "查工单AS-19990101-0001"):
        _, messages = run(ActionCheckStatus(), tracker(text, intent="check_status", sender="stranger"))
        assert responses(messages) == ["utter_order_needs_last4"], text
    _, messages = run(ActionCheckStatus(), tracker(f"查工单{number} 尾号５４３２", intent="check_status", sender="citizen"))
    assert messages[0]["response"] == "utter_order_status" and messages[0]["number"] == number
    assert "13898765432" not in str(messages) and "王建国" not in str(messages)
    for i in range(5):  # a stranger guessing the digits, then locked out (also from the right ones)
        _, messages = run(ActionCheckStatus(), tracker(f"查工单{number} 后四位{1000 + i}", intent="check_status",
                                                       sender="guesser"))
        assert responses(messages) == ["utter_order_lookup_failed"]
    _, messages = run(ActionCheckStatus(), tracker(f"查工单{number} 5432", intent="check_status", sender="guesser"))
    assert responses(messages) == ["utter_order_lookup_locked"]
    # The order itself is locked too: a new conversation cannot go on guessing.
    _, messages = run(ActionCheckStatus(), tracker(f"查工单{number} 5432", intent="check_status", sender="fresh"))
    assert responses(messages) == ["utter_order_lookup_locked"]
    _, messages = run(ActionCheckStatus(), tracker(f"查工单{number}", intent="check_status", sender="reporter"))
    assert messages[0]["response"] == "utter_order_status"  # its own conversation always sees it


def test_handoff_pauses_and_is_recorded():
    events, messages = run(ActionHandoff(), tracker("转人工", intent="request_human", sender="h1"))
    assert responses(messages) == []  # the gateway's one message says who is coming
    assert events[-1]["event"] == "pause"
    assert handoffs.waiting_handoffs()[0].sender_id == "h1"


def test_fallback_by_kind_of_message():
    assert responses(run(ActionFallback(), tracker("hello there", intent="nlu_fallback"))[1]) == ["utter_non_chinese"]
    assert responses(run(ActionFallback(), tracker("😀😀", intent="nlu_fallback"))[1]) == ["utter_emoji_only"]
    assert responses(run(ActionFallback(), tracker("嗯那个啥", intent="nlu_fallback"))[1]) == ["utter_default"]
    history = [{"event": "user", "text": "啊", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    events, said = run(ActionFallback(), tracker("哦", intent="nlu_fallback", history=history, sender="fb2"))
    assert responses(said) == ["utter_handoff_not_understood"]  # twice not understood: a person
    assert any(e.get("event") == "pause" for e in events)
    assert handoffs.open_handoff("fb2").reason == "not_understood"
    events, _ = run(ActionFallback(), tracker("楼下那家天天半夜叮叮当当", intent="nlu_fallback", slots={"content": "楼下那家天天半夜叮叮当当"}))
    assert events == [{"event": "followup", "name": "intake_form", "timestamp": None}]


def test_the_policies_fallback_never_loops_and_inside_the_form_the_form_goes_on():
    """Issue 19: after 「不用保密 你给我登上就行」 Rasa predicted action_fallback ten times and its
    circuit breaker stopped the conversation for good (every later message: 「系统出了错」)."""
    from actions.session import ActionFallback

    in_form = tracker("不用保密 你给我登上就行", intent="provide_info", slots={"content": "暖气不热"},
                      requested="request_type", form="intake_form")
    events, said = run(ActionFallback(), in_form)
    assert events == [{"event": "followup", "timestamp": None, "name": "intake_form"}] and said == []
    again = tracker("不用保密 你给我登上就行", intent="provide_info", form="intake_form",
                    history=[{"event": "action", "name": "action_fallback"}])
    again.events.append({"event": "action", "name": "action_fallback"})
    events, _ = run(ActionFallback(), again)
    assert events[0]["name"] == "action_listen"


def test_lookup_guesses_from_one_address_are_counted_across_conversations():
    """Issue 18: per conversation, per order and per address (the gateway's keyed ``asker``): new
    conversations from one address do not reset the count across orders."""
    numbers = []
    for i in range(3):
        _, filed = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots=FULL, sender=f"owner-{i}"))
        numbers.append(filed[0]["number"])
    said = []
    for i in range(6):  # each guess from a fresh conversation, at one of three orders, from one address
        asking = tracker(f"查工单{numbers[i % 3]} 后四位{1000 + i}", intent="check_status", sender=f"scan-{i}")
        asking.latest_message["metadata"] = {"asker": "a1b2c3"}
        said += responses(run(ActionCheckStatus(), asking)[1])
    assert said == ["utter_order_lookup_failed"] * 5 + ["utter_order_lookup_locked"]


def test_a_dispute_with_the_employer_named_a_message_earlier_goes_to_arbitration_with_legal_aid():
    history = [{"event": "user", "text": "公司把我开了 一分钱补偿没有 干了五年了 说开就开"}]
    _, messages = run(ActionOutOfScope(), tracker("我就想问问我这个能要多少补偿 我要告他们", intent="legal_route",
                                                  history=history))
    assert "劳动人事争议仲裁" in messages[0]["text"] and "12348" in messages[0]["text"]
    _, messages = run(ActionOutOfScope(), tracker("邻居借我五万块钱不还 我要告他", intent="legal_route"))
    assert "仲裁" not in messages[0]["text"]


def test_a_citizen_urges_an_open_order_once_a_day_and_is_told_so_honestly():
    """催办 (issue 19): recorded on the order for its unit and the hotline, said as it is."""
    _, filed = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots=FULL, sender="urger"))
    number = filed[0]["number"]
    _, messages = run(ActionCheckStatus(), tracker("都十来天了 你给我催催", intent="check_status", sender="urger"))
    assert responses(messages) == ["utter_order_status", "utter_order_urged"] and messages[1]["number"] == number
    _, messages = run(ActionCheckStatus(), tracker("能不能再催一下", intent="check_status", sender="urger"))
    assert responses(messages)[-1] == "utter_order_urged_already"
    urged = [e for e in lifecycle.history(number) if e.get("kind") == "urged"]
    assert len(urged) == 1 and urged[0]["note"] == "市民催办"


def test_urging_without_an_order_found_asks_for_the_number_and_never_claims_it_was_urged():
    _, messages = run(ActionCheckStatus(), tracker("我那个事到底有没有人管 你给我催催", intent="check_status", sender="nobody2"))
    assert responses(messages) == ["utter_no_orders_here", "utter_urge_needs_number"]
    _, messages = run(ActionCheckStatus(), tracker("工单号20240322000457 能不能催一下", intent="check_status", sender="nobody2"))
    assert responses(messages) == ["utter_order_number_not_ours", "utter_urge_needs_number"]


def test_a_corrected_number_is_the_one_looked_up():
    _, messages = run(ActionCheckStatus(), tracker("号是20240415000088 不对 是20240415000089", intent="check_status",
                                                   sender="nobody3"))
    assert messages[0]["given"] == "20240415000089"


def _followup(text: str, history: list[dict]):  # type: ignore[no-untyped-def]
    t = tracker(text, intent="legal_route", history=history, sender="route-followup")
    t.latest_message["safety"] = {"route_followup": True}
    return t


def test_asked_again_whether_the_hotline_takes_it_the_route_of_what_was_told_holds():
    told = [{"event": "user", "text": "你好 我在沈阳浑南区租的房子 房东不退押金 你们能给管管不"}]
    _, messages = run(ActionOutOfScope(), _followup("我户口是鞍山的啊 不能找你们吗", told))
    assert "调解" in messages[0]["text"] and "024-12345" in messages[0]["text"]
    told = [{"event": "user", "text": "我想反映我们村书记的问题"}, {"event": "user", "text": "他贪污了修路的钱"}]
    _, messages = run(ActionOutOfScope(), _followup("这个找你们行吗", told))
    assert "12388" in messages[0]["text"]
    _, messages = run(ActionOutOfScope(), _followup("这个找你们行吗", [{"event": "user", "text": "楼下烧烤店天天吵到半夜"}]))
    assert responses(messages) == ["utter_we_take_it"]
