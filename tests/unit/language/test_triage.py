"""The structured reading of one message (behind /api/triage)."""

from bot.language.triage import triage
from bot.profile import load_profile


def test_complaint_reading():
    r = triage("我叫王建国，电话13898765432，铁东区胜利南路25号楼下烧烤店天天营业到凌晨两点，噪音油烟太大，我要投诉")
    assert r["type"] == "投诉" and r["emergency"] is None and r["out_of_scope"] is None
    assert r["fields"]["phone"] == "13898765432" and r["fields"]["district"] == "铁东区"
    assert r["profile"] == "anshan"


def test_emergency_wins_over_everything():
    r = triage("我要投诉物业，楼道里着火了冒黑烟")
    assert r["emergency"]["numbers"][0] == "119" and r["out_of_scope"] is None


def test_legal_route():
    r = triage("我要实名举报我们村书记贪污低保款")
    assert r["out_of_scope"]["route"] == "discipline" and r["out_of_scope"]["name"]


def test_other_profile():
    r = triage("奎文区东风街100号门口井盖没了", load_profile("weifang"))
    assert r["fields"]["district"] == "奎文区" and r["profile"] == "weifang"


def test_bad_input():
    for text in ["", "   ", "<script>alert(1)</script>", "😀" * 100, "x" * 100000]:
        r = triage(text)
        assert r["emergency"] is None


def test_triage_always_reads_a_type_and_says_how_sure():
    declared = triage("我要投诉，楼道灯坏了半个月没人修")
    assert declared["type"] == "投诉" and declared["type_source"] == "declared" and declared["type_confidence"] == 1.0
    read = triage("楼道灯坏了半个月没人修，物业也不管，希望督促处理")
    assert read["type"] == "投诉" and read["type_source"] == "model" and 0 < read["type_confidence"] < 1
    asked = triage("投诉物业去哪个部门")
    assert asked["type"] == "咨询" and asked["type_source"] == "model"
    assert triage("   ")["type"] is None and triage("   ")["type_confidence"] is None
