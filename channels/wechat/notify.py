"""How a work-order notice reaches a WeChat citizen (the loop is bot/gateway/notices.py): a
customer-service message while the citizen's 48-hour window is open (with the rating choices
numbered, so that 「1」 answers), a template message (``HOTLINE_WECHAT_TEMPLATE_ID``) outside it,
or, with neither possible, the reason is recorded so that the agents can phone instead."""

from __future__ import annotations

import asyncio
import json
import time

from bot.store import repository
from bot.store.models import STATUS_LABELS
from bot.store.shared import SharedStore
from channels.wechat.client import WechatApi
from channels.wechat.config import WechatConfig
from channels.wechat.render import render

CHOICES_TTL = 7 * 24 * 3600.0


class WechatTeller:
    def __init__(self, config: WechatConfig, api: WechatApi, store: SharedStore) -> None:
        self.config = config
        self.api = api
        self.store = store

    def in_window(self, openid: str) -> bool:
        last = self.store.get(f"wechat:last:{openid}")
        return last is not None and time.time() - float(last) < self.config.service_window

    async def __call__(self, notice: repository.PendingNotice, text: str,
                       buttons: list[dict[str, str]]) -> tuple[str, str]:
        openid = notice.sender_id.removeprefix("wechat-")
        if await asyncio.to_thread(self.in_window, openid):
            chunks, choices = render([{"author": "system", "text": text, "buttons": buttons}])
            if choices:
                await asyncio.to_thread(self.store.set, f"wechat:choices:{openid}",
                                        json.dumps(choices, ensure_ascii=False), CHOICES_TTL)
            for chunk in chunks:
                if not await self.api.send_text(openid, chunk):
                    return "custom", "failed"
            return "custom", "sent"
        if self.config.template_id:
            label = STATUS_LABELS.get(notice.status, notice.status)
            remark = "请回复“满意”“基本满意”或“不满意”评价办理结果" if notice.status == "closed" else "回复“查询进度”查看详情"
            data = {"first": {"value": "您的工单有新进展"}, "keyword1": {"value": notice.number},
                    "keyword2": {"value": label}, "remark": {"value": remark}}
            sent = await self.api.send_template(openid, self.config.template_id, data)
            return "template", "sent" if sent else "failed"
        return "none", "outside the 48-hour window and no template configured"
