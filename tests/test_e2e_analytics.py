"""研判 in the browser (issue 23): a supervisor's dashboard draws its charts from a simulated
year, a figure opens the orders behind it without anyone's name or phone, and a leader's account
lands on the dashboard and can read nothing else."""

from __future__ import annotations

import re

import pytest
import requests

from scripts import simulate_orders
from tests.test_e2e_browser import browser  # noqa: F401
from tests.test_e2e_console import PASSWORD, add_agent
from tests.test_e2e_orders_page import log_in, open_page

pytestmark = pytest.mark.e2e


def test_the_dashboard_draws_the_year_and_opens_the_orders_behind_a_figure(browser, stack, tmp_path):  # noqa: F811
    assert simulate_orders.main(["--orders", "2000", "--db-url", stack.db_url, "--bursts", str(tmp_path / "b.json"),
                                 "--burst-count", "2"]) == 0
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
        assert page.locator("#trend canvas").count() >= 1 and page.locator("#share canvas").count() >= 1
        assert page.locator("#units-table tbody tr").count() > 0
        page.locator("#share-table tbody .link-button").first.click()
        page.wait_for_selector("#drill-table tbody tr")
        rows = page.locator("#drill-table tbody").inner_text()
        assert re.search(r"SM-\d{8}-\d{4}", rows) and not re.search(r"1[3-9]\d{9}", rows)  # no phone anywhere
        page.click("button[data-days='365']")
        page.wait_for_selector("#status:has-text('已更新')")
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
