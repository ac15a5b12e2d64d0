"""How a work-order notice reaches a WeChat citizen (the loop is bot/gateway/order_updates.py): a
customer-service message while the citizen's 48-hour window is open, kept in the conversation
and pushed from there (the rating choices numbered, so that 「1」 answers; retried when WeChat
does not take it); a template message
(``HOTLINE_WECHAT_TEMPLATE_ID``) outside it; or, with neither possible, the reason is recorded
so that the agents can phone instead."""

from __future__ import annotations

import asyncio
import time

from bot.gateway.port import Failed
from bot.store import notices
from bot.store.models import STATUS_LABELS, OrderStatus
from channels.wechat.adapter import WechatChannel


class WechatTeller:
    def __init__(self, channel: WechatChannel) -> None:
        self.channel = channel
        self.config = channel.config
        self.api = channel.api
        self.store = channel.store

    def in_window(self, openid: str) -> bool:
        last = self.store.get(f"wechat:last:{openid}")
        return last is not None and time.time() - float(last) < self.config.service_window

    async def __call__(self, notice: notices.PendingNotice, text: str,
                       buttons: list[dict[str, str]]) -> tuple[str, str]:
        openid = notice.sender_id.removeprefix("wechat-")
        if await asyncio.to_thread(self.in_window, openid):
            # Kept in the conversation and pushed from there: a 客服消息 WeChat does not take now
            # is tried again (bot/gateway/deliveries.py) and, failing that, shown to the agents.
            hub = self.channel.hub
            kept = await hub.record(notice.sender_id, "wechat", "system", text,
                                    {"buttons": buttons} if buttons else None, delivered=False)
            if kept is None:  # the transcript is not there: straight out, as it is
                sent = await self.channel.push(notice.sender_id, [{"author": "system", "text": text, "buttons": buttons}])
            else:
                sent = await hub.flush(notice.sender_id, "wechat")
            if isinstance(sent, Failed):
                return "custom", f"kept ({sent.code}): {sent.reason}"
            return "custom", "sent" if sent else "failed"
        if self.config.template_id:
            label = STATUS_LABELS.get(notice.status, notice.status)
            remark = "请回复“满意”“基本满意”或“不满意”评价办理过程和结果" if notice.status == OrderStatus.CLOSED else f"回复“查询工单 {notice.number}”查看详情"
            data = {"first": {"value": "您的工单有新进展"}, "keyword1": {"value": notice.number},
                    "keyword2": {"value": label}, "remark": {"value": remark}}
            sent = await self.api.send_template(openid, self.config.template_id, data)
            return "template", "sent" if sent else "failed"
        return "none", "outside the 48-hour window and no template configured"
