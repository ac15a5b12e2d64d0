"""End-to-end: real Rasa and action servers, talked to over Rasa's REST channel."""

from __future__ import annotations

import re
import uuid

import pytest
import yaml

from bot.store import alerts, repository
from tests.support.stack import ROOT

ACCEPTANCE = ROOT.parent / "shared" / "acceptance" / "cases.yaml"  # beside the repository


def sender() -> str:
    return "rest-e2e-" + uuid.uuid4().hex[:10]


@pytest.fixture
def store(stack, monkeypatch):
    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)
    return repository


def order_number(text: str) -> str:
    m = re.search(r"[A-Z]{2}-\d{8}-\d{4}", text)
    assert m, f"no work order number in: {text}"
    return m.group(0)


def test_rich_first_message_files_in_two_turns(stack, store):
    me = sender()
    first = stack.text(me, "我叫王建国，电话13898765432，铁东区胜利南路25号楼下烧烤店天天营业到凌晨两点，噪音油烟太大，我要投诉")
    assert "王建国" in first and "13898765432" in first and "铁东区胜利南路25号楼下" in first
    assert "确认" in first
    filed = stack.text(me, "确认")
    number = order_number(filed)
    assert "个工作日" in filed
    order = store.get_order(number)
    assert order.request_type == "投诉"
    assert order.name == "王建国" and order.phone == "13898765432"
    assert order.address == "铁东区胜利南路25号楼下" and order.district == "铁东区"
    assert "烧烤店" in order.content and order.confidential is False and order.wants_reply is True
    assert order.sender_id == me and order.channel == "rest"


def test_step_by_step_with_a_correction(stack, store):
    me = sender()
    assert "具体" in stack.text(me, "我要投诉")
    assert "哪里" in stack.text(me, "楼下饭店的油烟太大了，熏得窗户都不敢开，好几个月了")
    assert "称呼" in stack.text(me, "铁西区建设大道88号")
    assert "电话" in stack.text(me, "老李")
    reply = stack.text(me, "1389876543")
    assert "11位" in reply
    summary = stack.text(me, "138 9876 5432")
    assert "13898765432" in summary and "老李" in summary
    corrected = stack.text(me, "电话说错了，是13912345678")
    assert "13912345678" in corrected
    number = order_number(stack.text(me, "确认"))
    order = store.get_order(number)
    assert order.phone == "13912345678" and order.name == "老李"
    assert order.address == "铁西区建设大道88号"


def test_emergency_in_the_middle_of_the_form(stack):
    me = sender()
    stack.text(me, "我要投诉")
    reply = stack.text(me, "等一下 厨房着火了 冒好大的烟")
    assert "119" in reply
    # the form is still there afterwards
    assert "哪里" in stack.text(me, "楼上天天半夜蹦迪，吵得孩子睡不着觉")


@pytest.mark.parametrize(
    "text, number",
    [("我们单元楼下的电动车着火了，烟往楼上窜", "119"), ("一进门就闻到一股很冲的燃气味", "119"),
     ("我奶奶突然说不出话，半边身子动不了", "120"), ("有个男的一直跟着我，还想拽我上车", "110"),
     ("两辆电动车在路口撞了，一个人腿好像断了", "122")],
)
def test_emergencies_get_the_number_at_once(stack, store, text, number):
    me = sender()
    assert number in stack.text(me, text)
    assert any(a["sender"] == me for a in alerts.listing("open"))


@pytest.mark.parametrize("text", ["小区消防通道被堆满了杂物，物业也不管", "120急救车怎么收费", "去年着过火，现在消防通道被堵"])
def test_not_emergencies(stack, text):
    reply = stack.text(sender(), text)
    assert reply and "立即拨打" not in reply


def test_out_of_scope_routes(stack):
    assert re.search("法院|诉讼|上诉", stack.text(sender(), "离婚财产分割的官司法院判了我不服，你们帮我改判"))
    assert re.search("12388|纪检|纪委|监察", stack.text(sender(), "我要举报我们镇的书记贪污扶贫款，我愿意实名"))


def test_lookup_shows_status_without_personal_data(stack):
    me = sender()
    reply = stack.text(me, "我叫刘芳，手机13700001111，立山区胜利小区3号楼门口井盖没了好几天，晚上特别危险，我要反映")
    if "哪一类" in reply:  # the type may be asked when the message does not make it clear
        reply = stack.text(me, "求助")
    assert "确认" in reply
    number = order_number(stack.text(me, "确认"))
    other = sender()
    assert "后四位" in stack.text(other, f"查一下工单{number}")  # another conversation: the phone's digits first
    reply = stack.text(other, f"查一下工单{number} 尾号1111")
    assert number in reply and ("已受理，待派单" in reply or "已派单" in reply)  # 智能派单 may have sent it
    assert "刘芳" not in reply and "13700001111" not in reply


def test_handoff_with_nobody_online_offers_a_work_order_and_the_bot_carries_on(stack):
    """(With agents online the bot pauses: tests/e2e/test_e2e_console.py.)"""
    me = sender()
    reply = stack.text(me, "我不想跟机器说话，叫你们的工作人员来")
    # one clear message: nobody is there (not first "transferring", then "nobody is there")
    assert "正在为您转接" not in reply and "没有工作人员在线" in reply and "登记成工单" in reply, reply
    assert "请问" in stack.text(me, "小区门口井盖丢了，晚上特别危险")


@pytest.mark.parametrize(
    "text",
    ["hello, can anyone help me?", "😀😀😀", "<script>alert('x')</script>", "你们都是废物", "谢谢", "再见",
     "你是机器人吗", "今天天气咋样", "楼下烧烤店噪音太大" * 600],
)
def test_every_message_gets_a_sensible_reply(stack, text):
    replies = stack.say(sender(), text)
    assert replies and all(m.get("text") for m in replies)
    assert "<script>" not in "".join(m["text"] for m in replies)


def test_hotline_hours(stack):
    assert re.search("7×24|24小时|全天", stack.text(sender(), "你们热线周末和晚上有人接吗"))


@pytest.mark.skipif(not ACCEPTANCE.exists(), reason="shared acceptance cases not present")
def test_public_acceptance_cases(stack):
    cases = yaml.safe_load(ACCEPTANCE.read_text(encoding="utf-8"))["cases"]
    failures = []
    for c in cases:
        reply = stack.text(sender(), c["text"]).replace(" ", "")
        ok = bool(reply) and (not c.get("any") or any(s in reply for s in c["any"])) and not any(
            s in reply for s in c.get("none", [])
        )
        if not ok:
            failures.append((c["id"], reply[:120]))
    assert not failures


def test_question_answered_from_the_knowledge_base(stack):
    me = sender()
    reply = stack.text(me, "社保卡丢了咋补办啊")
    assert "社保卡" in reply and "负责部门" in reply and "有帮助" in reply


def test_unknown_question_offers_an_order_then_files_it(stack, store):
    me = sender()
    reply = stack.text(me, "请问征兵体检需要带什么材料")
    assert "没有找到准确的答案" in reply and "咨询工单" in reply
    reply = stack.text(me, "没解决，帮我登记工单")
    assert "咨询工单" in reply
    for answer in ("刘女士", "13600001234"):
        reply = stack.text(me, answer)
    assert "确认" in reply and "咨询" in reply
    order = store.get_order(order_number(stack.text(me, "确认")))
    assert order.request_type == "咨询" and "征兵" in order.content


def test_question_in_the_middle_of_the_form_then_the_form_resumes(stack):
    me = sender()
    stack.text(me, "我要投诉")
    stack.text(me, "楼上天天半夜蹦迪，吵得孩子睡不着觉，说了好几次都不听")
    reply = stack.text(me, "顺便问一下，社保卡丢了怎么补办？")
    assert "社保卡" in reply
    assert "哪里" in reply  # the form asks its question again
