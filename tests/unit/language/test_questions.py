"""Information questions go to the knowledge base first; grievances asked as questions do not."""

from __future__ import annotations

import pytest

from bot.language import questions
from bot.language.questions import is_information_question

QUESTIONS = [
    "请问二次供水的水箱多久清洗一次？",
    "想咨询一下，居住证怎么办理",
    "社保卡丢了怎么补办",
    "孩子上小学需要什么材料",
    "公积金提取的流程是什么",
    "老年卡去哪里办",
    "打听一下，异地就医能报销吗",
]
GRIEVANCES = [
    "暖气不热咋整",
    "楼下烧烤店天天吵到半夜有人管吗",
    "我家停水了",
    "物业乱收费怎么办",
    "小区门口路灯坏了一个月了",
    "请问工资拖欠三个月了怎么办",
    "我要投诉",
    "",
    "请问" * 100,
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_for_information(text):
    assert is_information_question(text)


@pytest.mark.parametrize("text", GRIEVANCES)
def test_grievances_and_nonsense_are_not(text):
    assert not is_information_question(text)


@pytest.mark.parametrize("text, parts", [
    ("想问一下：1.营业执照在哪办，能不能网上办？2.新办企业能申请哪些创业扶持政策？",
     ["营业执照在哪办，能不能网上办？", "新办企业能申请哪些创业扶持政策？"]),
    ("居住证怎么办理？新生儿落户需要什么材料？", ["居住证怎么办理？", "新生儿落户需要什么材料？"]),
    ("请问社保卡丢了怎么补办？", []),
    ("1.楼道灯坏了 2.单元门锁坏了", []),       # numbered, but nothing asked: a matter, not questions
    ("什么？怎么办？", []),                      # too short to look up
])
def test_several_questions_in_one_message(text, parts):
    assert questions.several(text) == parts


@pytest.mark.parametrize("text", ["对了问一嘴 我那个公积金现在能提出来还房贷不 完了接着说路灯的事哈", "要交钱不"])
def test_a_plain_yes_or_no_question_asks(text):
    assert questions.asks(text)


def test_how_many_trips_is_an_information_question():
    assert questions.is_information_question("俺家闺女结婚了 户口想迁到她老公家那边 都在鞍山 咋办啊 得跑几趟")
    assert not questions.asks("三天了还不来修")
