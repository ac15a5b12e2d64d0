"""A protected order's content names nobody (issue 18): every way citizens name themselves."""

from __future__ import annotations

import pytest

from bot.language.redact import redact_identity


@pytest.mark.parametrize(("text", "gone", "kept"), [
    ("本人张德胜实名举报，铁西区兴盛街9号的洗车店把污水直接排进雨水井，电话13500001234",
     ["张德胜", "13500001234"], ["洗车店", "雨水井"]),
    ("我，王小明，举报铁东区某饭店油烟扰民", ["王", "小明"], ["饭店油烟"]),
    ("联系人：李建华，举报人刘芳反映小区违建", ["李建华", "刘芳"], ["小区违建"]),
    ("实名举报人：赵德柱", ["赵德柱"], []),
    ("举报人孙小美（手机13900001111）", ["孙小美", "13900001111"], []),
    ("我叫王丽，王先生是我爱人", ["王丽", "王先生"], []),
])
def test_names_and_numbers_are_masked(text, gone, kept):
    masked = redact_identity(text, None, None)
    assert all(g not in masked for g in gone), masked
    assert all(k in masked for k in kept), masked


@pytest.mark.parametrize("text", ["本人在铁东区住了十年，本人认为应当整改", "举报人反映的问题一直没解决",
                                  "王府井小区门口占道经营", "我，今天又去了一趟"])
def test_words_that_are_not_names_stay(text):
    assert redact_identity(text, None, None).replace(",", "，") == text
