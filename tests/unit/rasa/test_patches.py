"""Rasa's check of an action server's answer, with its validator built once (bot/rasa/patches.py):
the same verdicts and the same error messages as Rasa's own."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.rasa import patches

ORIGINAL = RemoteAction._validate_action_result
patches.apply()
ACTION = RemoteAction.__new__(RemoteAction)  # the check uses no state of the action

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "phone", "value": "13800000000", "timestamp": None},
                {"event": "active_loop", "name": "intake_form"},
                {"event": "bot", "text": "好的", "data": {}, "metadata": {}},
                {"event": "followup", "name": "action_file_order"}],
     "responses": [{"text": "请问您怎么称呼？", "buttons": [{"title": "匿名", "payload": "/anonymous"}]}]},
    {},
]
BAD = [
    {"events": {"event": "slot"}},
    {"events": [{"event": "slot", "name": "phone", "value": "1", "timestamp": "yesterday"}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "user", "text": "x", "parse_data": {"entities": {}}}]},
    {"responses": ["not an object"]},
    [],
]


def test_the_patch_is_in_place():
    assert RemoteAction._validate_action_result is not ORIGINAL
    patches.apply()  # twice is harmless
    assert getattr(RemoteAction, patches.PATCHED)


@pytest.mark.parametrize("result", GOOD)
def test_a_good_answer_passes_as_before(result):
    assert ORIGINAL(ACTION, result) is True
    assert RemoteAction._validate_action_result(ACTION, result) is True


@pytest.mark.parametrize("result", BAD)
def test_a_bad_answer_is_refused_with_rasas_own_message(result):
    with pytest.raises(ValidationError) as before:
        ORIGINAL(ACTION, result)
    with pytest.raises(ValidationError) as now:
        RemoteAction._validate_action_result(ACTION, result)
    assert now.value.message == before.value.message and "custom-actions" in now.value.message
    assert list(now.value.path) == list(before.value.path)
