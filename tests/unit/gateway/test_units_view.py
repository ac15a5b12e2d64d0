"""What a handling unit sees of a protected order (a 举报, or a citizen who asked for
confidentiality): nothing that says who wrote it, even where the words name them (issue 18)."""

from __future__ import annotations

import pytest

from bot.orders import lifecycle, views
from bot.profile import load_profile
from bot.store import repository


def filed(content: str, request_type: str = "举报", confidential: bool = True, name: str | None = "王建国",
          phone: str | None = "13898765432"):  # type: ignore[no-untyped-def]
    order, _ = repository.file_order(repository.OrderRequest(
        request_type=request_type, content=content, address="铁东区胜利南路25号", district="铁东区", name=name,
        phone=phone, confidential=confidential, wants_reply=True, channel="rest", sender_id="c-1",
        idempotency_key=content), load_profile("anshan"))
    return order


@pytest.mark.parametrize("content,hidden", [
    ("我是王建国，举报楼下洗车店往河里排污水", ["王建国"]),
    ("楼下洗车店往河里排污水，有事打我电话13898765432，王先生", ["13898765432", "王先生"]),
    ("我叫李秀兰，家住6栋，洗车店天天排污水，联系电话0412-5551234", ["李秀兰", "5551234"]),
    ("我姓赵，洗车店天天排污水，老赵我实在受不了了", ["我姓赵"]),
    ("洗车店排污，老板知道是王建国举报的会报复", ["王建国"]),
])
def test_a_protected_orders_content_names_nobody(content, hidden):
    order = filed(content)
    lifecycle.dispatch(order.number, "市生态环境局", "test", load_profile("anshan"))
    [view] = [v for v in views.unit_orders("市生态环境局", None) if v["number"] == order.number]
    assert view["name"] is None and view["phone"] is None and view["sender_id"] is None and view["channel"] is None
    for word in hidden:
        assert word not in view["content"], (word, view["content"])
    assert "洗车店" in view["content"]  # the matter itself stays


def test_an_ordinary_order_is_shown_as_written():
    content = "我是王建国，楼下烧烤店油烟太大，电话13898765432"
    order = filed(content, "投诉", confidential=False)
    lifecycle.dispatch(order.number, "市生态环境局", "test", load_profile("anshan"))
    [view] = [v for v in views.unit_orders("市生态环境局", None) if v["number"] == order.number]
    assert view["content"] == content and view["name"] is None  # names are read one order at a time
