"""The intake actions on real rasa_sdk trackers: extraction, validation, confirmation, filing."""

from __future__ import annotations

import pytest

from actions.intake import (
    ActionAskConfirmed,
    ActionCancelIntake,
    ActionExtractFields,
    ActionFileWorkOrder,
    ValidateIntakeForm,
)
from bot.store import handoffs, repository
from tests.support.helpers import notices, responses, run, slots_set, tracker

RICH = "我叫王建国，电话13898765432，铁东区胜利南路25号楼下烧烤店天天营业到凌晨两点，噪音油烟太大，我要投诉"
FULL = {
    "request_type": "投诉", "content": "胜利南路25号楼下烧烤店天天营业到凌晨两点，噪音油烟太大",
    "address": "铁东区胜利南路25号楼下", "district": "铁东区", "name": "王建国", "phone": "13898765432",
}


def test_rich_first_message_fills_everything_before_the_form():
    events, messages = run(ActionExtractFields(), tracker(RICH, intent="complain"))
    assert notices(events) == []
    slots = slots_set(events)
    assert slots["request_type"] == "投诉"
    assert slots["name"] == "王建国"
    assert slots["phone"] == "13898765432"
    assert slots["address"] == "铁东区胜利南路25号楼下"
    assert "烧烤店" in slots["content"]


def test_greeting_fills_nothing():
    events, _ = run(ActionExtractFields(), tracker("你好", intent="greet"))
    assert slots_set(events) == {"notices": []}


def test_emergency_and_handoff_intents_are_left_to_the_rules():
    for intent in ("report_emergency", "request_human", "cancel", "legal_route"):
        events, _ = run(ActionExtractFields(), tracker("电话13898765432 楼道着火了", intent=intent, form="intake_form", requested="name"))
        assert slots_set(events) == {"notices": []}


def test_bare_answer_fills_the_requested_field():
    events, _ = run(ActionExtractFields(), tracker("老李", intent="provide_info", form="intake_form", requested="name"))
    assert slots_set(events)["name"] == "老李"
    events, _ = run(ActionExtractFields(), tracker("幺三八 九八七六 五四三二", intent="nlu_fallback", form="intake_form", requested="phone"))
    assert slots_set(events)["phone"] == "13898765432"


def test_invalid_phone_reasons_then_offer_a_person():
    t = tracker("1389876543", intent="provide_info", form="intake_form", requested="phone")
    events, _ = run(ActionExtractFields(), t)
    assert notices(events) == ["utter_invalid_phone_mobile_length"]
    assert slots_set(events)["notices"][0]["digits"] == 10
    assert slots_set(events)["phone"] is None and slots_set(events)["field_failures"] == 1
    t2 = tracker("不知道", intent="deny", form="intake_form", requested="phone", slots={"field_failures": 1.0})
    events, _ = run(ActionExtractFields(), t2)
    assert "utter_handoff_field_failed" in notices(events)


def test_a_field_failing_twice_hands_the_conversation_to_a_person():
    from actions.intake import ValidateIntakeForm

    queued = [{"response": "utter_invalid_phone_none"}, {"response": "utter_handoff_field_failed"}]
    t = tracker("不知道", intent="deny", form="intake_form", requested="phone", sender="ff2",
                slots={"field_failures": 2.0, "notices": queued})
    events, said = run(ValidateIntakeForm(), t)
    assert responses(said)[:2] == ["utter_invalid_phone_none", "utter_handoff_field_failed"]
    assert any(e.get("event") == "pause" for e in events)
    assert handoffs.open_handoff("ff2").reason == "field_failed"


def test_question_during_form_is_left_to_the_rules():
    t = tracker("你们晚上有人接电话吗", intent="faq", form="intake_form", requested="name")
    events, _ = run(ActionExtractFields(), t)
    assert slots_set(events) == {"notices": []}


def test_confirmation_and_corrections():
    events, _ = run(ActionExtractFields(), tracker("确认", intent="affirm", form="intake_form", requested="confirmed", slots=FULL))
    assert slots_set(events)["confirmed"] is True
    t = tracker("电话说错了，是13912345678", intent="correct_field", form="intake_form", requested="confirmed", slots=FULL)
    events, _ = run(ActionExtractFields(), t)
    assert slots_set(events)["phone"] == "13912345678"
    assert slots_set(events)["confirmed"] is None
    assert notices(events) == ["utter_field_updated"]
    t = tracker("地址不对，应该是铁西区建设大道88号", intent="correct_field", form="intake_form", requested="confirmed", slots=FULL)
    slots = slots_set(run(ActionExtractFields(), t)[0])
    assert slots["address"] == "铁西区建设大道88号" and slots["district"] == "铁西区"
    t = tracker("需要保密", intent="provide_info", form="intake_form", requested="confirmed", slots=FULL)
    assert slots_set(run(ActionExtractFields(), t)[0])["confidential"] is True
    t = tracker("不是投诉是举报", intent="correct_field", form="intake_form", requested="confirmed", slots=FULL)
    assert slots_set(run(ActionExtractFields(), t)[0])["request_type"] == "举报"
    t = tracker("不对", intent="deny", form="intake_form", requested="confirmed", slots=FULL)
    events, _ = run(ActionExtractFields(), t)
    assert notices(events) == ["utter_fix_hint"]


def test_extra_detail_is_added_not_lost():
    t = tracker("而且他们还占道摆桌子，人行道都走不了", intent="complain", form="intake_form", requested="name", slots=FULL)
    slots = slots_set(run(ActionExtractFields(), t)[0])
    assert slots["content"].startswith(FULL["content"]) and "占道" in slots["content"]


def test_consult_needs_no_address():
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    form = ValidateIntakeForm()
    domain_slots = ["request_type", "content", "address", "name", "phone", "confirmed"]
    t = tracker("社保卡丢了怎么补办", intent="consult", slots={"request_type": "咨询"})
    assert "address" not in asyncio.run(form.required_slots(domain_slots, CollectingDispatcher(), t, {}))
    t = tracker("楼下烧烤太吵", intent="complain", slots={"request_type": "投诉"})
    assert "address" in asyncio.run(form.required_slots(domain_slots, CollectingDispatcher(), t, {}))


def test_summary_shows_every_field_and_confidentiality_default():
    _, messages = run(ActionAskConfirmed(), tracker("确认", slots={**FULL, "request_type": "举报"}))
    m = messages[0]
    assert m["response"] == "utter_confirm_summary"
    assert m["phone"] == "13898765432" and m["name"] == "王建国"
    assert m["confidential_text"].startswith("是")  # 举报: confidential by default


def test_filing_then_retry_gives_the_same_order():
    t = tracker("确认", intent="affirm", slots={**FULL, "confirmed": True})
    events, messages = run(ActionFileWorkOrder(), t)
    filed = messages[0]
    assert filed["response"] == "utter_filed"
    assert filed["number"].startswith("AS-")
    assert slots_set(events)["content"] is None and slots_set(events)["last_order_number"] == filed["number"]
    events2, messages2 = run(ActionFileWorkOrder(), t)  # the action server retried
    assert messages2[0]["response"] == "utter_filed" and messages2[0]["number"] == filed["number"]


def test_repeat_request_gets_progress_not_a_second_order():
    run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots={**FULL, "confirmed": True}))
    again = {**FULL, "content": "铁东区胜利南路25号楼下的烧烤店还是营业到凌晨两点，噪音油烟太大"}
    _, messages = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots={**again, "confirmed": True}))
    assert messages[0]["response"] == "utter_repeat_request"


def test_a_closed_matter_raised_again_is_told_its_result_and_a_new_fact_files_a_linked_order():
    """鞍山条例第十五条第四项."""
    from bot.orders import lifecycle
    from bot.profile import load_profile

    _, filed = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots={**FULL, "confirmed": True}, sender="c9"))
    number = filed[0]["number"]
    order = repository.get_order(number)
    if order.status == "pending":
        lifecycle.dispatch(number, "市城市管理综合行政执法局", "staff:派单员", load_profile("anshan"))
    lifecycle.close(number, repository.get_order(number).unit, "已责令烧烤店限时营业并安装净化设备")
    lifecycle.review_close(number, "console:boss", True)
    same = {**FULL, "content": "铁东区胜利南路25号楼下的烧烤店营业到凌晨两点，噪音油烟太大", "confirmed": True}
    _, told = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots=same, sender="c9"))
    assert number in told[0]["text"] and "已经办结" in told[0]["text"] and "已责令烧烤店限时营业" in told[0]["text"]
    back = {**FULL, "content": "铁东区胜利南路25号楼下的烧烤店又营业到凌晨两点了，噪音油烟太大", "confirmed": True}
    _, again = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots=back, sender="c9"))
    assert again[0]["response"] == "utter_filed" and again[0]["number"] != number
    assert any(number in (m.get("text") or "") and "关联" in (m.get("text") or "") for m in again)


def test_a_repeat_by_phone_from_another_conversation_is_never_told_about_the_earlier_order():
    report = {**FULL, "request_type": "举报", "confidential": True, "confirmed": True}
    _, first = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots=report, sender="reporter"))
    again = {**FULL, "content": "铁东区胜利南路25号楼下的烧烤店还是营业到凌晨两点，噪音油烟太大", "confirmed": True}
    _, told = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots=again, sender="someone-else"))
    assert told[0]["response"] == "utter_filed" and told[0]["number"] != first[0]["number"]
    assert first[0]["number"] not in str(told)


def test_confidential_and_no_reply_are_confirmed_back():
    slots = {**FULL, "confirmed": True, "confidential": True, "wants_reply": False}
    _, messages = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots=slots, sender="c2"))
    assert responses(messages) == ["utter_filed", "utter_filed_confidential", "utter_filed_no_reply"]


def test_cancel_clears_the_request():
    events, messages = run(ActionCancelIntake(), tracker("算了", intent="cancel", form="intake_form", slots=FULL))
    assert responses(messages) == ["utter_cancelled"]
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert slots_set(events)["content"] is None


def test_validation_says_the_queued_notices_once():
    queued = [{"response": "utter_invalid_phone_mobile_length", "digits": 10}]
    t = tracker("1389876543", intent="provide_info", form="intake_form", requested="phone",
                slots={**FULL, "phone": None, "notices": queued})
    events, messages = run(ValidateIntakeForm(), t)
    assert messages[0]["response"] == "utter_invalid_phone_mobile_length" and messages[0]["digits"] == 10
    assert slots_set(events)["notices"] == []


def test_type_from_the_classifier_ranking_when_top_intent_is_details():
    t = tracker("我叫刘芳，手机13700001111，立山区胜利小区3号楼门口井盖没了好几天，晚上特别危险", intent="provide_info")
    t.latest_message["intent_ranking"] = [
        {"name": "provide_info", "confidence": 0.6}, {"name": "seek_help", "confidence": 0.3}, {"name": "complain", "confidence": 0.1}
    ]
    slots = slots_set(run(ActionExtractFields(), t)[0])
    assert slots["request_type"] == "求助" and "井盖" in slots["content"]


def test_while_a_person_holds_the_conversation_the_form_fills_silently():
    """Messages taken while an agent holds the conversation are not answers to the bot's last
    question and queue nothing to be said at hand back (a burst of stale questions)."""
    slots = {"request_type": "投诉", "content": "小区物业乱收费"}
    detail = tracker("他们每个月多收我们五十块钱电梯费，已经收了半年了", intent="provide_info", slots=slots,
                     requested="name", form="intake_form", paused=True)
    events, said = run(ActionExtractFields(), detail)
    assert said == [] and notices(events) == []
    assert "电梯费" in (slots_set(events).get("content") or "")
    assert "name" not in slots_set(events) and "field_failures" not in slots_set(events)
    hostile = tracker("<img src=x onerror=alert(1)>", intent="nlu_fallback", slots=slots, requested="name",
                      form="intake_form", paused=True)
    events, said = run(ActionExtractFields(), hostile)
    assert said == [] and notices(events) == [] and "name" not in slots_set(events)


def test_a_thank_you_is_never_a_name():
    for text in ("好的谢谢", "嗯嗯知道了", "好的，谢谢！", "ok谢谢"):
        events, _ = run(ActionExtractFields(), tracker(text, intent="thank", requested="name", form="intake_form",
                                                       slots={"request_type": "投诉", "content": "小区物业乱收费"}))
        assert "name" not in slots_set(events) or slots_set(events)["name"] is None, text


def test_declining_the_phone_is_not_cancelling_and_the_order_has_none():
    """Issue 19: 「电话就算了吧，我不方便留」 was read as cancelling the whole request."""
    from actions.intake import ActionCancelIntake

    slots = {**FULL, "phone": None, "request_type": "举报"}
    for text in ("电话就算了吧，我不方便留", "手机号不方便给", "算了不留了"):
        events, said = run(ActionCancelIntake(), tracker(text, intent="cancel", slots=slots, requested="phone",
                                                          form="intake_form"))
        assert responses(said) == ["utter_phone_declined"], text
        assert slots_set(events)["phone"] == "未留电话" and events[-1]["event"] == "followup"
    events, said = run(ActionExtractFields(), tracker("我不方便留电话", intent="deny", slots=slots, requested="phone",
                                                      form="intake_form"))
    assert slots_set(events)["phone"] == "未留电话"
    # An explicit cancel still cancels.
    events, said = run(ActionCancelIntake(), tracker("不办了，取消吧", intent="cancel", slots=slots, requested="phone",
                                                      form="intake_form"))
    assert responses(said) == ["utter_cancelled"]
    # Filed without a phone, and anonymous without a name.
    _, said = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots={
        **FULL, "phone": "未留电话", "name": "匿名", "confirmed": True}, sender="no-phone"))
    order = repository.get_order(said[0]["number"])
    assert order.phone is None and order.name is None


def test_declining_name_and_phone_in_one_message_whatever_was_asked():
    """Issue 19: 「我不留名 电话也不留」 looped on the name question until a person was called."""
    slots = {**FULL, "name": None, "phone": None, "request_type": "举报"}
    events, _ = run(ActionExtractFields(), tracker("我不留名 电话也不留 他家人挺横的 别让他知道是谁举报的",
                                                   intent="provide_info", slots=slots, requested="name", form="intake_form"))
    got = slots_set(events)
    assert got["name"] == "匿名" and got["phone"] == "未留电话" and got["confidential"] is True
    for confirm in ("确认提交", "对 提交", "中"):
        events, _ = run(ActionExtractFields(), tracker(confirm, intent="affirm", slots=slots, requested="name",
                                                       form="intake_form"))
        assert "name" not in slots_set(events) or slots_set(events)["name"] is None, confirm


def test_the_kind_is_read_from_the_matter_when_the_citizen_tells_it_instead():
    """Issue 19: 「请问您这次想办理哪一类诉求？」 was asked again and again of an elderly citizen who
    answered with her matter."""
    events, _ = run(ActionExtractFields(), tracker(
        "今年这暖气不热乎 屋里才14度 找过热力公司了 到现在也没来人", intent="provide_info",
        slots={"content": None}, requested="request_type", form="intake_form"))
    got = slots_set(events)
    assert got["request_type"] in ("投诉", "求助") and "暖气不热乎" in got["content"]


def test_a_report_named_later_in_the_form_makes_it_a_report():
    """「那我举报他违建行不行」 after the matter was read as 求助: a 举报 the citizen names is a 举报."""
    slots = {**FULL, "request_type": "求助", "address": None}
    for intent in ("complain", "consult", "provide_info"):
        events, _ = run(ActionExtractFields(), tracker("不能查啊 那我举报他违建行不行", intent=intent, form="intake_form",
                                                       requested="address", slots=slots))
        assert slots_set(events).get("request_type") == "举报", intent
    events, _ = run(ActionExtractFields(), tracker("他在楼顶私搭彩钢房", intent="complain", form="intake_form",
                                                   requested="address", slots=slots))
    # no type named: no 举报 assumed; the kind is read again from the whole matter as it grows
    assert slots_set(events).get("request_type", "求助") in ("求助", "投诉")


def test_the_matter_told_after_asking_whether_the_hotline_takes_it_is_the_content():
    """「干活不给钱这事你们管不管」 then the matter: the matter is the content, its type read from it."""
    slots = {**FULL, "request_type": "咨询", "content": "我问一下 干活不给钱这事你们管不管", "name": None, "phone": None,
             "address": None}
    matter = "我们十来个人跟着包工头在工地干了四个多月瓦工 到现在一分钱没给 一共欠我们十二万多 包工头现在电话也不接了"
    events, _ = run(ActionExtractFields(), tracker(matter, intent="complain", form="intake_form", requested="name",
                                                   slots=slots))
    set_ = slots_set(events)
    assert set_["content"].startswith("我们十来个人跟着包工头") and "管不管" not in set_["content"]
    assert set_.get("request_type") in ("投诉", "求助")
    # a real matter already told: more detail is added, nothing replaced
    told = {**slots, "content": "楼下烧烤店营业到凌晨两点 油烟太大", "request_type": "投诉"}
    events, _ = run(ActionExtractFields(), tracker("烧烤店老板还在门口占道摆桌子", intent="complain", form="intake_form",
                                                   requested="name", slots=told))
    # …in the citizen's own way of pausing (here: spaces, as typed)
    assert slots_set(events)["content"] == "楼下烧烤店营业到凌晨两点 油烟太大 烧烤店老板还在门口占道摆桌子"


def test_the_citizen_re_framing_the_type_later_is_heard():
    """「其实也不算投诉 你就当我提个建议吧」, 「算建议吧」 and 「我要投诉她」 after an opening question."""
    for kept, text, want in (("投诉", "哎其实也不算投诉 你就当我提个建议吧 建议在这个站点修个候车亭", "意见建议"),
                             ("投诉", "第二个，算建议吧", "意见建议"),
                             ("咨询", "我要投诉她 铁西区大陆街道宏伟社区", "投诉")):
        slots = {**FULL, "request_type": kept, "address": None}
        events, _ = run(ActionExtractFields(), tracker(text, intent="complain", form="intake_form",
                                                       requested="address", slots=slots))
        assert slots_set(events).get("request_type") == want, text
    # a type word in passing does not overturn the type kept
    slots = {**FULL, "request_type": "求助", "address": None}
    events, _ = run(ActionExtractFields(), tracker("物业说让我去投诉也没用", intent="complain", form="intake_form",
                                                   requested="address", slots=slots))
    assert slots_set(events).get("request_type") in (None, "求助")


def _said(*texts: str) -> list[dict]:
    return [{"event": "user", "text": t, "timestamp": 1.0 + i} for i, t in enumerate(texts)]


def test_a_correction_of_a_fact_replaces_it_in_the_content():
    slots = {**FULL, "content": "我们小区垃圾都堆成山了 两天没人拉了 臭得要死", "request_type": "投诉"}
    events, _ = run(ActionExtractFields(), tracker("不对 我刚才说错了 是三天没拉了", intent="correct_field",
                                                   form="intake_form", requested="confirmed", slots=slots))
    content = slots_set(events)["content"]
    assert "三天没拉了" in content and "两天" not in content and content.startswith("我们小区垃圾都堆成山了")


def test_a_matter_pointing_back_to_the_question_before_it_keeps_the_question():
    history = _said("问一下 物业能因为没交物业费就给停水吗")
    events, _ = run(ActionExtractFields(), tracker("那我要投诉 我们小区物业就是这么干的 昨天把我家水阀给关了",
                                                   intent="complain", history=history))
    content = slots_set(events)["content"]
    assert "物业费" in content and "水阀给关了" in content and "问一下" not in content


def test_the_kind_is_read_from_the_whole_matter_unless_the_citizen_named_it():
    # a party failing the citizen: a 投诉, even when the first words read as asking for help
    events, _ = run(ActionExtractFields(), tracker(
        "俺在工地干活 老板欠俺们工钱 三个月了 十几个人都没给", intent="seek_help"))
    assert slots_set(events)["request_type"] == "投诉"
    from actions.intake import _PARTY_FAILING

    for said in ("楼道灯黑了一个多月了 找物业了 说没材料", "找过社区的人好几回 一直没下文", "热力公司不处理"):
        assert _PARTY_FAILING.search(said), said
    assert not _PARTY_FAILING.search("楼道灯黑了一个多月了 上礼拜下楼差点踩空")
    # a kind the citizen declares later stands over the one only read
    slots = {**FULL, "content": "我孙子在胜利小学上学", "request_type": "求助", "address": None}
    events, _ = run(ActionExtractFields(), tracker(
        "我想提个建议啊 这学校门口放学的时候 接孩子的车停得哪哪都是", intent="complain", form="intake_form",
        requested="address", slots=slots, history=_said("同志你好 我是接孙子的")))
    assert slots_set(events)["request_type"] == "意见建议"


def test_declining_the_phone_with_the_name_in_the_same_breath_keeps_the_name():
    from actions.intake import ActionCancelIntake

    events, _ = run(ActionCancelIntake(), tracker("电话就算了 名字留个吧 孙鹏", intent="cancel", form="intake_form",
                                                  requested="phone", slots={**FULL, "phone": None, "name": None}))
    assert slots_set(events)["name"] == "孙鹏" and slots_set(events)["phone"] == "未留电话"


def test_a_question_asked_when_a_field_was_is_not_taken_for_the_field():
    for text, requested in (("那我不能在你这举报吗？你们不都是政府的", "name"),
                            ("是去市场监管局投诉吗？还是你们能帮我要回来", "name"),
                            ("这个也要写地址吗", "address")):
        events, _ = run(ActionExtractFields(), tracker(text, intent="complain", form="intake_form",
                                                       requested=requested, slots={**FULL, requested: None}))
        assert requested not in slots_set(events), text
        assert not any(n.startswith("utter_invalid") for n in notices(events)), text


def test_a_street_said_after_only_the_district_is_placed_within_it():
    slots = {**FULL, "address": "铁西区", "district": "铁西区"}
    events, _ = run(ActionExtractFields(), tracker("人民路和民生路交叉口 往西五十米", intent="provide_info",
                                                   form="intake_form", requested="name", slots=slots))
    assert slots_set(events)["address"].startswith("铁西区人民路和民生路交叉口")


def test_where_the_citizen_lives_said_at_the_summary_does_not_replace_the_place_of_the_matter():
    slots = {**FULL, "address": "海城市海州管理区天成名苑小区临街", "district": "海城市"}
    events, _ = run(ActionExtractFields(), tracker("我住7号楼 就在KTV对面", intent="provide_info",
                                                   form="intake_form", requested="confirmed", slots=slots))
    assert "address" not in slots_set(events)
    events, _ = run(ActionExtractFields(), tracker("地址不对 是铁西区兴盛小区7号楼", intent="correct_field",
                                                   form="intake_form", requested="confirmed", slots=slots))
    assert slots_set(events)["address"] == "铁西区兴盛小区7号楼"


def test_the_doors_said_after_the_address_are_kept_with_the_matter():
    """「…明达新区3栋2单元 我们是1202 对门是1201」: the unit must know which door the dogs are behind."""
    slots = {**FULL, "content": "我们对门那家养了两条大狗 一天到黑叫个不停", "address": None}
    events, _ = run(ActionExtractFields(), tracker("地址是铁东区山南街道明达新区3栋2单元 我们是1202 对门是1201",
                                                   intent="provide_info", form="intake_form", requested="address",
                                                   slots=slots))
    content = slots_set(events).get("content") or ""
    assert content.startswith(slots["content"]) and "对门是1201" in content
    # an address alone adds nothing to the matter
    events, _ = run(ActionExtractFields(), tracker("铁东区山南街道明达新区3栋2单元", intent="provide_info",
                                                   form="intake_form", requested="address", slots=slots))
    assert "content" not in slots_set(events)


def test_a_fuller_place_said_later_replaces_the_place_read_from_the_matter():
    slots = {**FULL, "address": "大洋河里", "district": None, "name": None}
    events, _ = run(ActionExtractFields(), tracker("岫岩县 前营子镇 大洋河 前营子大桥往下游二里地", intent="provide_info",
                                                   form="intake_form", requested="name", slots=slots))
    assert slots_set(events)["address"] == "岫岩县前营子镇大洋河前营子大桥往下游二里地"


@pytest.mark.parametrize("text", ["没问题 报吧", "中 就这 报吧", "要得 就这样交上去"])
def test_yes_said_in_a_citizens_own_words_confirms(text):
    events, _ = run(ActionExtractFields(), tracker(text, intent="deny", form="intake_form", requested="confirmed",
                                                   slots=dict(FULL)))
    assert slots_set(events).get("confirmed") is True


def test_a_place_named_later_is_added_to_the_place_described():
    slots = {**FULL, "address": "高新区越岭路边上盖楼的工地", "district": "高新区", "name": None}
    events, _ = run(ActionExtractFields(), tracker("工地叫锦绣华府二期 大门口有牌子", intent="provide_info",
                                                   form="intake_form", requested="name", slots=slots))
    assert slots_set(events).get("address") == "高新区越岭路边上盖楼的工地（锦绣华府二期）"
    # a place said without naming the one described does not replace it
    events, _ = run(ActionExtractFields(), tracker("我住7号楼 就在KTV对面", intent="provide_info",
                                                   form="intake_form", requested="name", slots=slots))
    assert "address" not in slots_set(events)


def test_what_the_citizen_says_was_misheard_is_not_added_to_the_matter():
    slots = {**FULL, "content": "我们楼有俩事 一个楼道灯不亮 一个单元门那个锁坏了关不上 谁都能进来", "address": None}
    for intent in ("provide_info", "correct_field", "complain"):
        events, _ = run(ActionExtractFields(), tracker("不对不对 不是小区大门 是我们单元那个铁门", intent=intent,
                                                       form="intake_form", requested="address", slots=slots))
        content = slots_set(events).get("content", slots["content"])
        assert "小区大门" not in content and "锁坏了" in content, intent
    events, _ = run(ActionExtractFields(), tracker("不对不对 不是小区大门 是我们单元那个铁门", intent="provide_info",
                                                   form="intake_form", requested="address", slots=slots))
    assert "铁门" in slots_set(events)["content"]


def test_the_one_matter_of_several_the_citizen_chooses_to_file_now_is_the_content():
    told = ("您好，反映两个事。一是千山区宁远街道东山名居小区北门那条路，路灯坏了七八盏，晚上黑灯瞎火的；"
            "二是22路公交车最近末班车从晚上9点提前到7点半，下夜班的人没车坐。")
    slots = {**FULL, "content": told, "name": None}
    events, _ = run(ActionExtractFields(), tracker("那就先把路灯的登记上，算求助吧，麻烦派人修一下。公交那个我回头单独再反映",
                                                   intent="seek_help", form="intake_form", requested="name", slots=slots))
    got = slots_set(events)
    assert "路灯坏了七八盏" in got["content"] and "公交" not in got["content"] and not got["content"].startswith("一是")
    assert any("先登记您选的这一件" in (n.get("text") or "") for n in got["notices"])
    # 「先登记吧」 chooses nothing: the matter stays whole
    events, _ = run(ActionExtractFields(), tracker("先登记吧", intent="provide_info", form="intake_form",
                                                   requested="name", slots=slots))
    assert "content" not in slots_set(events)


def test_the_question_the_knowledge_base_left_unsettled_is_the_matter_when_the_citizen_goes_on_to_file():
    asked = "我想问问低保的事 我八月份在社区交的申请 到现在三个多月了也没信儿 去问社区说等着"
    history = [{"event": "user", "text": asked},
               {"event": "bot", "text": "您想问的是下面哪一个？请点选或回复问题名称：\n1. 低保需要什么条件\n2. 低保申请进度怎么查"}]
    events, _ = run(ActionExtractFields(), tracker("岫岩县 岫岩镇 东关社区", intent="provide_info", form="intake_form",
                                                   requested="content", slots={"kb_question": asked, "content": None},
                                                   history=history))
    content = slots_set(events).get("content") or ""
    assert "三个多月" in content
    # after a confident answer, an address starts nothing of the earlier question
    answered = [{"event": "user", "text": asked}, {"event": "bot", "text": "低保申请进度可以在…查询"}]
    events, _ = run(ActionExtractFields(), tracker("岫岩县 岫岩镇 东关社区", intent="provide_info", form="intake_form",
                                                   requested="content", slots={"kb_question": asked, "content": None},
                                                   history=answered))
    assert not slots_set(events).get("content")


@pytest.mark.parametrize("answer, address", [
    ("鞍海路上 海城方向 过了 腾鳌 那块的 路北那个 鑫源加油站", "鞍海路上海城方向过了腾鳌那块的路北鑫源加油站"),
    ("驾校叫 鞍山顺达驾校 在 千山区 汤岗子 那个训练场", "鞍山顺达驾校在千山区汤岗子训练场"),
])
def test_an_answer_to_where_is_the_place_as_said_not_only_the_part_the_reader_knows(answer, address):
    slots = {**FULL, "address": None, "district": None}
    for requested in ("address", "name"):  # a place given when the name was asked is the place
        events, _ = run(ActionExtractFields(), tracker(answer, intent="provide_info", form="intake_form",
                                                       requested=requested, slots={**slots, requested: None}))
        assert slots_set(events)["address"] == address


def test_the_party_named_when_asked_where_joins_the_matter():
    slots = {**FULL, "content": "在家门口超市买的酸奶 回家一看过期三天了", "address": None, "district": None}
    events, _ = run(ActionExtractFields(), tracker("超市叫好又多便民超市 铁西区 鞍钢二中对面那个", intent="provide_info",
                                                   form="intake_form", requested="address", slots=slots))
    set_ = slots_set(events)
    assert "好又多便民超市" in set_["content"] and set_["content"].startswith(slots["content"])
    assert set_["address"] == "好又多便民超市铁西区鞍钢二中对面"


def test_what_is_asked_of_the_government_beside_a_declined_name_joins_the_matter():
    slots = {**FULL, "content": "人行道上结的冰溜子老厚了 滑得跟镜子似的", "name": None, "phone": None}
    events, _ = run(ActionExtractFields(), tracker("甭管我叫啥 电话13604121190 赶紧给撒点融雪剂", intent="provide_info",
                                                   form="intake_form", requested="name", slots=slots))
    set_ = slots_set(events)
    assert "融雪剂" in set_["content"] and set_["phone"] == "13604121190" and set_["name"] == "匿名"


def test_a_number_said_wrong_is_put_right_in_the_place_kept():
    from actions.intake import _renumbered

    assert _renumbered("哦不对不对 是220号 216是我家 我说反了", "铁西区人民路216号") == "铁西区人民路220号"
    assert _renumbered("不对 是5号楼2单元", "铁东区园林小区3号楼2单元") == "铁东区园林小区5号楼2单元"
    assert _renumbered("我家住3号楼", "铁西区人民路216号") is None  # no correction said
    assert _renumbered("不对", None) is None


def test_a_house_number_put_right_is_put_right_in_the_matter_too():
    slots = {**FULL, "address": "铁西区民生路128号", "content": "水果店天天把摊子摆到人行道上 铁西区民生路128号 我家是丽人服饰",
             "confirmed": None}
    events, _ = run(ActionExtractFields(), tracker("等一下 门牌号说错了 是126号", intent="correct_field",
                                                   form="intake_form", requested="confirmed", slots=slots))
    set_ = slots_set(events)
    assert set_["address"] == "铁西区民生路126号" and "128号" not in set_["content"] and "民生路126号" in set_["content"]


def test_a_place_said_in_full_later_is_more_specific_than_its_short_form():
    from actions.intake import more_specific

    assert more_specific("海城市牛庄镇前进村村委会到村小学", "海城市", "海城牛庄镇", "海城市")
    assert not more_specific("铁东区", "铁东区", "铁东区园林小区", "铁东区")


def test_a_matter_in_a_few_words_asked_about_begins_the_content_and_a_complaint_named_with_a_space_is_one():
    history = _said("停水了")
    events, _ = run(ActionExtractFields(), tracker("一点没通知 投诉自来水公司", intent="complain", form="intake_form",
                                                   requested="content", slots={"request_type": "求助"}, history=history))
    set_ = slots_set(events)
    assert set_["content"].startswith("停水了") and "一点没通知" in set_["content"]
    assert set_["request_type"] == "投诉"


@pytest.mark.parametrize("said", ["8号楼", "8号楼2单元", "三栋"])
def test_a_building_said_when_the_name_was_asked_completes_the_place(said):
    slots = {"request_type": "求助", "content": "停水了 一点没通知", "address": "铁东区站前街道友谊小区", "district": "铁东区"}
    events, _ = run(ActionExtractFields(), tracker(said, intent="provide_info", form="intake_form", requested="name", slots=slots))
    assert slots_set(events)["address"] == "铁东区站前街道友谊小区" + said
    assert "name" not in slots_set(events)


def test_the_place_as_the_citizen_wants_it_written_replaces_the_place_and_is_not_the_matter():
    slots = {**FULL, "address": "海城西柳服装市场", "district": "海城市", "content": "早市进货的车全堵在中心路上 建议建个停车场"}
    events, _ = run(ActionExtractFields(), tracker("地址就写西柳服装市场周边 中心路那块", intent="provide_info",
                                                   form="intake_form", requested="confirmed", slots=slots))
    set_ = slots_set(events)
    assert set_["address"] == "海城市西柳服装市场周边中心路那块"
    assert "content" not in set_ and set_["confirmed"] is None


@pytest.mark.parametrize("kept, said, address", [
    ("海城腾鳌镇", "就在腾鳌那个老钢厂西边 一个大铁皮房子里", "海城腾鳌镇（腾鳌那个老钢厂西边一个大铁皮房子里）"),
    ("政务大厅", "市政务服务中心 二楼 社保那块 18号窗口", "市政务服务中心二楼社保那块18号窗口"),
])
def test_where_exactly_said_at_another_question_narrows_the_place_kept(kept, said, address):
    slots = {"request_type": "举报", "content": "有个黑加油点 啥手续都没有", "address": kept}
    events, _ = run(ActionExtractFields(), tracker(said, intent="provide_info", form="intake_form", requested="name", slots=slots))
    assert slots_set(events)["address"] == address
    assert "name" not in slots_set(events)


def test_the_community_named_when_asked_where_joins_the_matter():
    slots = {"request_type": "投诉", "content": "去问社区那个小年轻的说材料找不着了 让我再交一遍"}
    events, _ = run(ActionExtractFields(), tracker("社区是立山区曙光街道光明社区 我家住光明小区8号楼", intent="provide_info",
                                                   form="intake_form", requested="address", slots=slots))
    assert "社区是立山区曙光街道光明社区" in slots_set(events)["content"]


def test_a_village_named_later_names_the_village_the_place_only_called_ours():
    slots = {"request_type": "求助", "content": "村里那个路下完雪以后一直没人清", "address": "岫岩县的我们村", "district": "岫岩满族自治县"}
    events, _ = run(ActionExtractFields(), tracker("村子叫大营子乡 说错了 是大营子镇石湖沟村", intent="correct_field",
                                                   form="intake_form", requested="name", slots=slots))
    assert slots_set(events)["address"] == "岫岩县大营子镇石湖沟村"


def test_what_is_asked_of_the_government_in_speech_without_a_pause_joins_the_matter():
    slots = {"request_type": "求助", "content": "我们村那个路下完雪以后一直没人清 车都上不去", "address": "岫岩县大营子镇石湖沟村"}
    said = "前天有个老太太摔了去医院都费劲救护车都进不来能不能派个铲车来推一推"
    events, _ = run(ActionExtractFields(), tracker(said, intent="nlu_fallback", form="intake_form", requested="name", slots=slots))
    assert "铲车" in slots_set(events)["content"]


def test_a_teacher_in_the_matter_is_no_name():
    events, _ = run(ActionExtractFields(), tracker("想反映一下 我们孩子学校的老师 在外面办补课班", intent="complain"))
    assert "name" not in slots_set(events) and "老师" in slots_set(events)["content"]


def test_a_request_opened_as_a_question_stays_a_consultation_as_the_matter_grows():
    history = _said("问个事 俺们村土地确权证啥时候能发下来")
    slots = {"request_type": "咨询", "content": "俺们村土地确权证啥时候能发下来"}
    events, _ = run(ActionExtractFields(), tracker("台安县新开河镇大牛村的 2019年就量完地了 别的村都发了 就我们村没发 问村里村里说等上面",
                                                   intent="provide_info", form="intake_form", requested="name", slots=slots,
                                                   history=history))
    assert slots_set(events).get("request_type", "咨询") == "咨询"


def test_a_reproach_put_as_a_question_is_no_consultation():
    history = _said("我就想问问你们政务大厅的人是不是都这样")
    slots = {"request_type": "投诉", "content": "跑了三趟 头一回说缺材料 第二回说系统坏了"}
    events, _ = run(ActionExtractFields(), tracker("那个窗口的女的 头都不抬 问啥都说不知道", intent="complain",
                                                   form="intake_form", requested="name", slots=slots, history=history))
    assert slots_set(events).get("request_type", "投诉") == "投诉"
