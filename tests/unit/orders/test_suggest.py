"""智能派单: the catalogue, the keyword baseline and the dispatcher's suggestions on requests
written here (the held-out set is tests/data/dispatch_cases.yml, measured by the bench)."""

from __future__ import annotations

import pytest

from bot.orders.suggest import Suggester, keyword_baseline, load_catalogue, route
from bot.profile import load_profile
from bot.store import repository

P = load_profile("anshan")


@pytest.fixture(scope="module")
def dispatcher():
    return Suggester(load_catalogue(P), P)


def test_catalogue_has_every_unit_once_without_its_exclusion_sentence():
    units = load_catalogue(P)
    names = [u.name for u in units]
    assert len(names) == 25 and len(set(names)) == 25
    assert all(u.keywords and u.duties for u in units)
    assert not any("不归本单位" in u.duties for u in units)
    assert load_catalogue("nowhere") == []


def test_keyword_baseline_counts_keywords_and_not_phrases():
    units = load_catalogue(P)
    assert keyword_baseline(units, "暖气不热，屋里才十五度") == "供热企业；市供热主管部门"
    assert keyword_baseline(units, "今天天气不错") is None


@pytest.mark.parametrize("text, unit", [
    ("我家暖气片摸着拔凉拔凉的，屋里穿棉袄都冷", "供热企业；市供热主管部门"),
    ("单元电梯今天又把人困里头了，半个多小时才出来", "市市场监督管理局"),
    ("工头干完活就跑了，三个月工钱一分没给", "市人力资源和社会保障局"),
    ("楼下新开的烧烤店油烟直接往我家窗户里灌", "市城市管理综合行政执法局"),
    ("想把公积金取出来还房贷，需要啥手续", "市住房公积金管理中心"),
])
def test_suggestions_for_everyday_requests(dispatcher, text, unit):
    suggestion = dispatcher.suggest(text)
    assert suggestion.unit == unit
    assert 0 < suggestion.confidence <= 1 and suggestion.candidates[0][0] == unit


def test_empty_text_gets_no_suggestion(dispatcher):
    assert dispatcher.suggest("   ").unit is None


def test_a_confident_order_is_dispatched_and_an_unsure_one_waits(dispatcher):
    def order(key: str, content: str) -> str:
        req = repository.OrderRequest(request_type="投诉", content=content, address=None, district=None, name=None,
                                      phone=None, confidential=False, wants_reply=True, channel="web",
                                      sender_id=f"web-{key}", idempotency_key=key)
        return repository.file_order(req, P)[0].number

    sure = order("d1", "我家暖气片摸着拔凉拔凉的，屋里穿棉袄都冷，供暖公司电话打不通")
    route(sure, repository.get_order(sure).content, P, dispatcher.embedder)
    got = repository.get_order(sure)
    assert got.suggested_unit == "供热企业；市供热主管部门"
    assert (got.status, got.unit) == (("dispatched", got.suggested_unit) if got.suggestion_confidence >= 0.7
                                      else ("pending", None))
    unsure = order("d2", "这事我也不知道该找谁，反正挺闹心的")
    route(unsure, repository.get_order(unsure).content, P, dispatcher.embedder)
    assert repository.get_order(unsure).status == "pending"  # the supervisor decides


def test_the_same_matter_from_three_citizens_is_flagged_as_one(dispatcher):
    from bot.orders import clusters

    def order(key: str, content: str, address: str, district: str, phone: str) -> str:
        req = repository.OrderRequest(request_type="投诉", content=content, address=address, district=district,
                                      name=None, phone=phone, confidential=False, wants_reply=True, channel="web",
                                      sender_id=f"web-{key}", idempotency_key=key)
        number = repository.file_order(req, P)[0].number
        route(number, content, P, dispatcher.embedder)
        clusters.link(number, dispatcher.embedder)
        return number

    a = order("c1", "胜利路和二一九路交口的红绿灯坏了，一直闪黄灯，车都乱套了", "铁东区胜利路与二一九路交口", "铁东区", "13900000001")
    b = order("c2", "二一九路胜利路那个路口信号灯不亮了好几天，早上特别堵", "铁东区二一九路胜利路路口", "铁东区", "13900000002")
    order("c3", "胜利路二一九路口红绿灯不好使了，差点撞车", "铁东区胜利路二一九路口", "铁东区", "13900000001")  # the first citizen again
    elsewhere = order("c4", "立山区深沟寺那个路口红绿灯坏了", "立山区深沟寺路口", "立山区", "13900000004")
    other_matter = order("c6", "胜利路二一九路口井盖丢了很危险", "铁东区胜利路与二一九路交口", "铁东区", "13900000006")
    assert clusters.flagged() == []  # two citizens so far
    order("c5", "胜利路和二一九路交叉口信号灯坏了没人修", "铁东区胜利路与二一九路交叉口", "铁东区", "13900000005")
    [group] = clusters.flagged()
    assert group["cluster"] == a and group["citizens"] == 3 and b in group["orders"]
    assert elsewhere not in group["orders"] and repository.get_order(elsewhere).cluster is None
    assert other_matter not in group["orders"]  # same junction, another matter


def test_several_matters_for_different_units_become_several_orders(dispatcher):
    from bot.orders.suggest import plan_matters, split_matters

    wages_and_heat = plan_matters("我们单位拖欠工资三个月了，还有我家暖气一直不热", P, dispatcher.embedder)
    assert [unit for _, unit in wages_and_heat] == ["市人力资源和社会保障局", "供热企业；市供热主管部门"]
    assert wages_and_heat[1][0] == "我家暖气一直不热"
    # Same unit, a continuation, or a part too short to stand alone: one order, nothing lost.
    assert plan_matters("楼下烧烤店油烟太大了，另外小区门口的路灯也坏了一个月了", P, dispatcher.embedder) == []
    assert plan_matters("烧烤店油烟大，还有烟味熏得孩子咳嗽", P, dispatcher.embedder) == []
    assert split_matters("拖欠工资三个月了，还有物业不管，另外暖气不热") == []


def test_local_matters_go_to_the_districts_own_unit_and_the_city_leads_where_the_catalogue_says():
    """属地 (鞍山条例第四至六条、第十二条; 潍坊条例第二十四条)."""
    from bot.orders.suggest import localize, unit_names

    assert localize("市城市管理综合行政执法局", "铁东区", "铁东区胜利路1号", P) == ("铁东区城市管理综合行政执法局", ())
    assert localize("市住房和城乡建设局", "立山区", "立山区胜利小区", P) == ("市住房和城乡建设局", ("立山区住房和城乡建设局",))
    assert localize("所在街道办事处", "铁东区", "铁东区胜利街道园林小区3号楼", P) == ("铁东区胜利街道办事处", ())
    assert localize("所在街道办事处", "铁东区", "铁东区园林小区3号楼", P) == ("所在街道办事处", ())  # no street named
    assert localize("市城市管理综合行政执法局", None, None, P) == ("市城市管理综合行政执法局", ())
    assert localize("市生态环境局", "铁东区", "铁东区", P) == ("市生态环境局", ())
    names = unit_names(P)
    assert "海城市城市管理综合行政执法局" in names and "市城市管理综合行政执法局" in names
    assert not any("{" in n for n in names)


def test_智能派单_sends_a_local_matter_to_the_district_unit_with_the_city_leading_where_it_should(monkeypatch):
    from bot.orders import suggest
    from bot.orders.suggest import Suggestion

    for text, district, address, lead, helpers in (
            ("路边占道摆摊", "千山区", "千山区xx路", "千山区城市管理综合行政执法局", []),
            ("物业不作为", "铁西区", "铁西区某小区", "市住房和城乡建设局", ["铁西区住房和城乡建设局"])):
        city = "市城市管理综合行政执法局" if lead.endswith("执法局") else "市住房和城乡建设局"

        class Sure:
            def suggest(self, _text, city=city):
                return Suggestion(city, 0.95, ((city, 0.95),), True)

        monkeypatch.setattr(suggest, "suggester_for", lambda profile, embedder=None: Sure())
        order, _ = repository.file_order(repository.OrderRequest(
            request_type="投诉", content=text, address=address, district=district, name=None, phone=None,
            confidential=False, wants_reply=True, channel="web", sender_id=f"web-{text}", idempotency_key=text), P)
        suggest.route(order.number, text, P)
        got = repository.get_order(order.number)
        assert (got.status, got.unit) == ("dispatched", lead)
        from bot.store.db import session_scope
        from bot.store.models import WorkOrder

        with session_scope() as s:
            assert [c.unit for c in s.query(WorkOrder).filter_by(number=order.number).one().co_units] == helpers
