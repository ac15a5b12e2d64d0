"""Screenshots of the hotline's page for the README: a real conversation in Debian's chromium
against the real servers, at desktop and phone sizes.

    .venv/bin/python -m scripts.screenshots      # writes docs/screenshots/*.png
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.stack import ROOT, start_stack
from tests.test_e2e_browser import ARGS

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


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS)
                for name, size, mobile in (("desktop", (1280, 800), False), ("phone", (390, 844), True)):
                    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                                  is_mobile=mobile, has_touch=mobile, locale="zh-CN")
                    page = context.new_page()
                    page.goto(stack.url + "/")
                    page.wait_for_selector("#chat-input")
                    converse(page, CONVERSATIONS[name])
                    page.screenshot(path=str(OUT / f"{name}.png"))
                    context.close()
                browser.close()
        finally:
            stack.stop()
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
