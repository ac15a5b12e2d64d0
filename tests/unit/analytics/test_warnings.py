"""研判's early warnings of every kind (issue 23): a street's own hot spot, a 集中反映 group
reaching the profile's size, the same citizen filing again and again (never shown who), an order
with a sensitive word of the profile's list; one job round, one lock; the schema from 0019."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import sqlite3

import pytest
from sqlalchemy import Text, select, type_coerce

from bot.analytics import queries as q
from bot.analytics import warnings
from bot.gateway import analytics_api
from bot.language.sensitive import find_sensitive
from bot.language.streets import street_of
from bot.orders import clusters, lifecycle
from bot.profile import DEFAULT_SENSITIVE_WORDS, load_profile
from bot.store import repository
from bot.store.db import session_scope
from bot.store.models import HotspotWarning, WorkOrder, utcnow
from bot.store.shared import DatabaseStore
from tests.unit.analytics.test_analytics import P, filed

END = dt.datetime(2026, 11, 20, 12) - q.CHINA
WATER, HEATING = "公用事业/供水", "公用事业/供暖"
_keys = itertools.count()


def kinds(found: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for w in found:
        out.setdefault(w["kind"], []).append(w)
    return out


# ---------------------------------------------------------------- the street of an address

@pytest.mark.parametrize("address, district, street", [
    ("铁东区胜利街道园林小区3号楼", "铁东区", "胜利街道"),
    ("鞍山市铁东区胜利街道办事处对面", "铁东区", "胜利街道"),
    ("鞍山市胜利街道园林小区", "铁东区", "胜利街道"),
    ("台安县新开河镇大岗村", "台安县", "新开河镇"),
    ("铁东区红旗街道某小区", "铁东区", "红旗街道"),      # 旗 of its own name, not a banner above it
    ("鞍山市红旗街道园林小区", "铁东区", "红旗街道"),
    ("海城牌楼镇", "海城市", "牌楼镇"),
    ("铁东区镇江路5号", "铁东区", None),      # a road named after a town
    ("铁东区某路1号", "铁东区", None),
    ("铁东区城乡结合部", "铁东区", None),
    ("铁东区胜利街道", None, None),            # no district: no street hot spot either
])
def test_the_street_is_read_from_the_address(address, district, street):
    assert street_of(address, district, P) == street


def test_a_profile_that_lists_its_streets_is_read_against_its_list():
    listed = dataclasses.replace(P, streets={"铁东区": {"胜利街道": ("胜利街",), "园林街道": ()}})
    assert street_of("铁东区胜利街园林小区", "铁东区", listed) == "胜利街道"  # another spelling the city gave
    assert street_of("铁东区新兴街道3号", "铁东区", listed) is None  # not one of its streets
    assert street_of("铁西区新兴街道3号", "铁西区", listed) == "新兴街道"  # a district it lists none for


def test_filing_keeps_the_street_and_the_sensitive_word():
    n = filed("2026-11-02", address="铁东区胜利街道园林小区3号楼", content="物业不管，业主们准备拉横幅")
    order = repository.get_order(n)
    assert (order.street, order.sensitive) == ("胜利街道", "拉横幅")
    plain = repository.get_order(filed("2026-11-02", content="商场门口搞跳楼价甩卖，占道经营"))
    assert (plain.street, plain.sensitive) == (None, None)


# ---------------------------------------------------------------- street hot spots

def _street_baseline() -> None:
    for week in range(4):  # about one order in two days per street and topic
        for street in ("胜利街道", "园林街道", "站前街道"):
            for topic in (WATER, HEATING):
                filed(f"2026-10-{22 + week * 2:02d}", district="铁东区", topic=topic,
                      address=f"铁东区{street}某小区")


def test_a_burst_in_one_street_is_a_street_warning_and_its_neighbours_are_not():
    _street_baseline()
    for i in range(8):  # a main breaks under 胜利街道: eight calls in the morning
        filed("2026-11-20", hour=6 + i // 3, district="铁东区", topic=WATER, address="铁东区胜利街道园林小区")
    filed("2026-11-20", hour=9, district="铁东区", topic=WATER, address="铁东区园林街道某小区")
    spots = q.hotspots(END, street=True)
    assert [(h["topic"], h["district"], h["street"]) for h in spots] == [(WATER, "铁东区", "胜利街道")]
    assert spots[0]["count"] == 8 and len(spots[0]["numbers"]) == 8
    assert spots[0]["reason"].startswith("铁东区胜利街道 公用事业 › 供水 近") and "同期基线" in spots[0]["reason"]
    [w] = kinds(warnings.raise_warnings(spots, END, "street"))["street"]
    assert (w["kind_label"], w["street"]) == ("街道热点", "胜利街道")
    assert q.hotspots(END - dt.timedelta(days=2), street=True) == []  # before it happened


def test_three_orders_of_a_matter_a_quiet_street_never_hears_are_a_street_warning_two_are_not():
    _street_baseline()
    market = "城市管理/占道经营"
    for hour in (8, 9):
        filed("2026-11-20", hour=hour, district="铁东区", topic=market, address="铁东区园林街道某小区")
    assert q.hotspots(END, street=True) == []  # two: chance
    filed("2026-11-20", hour=10, district="铁东区", topic=market, address="铁东区园林街道某小区")
    [spot] = q.hotspots(END, street=True)
    assert (spot["street"], spot["count"]) == ("园林街道", 3) and spot["score"] >= q.STREET.min_surprise
    assert q.hotspots(END) == []  # three orders are no district's hot spot


def test_a_street_that_never_had_a_matter_its_district_hears_every_day_expects_it_too():
    """A street's own four weeks are few orders: its level is pulled towards its share of its
    district's. 站前街道 had no 供水 order in four weeks, but its district hears one a day and
    站前街道 files half the district's orders: three in a morning are not a street warning."""
    for day in range(28):
        at = (dt.date(2026, 10, 21) + dt.timedelta(days=day)).isoformat()
        filed(at, district="铁东区", topic=WATER, address="铁东区胜利街道某小区")
        filed(at, district="铁东区", topic="城市管理/占道经营", address="铁东区站前街道某小区")
    for hour in (8, 9, 10):
        filed("2026-11-20", hour=hour, district="铁东区", topic=WATER, address="铁东区站前街道某小区")
    assert q.hotspots(END, street=True) == []
    alone = dataclasses.replace(q.STREET, prior_weight=0.0)  # on its own four weeks it would have been
    assert [h["street"] for h in q.hotspots(END, street=True, detector=alone)] == ["站前街道"]


def test_heating_in_november_across_the_whole_city_is_not_a_street_warning():
    for district in ("铁东区", "铁西区", "立山区"):
        for street in ("胜利街道", "园林街道", "站前街道"):
            address = f"{district}{street}某小区"
            for i in range(6):  # the season starts everywhere, as it did a year before
                filed("2026-11-20", hour=8 + i // 3, district=district, topic=HEATING, address=address)
                for day in range(14, 28, 3):
                    filed(f"2025-11-{day:02d}", hour=9 + i, district=district, topic=HEATING, address=address)
    assert q.hotspots(END, street=True) == []
    assert q.hotspots(END) == []


# ---------------------------------------------------------------- 集中反映

def _same_matter(i: int, phone: str | None = None) -> str:
    n = next(_keys)
    req = repository.OrderRequest(request_type="投诉", content="园林小区3号楼门前井盖丢了，晚上看不见很危险",
                                  address="铁东区胜利街道园林小区3号楼", district="铁东区", name="李强",
                                  phone=phone or f"1370000{n:04d}", confidential=False, wants_reply=True,
                                  channel="phone", sender_id=f"phone-c{n}", idempotency_key=f"c{n}")
    order = repository.file_order(req, P)[0]
    clusters.link(order.number)  # the grouping filing does (bot/orders/clusters.py), reused as it is
    return order.number


def test_a_group_of_the_same_matter_warns_when_it_reaches_the_profiles_size():
    assert P.cluster_warning_size == 5
    first = _same_matter(0)
    for i in range(1, 3):
        _same_matter(i)
    _same_matter(9, phone="13700009999")
    _same_matter(9, phone="13700009999")  # the same citizen again: four citizens, five orders
    now = utcnow() + dt.timedelta(minutes=1)
    assert q.clusters_reaching(now, P.cluster_warning_size) == []
    _same_matter(5)
    [g] = q.clusters_reaching(now, P.cluster_warning_size)
    assert g["key"] == first and g["count"] == 5 and len(g["numbers"]) == 6 and first in g["numbers"]
    assert g["reason"].startswith("铁东区胜利街道 集中反映") and "5位市民" in g["reason"]
    [w] = warnings.raise_warnings([g], now, "cluster")
    assert w["kind_label"] == "集中反映" and "李强" not in json.dumps(w, ensure_ascii=False)
    assert q.clusters_reaching(now + dt.timedelta(hours=80), P.cluster_warning_size) == []  # gone quiet


# ---------------------------------------------------------------- the same citizen again and again

def test_three_orders_from_one_citizen_in_seven_days_are_a_repeat_and_two_are_not():
    phone, other = "13811112222", "13833334444"
    filed("2026-11-14", phone=phone, topic=HEATING)
    filed("2026-11-19", phone=phone, topic=HEATING)
    for day in ("2026-11-01", "2026-11-19"):  # 19 days apart: never three in a week
        filed(day, phone=other)
    filed("2026-11-05", phone=other)
    assert q.repeat_callers(END) == []
    filed("2026-11-20", hour=9, phone=phone, topic=HEATING)
    [r] = q.repeat_callers(END)
    assert r["count"] == 3 and r["reason"] == "同一市民7天内反映3次（公用事业 › 供暖），请关注"
    assert q.repeat_callers(END + dt.timedelta(days=7)) == []  # the first fell out of the week
    assert q.repeat_callers(END, min_orders=4) == []


def test_a_repeat_warning_never_shows_who_and_never_ties_a_report_to_its_citizen():
    phone = "13955556666"
    plain = [filed("2026-11-1" + str(d), phone=phone, channel="phone", topic=HEATING,
                   content=f"我叫王丽，电话{phone}，家里暖气不热第{d}次") for d in (7, 8, 9)]
    report = filed("2026-11-19", hour=11, phone=phone, request_type="举报", content="举报楼下饭店偷排油烟，我是王丽")
    secret = filed("2026-11-19", hour=11, phone=phone, confidential=True, content="保密反映邻居私搭乱建")
    with session_scope() as s:
        stored_phone = s.execute(select(type_coerce(WorkOrder.phone, Text))
                                 .where(WorkOrder.number == plain[0])).scalar_one()
    new = warnings.find_all(END, P)
    [w] = kinds(new)["repeat"]
    assert w["count"] == 3 and w["reason"] == "同一市民7天内来电3次（公用事业 › 供暖），请关注"
    assert set(w["numbers"]) == set(plain)  # the 举报 and the confidential order are not tied to it
    listed = analytics_api.run("warnings", {"kind": "repeat"}, "analyst:研判组", P)
    body = json.loads(listed.body)["warnings"]
    assert [x["kind_label"] for x in body] == ["重复来电"] and len(body[0]["orders"]) == 3
    flat = json.dumps(body, ensure_ascii=False) + json.dumps(new, ensure_ascii=False)
    for secret_text in (phone, phone[-4:], "王丽", stored_phone, report, secret, "sender_id", "address"):
        assert secret_text not in flat
    with session_scope() as s:
        kept = s.execute(select(HotspotWarning.key, HotspotWarning.reason)
                         .where(HotspotWarning.kind == "repeat")).one()
    assert phone not in kept.key and stored_phone not in kept.key and phone not in kept.reason


# ---------------------------------------------------------------- sensitive words

@pytest.mark.parametrize("text, word", [
    ("物业不管，几十户业主准备拉横幅", "拉横幅"),
    ("再不解决我们就集体去市政府", "集体"),
    ("问题一直未解决就去上访", "上访"),           # 未 denies 解决, not 上访
    ("他站在楼顶说要跳楼", "跳楼"),
    ("我劝他别跳楼", "跳楼"),                     # a life at stake is never read as denied
    ("他说他不会跳楼的，但情绪很激动", "跳楼"),
    ("不得不上访", "上访"),
    ("商场门口搞跳楼价大甩卖", None),             # the word inside another word
    ("村集体土地被人占了", None),
    ("在网上访问不了社保系统", None),
    ("我们没有上访，只是反映情况", None),          # denied
    ("业主们并未拉横幅", None),
    ("我们不会再去上访", None),
    ("楼上装修太吵", None),
])
def test_a_sensitive_word_counts_as_meant_not_inside_another_word_or_denied(text, word):
    assert find_sensitive(text, DEFAULT_SENSITIVE_WORDS) == word


def test_an_order_with_a_sensitive_word_is_a_warning_naming_the_word_once():
    n = filed("2026-11-20", hour=11, address="铁东区胜利街道园林小区", content="小区停水三天，业主说明天去拉横幅")
    filed("2026-11-20", hour=11, content="我们没有上访，只是问问停水的事")
    filed("2026-11-20", hour=11, content="超市跳楼价甩卖占道")
    [w] = kinds(warnings.find_all(END, P))["sensitive"]
    assert w["numbers"] == [n] and w["kind_label"] == "敏感词"
    assert w["reason"].startswith("含敏感词「拉横幅」：铁东区胜利街道") and n in w["reason"]
    assert warnings.find_all(END + dt.timedelta(minutes=1), P) == []  # the same order: not twice
    warnings.act(w["id"], "close", "console:boss", "已联系物业和街道，做好解释")
    assert warnings.find_all(END + dt.timedelta(hours=2), P) == []  # closed: not raised again


def test_the_sensitive_words_are_the_profiles():
    own = dataclasses.replace(P, warnings={"sensitive_words": ["信访局", "围堵"]})
    assert own.sensitive_words == ("信访局", "围堵")
    assert P.sensitive_words == ("群体性", "上访", "跳楼", "自焚", "集体", "媒体曝光", "拉横幅", "静坐")
    assert load_profile("tianjin").sensitive_words == DEFAULT_SENSITIVE_WORDS  # not set there: the default
    req = repository.OrderRequest(request_type="投诉", content="我们要去围堵开发商", address=None, district="铁东区",
                                  name=None, phone="13800001111", confidential=False, wants_reply=True,
                                  channel="web", sender_id="web-own", idempotency_key="own-1")
    assert repository.file_order(req, own)[0].sensitive == "围堵"


# ---------------------------------------------------------------- the job, the lists, the schema

def test_one_round_raises_every_kind_once_under_one_lock_and_the_unit_sees_its_own():
    _street_baseline()
    for i in range(8):
        filed("2026-11-20", hour=6 + i // 3, district="铁东区", topic=WATER, address="铁东区胜利街道园林小区")
    for d in (18, 19, 20):
        filed(f"2026-11-{d}", hour=8, phone="13822223333", topic=WATER, address="铁东区胜利街道园林小区")
    urgent = filed("2026-11-20", hour=10, content="停水两天了，居民要集体去堵路", address="铁东区站前街道某小区")
    lifecycle.dispatch(urgent, "供水企业；市城市供水主管部门", "staff:派单员", P)
    one, two = DatabaseStore(), DatabaseStore()
    new = kinds(warnings.run_once(one, END, profile=P))
    assert warnings.run_once(two, END, profile=P) == []  # another gateway, the same round
    assert set(new) == {"hotspot", "street", "repeat", "sensitive"}
    assert {w["kind_label"] for ws in new.values() for w in ws} == {"热点", "街道热点", "重复来电", "敏感词"}
    assert [w["reason"] for w in warnings.listing("open", unit="供水企业；市城市供水主管部门")] == \
        [new["sensitive"][0]["reason"]]
    assert analytics_api.run("warnings", {"kind": "nothing"}, "analyst:研判组", P).status == 400
    assert warnings.raise_warnings(q.hotspots(END, street=True), END + dt.timedelta(minutes=1), "street") == []


def test_a_closed_repeat_caller_is_quiet_until_the_count_grows_by_half():
    for d in (18, 19, 20):
        filed(f"2026-11-{d}", hour=8, phone="13844445555")
    [w] = warnings.raise_warnings(q.repeat_callers(END), END, "repeat")
    warnings.act(w["id"], "close", "console:boss", "已回电，解释了处理进度")
    later = END + dt.timedelta(days=2)
    assert warnings.raise_warnings(q.repeat_callers(later), later, "repeat") == []  # a day on, unchanged: quiet
    for h in (1, 2):
        filed("2026-11-22", hour=h, phone="13844445555")
    [again] = warnings.raise_warnings(q.repeat_callers(later), later, "repeat")
    assert again["count"] == 5 and again["id"] != w["id"]


def test_the_schema_upgrades_from_0019_keeping_the_warnings_raised_before(tmp_path, monkeypatch):
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    path = tmp_path / "old.db"
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(warnings.__file__).resolve().parent.parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    command.upgrade(cfg, "0019")
    db = sqlite3.connect(path)
    db.execute("INSERT INTO hotspot_warnings (topic, district, window_hours, count, baseline, score, reason, numbers, "
               "state, created_at, updated_at) VALUES ('公用事业/供水', '铁西区', 6, 9, 1.0, 6.0, '铁西区 供水', 'AS-1', "
               "'open', '2026-11-20 04:00:00', '2026-11-20 04:00:00')")
    db.commit()
    command.upgrade(cfg, "head")
    row = db.execute("SELECT kind, key, street FROM hotspot_warnings").fetchone()
    assert row == ("hotspot", "hotspot|公用事业/供水|铁西区", None)
    columns = {r[1] for r in db.execute("PRAGMA table_info(work_orders)")}
    assert {"street", "sensitive"} <= columns
    assert "ix_hotspot_warnings_key" in {r[1] for r in db.execute("PRAGMA index_list(hotspot_warnings)")}
    db.close()
    # the job finds the old warning by its key: the same hot spot updates it, no second one
    spot = {"topic": "公用事业/供水", "district": "铁西区", "count": 12, "baseline": 1.0, "score": 7.0,
            "window_hours": 6, "reason": "铁西区 供水 12件", "numbers": []}
    monkeypatch.setenv("HOTLINE_DB_URL", f"sqlite:///{path}")
    assert warnings.raise_warnings([spot], END) == []
    assert [(w["kind"], w["count"]) for w in warnings.listing("all")] == [("hotspot", 12)]
    command.downgrade(cfg, "0019")
    db = sqlite3.connect(path)
    assert "kind" not in {r[1] for r in db.execute("PRAGMA table_info(hotspot_warnings)")}
    db.close()
