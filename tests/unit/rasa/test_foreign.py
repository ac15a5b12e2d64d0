"""Messages in English (issue 19): the classifier, trained on Chinese, reads them as anything; the
NLU layer sends them to a person when they ask for one, else to the not-understood path, which
answers in English."""

from __future__ import annotations

import pytest


def foreign_intent(text: str) -> str | None:
    # Imported when run, not when collected: bot.rasa.nlu patches Rasa on import, and
    # tests/unit/rasa/test_patches.py keeps Rasa's original at collection.
    from bot.rasa.nlu import foreign_intent as read

    return read(text)


@pytest.mark.parametrize("text,intent", [
    ("How can I renew my work permit?", "nlu_fallback"),
    ("please connect me to a human", "request_human"),
    ("Can I talk to a real person please", "request_human"),
    ("I need customer service", "request_human"),
    ("hello, my neighbour is very noisy every night", "nlu_fallback"),
])
def test_english_is_understood_as_english(text, intent):
    assert foreign_intent(text) == intent


@pytest.mark.parametrize("text", ["AS-20261201-0003", "13812345678", "我要投诉 KTV 太吵", "ok", "WiFi 坏了", "",
                                  "查询工单 AS-20261201-0003 尾号1234", "OK OK 好的"])
def test_chinese_numbers_and_single_words_are_not_english(text):
    assert foreign_intent(text) is None
