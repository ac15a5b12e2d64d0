"""The duty desk's alert strip in the agents' console, in a real browser (Debian's chromium
driven by Playwright) against the real gateway, Rasa and action server: a citizen in the web
widget writes an emergency; the logged-in agent's console shows it at the top within seconds,
the title flashes, and the agent acknowledges it or takes the citizen's conversation over."""

from __future__ import annotations

import time

import pytest

from tests.e2e.test_e2e_browser import browser, say  # noqa: F401 (the shared browser fixture)
from tests.e2e.test_e2e_console import PASSWORD, add_agent

FLASH = "【紧急警情】"
WIDE = {"width": 1280, "height": 800}


@pytest.fixture
def pages(browser, stack):  # noqa: F811 (the shared fixture)
    """A logged-in agent's console and a citizen on the hotline page, each in its own browser
    context; no script errors on either."""
    errors: list[str] = []
    contexts = []

    def open_page(path: str, **options):
        context = browser.new_context(viewport=WIDE, locale="zh-CN", **options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(stack.url + path)
        return page

    def agent(name: str):
        username = add_agent(stack, name)
        page = open_page("/console")
        page.fill("#login-username", username)
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url("**/console")
        page.wait_for_selector(f"#who:has-text('{name}')")
        return page

    def citizen():
        page = open_page("/")
        page.wait_for_selector("#chat-status", state="attached")
        return page

    yield agent, citizen
    for context in contexts:
        context.close()
    assert not errors, f"errors on the pages: {errors}"


def strip_item(agent, words: str):
    """The citizen's alert in the strip, within a few seconds of the bot's answer."""
    item = agent.locator(".desk-item", has_text=words)
    item.wait_for(timeout=5_000)
    return item


def test_alert_in_the_strip_title_flashes_and_the_agent_acknowledges(pages, stack):
    open_agent, open_citizen = pages
    agent = open_agent("李值班")
    assert agent.locator("#desk-live").get_attribute("aria-live") == "assertive"
    citizen = open_citizen()
    words = "救命，我家厨房着火了，火很大"
    said = time.monotonic()
    say(citizen, words)
    assert "119" in citizen.locator(".msg.bot, .msg.system").first.inner_text()

    item = strip_item(agent, words)
    assert time.monotonic() - said < 10
    assert "火情" in item.locator(".da-kind").inner_text()
    assert "已告知拨打 119" in item.locator(".da-numbers").inner_text()
    assert words in item.locator(".da-text").inner_text()
    assert "网页" in item.locator(".da-meta").inner_text()
    assert "收到" in item.locator(".da-meta").inner_text()
    assert "is-open" in (item.get_attribute("class") or "")
    # The strip is above everything else on the page.
    strip, topbar = agent.locator("#desk-body").bounding_box(), agent.locator(".topbar").bounding_box()
    assert strip and topbar and strip["y"] < topbar["y"]
    # The title flashes (both ways, every second) and the live region says what came.
    agent.wait_for_function(f"() => document.title.startsWith('{FLASH}')", timeout=5_000)
    agent.wait_for_function(f"() => !document.title.startsWith('{FLASH}')", timeout=3_000)
    agent.wait_for_function(f"() => document.title.startsWith('{FLASH}')", timeout=3_000)
    agent.wait_for_function("() => document.querySelector('#desk-live').textContent.includes('火情')",
                            timeout=3_000)
    agent.screenshot(path="/tmp/desk.png")

    # On a phone: no sideways scrolling, buttons big enough for a thumb.
    agent.set_viewport_size({"width": 390, "height": 844})
    assert agent.evaluate("() => document.documentElement.scrollWidth") <= 390
    for button in item.locator(".da-buttons .btn").all():
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390
    agent.screenshot(path="/tmp/desk-phone.png")
    agent.set_viewport_size(WIDE)

    item.locator(".da-note").fill("已电话通知119指挥中心")
    item.get_by_role("button", name="确认接警").click()
    done = agent.locator(".desk-item.is-done", has_text=words)
    done.wait_for(timeout=5_000)
    assert "已由 李值班" in done.locator(".da-done").inner_text()
    assert "已电话通知119指挥中心" in done.locator(".da-note-shown").inner_text()
    assert done.get_by_role("button", name="确认接警").count() == 0
    details = done.get_by_role("button", name="详情")
    assert details.get_attribute("aria-expanded") == "false"
    details.click()  # an acknowledged alert is a compact row until opened
    assert "消防119指挥中心" in done.locator(".da-deliveries").inner_text()
    assert done.get_by_role("button", name="收起").get_attribute("aria-expanded") == "true"
    agent.screenshot(path="/tmp/desk-acknowledged.png")

    listed = agent.context.request.get(stack.url + "/console/api/alerts?state=all").json()["items"]
    mine = [a for a in listed if words in a["text"]]
    assert len(mine) == 1 and mine[0]["acknowledged_by"] == "李值班"
    assert mine[0]["note"] == "已电话通知119指挥中心" and mine[0]["kind"] == "fire"
    if not agent.context.request.get(stack.url + "/console/api/alerts?state=open").json()["items"]:
        # nothing else open (this file alone): the title is itself again
        agent.wait_for_function(f"() => !document.title.startsWith('{FLASH}')", timeout=3_000)
        agent.wait_for_timeout(1_500)
        assert not agent.evaluate("() => document.title").startswith(FLASH)
        assert agent.locator("#desk-live").inner_text() == ""


def test_take_over_from_the_alert_and_the_reply_reaches_the_citizen(pages, stack):
    open_agent, open_citizen = pages
    agent = open_agent("周值班")
    citizen = open_citizen()
    words = "我爸突然晕倒了，叫不醒，好像没有呼吸了"
    say(citizen, words)
    assert "120" in citizen.locator(".msg.bot, .msg.system").first.inner_text()

    item = strip_item(agent, words)
    assert "120" in item.locator(".da-numbers").inner_text()
    take = item.get_by_role("button", name="接管对话")
    take.focus()
    agent.keyboard.press("Enter")  # by keyboard
    agent.wait_for_selector("#conv-meta .state.is-mine", timeout=10_000)
    assert "由您接待中" in agent.locator("#conv-meta").inner_text()
    agent.wait_for_selector(f"#transcript .msg-citizen:has-text('{words}')", timeout=10_000)
    assert agent.locator("#reply-text").is_enabled()
    citizen.wait_for_selector(".msg.agent:has-text('周值班')", timeout=15_000)  # 「我是热线工作人员周值班…」
    # The alert is acknowledged by the agent who took it.
    done = agent.locator(".desk-item.is-done", has_text=words)
    done.wait_for(timeout=5_000)
    assert "已由 周值班" in done.locator(".da-done").inner_text()

    agent.fill("#reply-text", "我是热线值班员，120已经通知，请保持电话畅通，先让老人平躺")
    agent.click("#reply-send")
    citizen.wait_for_selector(".msg.agent:has-text('请保持电话畅通')", timeout=15_000)
    # The citizen's next words reach the agent, not the bot.
    citizen.fill("#chat-input", "好的，我们在铁东区胜利路12号")
    citizen.keyboard.press("Enter")
    agent.wait_for_selector("#transcript .msg-citizen:has-text('胜利路12号')", timeout=15_000)
    agent.screenshot(path="/tmp/desk-take.png")
