"""City profiles: every seed city loads, and the profile changes what the bot says."""

from __future__ import annotations

import pytest

from actions.intake import ActionFileWorkOrder
from actions.session import ActionSessionStart
from bot.profile import available_profiles, load_profile
from tests.support.helpers import run, slots_set, tracker


@pytest.mark.parametrize("key", ["anshan", "weifang", "tianjin", "tongliao"])
def test_profiles_load(key):
    p = load_profile(key)
    assert p.hotline_number == "12345" and p.districts and p.working_days == 5
    assert p.cite("classify").startswith("《")


def test_default_is_anshan_and_unknown_is_refused():
    assert load_profile().key == "anshan"
    assert set(available_profiles()) >= {"anshan", "weifang", "tianjin", "tongliao"}
    with pytest.raises(ValueError, match="known profiles"):
        load_profile("atlantis")


def test_profile_changes_what_the_bot_says(monkeypatch):
    anshan = slots_set(run(ActionSessionStart(), tracker("你好", intent="greet"))[0])
    monkeypatch.setenv("HOTLINE_PROFILE", "weifang")
    weifang = slots_set(run(ActionSessionStart(), tracker("你好", intent="greet"))[0])
    assert anshan["hotline_name"] == "鞍山市政务服务便民热线"
    assert weifang["hotline_name"] == "潍坊市12345政务服务便民热线"
    assert weifang["city"] == "潍坊市"


def test_profile_changes_order_numbers(monkeypatch):
    monkeypatch.setenv("HOTLINE_PROFILE", "tianjin")
    slots = {"request_type": "投诉", "content": "和平区南京路一家饭店油烟扰民很久了", "address": "和平区南京路",
             "name": "张先生", "phone": "13800001234", "confirmed": True}
    _, messages = run(ActionFileWorkOrder(), tracker("确认", intent="affirm", slots=slots))
    assert messages[0]["number"].startswith("TJ-")


def test_tunables_read_from_the_profile_with_safe_defaults():
    from bot.profile import _return_window
    assert load_profile("tianjin").return_working_days == (1, 2)  # 天津办法第十七条
    assert load_profile("anshan").field_attempts == 2
    assert _return_window([1, 3]) == (1, 3) and _return_window(2) == (2, 2)
    assert _return_window([3, 1]) == (3, 3)  # a complex matter never has less time
    for wrong in ("两天", [-1, 2], [1, 2, 3], True, None, [1.5, 2]):
        assert _return_window(wrong) == (1, 2)
