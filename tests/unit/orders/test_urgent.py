"""Urgent work orders (issue 16; 通辽条例第十二条): an outage of water, power, gas or heating for
many households, or a disaster, is marked 紧急, dispatched at once to the catalogue's unit, due
within the profile's hours and at the head of the supervisor's lists; one household's matter is
an ordinary order. The outage texts are from the independently written corpus parts (authors
who never saw this code)."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.intake import ActionFileWorkOrder
from bot.language.emergency.urgent import urgent_for_filing, urgent_matter
from bot.orders import views
from bot.profile import load_profile
from bot.store import repository
from bot.store.models import utcnow
from tests.support.helpers import run, tracker

URGENT = [
    ("我们小区3栋从昨天晚上开始就停水了，到现在二十多个小时，物业说是二次供水的泵坏了在等配件", "water"),
    ("零下二十多度 俺们这栋楼暖气从昨个就不热了 屋里才十度 家里有刚满月的孩子 热力公司电话打不通", "heating"),
    ("整个小区停电了 已经四个小时 电梯也停了 我家28楼 老人下不去 供电局啥时候来电", "power"),
    ("绿地城这一片燃气全停了，没有任何通知，几千户人家做不了饭，燃气公司热线一直占线", "gas"),
    ("市政水管爆了，整条人民路都停水了，路上的水哗哗流，沿街铺子都没法营业", "water"),
    ("暖气片冰凉 整个单元都是 打电话给供热公司说管道检修 都三天了 晚上冻得睡不着", "heating"),
    ("学校停水一整天了 几千个学生住校 宿舍厕所都没法用 食堂也做不了饭 请12345协调一下", "water"),
    ("小区天然气从早上就打不着火了 问了邻居都一样 燃气公司说主管道在抢修 也没说啥时候好", "gas"),
    ("我们这零下三十度 整栋楼的锅炉坏了 没有暖气 家里水管都快冻上了", "heating"),
    ("昨天的暴雨把我们小区淹了，现在一楼都进水了", "disaster"),
    ("村后山滑坡了 泥石把路埋了", "disaster"),
    # still out since a time (the time word is not the past): issue 21's phone-intake example
    ("我们这栋楼暖气从昨天就不热了，整栋楼几十户都这样，屋里才十度", "heating"),
    ("整个小区从前天开始就停水 到现在还没来", "water"),
]

ORDINARY = [
    "家里跳闸了 总闸推不上去 整栋楼就我家没电 找谁修",        # one household
    "家里暖气不热，才十五度",                                  # one household
    "我家水龙头没水了",
    "小区通知明天停水检修，想问几点来水",                        # announced, not yet
    "上周整个小区停了一天电，现在来电了",                        # over
    "万一整个小区停电了怎么办，电梯里的人怎么出来",               # a worry
    "物业通知今晚台风要来让大家把车挪出地下车库，万一车库淹了车泡了，物业要不要赔",
    "刚才好像地震了晃了一下，吊灯在晃，家里都没事，想问下是哪里地震、几级",
    "咨询一下燃气费怎么交",
    "去年小区被淹过，想问问排水改造什么时候做",
    "昨天整栋楼停电了一会儿 现在好了",  # over
]


@pytest.mark.parametrize("text,kind", URGENT)
def test_an_outage_for_many_households_or_a_disaster_is_urgent(text, kind):
    found = urgent_for_filing(text)
    assert found is not None and found.kind == kind, text


@pytest.mark.parametrize("text", ORDINARY)
def test_one_household_a_notice_a_worry_or_the_past_is_ordinary(text):
    assert urgent_matter(text) is None and urgent_for_filing(text) is None


def test_empty_and_huge_text_is_read_without_error():
    assert urgent_matter("") is None and urgent_matter(None) is None
    assert urgent_matter("整栋楼停水了" + "啊" * 100_000).kind == "water"


SLOTS = {"request_type": "求助", "content": "我们小区整栋楼从昨天晚上停水到现在，老人孩子没水喝",
         "address": "铁东区胜利南路25号", "district": "铁东区", "name": "王建国", "phone": "13898765432",
         "confirmed": True}


def test_the_bot_files_it_urgent_dispatched_at_once_and_tells_the_citizen():
    p = load_profile("anshan")
    before = utcnow()
    _, said = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots=SLOTS, sender="urgent-1"))
    number = said[0]["number"]
    order = repository.get_order(number)
    assert order.urgent == "water"
    assert order.status == "dispatched" and order.unit == p.urgent_unit("water")
    hours = dt.timedelta(hours=p.urgent_hours)
    assert before + hours <= order.due_at <= utcnow() + hours
    line = said[1]["text"]
    assert "紧急诉求" in line and "停水" in line and p.urgent_unit("water") in line and f"{p.urgent_hours}小时" in line
    listed = views.urgent_orders()
    assert listed[0]["number"] == number and listed[0]["urgent_label"] == "停水" and listed[0]["due_at"]


def test_an_ordinary_order_is_not_urgent_and_the_urgent_head_the_pending_list(monkeypatch):
    _, said = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots={
        **SLOTS, "content": "楼下烧烤店每天晚上营业到凌晨两点，油烟噪音太大", "request_type": "投诉"},
        sender="ordinary-1"))
    order = repository.get_order(said[0]["number"])
    assert order.urgent is None and order.due_at is None
    assert not any("紧急诉求" in (m.get("text") or "") for m in said)
    # Without a unit for the kind (a city with no catalogue) the urgent order waits, first in line.
    monkeypatch.setattr(type(load_profile("anshan")), "urgent_unit", lambda self, kind: None)
    _, said = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots={
        **SLOTS, "content": "村后山滑坡了，泥石把进村的路埋了，车出不去", "request_type": "求助"}, sender="urgent-2"))
    disaster = repository.get_order(said[0]["number"])
    assert disaster.urgent == "disaster"
    if disaster.status == "pending":
        assert views.pending_orders(load_profile("anshan"))[0]["number"] == disaster.number
    assert "灾害险情" in said[1]["text"] and "119" in said[1]["text"]
