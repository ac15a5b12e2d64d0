"""研判 in the browser (issue 23): a supervisor's dashboard draws its charts from a simulated
year, a figure opens the orders behind it without anyone's name or phone, and a leader's account
lands on the dashboard and can read nothing else."""

from __future__ import annotations

import datetime as dt
import io
import re
import time

import requests
from pypdf import PdfReader

from scripts import simulate_orders
from tests.e2e.conftest import ANALYST_KEY, UNIT_KEY
from tests.e2e.test_e2e_browser import browser  # noqa: F401
from tests.e2e.test_e2e_console import PASSWORD, add_agent
from tests.e2e.test_e2e_orders_page import log_in, open_page


def test_the_dashboard_draws_the_year_and_opens_the_orders_behind_a_figure(browser, stack, tmp_path, monkeypatch):  # noqa: F811
    from bot.store import answers

    assert simulate_orders.main(["--orders", "2000", "--db-url", stack.db_url, "--bursts", str(tmp_path / "b.json"),
                                 "--burst-count", "2"]) == 0
    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)
    for channel in ("wechat", "wechat", "web"):  # the knowledge base gave this article three times today
        assert answers.knowledge_base(channel, "e2e_card_lost", "测试：社保卡丢了怎么补办", "social_security")
    boss = add_agent(stack, "研判班长", "supervisor")
    leader = add_agent(stack, "分管副市长", "leader")
    errors: list[str] = []
    context, page = open_page(browser, errors)
    try:
        log_in(page, stack, boss)
        page.goto(stack.url + "/console/analytics")
        page.wait_for_selector("#board", state="visible")
        page.wait_for_selector("#status:has-text('已更新')")
        assert int(page.locator("#k-total").inner_text()) > 0
        # 近30天 against the 30 days before, which the simulated year holds: a change; a year ago it does not hold
        assert re.fullmatch(r"[↑↓]?\d+\.\d%", page.locator("#k-mom").inner_text())
        assert page.locator("#k-yoy").inner_text() == "—"
        assert page.locator("#k-yoy-sub").inner_text().startswith("不作比较：去年同期早于数据起始日")
        assert page.locator("#trend canvas").count() >= 1 and page.locator("#share canvas").count() >= 1
        assert page.locator("#units-table tbody tr").count() > 0
        for card, title in (("#k-dispatched", "派单办理"), ("#k-not-dispatched", "未派单")):  # a card's figure opens its orders
            page.click(card)
            page.wait_for_selector(f"#drill-title:has-text('工单明细：{title}')")
            page.wait_for_selector("#drill-sub:has-text('共')")
            assert f"共 {page.locator(card).inner_text()} 件" in page.locator("#drill-sub").inner_text()
        # 直接答复（知识库） beside 派单, by period; it opens the articles given and how many times
        assert page.locator("#handling canvas").count() >= 1
        assert int(page.locator("#k-answered-kb").inner_text()) >= 3
        assert page.locator("#k-handled-dispatched").inner_text() == page.locator("#k-dispatched").inner_text()
        page.click("#k-answered-kb")
        row = page.locator("#answers-table tbody tr", has_text="测试：社保卡丢了怎么补办")
        row.wait_for()
        assert row.locator("td").nth(1).inner_text() == "3"
        assert re.search(r"按渠道：.*微信 \d+ 次", page.locator("#answers-channels").inner_text())
        page.click("#k-answered-agent")
        page.wait_for_selector("#answers-title:has-text('转人工的原因')")
        # the evaluation in one topic: the same rates, ranked among the units with enough orders in it
        topic = page.locator("#units-topic option").nth(1).get_attribute("value")
        page.select_option("#units-topic", topic)
        assert f"「{topic}」类" in page.locator("#units-hint").inner_text()
        assert page.locator("#units-table tbody tr").count() > 0
        assert all(cell.startswith(topic) for cell in page.locator("#units-table tbody td:last-child").all_inner_texts())
        page.select_option("#units-topic", "")
        page.locator("#units-table tbody .link-button").first.click()  # a unit: the orders it received in the period
        page.wait_for_selector("#drill-title:has-text('期间收到的工单')")
        page.locator("#share-table tbody .link-button").first.click()
        page.wait_for_selector("#drill-table tbody tr")
        rows = page.locator("#drill-table tbody").inner_text()
        assert re.search(r"SM-\d{8}-\d{4}", rows) and not re.search(r"1[3-9]\d{9}", rows)  # no phone anywhere
        assert page.locator("#r-pdf").get_attribute("href").endswith("format=pdf")
        page.wait_for_selector("#archive-table tbody tr")  # last month's report, kept by the schedule
        assert "PDF" in page.locator("#archive-table tbody").inner_text()
        page.click("button[data-days='365']")
        page.wait_for_selector("#status:has-text('已更新')")
        assert page.locator("#k-mom").inner_text() == "—"  # a year before the simulated one: no base, no 27,000%
        assert "「—」不作比较（环比：上一时段早于数据起始日" in page.locator("#share-note").inner_text()
        page.screenshot(path=str(tmp_path / "analytics.png"), full_page=True)

        context2, lead = open_page(browser, errors)
        log_in(lead, stack, leader)
        assert lead.url.endswith("/console/analytics")  # a leader's page is the dashboard
        lead.wait_for_selector("#board", state="visible")
        assert lead.locator("#to-orders").is_hidden()
        context2.close()
    finally:
        context.close()
    assert not errors, f"errors on the page: {errors}"
    session = requests.Session()
    r = session.post(f"{stack.url}/console/login", json={"username": leader, "password": PASSWORD}, timeout=15)
    assert r.status_code == 200
    assert session.get(f"{stack.url}/console/api/analytics/summary", timeout=15).status_code == 200
    for path in ("/console/api/oversight", "/console/api/queue", "/console/api/unit/orders", "/console/api/callbacks"):
        assert session.get(f"{stack.url}{path}", timeout=15).status_code == 403, path


def test_a_new_hot_spot_warning_reaches_an_open_supervisors_console_live(stack, monkeypatch):
    """The periodic job (every 2 s in the test stack) finds a burst and every supervisor's open
    console hears of it at once; an agent's does not."""
    import asyncio
    import datetime as dt
    import uuid

    from bot.profile import load_profile
    from bot.store import repository
    from bot.store.db import session_scope
    from bot.store.models import WorkOrder
    from tests.e2e.test_e2e_console import Agent

    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)
    boss, agent = add_agent(stack, "预警班长", "supervisor"), add_agent(stack, "预警坐席", "agent")
    topic, district = "公用事业/燃气", "台安县"

    def burst() -> None:
        now = dt.datetime.utcnow()
        for i in range(9):
            key = uuid.uuid4().hex
            req = repository.OrderRequest(request_type="求助", content="燃气突然没气了", address="台安县某小区",
                                          district=district, name=None, phone=None, confidential=False, wants_reply=True,
                                          channel="web", sender_id=f"web-{key}", idempotency_key=key)
            number = repository.file_order(req, load_profile("anshan"))[0].number
            with session_scope() as s:
                order = s.query(WorkOrder).filter_by(number=number).one()
                order.topic, order.created_at = topic, now - dt.timedelta(minutes=10 * i)

    async def go() -> tuple[list[dict], list[dict]]:
        async with Agent(stack, boss) as b, Agent(stack, agent) as a:
            await asyncio.to_thread(burst)
            for _ in range(100):
                if any(e.get("type") == "warnings" for e in b.events):
                    break
                await asyncio.sleep(0.2)
            return b.events, a.events

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # the browser's loop runs in this thread (this module's fixture)
        seen, not_seen = pool.submit(lambda: asyncio.run(go())).result()
    warned = [w for e in seen if e.get("type") == "warnings" for w in e["items"]]
    assert any(w["district"] == district and w["topic"] == topic and w["count"] >= 9 for w in warned)
    assert not any(e.get("type") == "warnings" for e in not_seen)


def test_the_monthly_report_as_pdf_for_analysts_and_supervisors_never_for_a_unit(stack):
    """format=pdf over HTTP: an analyst's key and a supervisor's session get the A4 PDF with its
    Chinese as text; a unit's key, an agent and no one are refused; a bad month gets a clear 400;
    the gateway's schedule has kept last month's report, listed and downloadable."""
    today = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=8)
    month = f"{today.replace(day=1) - dt.timedelta(days=1):%Y-%m}"
    url = f"{stack.url}/api/analytics/report?month={month}&format=pdf"
    analyst = {"Authorization": f"Bearer {ANALYST_KEY}"}
    r = requests.get(url, headers=analyst, timeout=60)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages).replace(" ", "")
    assert "研判报告" in text and "一、总体情况" in text and f"{month}-01至" in text and "第1页/共" in text
    assert requests.get(url, headers={"Authorization": f"Bearer {UNIT_KEY}"}, timeout=15).status_code in (401, 403)
    assert requests.get(url, timeout=15).status_code == 401
    bad = requests.get(f"{stack.url}/api/analytics/report?month=2026-13&format=pdf", headers=analyst, timeout=15)
    assert bad.status_code == 400 and "YYYY-MM" in bad.json()["message"]

    boss, agent = add_agent(stack, "报告班长", "supervisor"), add_agent(stack, "报告坐席", "agent")
    for username, status in ((boss, 200), (agent, 403)):
        session = requests.Session()
        assert session.post(f"{stack.url}/console/login", json={"username": username, "password": PASSWORD},
                            timeout=15).status_code == 200
        got = session.get(f"{stack.url}/console/api/analytics/report?month={month}&format=pdf", timeout=60)
        assert got.status_code == status, username
    deadline = time.monotonic() + 60  # the schedule's round (every 2 s in the test stack)
    while True:
        kept = requests.get(f"{stack.url}/api/analytics/reports", headers=analyst, timeout=15).json()["reports"]
        if kept or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert [k["month"] for k in kept] == [month] and kept[0]["generated_by"] == "schedule"
    pdf = requests.get(f"{stack.url}/api/analytics/reports?month={month}", headers=analyst, timeout=15)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
