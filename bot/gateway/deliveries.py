"""Trying failed pushes again: a WeChat 客服消息 that did not go out (WeChat busy, the network,
a token refused twice) is kept (bot/store/deliveries.py) and sent again with backoff (30 s, 1,
2, 4 … minutes, at most 30) while the citizen's 48-hour window is open; when the window has
closed, or the error cannot be mended by trying again (45015, 40003, 43004, 48001), it is
undelivered for good: the console shows 「未送达」 with the reason and puts the conversation
before the agents. The citizen's next message still gets it, with the passive reply.

Every gateway runs the loop; each entry is claimed by one of them (a conditional update with a
lease), and the transcript entry itself is claimed before it is sent, so a retry, a push after
an agent's message and the citizen's next message never send it twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from itertools import groupby

from bot.gateway import loops, metrics
from bot.gateway.hub import Hub, outgoing
from bot.gateway.port import Failed
from bot.store import deliveries, transcript

log = logging.getLogger(__name__)

LEASE = 60.0  # a gateway that dies while sending leaves the entry to another after this
WINDOW_CLOSED = Failed("window", "市民超过48小时没有再发消息，微信客服消息的发送时限已过", final=True)


class Deliveries:
    def __init__(self, hub: Hub, every: float = 10.0, clock: Callable[[], float] = time.time) -> None:
        self.hub = hub
        self.every = every
        self.clock = clock

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.timezone.utc).replace(tzinfo=None)

    async def run_once(self) -> int:
        """Try what is due; returns how many entries reached the citizen."""
        now = self.now()
        due = await asyncio.to_thread(deliveries.claim_due, now, LEASE)
        done = 0
        for (sender_id, channel), rows in groupby(sorted(due, key=lambda d: (d.sender_id, d.channel, d.message_id)),
                                                  key=lambda d: (d.sender_id, d.channel)):
            try:
                done += await self._retry(sender_id, channel, list(rows), now)
            except Exception:
                log.exception("retry of the messages to %s failed", sender_id)
        return done

    async def _retry(self, sender_id: str, channel: str, rows: list[deliveries.Due], now: dt.datetime) -> int:
        closed = [d.message_id for d in rows if (d.until or d.created_at + deliveries.DEFAULT_SPAN) <= now]
        if closed:
            await asyncio.to_thread(deliveries.give_up, closed, WINDOW_CLOSED.code, WINDOW_CLOSED.reason, now)
            await self.hub.gave_up(sender_id, channel, WINDOW_CLOSED.code, len(closed))
        ids = [d.message_id for d in rows if d.message_id not in closed]
        if not ids:
            return 0
        async with self.hub.push_lock(sender_id):
            return await self._send(sender_id, channel, ids, now)

    async def _send(self, sender_id: str, channel: str, ids: list[int], now: dt.datetime) -> int:
        entries = await asyncio.to_thread(transcript.claim, ids)
        taken = {e.id for e in entries}
        # Given to the citizen meanwhile (their next message, a push after an agent's message).
        await asyncio.to_thread(deliveries.delivered, [i for i in ids if i not in taken], now)
        if not entries:
            return 0
        push = self.hub.outputs.get(channel)
        if push is None:
            await asyncio.to_thread(transcript.unclaim, [e.id for e in entries])
            await asyncio.to_thread(deliveries.give_up, [e.id for e in entries], "no_channel", "该渠道无法推送消息", now)
            return 0
        result = await push(sender_id, [outgoing(e) for e in entries])
        if result:
            await asyncio.to_thread(deliveries.delivered, [e.id for e in entries], now)
            metrics.DELIVERY_RETRIED.labels(channel).inc(len(entries))
            log.info("%d kept message(s) delivered to %s by a retry", len(entries), sender_id)
            return len(entries)
        failure = result if isinstance(result, Failed) else Failed("unknown", "推送失败")
        sent = entries[:failure.sent]
        if sent:
            await asyncio.to_thread(deliveries.delivered, [e.id for e in sent], now)
            metrics.DELIVERY_RETRIED.labels(channel).inc(len(sent))
        await self.hub.push_failed(sender_id, channel, [e.id for e in entries[failure.sent:]], failure, now)
        return len(sent)

    async def run_forever(self) -> None:
        await loops.every(self.every, self.run_once, "retrying failed pushes failed")
