"""One filing service for every door (bot/orders/filing.py): the bot's form, an agent's chat
filing and a phone call typed in by an agent get the same repeat check, multi-matter split,
urgent reading, 智能派单 and 集中反映. On a real database (SQLite here, PostgreSQL in CI's
second pass)."""

from __future__ import annotations

import pytest

from bot.orders.filing import file_request
from bot.orders.suggest import Suggester, load_catalogue
from bot.profile import load_profile
from bot.store import repository

P = load_profile("anshan")


@pytest.fixture(scope="module")
def embedder():
    return Suggester(load_catalogue(P), P).embedder


def request(content: str, sender: str = "web-a", key: str = "k1", phone: str = "13912345678",
            channel: str = "web") -> repository.OrderRequest:
    return repository.OrderRequest(
        request_type="投诉", content=content, address="铁东区胜利南路25号楼", district="铁东区", name="刘女士",
        phone=phone, confidential=False, wants_reply=True, channel=channel, sender_id=sender, idempotency_key=key)


def test_an_ordinary_request_is_filed_once_and_read_by_the_dispatcher(embedder):
    filing = file_request(request("楼下烧烤店天天营业到凌晨两点，油烟和噪音太大，孩子没法睡觉"), P, embedder)
    assert filing.created and not filing.repeat and filing.others == ()
    assert filing.order.number.startswith("AS-") and filing.order.urgent is None
    assert repository.get_order(filing.order.number).suggested_unit  # 智能派单 read it
    again = file_request(request("楼下烧烤店天天营业到凌晨两点，油烟和噪音太大，孩子没法睡觉"), P, embedder)
    assert not again.created and again.order.number == filing.order.number  # a retry: the same order


def test_the_same_matter_again_is_a_repeat_for_the_same_conversation_only_unless_the_door_may_tell(embedder):
    first = file_request(request("楼下烧烤店天天营业到凌晨两点，油烟和噪音太大"), P, embedder)
    same_chat = file_request(request("楼下那个烧烤店还是营业到凌晨两点，油烟噪音太大", key="k2"), P, embedder)
    assert same_chat.repeat and same_chat.order.number == first.order.number and not same_chat.created
    # Another conversation with the same phone: the bot files anew (a phone is what anyone can type) …
    other_chat = file_request(request("楼下烧烤店还是营业到凌晨两点，油烟噪音太大", sender="web-b", key="k3"), P, embedder)
    assert other_chat.created and other_chat.order.number != first.order.number
    # … an agent on a phone call, who reads the caller's number off the line, is told the open order.
    call = file_request(request("烧烤店营业到凌晨两点 油烟噪音大", sender="phone-c1", key="k4", channel="phone"),
                        P, embedder, repeat_from_any_conversation=True)
    assert call.repeat and call.order.number in (first.order.number, other_chat.order.number)


def test_several_matters_for_different_units_are_one_order_each(embedder):
    filing = file_request(request("我们单位拖欠工资三个月了，还有我家暖气一直不热", key="k5"), P, embedder)
    assert filing.created and len(filing.others) == 1
    (other, unit), = filing.others
    assert filing.order.content == "我们单位拖欠工资三个月了"
    assert other.content == "我家暖气一直不热" and unit == "供热企业；市供热主管部门"
    assert other.number != filing.order.number


def test_an_outage_for_a_whole_building_is_urgent_and_dispatched_at_once(embedder):
    filing = file_request(request("我们这栋楼暖气从昨天就不热了，屋里才十度，家里有刚满月的孩子", key="k6"), P, embedder)
    assert filing.order.urgent == "heating"
    assert filing.order.status == "dispatched" and filing.order.unit == "供热企业；市供热主管部门"


def _closed(number: str) -> None:
    from bot.orders import lifecycle

    order = repository.get_order(number)
    if order.status == "pending":
        lifecycle.dispatch(number, "市城市管理综合行政执法局", "staff:派单员", P)
    unit = repository.get_order(number).unit
    lifecycle.close(number, unit, "已责令烧烤店安装油烟净化设备并限时营业")
    lifecycle.review_close(number, "console:boss", True)


def test_a_closed_matter_raised_again_with_nothing_new_is_told_its_result_anshan_2026_article_15_4(embedder):
    """鞍山条例第十五条第四项: 办理完毕，且诉求人没有新情况、新理由再次提出同一诉求事项的，告知办理结果."""
    first = file_request(request("楼下烧烤店天天营业到凌晨两点，油烟和噪音太大", key="c1"), P, embedder)
    _closed(first.order.number)
    again = file_request(request("楼下烧烤店营业到凌晨两点 油烟噪音太大", key="c2"), P, embedder)
    assert again.repeat and not again.created and again.order.number == first.order.number
    assert again.order.status == "closed" and again.order.result.startswith("已责令")
    # Another conversation is told nothing about it (issue 18): a new order.
    stranger = file_request(request("楼下烧烤店营业到凌晨两点 油烟噪音太大", sender="web-x", key="c3"), P, embedder)
    assert stranger.created and stranger.follows is None


@pytest.mark.parametrize("text", ["楼下烧烤店又开始营业到凌晨两点了，油烟噪音太大",
                                  "楼下烧烤店还是营业到凌晨两点，油烟噪音一点没解决",
                                  "对楼下烧烤店油烟噪音的处理结果不满意，凌晨两点还在营业"])
def test_the_same_matter_with_a_new_fact_or_reason_is_a_new_order_linked_to_the_old(embedder, text):
    first = file_request(request("楼下烧烤店天天营业到凌晨两点，油烟和噪音太大", key="n1"), P, embedder)
    _closed(first.order.number)
    again = file_request(request(text, key="n2"), P, embedder)
    assert again.created and not again.repeat and again.follows == first.order.number
    from bot.orders import lifecycle

    assert any(h["kind"] == "linked" and first.order.number in h["note"] for h in lifecycle.history(again.order.number))
    assert any(h["kind"] == "linked" and again.order.number in h["note"] for h in lifecycle.history(first.order.number))


def test_a_new_orders_text_is_embedded_once_for_智能派单_and_集中反映(embedder, monkeypatch):
    """The sentence model is the action server's costliest step per order: 智能派单 and the
    集中反映 comparison with the same matter from another citizen share one embedding of the new
    order's text, and the earlier order's text is not embedded again."""
    from bot.orders import clusters

    embedder.clear_query_cache()  # as in a fresh process (the test runs on each database)
    compared = []
    same_matter = clusters.same_matter
    monkeypatch.setattr(clusters, "same_matter", lambda a, b, e=None: compared.append(b.number) or same_matter(a, b, e))
    first = file_request(request("小区门口的路灯坏了一个多月了，晚上黑漆漆的", sender="web-e1", key="e1", phone="13900000001"),
                         P, embedder)
    before = embedder.model_calls
    second = file_request(request("我们这边路灯一直不亮，天黑以后啥也看不见", sender="web-e2", key="e2", phone="13900000002"),
                          P, embedder)
    assert second.created and first.order.number in compared  # the two were compared …
    assert embedder.model_calls - before == 1  # … on the one embedding of the new text


def test_each_matter_of_a_split_request_is_embedded_once(embedder):
    embedder.clear_query_cache()
    before = embedder.model_calls
    filing = file_request(request("公司拖欠我工资两个月了，还有我家暖气片一点都不热", key="e3", phone="13900000003"), P, embedder)
    assert len(filing.others) == 1  # split by 智能派单's reading of each part, then dispatched and grouped
    assert embedder.model_calls - before == 2


def test_an_earlier_order_is_not_embedded_again_after_the_questions_cache_moved_on(embedder, monkeypatch):
    """集中反映 compares each new order with the open orders of the last 72 hours: their embeddings
    are kept apart from the knowledge base's questions (a thousand questions would push them out
    of the query cache), so an earlier order's text is embedded once, not again for each new one."""
    from bot.orders import clusters

    embedder.clear_query_cache()
    first = file_request(request("路灯坏了一个多月了，晚上小区门口黑漆漆的", sender="web-e5", key="e5", phone="13900000005"),
                         P, embedder)
    second = file_request(request("我们这边路灯一直不亮，天黑以后啥也看不见", sender="web-e6", key="e6", phone="13900000006"),
                          P, embedder)
    embedder._query_cached.cache_clear()  # the questions asked since pushed the two orders out
    compared = []
    same_matter = clusters.same_matter
    monkeypatch.setattr(clusters, "same_matter", lambda a, b, e=None: compared.append(b.number) or same_matter(a, b, e))
    before = embedder.model_calls
    third = file_request(request("门口那盏路灯不亮好些天了，走夜路怕摔", sender="web-e7", key="e7", phone="13900000007"),
                         P, embedder)
    assert third.created and {first.order.number, second.order.number} <= set(compared)  # compared with both …
    assert embedder.model_calls - before == 1  # … on the one embedding of the new text
