"""WeChat end to end: signed, encrypted (安全模式) messages exactly as WeChat's server sends them,
posted to the real gateway in front of real Rasa and action servers; WeChat's API is the local
stand-in (channels.wechat.fake_api), reached through the production wechatpy code path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.store import attachments, repository, transcript
from channels.wechat.simulate import WechatUser, signature
from tests.e2e.conftest import WECHAT
from tests.support.helpers import image_bytes, wait_for
from tests.support.stack import ROOT

PNG = image_bytes("PNG")


@pytest.fixture
def db(stack, monkeypatch):
    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)


def citizen(stack) -> WechatUser:
    return WechatUser(f"{stack.url}/wechat", "o" + uuid.uuid4().hex[:27], token=WECHAT["token"],
                      aes_key=WECHAT["aes_key"], appid=WECHAT["appid"], mode=WECHAT["mode"],
                      api_url=stack.wechat_api_url)



def said(posted) -> str:
    assert posted.status == 200, posted.body
    return posted.reply or ""


def to_summary(me: WechatUser, matter: str = "我家楼下的烧烤店每天晚上油烟特别大，呛得家里没法开窗",
               phone: str = "13912345678") -> None:
    said(me.voice(matter))
    said(me.location(41.1087, 122.9946, "辽宁省鞍山市铁东区胜利南路25号"))
    said(me.text("我姓王"))
    summary = said(me.text(phone))
    assert "请您核对诉求信息" in summary and "1. 确认提交" in summary, summary


def test_server_url_verification_and_forged_requests_refused(stack, db):
    ts, nonce = str(int(time.time())), "20261123"
    good = {"signature": signature(WECHAT["token"], ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": "e2e-echo"}
    assert requests.get(f"{stack.url}/wechat", params=good, timeout=10).text == "e2e-echo"
    assert requests.get(f"{stack.url}/wechat", params={**good, "signature": "0" * 40}, timeout=10).status_code == 403
    me = citizen(stack)
    forged = me.post_xml(me.xml("text", {"Content": "我要举报"})[0], tamper=True)
    stale = me.post_xml(me.xml("text", {"Content": "我要举报"})[0], timestamp=int(time.time()) - 3600)
    plain = WechatUser(me.url, me.openid, token=WECHAT["token"], mode="plain").text("明文消息")
    hostile = requests.post(f"{stack.url}/wechat", params=good, timeout=10,
                            data=b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><xml><Content>&a;</Content></xml>")
    assert [forged.status, stale.status, plain.status, hostile.status_code] == [403, 403, 403, 400]
    assert transcript.history(f"wechat-{me.openid}") == []  # nothing kept from a refused request


def test_complaint_filed_through_wechat_with_voice_location_and_photo(stack, db):
    me = citizen(stack)
    welcome = said(me.event("subscribe"))
    assert "欢迎关注" in welcome and "110" in welcome
    to_summary(me)
    assert "已收到" in said(me.image(PNG))
    filed = said(me.text("1"))  # the number of 「确认提交」 in the list
    assert "已受理" in filed and "工单号" in filed, filed
    [order] = repository.orders_for_sender(f"wechat-{me.openid}")
    assert order.channel == "wechat" and order.request_type == "投诉"
    assert "油烟" in order.content and "我的位置" not in order.content
    assert order.address.startswith("辽宁省鞍山市铁东区胜利南路25号") and "41.1087,122.9946" in order.address
    assert order.district == "铁东区" and order.phone == "13912345678"
    assert len(attachments.attachments_for_order(order.id)) == 1
    shown = [e.data.get("_shown") or e.text for e in transcript.history(f"wechat-{me.openid}") if e.author == "citizen"]
    assert shown[:3] == ["[关注公众号]", "[语音] 我家楼下的烧烤店每天晚上油烟特别大，呛得家里没法开窗",
                         "[位置] 辽宁省鞍山市铁东区胜利南路25号"]
    # The order moves on: the citizen hears of it in WeChat (customer-service message).
    from bot.orders import lifecycle
    from bot.profile import load_profile

    lifecycle.dispatch(order.number, "市生态环境局", "staff:派单员", load_profile("anshan"))
    lifecycle.accept(order.number, "市生态环境局")
    update = wait_for(lambda: [t for t in me.pushed_texts() if order.number in t and "办理中" in t], 30)
    assert update and "承办单位已签收" in update[0]
    # Closed: the result and the rating question come in WeChat; 「1」 answers it.
    lifecycle.close(order.number, "市生态环境局", "已责令烧烤店安装油烟净化设备")
    lifecycle.review_close(order.number, "staff:值班长", True)  # 鞍山条例第十八条: the hotline reviews it
    closing = wait_for(lambda: [t for t in me.pushed_texts() if "已办结" in t], 30)
    assert closing and "油烟净化设备" in closing[0] and "1. 满意" in closing[0]
    assert "感谢您的评价" in said(me.text("1"))
    assert repository.get_order(order.number).rating == "满意"


def test_retried_message_makes_one_order_and_one_answer(stack, db):
    me = citizen(stack)
    to_summary(me, "小区旁边的工地半夜还在施工，噪音吵得孩子睡不着觉", "13698765432")
    confirm, _, _ = me.xml("text", {"Content": "确认"})
    with ThreadPoolExecutor(2) as pool:  # a retry racing the first delivery
        racing = list(pool.map(lambda _: me.post_xml(confirm), range(2)))
    later = [me.post_xml(confirm) for _ in range(2)]  # WeChat's retries after its 5-s timeout
    replies = [p.reply for p in racing + later if p.reply]
    assert all(p.status == 200 for p in racing + later)
    assert replies and all("已受理" in r for r in replies) and len(set(replies)) == 1
    assert len(repository.orders_for_sender(f"wechat-{me.openid}")) == 1
    confirms = [e for e in transcript.history(f"wechat-{me.openid}") if e.author == "citizen" and e.text == "确认"]
    assert len(confirms) == 1
    # A menu click retried (events have no MsgId: same sender and CreateTime) is one click too.
    click, _, _ = me.xml("event", {"Event": "CLICK", "EventKey": "PROGRESS"})
    first, again = me.post_xml(click), me.post_xml(click)
    assert first.reply and again.reply == first.reply and "AS-" in first.reply


def test_slow_assistant_answers_through_the_customer_service_api(stack, db):
    me = citizen(stack)
    rasa = stack.procs["rasa"]
    os.kill(rasa.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        posted = me.text("你们热线晚上和周末有人接电话吗")
        took = time.monotonic() - started
        time.sleep(1.5)
    finally:
        os.kill(rasa.pid, signal.SIGCONT)
    assert posted.status == 200 and posted.body == "success" and took < 4.5  # inside WeChat's 5 s
    answer = wait_for(lambda: me.pushed_texts(), 30)
    assert answer and "全天候" in "".join(answer)
    time.sleep(2)  # the loop that pushes kept answers has had its turn: still one copy
    assert len(me.pushed_texts()) == len(answer)


def test_what_cannot_be_read_gets_a_polite_answer_and_is_kept(stack, db):
    me = citizen(stack)
    assert "没能识别" in said(me.voice(None))
    assert "视频" in said(me.video())
    assert "发送图片或位置" in said(me.post_xml(me.xml("miniprogrampage", {"Title": "小程序"})[0]))
    assert said(me.event("VIEW", "https://12345.example.gov.cn")) == ""
    texts = [e.text for e in transcript.history(f"wechat-{me.openid}") if e.author == "citizen"]
    assert texts == ["[语音]", "[视频]", "[miniprogrampage]"]


def test_menu_install_command_uses_wechats_api(stack):
    env = {**os.environ, "HOTLINE_WECHAT_APPID": WECHAT["appid"], "HOTLINE_WECHAT_SECRET": "e2e-secret",
           "HOTLINE_WECHAT_TOKEN": WECHAT["token"], "HOTLINE_WECHAT_AES_KEY": WECHAT["aes_key"],
           "HOTLINE_WECHAT_API_BASE": f"{stack.wechat_api_url}/cgi-bin/", "HOTLINE_DB_URL": stack.db_url}
    done = subprocess.run([sys.executable, "-m", "channels.wechat.menu"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "菜单已安装" in done.stdout
    menus = requests.get(f"{stack.wechat_api_url}/_fake/stats", timeout=10).json()["menus"]
    assert menus and menus[-1]["button"][0]["name"] == "我要反映"
