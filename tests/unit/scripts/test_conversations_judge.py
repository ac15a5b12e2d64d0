"""The conversation benchmark's judge (scripts/conversations.py): what counts as the right order."""

from __future__ import annotations

from types import SimpleNamespace

from scripts.conversations import answer_for, judge, problem_kind

CONV = {"id": "T01", "expect": {
    "outcome": "filed", "type": "举报", "key_facts": ["占耕地", "一亩多"], "must_not": ["没法待"],
    "address_has": ["偏岭镇", "南沟村"], "name": None, "phone": None, "confidential": True}}


def order(**fields):  # type: ignore[no-untyped-def]
    base = dict(request_type="举报", content="村西头老宋家占耕地，一亩多全打上地基了", address="岫岩县偏岭镇南沟村村西头",
                name=None, phone=None, confidential=True)
    return SimpleNamespace(**{**base, **fields})


def run(*orders, replies=()):  # type: ignore[no-untyped-def]
    return {"orders": list(orders), "replies": list(replies)}


def test_the_right_order_passes_and_each_wrong_field_is_named():
    assert judge(CONV, run(order())) == []
    assert judge(CONV, run(order(content="占耕地，一亩多，让人知道了我在村里没法待")))[0].startswith("content has")
    assert judge(CONV, run(order(address="岫岩县")))[0].startswith("address lacks")
    assert judge(CONV, run(order(address="")))[0].startswith("address empty")
    assert judge(CONV, run(order(content="一亩多全打上地基了")))[0].startswith("content lacks")
    assert judge(CONV, run(order(content="我要举报")))[0].startswith("content lost")
    assert judge(CONV, run(order(name="匿名呗")))[0].startswith("name")
    assert judge(CONV, run(order(phone="13812345678")))[0].startswith("phone")
    assert judge(CONV, run(order(confidential=False)))[0].startswith("confidential")
    assert judge(CONV, run(order(request_type="投诉")))[0].startswith("type")
    assert judge(CONV, run())[0].startswith("filed 0")
    assert judge(CONV, run(order(), order()))[0].startswith("filed 2")


def test_punctuation_width_and_spaces_do_not_matter():
    assert judge(CONV, run(order(content="占 耕 地,一亩多", address="偏岭镇 南沟村"))) == []


def test_other_outcomes_need_their_words_and_no_order_and_no_loop():
    conv = {"id": "T02", "expect": {"outcome": "legal_route", "reply_mentions": [["12388", "纪检"], ["举报"]]}}
    assert judge(conv, run(replies=["请向纪检监察机关举报，电话12388"])) == []
    assert judge(conv, run(replies=["请向有关部门反映"]))[0].startswith("replies (legal_route) never say")
    assert judge(conv, run(order(), replies=["12388 举报"]))[0].startswith("filed 1")
    looped = ["请问怎么称呼您？"] * 3 + ["12388 举报"]
    assert judge(conv, run(replies=looped))[0].startswith("loop")


def test_the_citizen_answers_the_form_from_the_facts_or_declines():
    expect = CONV["expect"]
    facts = {"name": None, "phone": "13812345678", "address": "偏岭镇", "confidential": True}
    assert answer_for("confirmed", facts, expect) == "确认"
    assert answer_for("phone", facts, expect) == "13812345678"
    assert answer_for("name", facts, expect) == "不想留名字"
    assert answer_for("request_type", facts, expect) == "举报"
    assert answer_for("content", facts, expect) is None


def test_a_sealed_problem_is_told_by_its_kind_without_the_citizens_words():
    problems = judge(CONV, run(order(request_type="投诉", content="我要举报，让人知道了没法待", address="",
                                     name="老宋", confidential=False)))
    kinds = [problem_kind(p) for p in problems]
    assert kinds == ["type 投诉->举报", "content lost", "content has", "address empty", "name given, none expected",
                     "confidential False, expected True"]
    assert problem_kind(judge(CONV, run(order(phone=None, name="张三")))[0]) == "name given, none expected"
    named = {**CONV, "expect": {**CONV["expect"], "name": "宋玉兰"}}
    assert problem_kind(judge(named, run(order()))[0]) == "name missing"
    assert problem_kind(judge(named, run(order(name="老宋")))[0]) == "name wrong"
    for kind in kinds:
        assert not any(word in kind for word in ("举报，", "没法待", "老宋", "一亩多"))
