"""研判 (issue 23): volume with 同比/环比, the orders behind a figure (no personal data), hot spots
against each place's own baseline and the city's season, and the units' evaluation — counted in
the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest

from bot.analytics import queries as q
from bot.gateway import analytics_api
from bot.orders import lifecycle, topics
from bot.profile import load_profile
from bot.store import repository
from bot.store.db import session_scope
from bot.store.models import AuditEntry, WorkOrder

P = load_profile("anshan")
UNIT, OTHER = "市城市管理综合行政执法局", "市生态环境局"
_keys = itertools.count()


def filed(day: str, hour: int = 10, district: str = "铁东区", topic: str = "城市管理/占道经营", channel: str = "web",
          request_type: str = "投诉", content: str = "门口占道经营", phone: str | None = None,
          address: str | None = None, confidential: bool = False, minute: int = 0) -> str:
    """An order filed at ``day`` ``hour``:``minute`` China time (each by a citizen of its own unless ``phone``)."""
    n = next(_keys)
    key = f"a{n}"
    req = repository.OrderRequest(request_type=request_type, content=content, address=address or f"{district}某路1号",
                                  district=district, name="王丽", phone=phone or f"139{n:08d}", confidential=confidential,
                                  wants_reply=True, channel=channel, sender_id=f"{channel}-{key}", idempotency_key=key)
    number = repository.file_order(req, P)[0].number
    at = dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute) - q.CHINA
    with session_scope() as s:
        order = s.query(WorkOrder).filter_by(number=number).one()
        order.created_at, order.topic = at, topic
        for e in order.events:
            e.at = at
    return number


def test_volume_by_day_and_district_with_month_on_month_and_year_on_year():
    for day in ("2026-11-02", "2026-11-02", "2026-11-03"):
        filed(day, district="铁东区")
    filed("2026-11-03", district="铁西区")
    filed("2026-11-03", hour=23, district="铁西区")  # 23:00 Beijing is still the 3rd
    filed("2026-10-30", district="铁东区")  # the period before
    filed("2025-11-02", district="铁东区")  # a year before
    filed("2025-10-01", district="立山区")  # the store's first order: the year before is all there
    s = q.summary(q.period("2026-11-01", "2026-11-07"), "day", "district", min_base=1)
    assert s["total"] == 5 and s["totals"] == {"铁东区": 3, "铁西区": 2}
    assert [(p["period"], p["groups"]) for p in s["series"]] == [
        ("2026-11-02", {"铁东区": 2}), ("2026-11-03", {"铁东区": 1, "铁西区": 2})]
    assert s["previous"]["total"] == 1 and s["mom"] == 4.0 and s["mom_reason"] is None
    assert s["year_ago"]["total"] == 1 and s["yoy"] == 4.0 and s["yoy_reason"] is None
    assert s["by_group_change"]["铁西区"] == {"mom": None, "yoy": None, "mom_reason": "上一时段仅0件，不足1件",
                                            "yoy_reason": "去年同期仅0件，不足1件"}
    month = q.summary(q.period("2026-11-01", "2026-11-30"), "month", "topic")
    assert month["series"] == [{"period": "2026-11", "total": 5, "groups": {"城市管理": 5}}]


def test_a_change_is_not_given_against_a_base_the_store_does_not_hold_or_a_handful_of_orders():
    """A year that starts before the store's first order compared with it would be a rise of
    thousands of percent: 「—」 and why, overall and for each group, and over HTTP."""
    filed("2026-09-20", district="铁西区")  # the store's first order
    for day in range(1, 31):
        filed(f"2026-10-{day:02d}", district="铁东区")
        filed(f"2026-11-{day:02d}", district="铁东区")
    filed("2026-10-05", district="铁西区")
    filed("2026-11-05", district="铁西区")
    s = q.summary(q.period("2026-11-01", "2026-11-30"), "month", "district", min_base=30)
    assert (s["previous"]["from"], s["previous"]["to"]) == ("2026-10-01", "2026-10-31")  # November against October
    assert s["data_since"] == "2026-09-20" and s["min_base"] == 30
    assert s["previous"]["total"] == 31 and s["mom"] == 0.0 and s["mom_reason"] is None
    assert s["yoy"] is None and s["yoy_reason"] == "去年同期早于数据起始日2026-09-20"
    assert s["by_group_change"]["铁东区"]["mom"] == 0.0
    west = s["by_group_change"]["铁西区"]
    assert west["mom"] is None and west["mom_reason"] == "上一时段仅1件，不足30件"
    year = q.summary(q.period("2025-12-01", "2026-11-30"), "month", None, min_base=30)
    assert year["total"] == 63 and year["mom"] is None and year["yoy"] is None
    assert year["mom_reason"] == "上一时段早于数据起始日2026-09-20"
    served = analytics_api.run("summary", {"from": "2026-11-01", "to": "2026-11-30", "by": "month", "group": "district"},
                               "analyst:研判组", P)
    body = json.loads(served.body)
    assert P.comparison_min_orders == 30
    assert body["yoy"] is None and body["yoy_reason"] == "去年同期早于数据起始日2026-09-20"
    assert body["by_group_change"]["铁西区"]["mom_reason"] == "上一时段仅1件，不足30件"


def test_a_change_with_nothing_filed_at_all_says_so():
    s = q.summary(q.period("2026-11-01", "2026-11-30"))
    assert s["total"] == 0 and s["mom"] is None and s["mom_reason"] == "尚无工单" and s["data_since"] is None


def test_volume_by_street_keeps_same_named_streets_of_two_districts_apart_and_opens_their_orders():
    east = filed("2026-11-02", district="铁东区", address="铁东区胜利街道园林小区")
    filed("2026-11-02", district="铁东区", address="铁东区胜利街道某小区")
    west = filed("2026-11-03", district="铁西区", address="铁西区胜利街道某小区")
    filed("2026-11-03", district="铁西区", address="铁西区某路1号")  # no street
    s = q.summary(q.period("2026-11-01", "2026-11-07"), "day", "street")
    assert s["totals"] == {"铁东区·胜利街道": 2, "铁西区·胜利街道": 1, q.UNKNOWN: 1}
    behind = q.orders(q.period("2026-11-01", "2026-11-07"), {"street": "铁西区·胜利街道"})
    assert [o["number"] for o in behind["orders"]] == [west]
    assert east in [o["number"] for o in q.orders(q.period("2026-11-01", "2026-11-07"), {"street": "胜利街道"})["orders"]]
    served = analytics_api.run("orders", {"from": "2026-11-01", "to": "2026-11-07", "street": "铁东区·胜利街道"},
                               "analyst:研判组", P)
    assert json.loads(served.body)["total"] == 2


def test_a_week_is_labelled_by_its_monday():
    filed("2026-11-08")  # a Sunday
    filed("2026-11-09")  # the next Monday
    s = q.summary(q.period("2026-11-01", "2026-11-15"), "week")
    assert [(p["period"], p["total"]) for p in s["series"]] == [("2026-11-02", 1), ("2026-11-09", 1)]


@pytest.mark.parametrize("start, end, by, group", [("2026-13-01", None, "day", None), ("2026-11-02", "2026-11-01", "day", None),
                                                   ("2020-01-01", "2026-01-01", "day", None), (None, None, "hour", None),
                                                   (None, None, "day", "name")])
def test_a_question_the_figures_cannot_answer_is_refused_clearly(start, end, by, group):
    with pytest.raises(q.QueryError):
        q.summary(q.period(start, end), by, group)


def test_the_orders_behind_a_figure_carry_no_personal_data_and_no_content_of_a_report():
    plain = filed("2026-11-02", district="铁东区")
    report = filed("2026-11-02", district="铁东区", request_type="举报", content="某饭店偷排废水，我是王丽")
    filed("2026-11-02", district="铁西区")
    got = q.orders(q.period("2026-11-01", "2026-11-07"), {"district": "铁东区", "topic": "城市管理"})
    assert got["total"] == 2 and {o["number"] for o in got["orders"]} == {plain, report}
    for o in got["orders"]:
        assert "name" not in o and "phone" not in o and "address" not in o and "王丽" not in str(o)
    assert next(o for o in got["orders"] if o["number"] == report)["content"] is None
    with pytest.raises(q.QueryError):
        q.orders(q.period("2026-11-01", "2026-11-07"), {"phone": "13912345678"})


def test_the_orders_behind_the_dispatched_figures_and_behind_a_units_row_are_the_ones_counted():
    """未派单 opens the orders without a unit; a unit's row in the evaluation counts the orders it
    received in the period, so its orders are those dispatched to it then, whenever filed."""
    late, early = filed("2026-10-30"), filed("2026-11-02")
    waiting = filed("2026-11-03")
    for number in (late, early):
        lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    with session_scope() as s:
        for order in s.query(WorkOrder).filter(WorkOrder.number.in_((late, early))):
            order.dispatched_at = dt.datetime(2026, 11, 2, 2)  # 10:00 on the 2nd, China time
    week = q.period("2026-11-01", "2026-11-07")
    s = q.summary(week)
    assert (s["dispatched"], s["not_dispatched"]) == (1, 1)
    assert [o["number"] for o in q.orders(week, {"dispatched": "yes"})["orders"]] == [early]
    assert [o["number"] for o in q.orders(week, {"dispatched": "no"})["orders"]] == [waiting]
    assert [o["number"] for o in q.orders(week, {"unit": UNIT})["orders"]] == [early]  # filed in the week
    received = q.orders(week, {"unit": UNIT}, basis="received")
    assert {o["number"] for o in received["orders"]} == {late, early}
    assert next(r for r in q.units(week)["units"] if r["unit"] == UNIT)["received"] == received["total"] == 2
    with pytest.raises(q.QueryError):
        q.orders(week, {"dispatched": "maybe"})
    with pytest.raises(q.QueryError):
        q.orders(week, {}, basis="closed")
    served = analytics_api.run("orders", {"from": "2026-11-01", "to": "2026-11-07", "unit": UNIT, "basis": "received"},
                               "analyst:研判组", P)
    assert json.loads(served.body)["total"] == 2


def test_a_burst_in_one_district_is_a_hot_spot_and_a_season_across_the_city_is_not():
    end = dt.datetime(2026, 11, 20, 12) - q.CHINA
    for week in range(4):  # the baseline: about one a week in each district
        for district in ("铁东区", "铁西区", "立山区"):
            filed(f"2026-10-{22 + week * 2:02d}", district=district, topic="公用事业/供水")
            filed(f"2026-10-{22 + week * 2:02d}", district=district, topic="公用事业/供暖")
    for i in range(9):  # a water main breaks in 铁西区: nine calls in the morning
        filed("2026-11-20", hour=6 + i // 3, district="铁西区", topic="公用事业/供水")
    for district in ("铁东区", "铁西区", "立山区"):  # the heating season starts everywhere, as every year
        for i in range(6):
            filed("2026-11-20", hour=8 + i // 3, district=district, topic="公用事业/供暖")
            for day in range(14, 28):
                filed(f"2025-11-{day:02d}", hour=9 + i, district=district, topic="公用事业/供暖")
    spots = q.hotspots(end)
    assert [(h["topic"], h["district"]) for h in spots] == [("公用事业/供水", "铁西区")]
    assert spots[0]["count"] == 9 and len(spots[0]["numbers"]) == 9
    assert spots[0]["reason"].startswith("铁西区 公用事业 › 供水 近")
    assert q.hotspots(end - dt.timedelta(days=2)) == []  # before it happened


def test_poisson_surprise_is_large_only_for_what_chance_rarely_gives():
    assert q.poisson_surprise(0, 1.0) == 0.0
    assert q.poisson_surprise(2, 1.0) < 1
    assert q.poisson_surprise(9, 1.0) > 5
    assert q.poisson_surprise(30, 0.1) > 30


def test_the_units_evaluation_keeps_solved_and_satisfied_apart_and_ranks_only_units_with_enough_orders():
    numbers = [filed("2026-11-02") for _ in range(4)]
    for n in numbers:
        lifecycle.dispatch(n, UNIT, "staff:派单员", P)
    lifecycle.accept(numbers[0], UNIT)
    for n, rating in zip(numbers[:3], ("满意", "不满意", None), strict=True):
        lifecycle.close(n, UNIT, "已劝离占道摊贩")
        lifecycle.review_close(n, "console:boss", True)
        if rating:
            lifecycle.rate(n, rating, None, P)
    small = filed("2026-11-02")
    lifecycle.dispatch(small, OTHER, "staff:派单员", P)
    today = lifecycle.china_today()
    table = {r["unit"]: r for r in q.units(q.period((today - dt.timedelta(days=3)).isoformat(), today.isoformat()),
                                           min_orders=3)["units"]}
    mine = table[UNIT]
    assert (mine["received"], mine["closed"], mine["rated"]) == (4, 3, 2)
    assert mine["signed_in_time"] == 0.25 and mine["on_time"] == 1.0
    assert mine["solved"] == round(2 / 3, 4) and mine["satisfied_share"] == 0.5 and mine["satisfaction"] == 50.0
    assert mine["not_rated"] == 1 and mine["ratings"] == {"满意": 1, "基本满意": 0, "不满意": 1}
    assert mine["rank"] == 1 and mine["ranked"]
    assert table[OTHER]["rank"] is None and not table[OTHER]["ranked"]  # one order: shown, not ranked
    assert mine["by_topic"] == {"城市管理": 4}


def test_every_order_gets_a_topic_from_the_catalogue_and_a_correction_is_kept():
    assert topics.classify("楼下烧烤店油烟太大，熏得没法开窗") == "生态环境/大气污染"
    assert topics.classify("单位拖欠工资三个月") == "劳动和社会保障/拖欠工资"
    assert topics.classify("有个事想问问", "市住房和城乡建设局") == "城乡建设/物业管理"  # the unit's usual topic
    assert topics.classify("随便说说") == topics.OTHER
    number = filed("2026-11-02")
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.set_topic(number, "console:boss", "不存在/的主题", P)
    lifecycle.set_topic(number, "console:boss", "生态环境/噪声", P)
    assert repository.get_order(number).topic == "生态环境/噪声"
    assert lifecycle.history(number)[-1]["note"] == "主题：城市管理/占道经营 → 生态环境/噪声"


def test_the_api_refuses_a_bad_question_and_audits_every_read():
    bad = analytics_api.run("summary", {"from": "昨天"}, "analyst:研判组", P)
    assert bad.status == 400
    good = analytics_api.run("units", {"from": "2026-11-01", "to": "2026-11-07"}, "analyst:研判组", P)
    assert good.status == 200
    assert analytics_api.run("everything", {}, "analyst:研判组", P).status == 404
    with session_scope() as s:
        actions = [a.action for a in s.query(AuditEntry).filter(AuditEntry.actor == "analyst:研判组")]
    assert actions == ["analytics_units"]


def _burst(end: dt.datetime) -> None:
    for week in range(4):
        filed(f"2026-10-{22 + week * 2:02d}", district="铁西区", topic="公用事业/供水")
    for i in range(9):
        filed("2026-11-20", hour=6 + i // 3, district="铁西区", topic="公用事业/供水")


def test_the_job_raises_one_warning_per_hot_spot_once_per_round_and_it_is_acknowledged_then_closed():
    from bot.analytics import warnings
    from bot.store.shared import DatabaseStore

    end = dt.datetime(2026, 11, 20, 12) - q.CHINA
    _burst(end)
    one, two = DatabaseStore(), DatabaseStore()
    [new] = warnings.run_once(one, end)
    assert warnings.run_once(two, end) == []  # another gateway, the same round: nothing twice
    assert new["state"] == "open" and new["count"] == 9 and len(new["numbers"]) == 9
    assert "铁西区" in new["reason"] and new["reason"].endswith("件")
    assert warnings.raise_warnings(q.hotspots(end + dt.timedelta(minutes=5)), end) == []  # still the same one
    with pytest.raises(warnings.WarningError) as no_note:
        warnings.act(new["id"], "close", "console:boss", "")
    assert no_note.value.code == "note_required"
    assert warnings.act(new["id"], "acknowledge", "console:boss", None)["state"] == "acknowledged"
    with pytest.raises(warnings.WarningError):
        warnings.act(new["id"], "acknowledge", "console:other", None)
    closed = warnings.act(new["id"], "close", "console:boss", "供水集团已抢修，管网恢复")
    assert closed["state"] == "closed" and closed["note"] == "供水集团已抢修，管网恢复"
    assert [w["id"] for w in warnings.listing("closed")] == [new["id"]] and warnings.listing("open") == []
    assert warnings.raise_warnings(q.hotspots(end), end + dt.timedelta(hours=1)) == []  # quiet after closing
    with pytest.raises(warnings.WarningError):
        warnings.listing("everything")


def test_a_warning_names_the_unit_most_of_its_orders_went_to():
    from bot.analytics import warnings

    end = dt.datetime(2026, 11, 20, 12) - q.CHINA
    _burst(end)
    spots = q.hotspots(end)
    for number in spots[0]["numbers"][:5]:
        lifecycle.dispatch(number, "供水企业；市城市供水主管部门", "staff:派单员", P)
    [w] = warnings.raise_warnings(spots, end)
    assert w["unit"] == "供水企业；市城市供水主管部门"
    assert [x["id"] for x in warnings.listing("open", unit="供水企业；市城市供水主管部门")] == [w["id"]]


def test_the_monthly_report_as_a_page_a_csv_table_and_a_workbook():
    import csv
    import io

    from openpyxl import load_workbook

    from bot.analytics import report

    for day in ("2026-11-02", "2026-11-03", "2026-11-03"):
        filed(day, district="铁西区", topic="公用事业/供暖")
    filed("2026-10-12", district="铁西区", topic="公用事业/供暖")
    filed("2026-09-28", district="铁东区")  # the store's first order: October is all there, a year ago is not
    period = report.month_period("2026-11")
    assert (period.start.isoformat(), period.end.isoformat()) == ("2026-11-01", "2026-11-30")
    with pytest.raises(q.QueryError):
        report.month_period("十一月")
    content = report.build(period, min_base=1)
    page = report.as_html(content, "鞍山市政务服务便民热线")
    assert "月度研判报告" in page and "本月共受理诉求3件，环比+200.0%（上月1件），同比不作比较（去年同期早于数据起始日" \
        "2026-09-28）" in page and "公用事业（3件）" in page
    assert "<script" not in page
    table = list(csv.reader(io.StringIO(report.as_csv(content, "districts").decode("utf-8-sig"))))
    assert table == [["区县", "件数", "环比", "同比", "说明"],
                     ["铁西区", "3", "+200.0%", "—", "同比：去年同期早于数据起始日2026-09-28"]]
    with pytest.raises(q.QueryError):
        report.as_csv(content, "citizens")
    book = load_workbook(io.BytesIO(report.as_xlsx(content)))
    assert book.sheetnames == ["总体情况", "主题", "区县", "承办单位考核", "热点预警", "典型事项"]
    assert [c.value for c in book["总体情况"][4]] == ["上一时段", 1, "2026-10-01 至 2026-10-31"]
    assert [c.value for c in book["总体情况"][7]] == ["同比", "—", "去年同期早于数据起始日2026-09-28"]
    few = list(csv.reader(io.StringIO(report.as_csv(report.build(period), "overview").decode("utf-8-sig"))))
    assert ["环比", "—", "上一时段仅1件，不足30件"] in few  # the default minimum: a handful is no base
    served = analytics_api.run("report", {"month": "2026-11", "format": "xlsx"}, "analyst:研判组", P)
    assert served.status == 200 and served.headers["Content-Disposition"].endswith('.xlsx"')
    assert analytics_api.run("report", {"month": "2026-11", "format": "doc"}, "analyst:研判组", P).status == 400


def test_the_roll_up_gives_the_same_figures_and_a_change_reaches_them_at_the_next_round():
    from bot.analytics import rollup
    from bot.store.shared import DatabaseStore

    for day, district in (("2026-11-02", "铁东区"), ("2026-11-02", "铁西区"), ("2026-11-03", "铁西区")):
        filed(day, district=district)
    filed("2026-10-30", district="铁东区")
    live = q.summary(q.period("2026-11-01", "2026-11-07"), "day", "district")
    by_street = q.summary(q.period("2026-11-01", "2026-11-07"), "week", "street")
    assert rollup.refresh(q.Period(dt.date(2026, 10, 1), dt.date(2026, 11, 7)).start + dt.timedelta(days=i)
                          for i in range(38)) == 38
    rolled = q.summary(q.period("2026-11-01", "2026-11-07"), "day", "district")
    assert {k: rolled[k] for k in ("total", "series", "totals", "previous", "mom", "dispatched")} == \
        {k: live[k] for k in ("total", "series", "totals", "previous", "mom", "dispatched")}
    assert q.summary(q.period("2026-11-01", "2026-11-07"), "week", "street")["series"] == by_street["series"]
    late = filed("2026-11-03", district="铁东区")  # filed now, dated the 3rd: the roll-up of the 3rd is stale
    lifecycle.dispatch(late, UNIT, "staff:派单员", P)
    assert rollup.run_once(DatabaseStore(), 60) >= 1
    after = q.summary(q.period("2026-11-01", "2026-11-07"), "day", "district")
    assert after["total"] == 4 and after["totals"]["铁东区"] == 2 and after["dispatched"] == 1


def test_the_units_evaluation_from_the_roll_up_equals_the_live_count():
    from bot.analytics import rollup

    numbers = [filed("2026-11-02") for _ in range(3)]
    for n in numbers:
        lifecycle.dispatch(n, UNIT, "staff:派单员", P)
    lifecycle.accept(numbers[0], UNIT)
    lifecycle.close(numbers[0], UNIT, "已劝离占道摊贩")
    lifecycle.review_close(numbers[0], "console:boss", True)
    lifecycle.rate(numbers[0], "满意", None, P)
    today = lifecycle.china_today()
    period = q.period((today - dt.timedelta(days=2)).isoformat(), today.isoformat())
    live = q.units(period, min_orders=1)
    assert rollup.refresh([today - dt.timedelta(days=i) for i in range(3)]) == 3
    assert q.units(period, min_orders=1) == live
    assert live["units"][0]["received"] == 3 and live["units"][0]["ratings"]["满意"] == 1


def test_the_reports_cases_never_show_a_protected_orders_words_and_no_cell_runs_as_a_formula():
    import csv
    import io

    from openpyxl import load_workbook

    from bot.analytics import report

    secret = [filed("2026-11-02", request_type="举报", content="-2+3+cmd|'/c calc'!A0 我要举报鞍千路88号化工厂偷排"),
              filed("2026-11-02", request_type="举报", content="举报鞍千路88号化工厂夜里偷排废水")]
    plain = [filed("2026-11-03", content="=HYPERLINK(\"http://x\") 本人张德胜反映胜利路占道经营"),
             filed("2026-11-03", content="胜利路占道经营")]
    with session_scope() as s:
        for numbers, cluster in ((secret, "C-1"), (plain, "C-2")):
            for order in s.query(WorkOrder).filter(WorkOrder.number.in_(numbers)):
                order.cluster = cluster
    content = report.build(report.month_period("2026-11"))
    whats = {c["numbers"]: c["what"] for c in content["cases"]}
    assert "偷排" not in whats["C-1"] and "不公开" in whats["C-1"]
    assert whats["C-2"].startswith("=HYPERLINK") and "张德胜" not in whats["C-2"]
    cells = [c for row in csv.reader(io.StringIO(report.as_csv(content, "cases").decode("utf-8-sig"))) for c in row]
    assert not any(report.runs_as_formula(c) for c in cells) and any(c.startswith("'=HYPERLINK") for c in cells)
    sheet = load_workbook(io.BytesIO(report.as_xlsx(content)))["典型事项"]
    formula = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert formula and all(c.data_type == "s" for c in formula)


def answered(day: str, kind: str = "kb", hour: int = 10, channel: str = "web", article: str = "social_card_lost",
             title: str = "社保卡丢了怎么补办", reason: str = "citizen_request") -> None:
    """A citizen answered directly (as the store records it), dated ``day`` ``hour`` China time."""
    from bot.console import accounts
    from bot.store import answers, handoffs
    from bot.store.models import Agent, DirectAnswer, HandoffStatus

    if kind == "kb":
        assert answers.knowledge_base(channel, article, title, "social_security")
    else:
        with session_scope() as s:
            agent = s.query(Agent).filter_by(username="wangli").one_or_none()
        agent = agent or accounts.create_agent("wangli", "王丽", "agent", "long-enough-1")
        handoff = handoffs.request_handoff(f"{channel}-{next(_keys)}", channel, reason)
        assert handoffs.claim_handoff(handoff.id, agent.id)
        assert handoffs.end_handoff(handoff.id, HandoffStatus.CLOSED, agent.id)
        assert answers.agent_answered(handoff.id)
    with session_scope() as s:
        row = s.query(DirectAnswer).order_by(DirectAnswer.id.desc()).first()
        row.at = dt.datetime.fromisoformat(day).replace(hour=hour) - q.CHINA


def test_answered_directly_by_the_knowledge_base_and_by_agents_beside_the_dispatched_orders():
    """直接答复（知识库）, 直接答复（坐席） and 派单 side by side, by period; the knowledge base's opens
    the articles given and how often, the agents' why the conversations came to them."""
    for day in ("2026-11-02", "2026-11-02", "2026-11-03"):
        answered(day)
    answered("2026-11-03", article="hukou_move", title="户口迁移怎么办", channel="wechat")
    answered("2026-11-03", kind="agent", channel="wechat", reason="angry")
    answered("2026-10-30")  # before the period
    sent = filed("2026-11-02")
    filed("2026-11-03")  # waiting for dispatch
    lifecycle.dispatch(sent, UNIT, "staff:派单员", P)
    week = q.period("2026-11-01", "2026-11-07")
    s = q.summary(week, "day", "district")
    assert s["answered"] == {"kb": 4, "agent": 1} and s["dispatched"] == 1 and s["not_dispatched"] == 1
    assert s["handling"] == [{"period": "2026-11-02", "kb": 2, "agent": 0, "dispatched": 1},
                             {"period": "2026-11-03", "kb": 2, "agent": 1, "dispatched": 0}]
    assert s["total"] == 2  # the volume is still the orders filed
    kb = q.answers(week, "kb")
    assert kb["total"] == 4 and kb["by_channel"] == {"web": 3, "wechat": 1}
    assert kb["articles"] == [{"article": "social_card_lost", "title": "社保卡丢了怎么补办", "topic": "social_security", "count": 3},
                              {"article": "hukou_move", "title": "户口迁移怎么办", "topic": "social_security", "count": 1}]
    agent = q.answers(week, "agent")
    assert agent["total"] == 1 and agent["reasons"] == [{"reason": "angry", "count": 1}] and "articles" not in agent
    served = json.loads(analytics_api.run("answers", {"from": "2026-11-01", "to": "2026-11-07", "answered_by": "agent"},
                                          "analyst:研判组", P).body)
    assert served["reasons"] == [{"reason": "angry", "count": 1, "label": "市民情绪激动/投诉服务"}]
    assert analytics_api.run("answers", {"answered_by": "bot"}, "analyst:研判组", P).status == 400
    assert "社保卡" not in json.dumps(q.orders(week, {}), ensure_ascii=False)  # answers are not orders


def test_the_roll_up_keeps_the_direct_answers_and_a_new_one_reaches_it_at_the_next_round():
    from bot.analytics import rollup
    from bot.store.shared import DatabaseStore

    answered("2026-11-02")
    answered("2026-11-02", kind="agent")
    week = q.period("2026-11-01", "2026-11-07")
    live = (q.summary(week)["handling"], q.answers(week, "kb"), q.answers(week, "agent"))
    assert rollup.refresh(week.start + dt.timedelta(days=i) for i in range(7)) == 7
    assert (q.summary(week)["handling"], q.answers(week, "kb"), q.answers(week, "agent")) == live
    with session_scope() as s:  # the roll-up is read, not the table: counting it again proves nothing
        from bot.store.models import DirectAnswer

        s.query(DirectAnswer).delete()
    assert q.summary(week)["answered"] == {"kb": 1, "agent": 1}
    assert q.answers(week, "kb")["articles"][0]["count"] == 1
    today = q.period(None, None, lifecycle.china_today())
    today = q.Period(today.end, today.end)
    assert rollup.refresh([today.start]) == 1 and q.summary(today)["answered"] == {"kb": 0, "agent": 0}
    from bot.store import answers

    assert answers.knowledge_base("wechat", "hukou_move", "户口迁移怎么办", "household")  # given now
    assert q.summary(today)["answered"] == {"kb": 0, "agent": 0}  # the roll-up of today is a round behind
    assert rollup.run_once(DatabaseStore(), 60) >= 1
    assert q.summary(today)["answered"] == {"kb": 1, "agent": 0}


def test_the_evaluation_by_topic_has_the_same_rates_and_ranks_only_units_with_enough_orders_in_it():
    """Difficulty is not hidden (考核): a unit's figures by topic carry the totals' rates, and in each
    topic the units are ranked among those with at least the minimum of orders in it; the roll-up
    gives the same."""
    from bot.analytics import rollup

    street = [filed("2026-11-02") for _ in range(3)]  # 城市管理: signed in time and solved
    noise = [filed("2026-11-02", topic="生态环境/噪声") for _ in range(2)]  # harder: late, rated 不满意
    other = [filed("2026-11-02", topic="生态环境/噪声") for _ in range(3)]
    for n in street + noise:
        lifecycle.dispatch(n, UNIT, "staff:派单员", P)
    for n in other:
        lifecycle.dispatch(n, OTHER, "staff:派单员", P)
    for n in (*street, *other):
        lifecycle.accept(n, UNIT if n in street else OTHER)
    for n, unit, rating in ((street[0], UNIT, "满意"), (noise[0], UNIT, "不满意"), (other[0], OTHER, "满意")):
        lifecycle.close(n, unit, "已到现场处理完毕")
        lifecycle.review_close(n, "console:boss", True)
        lifecycle.rate(n, rating, None, P)
    today = lifecycle.china_today()
    period = q.period((today - dt.timedelta(days=2)).isoformat(), today.isoformat())
    live = q.units(period, min_orders=3)
    mine = next(r for r in live["units"] if r["unit"] == UNIT)
    assert mine["received"] == 5 and mine["signed_in_time"] == 0.6 and mine["by_topic"] == {"城市管理": 3, "生态环境": 2}
    by_topic = {t["topic"]: t for t in mine["topics"]}
    assert by_topic["城市管理"]["signed_in_time"] == 1.0 and by_topic["城市管理"]["solved"] == 1.0
    assert by_topic["城市管理"]["satisfied_share"] == 1.0 and by_topic["城市管理"]["ranked"]
    assert by_topic["生态环境"]["signed_in_time"] == 0.0 and by_topic["生态环境"]["solved"] == 0.0
    assert by_topic["生态环境"]["satisfied_share"] == 0.0 and not by_topic["生态环境"]["ranked"]  # 2 < 3
    env = live["by_topic_ranking"]["生态环境"]
    assert [(r["unit"], r["rank"], r["received"]) for r in env] == [(OTHER, 1, 3), (UNIT, None, 2)]
    assert env[0]["score"] is not None and env[1]["score"] is None
    assert [(r["unit"], r["rank"]) for r in live["by_topic_ranking"]["城市管理"]] == [(UNIT, 1)]
    assert rollup.refresh([today - dt.timedelta(days=i) for i in range(3)]) == 3
    assert q.units(period, min_orders=3) == live


def test_a_round_that_fails_leaves_its_changes_to_the_next_however_old(monkeypatch):
    """A corrected topic must not stay counted under the old one in the roll-up: a round that fails
    (the database away for minutes) does not move the job's mark, the next round recomputes the day."""
    import time

    from bot.analytics import rollup
    from bot.store.models import WorkOrderEvent, utcnow
    from bot.store.shared import DatabaseStore

    number = filed(lifecycle.china_today().isoformat(), hour=0)  # today, early
    today = q.Period(lifecycle.china_today(), lifecycle.china_today())
    store = DatabaseStore()
    assert rollup.run_once(store, 0.01) >= 1
    store.set(rollup.SINCE, (utcnow() - dt.timedelta(minutes=10)).isoformat())  # the last good round
    lifecycle.set_topic(number, "console:boss", "生态环境/噪声", P)
    with session_scope() as s:  # corrected five minutes ago, while the rounds failed
        s.query(WorkOrderEvent).filter(WorkOrderEvent.kind == "topic").update(
            {WorkOrderEvent.at: utcnow() - dt.timedelta(minutes=5)})

    def away(days):
        raise RuntimeError("the database is away")

    time.sleep(1.05)  # the round's lock
    with monkeypatch.context() as m:
        m.setattr(rollup, "refresh", away)
        with pytest.raises(RuntimeError):
            rollup.run_once(store, 0.01)
    time.sleep(1.05)
    assert rollup.run_once(store, 0.01) >= 1
    assert q.summary(today, "day", "subtopic")["totals"] == {"生态环境/噪声": 1}


def test_an_order_sent_to_another_unit_leaves_the_first_units_figures_of_the_day_it_had_it():
    from bot.analytics import rollup
    from bot.store.models import RolledDay
    from bot.store.shared import DatabaseStore

    number = filed("2026-10-30")  # filed one day, received by its first unit another
    lifecycle.dispatch(number, UNIT, "staff:派单员", P)
    with session_scope() as s:  # received on the 2nd
        order = s.query(WorkOrder).filter_by(number=number).one()
        order.dispatched_at = dt.datetime(2026, 11, 2, 2)
        for e in order.events:
            e.at = dt.datetime(2026, 11, 2, 2) if e.status_to == "dispatched" else e.at
    week = q.period("2026-11-01", "2026-11-07")
    store = DatabaseStore()
    rollup.run_once(store, 60)
    assert rollup.refresh(week.start + dt.timedelta(days=i) for i in range(7)) == 7
    assert [r["unit"] for r in q.units(week, 1)["units"]] == [UNIT]
    lifecycle.change_lead(number, "console:boss", OTHER, "职责调整，改由住建部门办理", P)  # received by OTHER today
    store.delete(rollup.LOCK)
    assert rollup.run_once(store, 60) >= 1
    rolled = q.units(week, 1)
    with session_scope() as s:
        s.query(RolledDay).delete()
    assert rolled == q.units(week, 1)  # the same as counted live: UNIT no longer counts it on the 2nd
    assert UNIT not in [r["unit"] for r in rolled["units"]]
