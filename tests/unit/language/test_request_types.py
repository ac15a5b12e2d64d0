"""The request-type classifier (bot/language/request_types): what a citizen declares stands, the model
reads the rest, and every message with words in it gets a type."""

from __future__ import annotations

import numpy as np
import pytest

from bot.language import request_types
from bot.language.request_types import classify, declared_type


def test_the_weights_were_trained_on_the_sources_as_they_are():
    from scripts.train_request_types import sources_digest

    stored = str(np.load(request_types.WEIGHTS)["digest"])
    assert stored == sources_digest(), "training data changed: run .venv/bin/python -m scripts.train_request_types"


@pytest.mark.parametrize("text,kind", [
    ("我要投诉物业，电梯坏了一个月", "投诉"),
    ("现实名举报某饭店后厨用地沟油", "举报"),
    ("来电人咨询：孩子上小学需要准备哪些材料", "咨询"),
    ("给你们提个建议，公交站加个棚子", "意见建议"),
    ("建议在胜利路口增设一个红绿灯", "意见建议"),
])
def test_a_declared_type_stands(text, kind):
    reading = classify(text)
    assert declared_type(text) == kind and reading.type == kind and reading.named and reading.confidence == 1.0


@pytest.mark.parametrize("text", [
    "投诉物业去哪个部门",             # how to complain is a question
    "想投诉一家网店，怎么投诉啊",
    "不是投诉，就是问问",
    "之前投诉了三次都没人管",          # a word in the story, not the act
    "我要是举报得提供啥材料",
])
def test_a_mention_or_a_question_about_how_is_not_a_declaration(text):
    assert declared_type(text) is None
    assert not classify(text).named


@pytest.mark.parametrize("text,kind", [
    ("投诉物业去哪个部门", "咨询"),
    ("居住证怎么办理需要什么材料", "咨询"),
    ("楼道灯坏了半个月没人修，物业也不管，希望督促处理", "投诉"),
    ("有人在河边偷偷往河里排污水，请查处", "举报"),
    ("我家老人走失了不知道找谁帮忙", "求助"),
])
def test_the_model_reads_an_undeclared_type(text, kind):
    reading = classify(text)
    assert reading.type == kind and not reading.named
    assert abs(sum(reading.scores.values()) - 1) < 1e-3 and reading.confidence == reading.scores[kind]


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_nothing_said_has_no_type(text):
    assert classify(text) is None
    assert not request_types.sure(None)


@pytest.mark.parametrize("text", ["哈" * 20000, "？？？", "12345", "<script>alert(1)</script>", "😀" * 50, "ok"])
def test_any_text_with_something_in_it_gets_a_type(text):
    reading = classify(text)
    assert reading is not None and reading.type in request_types.REQUEST_TYPES and 0 < reading.confidence <= 1


@pytest.mark.parametrize("text, kind", [("我想投诉一下 不对 算建议吧 小区没有充电桩", "意见建议"),
                                        ("我要举报 不对 是投诉 物业乱收费", "投诉"),
                                        ("我想咨询 还是投诉吧 这事太气人", "投诉")])
def test_a_type_corrected_in_the_same_breath_is_the_corrected_one(text, kind):
    assert declared_type(text) == kind
