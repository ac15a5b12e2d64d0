"""Telling WeChat citizens when their work order moves (which is also how the satisfaction
follow-up will reach them).

A loop in every gateway process looks for status changes of WeChat orders that nobody has told
yet; one process claims each change (a unique row in ``order_notifications``) and sends it: a
customer-service message while the citizen's 48-hour window is open, a template message
(``HOTLINE_WECHAT_TEMPLATE_ID``) outside it, or, with neither possible, records why not so the
agents can phone instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

from bot.messages import order_update_text
from bot.store import repository
from bot.store.models import STATUS_LABELS, utcnow
from bot.store.shared import SharedStore
from channels.wechat.client import WechatApi
from channels.wechat.config import WechatConfig

log = logging.getLogger(__name__)

CHANNEL = "wechat"
LOOK_BACK = dt.timedelta(days=7)


class Notifier:
    def __init__(self, config: WechatConfig, api: WechatApi, store: SharedStore) -> None:
        self.config = config
        self.api = api
        self.store = store

    def in_window(self, openid: str) -> bool:
        last = self.store.get(f"wechat:last:{openid}")
        return last is not None and time.time() - float(last) < self.config.service_window

    async def tell(self, notice: repository.PendingNotice) -> tuple[str, str]:
        openid = notice.sender_id.removeprefix("wechat-")
        label = STATUS_LABELS.get(notice.status, notice.status)
        if await asyncio.to_thread(self.in_window, openid):
            sent = await self.api.send_text(openid, order_update_text(notice.number, label, notice.note))
            return "custom", "sent" if sent else "failed"
        if self.config.template_id:
            data = {"first": {"value": "您的工单有新进展"}, "keyword1": {"value": notice.number},
                    "keyword2": {"value": label}, "remark": {"value": notice.note or "回复“查询进度”查看详情"}}
            sent = await self.api.send_template(openid, self.config.template_id, data)
            return "template", "sent" if sent else "failed"
        return "none", "outside the 48-hour window and no template configured"

    async def run_once(self) -> int:
        notices = await asyncio.to_thread(repository.unnotified_changes, CHANNEL, utcnow() - LOOK_BACK)
        told = 0
        for notice in notices:
            claim = await asyncio.to_thread(repository.claim_notice, notice, CHANNEL)
            if claim is None:
                continue
            method, result = await self.tell(notice)
            await asyncio.to_thread(repository.finish_notice, claim, method, result)
            told += result == "sent"
        return told

    async def run_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.notify_every)
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("telling wechat citizens about their orders failed")
