"""WeChat settings, from the environment (secrets never in files).

Without ``HOTLINE_WECHAT_APPID`` the channel runs in development mode: a fixed token and key
that the simulator (``python -m channels.wechat.simulate``) also uses, and WeChat's API
answered by the local stand-in the simulator starts (``channels.wechat.fake_api``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

MODES = ("plain", "compatible", "safe")  # 明文, 兼容, 安全
DEV_TOKEN = "hotline-dev-token"
DEV_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
DEV_APPID = "wxdevhotline0000"
DEV_API_BASE = "http://127.0.0.1:8010/cgi-bin/"
REAL_API_BASE = "https://api.weixin.qq.com/cgi-bin/"


@dataclass(frozen=True)
class WechatConfig:
    token: str = DEV_TOKEN
    aes_key: str = DEV_AES_KEY
    appid: str = DEV_APPID
    secret: str = "dev-secret"
    mode: str = "safe"
    api_base: str = DEV_API_BASE
    # WeChat waits 5 s for a passive reply; we answer within this and send anything slower
    # through the customer-service message API.
    reply_wait: float = 0.8
    # Requests whose timestamp is further than this from our clock are refused (replays).
    max_clock_skew: float = 300.0
    # 客服消息 may be sent for 48 hours after the citizen's last message.
    service_window: float = 48 * 3600
    # 模板消息 for work-order updates outside that window (empty: not configured).
    template_id: str = ""
    development: bool = True

    @classmethod
    def from_env(cls, **overrides: Any) -> WechatConfig:
        env = os.environ
        appid = env.get("HOTLINE_WECHAT_APPID", "")
        dev = not appid
        values: dict[str, Any] = {  # the fields, checked by the dataclass
            "token": env.get("HOTLINE_WECHAT_TOKEN", DEV_TOKEN if dev else ""),
            "aes_key": env.get("HOTLINE_WECHAT_AES_KEY", DEV_AES_KEY if dev else ""),
            "appid": appid or DEV_APPID,
            "secret": env.get("HOTLINE_WECHAT_SECRET", "dev-secret" if dev else ""),
            "mode": env.get("HOTLINE_WECHAT_MODE", "safe"),
            "api_base": env.get("HOTLINE_WECHAT_API_BASE", DEV_API_BASE if dev else REAL_API_BASE),
            "reply_wait": float(env.get("HOTLINE_WECHAT_REPLY_WAIT", cls.reply_wait)),
            "template_id": env.get("HOTLINE_WECHAT_TEMPLATE_ID", ""),
            "development": dev,
        }
        values.update(overrides)
        config = cls(**values)
        config.check()
        return config

    def check(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"HOTLINE_WECHAT_MODE must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not self.token:
            raise ValueError("HOTLINE_WECHAT_TOKEN is required with HOTLINE_WECHAT_APPID")
        if self.mode != "plain" and len(self.aes_key) != 43:
            raise ValueError("HOTLINE_WECHAT_AES_KEY (EncodingAESKey) must be 43 characters")
        if not self.api_base.endswith("/"):
            object.__setattr__(self, "api_base", self.api_base + "/")
