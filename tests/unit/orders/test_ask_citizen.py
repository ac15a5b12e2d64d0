"""Asking the citizen (鞍山条例第十五条第二项: 通知诉求人在规定期限内补齐相关材料), and a unit's message
passed on to a citizen it must not identify (a 举报 or a confidential order): sent in the citizen's
own channel, the answer kept in the order, the unit never told who it is."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.orders import lifecycle, views
from bot.orders.lifecycle import LifecycleError
from bot.profile import load_profile
from bot.store import attachments, repository, transcript
from bot.store.shared import DatabaseStore
from bot.workdays import add_working_days

P = load_profile("anshan")
UNIT = "市城市管理综合行政执法局"
CN = dt.timezone(dt.timedelta(hours=8))


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=CN).astimezone(dt.timezone.utc).replace(tzinfo=None)


def order(key: str, channel: str = "web", request_type: str = "投诉", confidential: bool = False) -> str:
    req = repository.OrderRequest(request_type=request_type, content="楼下烧烤店油烟直排，晚上十点以后还在营业",
                                  address="铁东区胜利路1号", district="铁东区", name="王丽", phone="13912345678",
                                  confidential=confidential, wants_reply=True, channel=channel,
                                  sender_id=None if channel == "phone" else f"{channel}-{key}", idempotency_key=key)
    number = repository.file_order(req, P)[0].number
    lifecycle.dispatch(number, UNIT, "staff:派单员", P, now=at("2026-11-23"))
    return number


def notices():  # type: ignore[no-untyped-def]
    from bot.gateway.config import GatewayConfig
    from bot.gateway.hub import Hub
    from bot.gateway.order_updates import OrderUpdates
    from bot.gateway.rasa import RasaClient

    hub = Hub(GatewayConfig(), RasaClient("http://127.0.0.1:9", "http://127.0.0.1:9"), P)
    return OrderUpdates(hub, DatabaseStore())


def test_the_unit_asks_for_more_and_the_answer_moves_the_deadline_by_the_days_waited():
    number = order("s1")
    deadline = repository.get_order(number).deadline
    with pytest.raises(LifecycleError) as bad_days:
        lifecycle.ask_citizen(number, "unit:x", "请提供烧烤店的具体门牌号", 0, P, UNIT)
    assert bad_days.value.code == "bad_days"
    with pytest.raises(LifecycleError) as not_yours:
        lifecycle.ask_citizen(number, "unit:x", "请提供烧烤店的具体门牌号", 3, P, "市生态环境局")
    assert not_yours.value.code == "not_yours"
    lifecycle.ask_citizen(number, "unit:x", "请提供烧烤店的具体门牌号和营业时间", 5, P, UNIT)
    with pytest.raises(LifecycleError):  # one question at a time
        lifecycle.ask_citizen(number, "unit:x", "再问一个问题", 3, P, UNIT)
    later = dt.datetime.utcnow() + dt.timedelta(days=4)
    with pytest.raises(LifecycleError):  # only the conversation that filed it answers
        lifecycle.citizen_answered(number, "web-someone", "胜利路1号", P, now=later)
    lifecycle.citizen_answered(number, "web-s1", "胜利路1号旁边，晚上六点到凌晨两点", P, now=later)
    waited = lifecycle.working_days_between(lifecycle.china_today(), lifecycle.china_today(later.replace(tzinfo=dt.timezone.utc)))
    assert waited >= 1
    assert repository.get_order(number).deadline == add_working_days(deadline, waited)  # the clock stopped
    kinds = [h["kind"] for h in lifecycle.history(number)]
    assert kinds[-3:] == ["citizen_asked", "citizen_answered", "extension"]


def test_a_question_past_its_date_is_no_longer_open_and_a_phone_order_cannot_be_asked_online():
    number = order("s2")
    lifecycle.ask_citizen(number, "console:boss", "请补充现场照片", 1, P, now=at("2026-11-24"))
    with pytest.raises(LifecycleError):
        lifecycle.citizen_answered(number, "web-s2", "照片在这", P, now=at("2026-12-10"))
    by_phone = order("s3", channel="phone")
    with pytest.raises(LifecycleError) as no_channel:
        lifecycle.ask_citizen(by_phone, "console:boss", "请补充现场照片", 3, P)
    assert no_channel.value.code == "no_channel"


def test_the_question_reaches_the_citizens_conversation_and_the_next_message_is_the_answer():
    number = order("s4")
    lifecycle.ask_citizen(number, "unit:x", "请提供烧烤店的具体门牌号", 3, P, UNIT)
    n = notices()
    asyncio.run(n.run_once())
    told = [m.text for m in transcript.history("web-s4")]
    assert any(number in t and "请提供烧烤店的具体门牌号" in t and "请直接回复" in t for t in told)
    # An emergency is never taken for an answer, nor is a request for a person: the question stays open.
    assert asyncio.run(n.take_reply("web-s4", "楼下着火了，烟特别大，有人被困")) is None
    assert asyncio.run(n.take_reply("web-s4", "转人工")) is None
    said = asyncio.run(n.take_reply("web-s4", "胜利路1号，叫老王烧烤"))
    assert said is not None and "已收到您的补充" in said
    assert [h["note"] for h in lifecycle.history(number) if h["kind"] == "citizen_answered"] == ["胜利路1号，叫老王烧烤"]
    assert asyncio.run(n.take_reply("web-s4", "谢谢")) is None  # answered: back to the bot


def test_a_protected_citizens_answer_reaches_the_unit_without_who_they_are():
    number = order("s5", request_type="举报", confidential=True)
    lifecycle.ask_citizen(number, "unit:x", "请说明排污的具体时间段", 3, P, UNIT)
    lifecycle.citizen_answered(number, "web-s5", "每天夜里两点左右，我是王丽，电话13912345678", P)
    seen = views.order_detail(number, f"unit:{UNIT}", UNIT)
    answer = next(h["note"] for h in seen["history"] if h["kind"] == "citizen_answered")
    assert "夜里两点" in answer and "王丽" not in answer and "13912345678" not in answer
    assert seen["name"] is None and seen["phone"] is None
    whole = views.order_detail(number, "staff:值班长")  # the hotline sees the citizen's own words
    assert "13912345678" in next(h["note"] for h in whole["history"] if h["kind"] == "citizen_answered")


def test_photos_sent_after_the_question_join_the_order_asked_about():
    number = order("s6")
    lifecycle.ask_citizen(number, "unit:x", "请补充现场照片", 3, P, UNIT)
    _, joined = attachments.add_attachment("web-s6", "web", "现场.jpg", "image/jpeg", 1234, "ab" * 32, "/tmp/x.jpg")
    assert joined is not None and joined.number == number
