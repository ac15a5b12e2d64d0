"""A work order's whole life through the pages, in Debian's chromium against the real gateway,
Rasa and action server: a citizen files a complaint in the web widget; a supervisor dispatches
it on /console/orders (unless 智能派单 already did); the unit's staff sign for it and close it on
their page; the citizen, still on the page, is asked how satisfied they are and taps 满意."""

from __future__ import annotations

import re
import time
import uuid

import requests

from bot.store import repository
from tests.e2e.conftest import UNIT
from tests.e2e.test_e2e_browser import NUMBER_RX, browser, last_bot_text, say  # noqa: F401
from tests.e2e.test_e2e_console import PASSWORD, add_agent

VIEWPORT = {"width": 1280, "height": 800}
SLOW = 60_000  # ms: two cores, a real Rasa; the first answers can take a while
RESULT = "经现场检查，该化工厂夜间废气处理设施未开启，已责令立即整改并处罚款，今后将加强夜间巡查"


def open_page(chromium, errors: list[str]):
    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(SLOW)
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    return context, page


def log_in(page, stack, username: str) -> None:
    page.goto(stack.url + "/console/login")
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/console(/orders|/analytics)?$"))


def on_orders_page(page, stack, supervisor: str) -> None:
    """A supervisor signed in, on the orders page (督办)."""
    log_in(page, stack, supervisor)
    page.goto(stack.url + "/console/orders")
    page.wait_for_selector("#sup-view", state="visible")


def test_a_complaint_from_the_widget_to_the_unit_and_back_to_a_rating(browser, stack, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)
    supervisor_name = add_agent(stack, "赵班长", "supervisor")
    unit_name = add_agent(stack, "环保局刘科长", "unit", unit=UNIT)
    errors: list[str] = []
    contexts = []
    try:
        # 1. The citizen files the complaint in the widget and reads the order number there.
        context, citizen = open_page(browser, errors)
        contexts.append(context)
        citizen.goto(stack.url + "/")
        citizen.wait_for_selector("#chat-status", state="attached")
        phone = "139" + str(uuid.uuid4().int)[:8]
        say(citizen, f"我叫陈明，电话{phone}，铁西区建设大道58号旁边的化工厂每天晚上排放刺鼻气味，熏得人睡不着，投诉")
        citizen.get_by_role("button", name="确认提交").last.click()
        badge = citizen.locator(".order-number").last
        badge.wait_for()
        number = NUMBER_RX.search(badge.inner_text()).group(0)
        order = repository.get_order(number)
        assert order.request_type == "投诉" and order.phone == phone and "化工厂" in order.content

        # 2. The supervisor finds it among 待派单 and dispatches it to the 市生态环境局, unless
        # 智能派单 was sure enough to do that itself.
        context, supervisor = open_page(browser, errors)
        contexts.append(context)
        log_in(supervisor, stack, supervisor_name)
        supervisor.goto(stack.url + "/console/orders")
        supervisor.wait_for_selector("#sup-view", state="visible")
        assert supervisor.locator("#page-title").inner_text() == "工单督办"
        if repository.get_order(number).status == "pending":
            # The page opens on 紧急工单 when there are open urgent orders (other tests file some).
            supervisor.click("#tabbtn-pending")
            row = supervisor.locator(f"#pending-table tr[data-number='{number}']")
            row.wait_for()
            assert "化工厂" in row.locator(".col-content").inner_text()
            row.locator("button[data-open]").click()  # the detail, with the citizen's phone
            supervisor.wait_for_selector(f"#detail-title:has-text('{number}')")
            assert supervisor.locator("#detail-phone").inner_text() == phone
            row.locator("select.unit-select").select_option(UNIT)
            supervisor.screenshot(path=str(tmp_path / "supervisor.png"), full_page=True)
            row.locator("button[data-action='dispatch']").click()
            supervisor.wait_for_selector(f"#status:has-text('工单 {number} 已派至{UNIT}')")
            row.wait_for(state="detached")  # gone from 待派单
        else:
            supervisor.screenshot(path=str(tmp_path / "supervisor.png"), full_page=True)
        order = repository.get_order(number)
        assert (order.status, order.unit) == ("dispatched", UNIT)

        # 3. The unit's staff land on their orders, open this one, sign for it and close it.
        context, unit = open_page(browser, errors)
        contexts.append(context)
        log_in(unit, stack, unit_name)
        assert unit.url.endswith("/console/orders")  # /console sends a unit's staff here
        unit.wait_for_selector(f"#unit-title:has-text('{UNIT}')")
        unit.locator(f"#orders-table button[data-open='{number}']").click()
        unit.wait_for_selector(f"#detail-title:has-text('{number}')")
        unit.click("#order-detail button[data-action='accept']")
        unit.click("#action-submit")
        unit.wait_for_selector(f"#status:has-text('已签收工单 {number}')")
        assert repository.get_order(number).status == "in_progress"
        # 3a. The unit asks the citizen for more (补充材料, 鞍山条例第十五条第二项): the question reaches
        # the widget, the citizen's answer comes back into the order's history.
        unit.click("#order-detail button[data-action='ask-citizen']")
        unit.fill("#action-text", "请问化工厂排放气味最重的是几点钟？有照片请一并发来")
        unit.fill("#action-days", "3")
        unit.click("#action-submit")
        unit.wait_for_selector(f"#status:has-text('已把工单 {number} 的问题发给市民')")
        citizen.locator(".msg.system, .msg.bot", has_text="排放气味最重的是几点钟").last.wait_for()
        say(citizen, "一般是夜里十一点以后，最近三天都有")
        assert "已收到您的补充" in last_bot_text(citizen)
        unit.click("#unit-refresh")
        unit.wait_for_selector("#order-detail:has-text('一般是夜里十一点以后')")
        unit.click("#order-detail button[data-action='close']")
        unit.fill("#action-text", RESULT)
        unit.click("#action-submit")
        unit.wait_for_selector(f"#status:has-text('工单 {number} 已提交办结，等待热线审核')")
        unit.wait_for_selector("#order-detail .detail-readonly")  # nothing left to do but read it
        assert RESULT in unit.locator("#order-detail .detail-fields").inner_text()
        unit.screenshot(path=str(tmp_path / "unit.png"), full_page=True)
        assert repository.get_order(number).status == "reviewing"

        # 3b. 鞍山条例第十八条: the supervisor reviews the 办结 under 办结待审 and approves it.
        supervisor.click("#sup-refresh")
        supervisor.click("#tabbtn-closings")
        row = supervisor.locator(f"#closings-table tr[data-number='{number}']")
        row.wait_for()
        assert "已责令立即整改" in row.inner_text()
        row.locator("button[data-action='approve-close']").click()
        supervisor.click("#action-submit")
        supervisor.wait_for_selector(f"#status:has-text('工单 {number} 审核通过，已办结')")
        row.wait_for(state="detached")
        supervisor.screenshot(path=str(tmp_path / "review.png"), full_page=True)
        assert repository.get_order(number).status == "closed"

        # 4. The follow-up reaches the citizen's open page (as a notice); a tap on 满意 is the rating.
        follow_up = citizen.locator(".msg.system, .msg.bot", has_text=f"您的工单 {number} 已办结").last
        follow_up.wait_for()
        assert "已责令立即整改" in follow_up.inner_text()
        choices = follow_up.locator(".quick-reply")
        assert choices.all_inner_texts() == ["满意", "基本满意", "不满意"]
        choices.filter(has_text=re.compile("^满意$")).click()
        citizen.locator(".msg.citizen", has_text="满意").last.wait_for()
        citizen.locator(".msg.bot, .msg.system", has_text="感谢您的评价").last.wait_for()
        assert "感谢您的评价" in last_bot_text(citizen)
        assert repository.get_order(number).rating == "满意"
    finally:
        for context in contexts:
            context.close()
    assert not errors, f"errors on the pages: {errors}"
    assert (tmp_path / "supervisor.png").stat().st_size > 0 and (tmp_path / "unit.png").stat().st_size > 0


def test_an_agent_calls_a_citizen_back_and_records_the_rating_on_the_page(browser, stack, monkeypatch, tmp_path):  # noqa: F811
    """回访 by telephone (鞍山条例第二十一条, 通辽条例第二十条): a phone order closed after review is
    on the agent's 电话回访 page at once; a call nobody answered is recorded, then the answered call's
    rating."""
    from bot.orders import lifecycle
    from bot.profile import load_profile

    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)
    profile = load_profile("anshan")
    agent_name = add_agent(stack, "孙回访", "agent")
    phone = "135" + str(uuid.uuid4().int)[:8]
    req = repository.OrderRequest(request_type="投诉", content="小区门口的路灯坏了半个月，晚上一片漆黑", address="铁西区人民路12号",
                                  district="铁西区", name="周大爷", phone=phone, confidential=False, wants_reply=True,
                                  channel="phone", sender_id=None, idempotency_key=uuid.uuid4().hex)
    number = repository.file_order(req, profile)[0].number
    lifecycle.dispatch(number, UNIT, "staff:派单员", profile)
    lifecycle.close(number, UNIT, "路灯已于12月5日修复，已电话告知市民")
    lifecycle.review_close(number, "staff:值班长", True)
    errors: list[str] = []
    context, page = open_page(browser, errors)
    try:
        log_in(page, stack, agent_name)
        page.click("#to-orders")
        page.wait_for_selector("#sup-view", state="visible")
        assert page.locator("#page-title").inner_text() == "电话回访"
        assert page.locator("#tabbtn-pending").is_hidden() and page.locator("#tabbtn-audit").is_hidden()
        row = page.locator(f"#callbacks-table tr[data-number='{number}']")
        row.wait_for()
        assert phone in row.inner_text() and "周大爷" in row.inner_text() and "已回访 0/3 次" in row.inner_text()
        row.locator("button[data-action='call-missed']").click()
        page.click("#action-submit")  # nothing chosen: the form says so
        assert "请选择未接通的情况" in page.locator("#action-error").inner_text()
        page.select_option("#action-choice", "no_answer")
        page.click("#action-submit")
        page.wait_for_selector(f"#status:has-text('已记录工单 {number} 的第 1 次回访')")
        row.locator("text=已回访 1/3 次").wait_for()
        assert page.locator("#tab-pending").is_hidden()
        page.screenshot(path=str(tmp_path / "callbacks.png"), full_page=True)
        row.locator("button[data-action='call-answered']").click()
        page.select_option("#action-choice", "满意")
        page.click("#action-submit")
        page.wait_for_selector(f"#status:has-text('工单 {number} 回访完成，市民评价：满意')")
        row.wait_for(state="detached")
    finally:
        context.close()
    assert not errors, f"errors on the page: {errors}"
    assert repository.get_order(number).rating == "满意"


def test_a_supervisor_adds_a_co_unit_in_the_detail_and_the_co_unit_reports_its_part(browser, stack, monkeypatch, tmp_path):  # noqa: F811
    """主办/协办 (鞍山条例第十四条) on the pages: the supervisor sets a co-unit from the order's detail;
    the co-unit's staff see the order with the lead named and report their part; the lead sees it."""
    from bot.orders import lifecycle
    from bot.profile import load_profile

    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)
    profile = load_profile("anshan")
    helper_unit = "铁东区住房和城乡建设局"
    supervisor_name = add_agent(stack, "钱班长", "supervisor")
    helper_name = add_agent(stack, "住建协办", "unit", unit=helper_unit)
    req = repository.OrderRequest(request_type="投诉", content="小区楼顶加盖违建，物业不管", address="铁东区胜利街道园林小区3号楼",
                                  district="铁东区", name="孙先生", phone="13512345678", confidential=False,
                                  wants_reply=True, channel="phone", sender_id=None, idempotency_key=uuid.uuid4().hex)
    number = repository.file_order(req, profile)[0].number
    lifecycle.dispatch(number, UNIT, "staff:派单员", profile)
    errors: list[str] = []
    contexts = []
    try:
        context, boss = open_page(browser, errors)
        contexts.append(context)
        on_orders_page(boss, stack, supervisor_name)
        boss.evaluate("n => { var b = document.createElement('button'); b.setAttribute('data-open', n); b.id = 'open-it';"
                      " document.getElementById('layout').appendChild(b); }", number)
        boss.click("#open-it")  # as a number button in any list does
        boss.wait_for_selector(f"#detail-title:has-text('{number}')")
        boss.click("#order-detail button[data-action='set-co-units']")
        boss.select_option("#action-units", [helper_unit])
        boss.click("#action-submit")
        boss.wait_for_selector(f"#status:has-text('工单 {number} 的协办单位已更新')")
        boss.wait_for_selector(f"#order-detail .detail-fields:has-text('{helper_unit}（尚未反馈）')")

        context, helper = open_page(browser, errors)
        contexts.append(context)
        log_in(helper, stack, helper_name)
        helper.locator(f"#orders-table button[data-open='{number}']").click()
        helper.wait_for_selector(f"#detail-title:has-text('{number}')")
        assert f"主办单位是{UNIT}" in helper.locator("#order-detail .notice-info").inner_text()
        assert helper.locator("#order-detail button[data-action='close']").count() == 0
        helper.click("#order-detail button[data-action='report']")
        helper.fill("#action-text", "经核实楼顶加盖无规划手续，已移交城管执法")
        helper.click("#action-submit")
        helper.wait_for_selector(f"#status:has-text('已反馈工单 {number} 的协办情况')")
        helper.screenshot(path=str(tmp_path / "co_unit.png"), full_page=True)
        boss.click("#sup-refresh")
        boss.wait_for_selector("#order-detail .detail-fields:has-text('已移交城管执法')")
        boss.screenshot(path=str(tmp_path / "co_units.png"), full_page=True)
    finally:
        for context in contexts:
            context.close()
    assert not errors, f"errors on the pages: {errors}"


def test_a_supervisor_corrects_an_orders_topic_in_the_detail_and_the_figures_count_it_there(browser, stack, monkeypatch):  # noqa: F811
    """A topic read wrong at filing (研判) is corrected by the dispatcher from the catalogue; the
    history keeps it and the figures count the order by the new one and no longer by the old one
    (within the roll-up's round)."""
    from bot.orders import lifecycle
    from bot.profile import load_profile

    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)
    profile = load_profile("anshan")
    supervisor_name = add_agent(stack, "周班长", "supervisor")
    req = repository.OrderRequest(request_type="投诉", content="楼上每天半夜拖椅子，吵得睡不着", address="铁东区胜利街道园林小区3号楼",
                                  district="铁东区", name="吴女士", phone="13612345678", confidential=False,
                                  wants_reply=True, channel="phone", sender_id=None, idempotency_key=uuid.uuid4().hex)
    number = repository.file_order(req, profile)[0].number
    lifecycle.set_topic(number, "staff:派单员", "城乡建设/物业管理", profile)  # as if read wrong at filing
    # Other tests of the stack file orders today too, and today's figures come from the roll-up a
    # round behind (every 2 s here): counted before it has seen this order, the old topic would not
    # go down by one. So the figures are read once they equal today's orders counted one by one.
    before = _current_topic_figures()
    assert before.get("城乡建设/物业管理", 0) >= 1
    errors: list[str] = []
    context, boss = open_page(browser, errors)
    try:
        on_orders_page(boss, stack, supervisor_name)
        _open(boss, number)
        assert boss.locator("#detail-topic").inner_text() == "城乡建设 › 物业管理"
        boss.click("#order-detail button[data-action='set-topic']")
        assert boss.locator("#action-choice").input_value() == "城乡建设/物业管理"  # the current one, preselected
        _form(boss, choice="生态环境/噪声")
        boss.wait_for_selector(f"#status:has-text('工单 {number} 的主题已更正')")
        boss.wait_for_selector("#detail-topic:has-text('生态环境 › 噪声')")
        assert "主题：城乡建设/物业管理 → 生态环境/噪声" in boss.locator("#order-detail").inner_text()
    finally:
        context.close()
    assert not errors, f"errors on the page: {errors}"
    after = _current_topic_figures()
    assert after.get("生态环境/噪声", 0) == before.get("生态环境/噪声", 0) + 1
    assert after.get("城乡建设/物业管理", 0) == before["城乡建设/物业管理"] - 1


def _current_topic_figures(timeout: float = 30) -> dict[str, int]:
    """Today's figures by topic as 研判 gives them, once they equal the orders filed today counted
    one by one (the roll-up's job has caught up: every 2 s in the test stack)."""
    from sqlalchemy import func, select

    from bot.analytics import queries
    from bot.store.db import session_scope
    from bot.store.models import WorkOrder

    today = queries.period(None, None)
    today = queries.Period(today.end, today.end)
    lo, hi = today.utc()
    deadline = time.monotonic() + timeout
    while True:
        with session_scope() as s:
            counted = {topic or queries.UNKNOWN: n for topic, n in s.execute(
                select(WorkOrder.topic, func.count()).where(WorkOrder.created_at >= lo, WorkOrder.created_at < hi)
                .group_by(WorkOrder.topic)).all()}
        figures = queries.summary(today, "day", "subtopic")["totals"]
        if figures == counted or time.monotonic() > deadline:
            assert figures == counted, "the roll-up did not catch up with today's orders"
            return figures
        time.sleep(0.5)


def test_an_agent_corrects_an_orders_topic_from_the_orders_page_without_seeing_its_citizen(browser, stack, monkeypatch):  # noqa: F811
    """Agents correct topics too (研判): on the orders page they open an order by its number, see
    it without its citizen, choose the topic from the catalogue; the history says who and when,
    and the supervisors' routes stay closed to them."""
    from bot.orders import lifecycle
    from bot.profile import load_profile

    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)
    profile = load_profile("anshan")
    agent_name = add_agent(stack, "钱坐席", "agent")
    req = repository.OrderRequest(request_type="投诉", content="楼下广场舞音响每晚放到十点半", address="铁西区兴盛街道8号楼",
                                  district="铁西区", name="郑先生", phone="13712345678", confidential=False,
                                  wants_reply=True, channel="phone", sender_id=None, idempotency_key=uuid.uuid4().hex)
    number = repository.file_order(req, profile)[0].number
    lifecycle.set_topic(number, "staff:派单员", "城乡建设/物业管理", profile)  # as if read wrong at filing
    errors: list[str] = []
    context, page = open_page(browser, errors)
    try:
        log_in(page, stack, agent_name)
        page.goto(stack.url + "/console/orders")
        page.wait_for_selector("#topic-lookup", state="visible")
        page.fill("#topic-number", number.lower())
        page.click("#topic-open")
        page.wait_for_selector(f"#detail-title:has-text('{number}')")
        page.wait_for_selector("#detail-topic")
        detail = page.locator("#order-detail").inner_text()
        assert "广场舞" in detail and "郑先生" not in detail and "13712345678" not in detail and "兴盛街道8号楼" not in detail
        assert page.locator("#detail-topic").inner_text() == "城乡建设 › 物业管理"
        assert page.locator("#order-detail button[data-action]").count() == 1  # 更正主题, nothing else
        page.click("#order-detail button[data-action='set-topic']")
        assert page.locator("#action-choice").input_value() == "城乡建设/物业管理"
        _form(page, choice="生态环境/噪声")
        page.wait_for_selector(f"#status:has-text('工单 {number} 的主题已更正')")
        page.wait_for_selector("#detail-topic:has-text('生态环境 › 噪声')")
        assert "主题：城乡建设/物业管理 → 生态环境/噪声" in page.locator("#order-detail").inner_text()
    finally:
        context.close()
    assert not errors, f"errors on the page: {errors}"
    assert repository.get_order(number).topic == "生态环境/噪声"
    step = lifecycle.history(number)[-1]
    assert step["kind"] == "topic" and step["actor"] == f"console:{agent_name}" and step["at"]
    session = requests.Session()
    assert session.post(f"{stack.url}/console/login", json={"username": agent_name, "password": PASSWORD},
                        timeout=15).status_code == 200
    assert session.get(f"{stack.url}/console/api/orders/{number}", timeout=15).status_code == 403  # the whole order: not theirs


def _form(page, text: str | None = None, days: str | None = None, choice: str | None = None) -> None:
    """Fill the open action form and send it."""
    if choice is not None:
        page.select_option("#action-choice", choice)
    if text is not None:
        page.fill("#action-text", text)
    if days is not None:
        page.fill("#action-days", days)
    page.click("#action-submit")


def _in_detail(page, number: str, action: str, **fields) -> None:
    page.wait_for_selector(f"#detail-title:has-text('{number}')")
    page.click(f"#order-detail button[data-action='{action}']")
    _form(page, **fields)


def _in_tab(page, tab: str, number: str, action: str, **fields) -> None:
    page.click("#sup-refresh")
    page.click(f"#tabbtn-{tab}")
    row = page.locator(f"#{tab}-table tr[data-number='{number}']")
    row.wait_for()
    row.locator(f"button[data-action='{action}']").click()
    _form(page, **fields)
    row.wait_for(state="detached")


def _open(page, number: str) -> None:
    """Open an order's detail as a number button in any list does (the order may be in none)."""
    page.evaluate("n => { var b = document.createElement('button'); b.setAttribute('data-open', n);"
                  " b.className = 'test-open'; document.getElementById('layout').appendChild(b); }", number)
    page.locator("button.test-open").last.click()
    page.wait_for_selector(f"#detail-title:has-text('{number}')")


def test_the_whole_life_of_a_phone_order_through_the_console_pages(browser, stack, monkeypatch, tmp_path):  # noqa: F811
    """Issue 22's whole life in the browser: dispatched to a district unit (属地) with a co-unit
    (主办/协办, 鞍山条例第十四条); an extension asked and approved (第十七条); the co-unit's part; 办结
    sent back, then approved (第十八条); the agent's call-back (第二十一条, 通辽条例第二十条) records
    不满意 with a reason; the unit asks for that rating to be reviewed and the hotline decides
    (天津办法第二十三条)."""
    from bot.orders import lifecycle
    from bot.profile import load_profile

    monkeypatch.setenv("HOTLINE_DB_URL", stack.db_url)
    lead, helper_unit = "铁东区城市管理综合行政执法局", "铁东区住房和城乡建设局"
    names = {"boss": add_agent(stack, "孙班长", "supervisor"), "lead": add_agent(stack, "铁东城管", "unit", unit=lead),
             "helper": add_agent(stack, "铁东住建", "unit", unit=helper_unit), "agent": add_agent(stack, "李回访", "agent")}
    req = repository.OrderRequest(request_type="投诉", content="小区门口早市占道经营，还在楼顶私搭乱建，物业不管",
                                  address="铁东区胜利街道园林小区3号楼", district="铁东区", name="周女士",
                                  phone="139" + str(uuid.uuid4().int)[:8], confidential=False, wants_reply=True,
                                  channel="phone", sender_id=None, idempotency_key=uuid.uuid4().hex)
    number = repository.file_order(req, load_profile("anshan"))[0].number
    errors: list[str] = []
    contexts, pages = [], {}
    try:
        for who, username in names.items():
            context, page = open_page(browser, errors)
            contexts.append(context)
            log_in(page, stack, username)
            if who in ("boss", "agent"):
                page.goto(stack.url + "/console/orders")
            pages[who] = page
        boss, unit, helper, agent = pages["boss"], pages["lead"], pages["helper"], pages["agent"]

        # 1. 待派单: to the district's own 城管 (属地), then a co-unit from the order's detail.
        boss.click("#tabbtn-pending")
        row = boss.locator(f"#pending-table tr[data-number='{number}']")
        row.wait_for()
        row.locator("select.unit-select").select_option(lead)
        row.locator("button[data-action='dispatch']").click()
        boss.wait_for_selector(f"#status:has-text('工单 {number} 已派至{lead}')")
        _open(boss, number)
        boss.click("#order-detail button[data-action='set-co-units']")
        boss.select_option("#action-units", [helper_unit])
        boss.click("#action-submit")
        boss.wait_for_selector(f"#status:has-text('工单 {number} 的协办单位已更新')")

        # 2. The lead signs for it and asks for more time; the hotline approves.
        unit.locator(f"#orders-table button[data-open='{number}']").click()
        _in_detail(unit, number, "accept")
        unit.wait_for_selector(f"#status:has-text('已签收工单 {number}')")
        _in_detail(unit, number, "extend", text="需协调产权单位和街道共同拆除违建", days="5")
        unit.wait_for_selector(f"#status:has-text('已提交工单 {number} 的延期申请')")
        _in_tab(boss, "extensions", number, "approve-extension")
        boss.wait_for_selector(f"#status:has-text('已同意延期，工单 {number}')")

        # 3. The co-unit reports its part; the lead's 办结 is sent back once, then approved.
        helper.locator(f"#orders-table button[data-open='{number}']").click()
        _in_detail(helper, number, "report", text="已核实楼顶加盖无规划手续，配合城管拆除")
        helper.wait_for_selector(f"#status:has-text('已反馈工单 {number} 的协办情况')")
        unit.click("#unit-refresh")
        _in_detail(unit, number, "close", text="已清理早市占道")
        unit.wait_for_selector(f"#status:has-text('工单 {number} 已提交办结')")
        _in_tab(boss, "closings", number, "send-back-close", text="楼顶违建的处理结果没有写")
        unit.click("#unit-refresh")
        _in_detail(unit, number, "close", text="已清理早市占道；楼顶违建已于12月6日拆除，已电话告知市民")
        unit.wait_for_selector(f"#status:has-text('工单 {number} 已提交办结')")
        _in_tab(boss, "closings", number, "approve-close")
        boss.wait_for_selector(f"#status:has-text('工单 {number} 审核通过，已办结')")

        # 4. A phone order: the agent calls back; 不满意 with a reason sends it back to the unit.
        agent.click("#sup-refresh")
        _in_tab(agent, "callbacks", number, "call-answered", choice="不满意", text="早市第二天又摆回来了")
        agent.wait_for_selector(f"#status:has-text('工单 {number} 回访完成，市民评价：不满意')")
        assert repository.get_order(number).status == "dispatched"

        # 5. The unit asks for the rating to be reviewed; the hotline does not uphold it.
        unit.click("#unit-refresh")
        _in_detail(unit, number, "appeal", text="早市为街道管理的临时市场，本单位已按职责清理占道部分")
        unit.wait_for_selector(f"#status:has-text('已提交工单 {number} 的评价复核申请')")
        _in_tab(boss, "appeals", number, "refuse-appeal", text="早市占道仍在，须建立长效机制")
        boss.wait_for_selector(f"#status:has-text('工单 {number} 的评价复核不予支持')")
        _open(boss, number)
        boss.screenshot(path=str(tmp_path / "whole_life.png"), full_page=True)
    finally:
        for context in contexts:
            context.close()
    assert not errors, f"errors on the pages: {errors}"
    kinds = [h["kind"] for h in lifecycle.history(number)]
    for kind in ("co_units", "extension_requested", "extension", "co_unit_part", "callback", "rating", "rating_appeal",
                 "appeal_refused"):
        assert kind in kinds, kind
    steps = [(h["from"], h["to"]) for h in lifecycle.history(number) if h["kind"] == "status"]
    assert ("reviewing", "in_progress") in steps and ("reviewing", "closed") in steps
