"""Screenshots for the README: the hotline's page (a real conversation, desktop and phone), the
agents' console (a citizen handed over, claimed and answered; a phone call triaged) and the 研判
dashboard (a generated year), in Debian's chromium against the real servers.

    .venv/bin/python -m scripts.screenshots               # writes docs/screenshots/*.png
    .venv/bin/python -m scripts.screenshots analytics     # only some of them (page, console, analytics)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.test_e2e_browser import ARGS
from tests.support.stack import ROOT, start_stack

OUT = ROOT / "docs" / "screenshots"
CONVERSATIONS = {
    "desktop": "我叫王建国，电话13898765432，铁东区胜利南路25号楼下烧烤店天天营业到凌晨两点，噪音油烟太大，我要投诉",
    "phone": "我是刘芳 手机13700001111 立山区胜利小区3号楼门口井盖没了好几天了 晚上特别危险 我要反映一下",
}


def converse(page, first: str) -> None:
    """Say ``first``, answer what the bot still asks, confirm: until the order number shows."""
    text = first
    for _ in range(6):
        before = page.locator(".msg.bot, .msg.system").count()
        page.fill("#chat-input", text)
        page.keyboard.press("Enter")
        page.wait_for_function("n => document.querySelectorAll('.msg.bot, .msg.system').length > n",
                               arg=before, timeout=30_000)
        page.wait_for_timeout(800)
        confirm = page.get_by_role("button", name="确认提交")
        if confirm.count() and confirm.last.is_enabled():
            confirm.last.click()
            page.locator(".order-number").last.wait_for(timeout=30_000)
            page.wait_for_timeout(600)
            return
        asked = page.locator(".msg.bot").last.inner_text()
        text = "投诉" if ("哪一类" in asked or "类型" in asked) else "无"
    raise RuntimeError("the conversation did not reach a work order")


def console(browser, stack) -> None:
    """The console while an agent answers a citizen who asked for a person, and a phone call."""
    subprocess.run([sys.executable, "-m", "bot.console", "adduser", "wangli", "--name", "王丽", "--password-stdin"],
                   input="screenshot-pass\n", text=True, check=True, cwd=ROOT,
                   env={**os.environ, "HOTLINE_DB_URL": stack.db_url})
    agent_ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    agent = agent_ctx.new_page()
    agent.goto(stack.url + "/console/login")
    agent.fill("#login-username", "wangli")
    agent.fill("#login-password", "screenshot-pass")
    agent.click("#login-submit")
    agent.wait_for_selector("#who:has-text('王丽')")
    citizen_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    citizen = citizen_ctx.new_page()
    citizen.goto(stack.url + "/")
    citizen.wait_for_selector("#chat-input")
    for text in ("我家楼上天天半夜往下扔垃圾，找物业也没用", "我要找人工"):
        citizen.fill("#chat-input", text)
        citizen.keyboard.press("Enter")
        citizen.wait_for_timeout(2500)
    agent.locator(".queue-item .claim").last.click()
    agent.wait_for_selector("#transcript .msg-citizen")
    agent.fill("#reply-text", "您好，高空抛物很危险。请问是哪个小区、几号楼？我帮您登记并转给物业和社区。")
    agent.click("#reply-send")
    citizen.fill("#chat-input", "铁东区园林小区5号楼，楼上是10楼")
    citizen.keyboard.press("Enter")
    agent.wait_for_selector("#transcript .msg-citizen:has-text('园林小区')")
    agent.fill("#f-address", "铁东区园林小区5号楼")
    agent.wait_for_timeout(800)
    agent.screenshot(path=str(OUT / "console.png"))
    agent.get_by_role("tab", name="新来电").click()
    agent.fill("#call-text", "我是铁西区张女士，电话13912345678，兴盛街8号楼上邻居天天半夜装修，吵得孩子睡不着")
    agent.click("#call-triage")
    agent.wait_for_timeout(1500)
    agent.screenshot(path=str(OUT / "console_call.png"))
    citizen_ctx.close()
    agent_ctx.close()


def analytics(browser, stack, tmp: Path) -> None:
    """The 研判 dashboard of a supervisor over a generated year (the figures, the hot-spot warnings,
    the units' evaluation, the monthly report's links: 打印版, PDF, Excel, CSV, and the kept reports)."""
    from scripts import simulate_orders

    assert simulate_orders.main(["--orders", "20000", "--db-url", stack.db_url, "--bursts", str(tmp / "bursts.json"),
                                 "--burst-count", "6"]) == 0
    subprocess.run([sys.executable, "-m", "bot.console", "adduser", "zhaobz", "--name", "赵班长", "--role", "supervisor",
                    "--password-stdin"], input="screenshot-pass\n", text=True, check=True, cwd=ROOT,
                   env={**os.environ, "HOTLINE_DB_URL": stack.db_url})
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(stack.url + "/console/login")
    page.fill("#login-username", "zhaobz")
    page.fill("#login-password", "screenshot-pass")
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/console(/orders|/analytics)?$"))
    page.goto(stack.url + "/console/analytics")
    page.wait_for_selector("#board", state="visible", timeout=60_000)
    page.wait_for_selector("#status:has-text('已更新')", timeout=180_000)  # the charts need channels/web's npm packages
    page.wait_for_selector("#archive-table tbody tr", timeout=60_000)  # last month's report, kept by the schedule
    # 近30天 by day: the 30 days before are in the simulated year, so 环比 is a figure; 同比 is 「—」
    # with its reason (the year before the simulated one holds no orders)
    page.click("button[data-days='30']")
    page.wait_for_selector("#status:has-text('已更新')", timeout=60_000)
    page.wait_for_timeout(1500)  # the charts' animation
    assert page.locator("#r-pdf").is_visible()
    # the top of the page (figures, charts, warnings), the links to the report's formats in it
    page.screenshot(path=str(OUT / "analytics.png"), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1500})
    context.close()


def main(argv: list[str] | None = None) -> None:
    wanted = set(argv if argv is not None else sys.argv[1:]) or {"page", "console", "analytics"}
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS)
                for name, size, mobile in (("desktop", (1280, 800), False), ("phone", (390, 844), True)):
                    if "page" not in wanted:
                        break
                    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                                  is_mobile=mobile, has_touch=mobile, locale="zh-CN")
                    page = context.new_page()
                    page.goto(stack.url + "/")
                    page.wait_for_selector("#chat-input")
                    converse(page, CONVERSATIONS[name])
                    page.screenshot(path=str(OUT / f"{name}.png"))
                    context.close()
                if "console" in wanted:
                    console(browser, stack)
                if "analytics" in wanted:
                    analytics(browser, stack, Path(tmp))
                browser.close()
        finally:
            stack.stop()
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
