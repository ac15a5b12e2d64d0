"""The official account's custom menu, and the command that installs it.

    python -m channels.wechat.menu            # install (WeChat's API, credentials from the env)
    python -m channels.wechat.menu --show     # print the JSON only

A CLICK button reaches the assistant as the message in ``COMMANDS``, as if the citizen had
typed it, so the menu needs no logic of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

# key -> (button name, what the citizen is taken to have said; "/intent" is Rasa's way of
# naming the intent outright, for buttons whose meaning is not in doubt)
COMMANDS: dict[str, tuple[str, str]] = {
    "REPORT": ("我要反映", "我要反映问题"),
    "PROGRESS": ("查询进度", "/check_status"),
    "FAQ": ("常见问题", "热线都受理哪些事情"),
    "AGENT": ("转人工", "/request_human"),
}


def menu_definition() -> dict[str, Any]:
    def click(key: str) -> dict[str, str]:
        return {"type": "click", "name": COMMANDS[key][0], "key": key}

    # At most three top-level buttons (WeChat's limit); the rest under 更多服务.
    return {"button": [click("REPORT"), click("PROGRESS"),
                       {"name": "更多服务", "sub_button": [click("FAQ"), click("AGENT")]}]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Install the hotline's WeChat custom menu.")
    parser.add_argument("--show", action="store_true", help="print the menu JSON and do nothing else")
    args = parser.parse_args(argv)
    menu = menu_definition()
    if args.show:
        print(json.dumps(menu, ensure_ascii=False, indent=2))
        return 0
    from bot.store.shared import shared_store
    from channels.wechat.client import WechatApi
    from channels.wechat.config import WechatConfig

    config = WechatConfig.from_env()
    api = WechatApi(config, shared_store())
    try:
        result = asyncio.run(api.create_menu(menu))
    except Exception as exc:
        print(f"菜单安装失败：{getattr(exc, 'errmsg', exc)}", file=sys.stderr)
        return 1
    finally:
        api.close()
    print(f"菜单已安装（{config.api_base}）：{json.dumps(result, ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
