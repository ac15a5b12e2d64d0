"""The WeChat official-account channel: WeChat's server posts each citizen message to
``/wechat``; the answer goes back as the passive reply when the assistant is quick enough, and
through the customer-service message API (客服消息) when it is not.

WeChat waits 5 s for the passive reply and then sends the same message again (same MsgId; for
events the same FromUserName + CreateTime), up to three times. Each message is taken once:
the first request claims its key in the shared store; a retry gets the same passive reply
again if one was given (WeChat evidently did not receive it), otherwise ``success`` while the
first one's answer goes out through the customer-service API. Nothing a citizen sends is lost:
every message enters the transcript through the hub, media and unsupported messages included.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from typing import Any

from aiohttp import web
from wechatpy import events as wx_events
from wechatpy import messages as wx_messages

from bot import citizen_texts
from bot.gateway.config import GatewayConfig
from bot.gateway.port import ChannelPort, Failed
from bot.gateway.uploads import image_type, keep_image
from bot.store.shared import SharedStore
from channels.wechat.client import SendError, WechatApi
from channels.wechat.config import WechatConfig
from channels.wechat.menu import COMMANDS
from channels.wechat.protocol import Inbound, Protocol, Refused
from channels.wechat.render import merge_for_passive, pick_choice, render

log = logging.getLogger(__name__)

CHANNEL = "wechat"
SEEN_TTL = 600.0  # WeChat's retries come within ~15 s; keep the key well past that
CHOICES_TTL = 7 * 24 * 3600.0  # long enough for the rating choices of a closed order (回访)
Reply = list[dict[str, Any]]


def sender_for(openid: str) -> str:
    return f"wechat-{openid}"


def openid_of(sender_id: str) -> str:
    return sender_id.removeprefix("wechat-")


def dedup_key(message: Any) -> str:
    """What WeChat keeps the same when it sends a message again: MsgId, or for events (which
    have none) the sender and CreateTime."""
    data = message._data
    if isinstance(message, wx_events.BaseEvent) or not data.get("MsgId"):
        return f"evt:{message.source}:{data.get('CreateTime', '')}:{data.get('Event', '')}:{data.get('EventKey', '')}"[:190]
    return f"msg:{data['MsgId']}"[:190]


class WechatChannel:
    def __init__(self, config: WechatConfig, gateway: GatewayConfig, hub: ChannelPort, store: SharedStore,
                 api: WechatApi | None = None) -> None:
        self.config = config
        self.gateway = gateway
        self.hub = hub
        self.store = store
        self.api = api or WechatApi(config, store)
        self.protocol = Protocol(config)
        self._background: set[asyncio.Task] = set()
        hub.register_output(CHANNEL, self.push)

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/wechat", self.verify), web.post("/wechat", self.receive)]

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _store(self, method: str, *args: Any) -> Any:
        return await asyncio.to_thread(getattr(self.store, method), *args)

    # ---------------------------------------------------------------- HTTP

    async def verify(self, request: web.Request) -> web.Response:
        try:
            return web.Response(text=self.protocol.verify_url(request.query))
        except Refused as r:
            log.warning("wechat url verification refused: %s (from %s)", r.reason, request.remote)
            return web.Response(status=r.status, text="refused")

    async def receive(self, request: web.Request) -> web.Response:
        if request.content_length and request.content_length > 64 * 1024:
            log.warning("wechat request refused: body too large (from %s)", request.remote)
            return web.Response(status=413, text="refused")
        body = await request.read()
        try:
            inbound = self.protocol.parse(request.query, body)
        except Refused as r:
            # Logged without the body: it may carry a citizen's words.
            log.warning("wechat request refused: %s (from %s)", r.reason, request.remote)
            return web.Response(status=r.status, text="refused")
        message = inbound.message
        key = "wechat:seen:" + dedup_key(message)
        if not await self._store("add", key, "processing", SEEN_TTL):
            return await self._retry(inbound, key, request.query.get("nonce", ""))
        openid = message.source
        await self._store("set", f"wechat:last:{openid}", str(time.time()), self.config.service_window)
        job = asyncio.ensure_future(self.process(inbound))
        try:
            direct = await asyncio.wait_for(asyncio.shield(job), self.config.reply_wait)
        except asyncio.TimeoutError:
            # Too slow for the passive reply: say nothing now, push the answer when it comes.
            await self._store("set", key, "deferred", SEEN_TTL)
            self._spawn(self._send_later(openid, job))
            return web.Response(text="success")
        except Exception:
            log.exception("wechat message from a citizen could not be handled")
            direct = [{"author": "system", "text": citizen_texts.WECHAT_UNSUPPORTED}]
        # What the citizen has not had yet (earlier replies kept when a push failed first).
        replies = direct if direct is not None else await self.hub.take_undelivered(sender_for(openid), with_ids=True)
        first, rest, later = await self._passive(openid, replies)
        if first is None:
            await self._store("set", key, "empty", SEEN_TTL)
            return web.Response(text="success")
        await self._store("set", key, "reply:" + first, SEEN_TTL)
        if rest:  # the rest of a reply too long for one message
            self._spawn(self._send_chunks(openid, rest, delay=0.3))
        if later:  # whole replies that did not fit: pushed, and kept if the push fails
            await self.hub.give_back(later)
            self._spawn(self._flush_later(openid, delay=0.3))
        return self._xml(self.protocol.text_reply(inbound, first, request.query.get("nonce", "")))

    async def _passive(self, openid: str, replies: Reply) -> tuple[str | None, list[str], list[int]]:
        """The passive reply (as many whole replies as fit in one message), the chunks left of
        a first reply too long for it, and the transcript ids of the replies that did not fit."""
        await self._chunks(openid, replies)  # the choices offered last
        rendered = [(render([r])[0], r.get("_id")) for r in replies]
        rendered = [(chunks, i) for chunks, i in rendered if chunks]
        if not rendered:
            return None, [], []
        first, rest = merge_for_passive(rendered[0][0])
        taken = 1
        while not rest and taken < len(rendered):
            merged, left = merge_for_passive([first, *rendered[taken][0]])
            if left:
                break
            first, taken = merged, taken + 1
        later = [i for _, i in rendered[taken:] if isinstance(i, int)]
        if len(later) < len(rendered) - taken:  # replies not in the transcript: sent as they are
            rest += [c for chunks, i in rendered[taken:] if not isinstance(i, int) for c in chunks]
        return first, rest, later

    async def _flush_later(self, openid: str, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.hub.flush(sender_for(openid), CHANNEL)

    async def _retry(self, inbound: Inbound, key: str, nonce: str) -> web.Response:
        state = await self._store("get", key) or ""
        if state.startswith("reply:"):
            return self._xml(self.protocol.text_reply(inbound, state.removeprefix("reply:"), nonce))
        return web.Response(text="success")

    @staticmethod
    def _xml(body: str) -> web.Response:
        return web.Response(text=body, content_type="application/xml")

    # ---------------------------------------------------------------- sending

    async def _chunks(self, openid: str, replies: Reply) -> list[str]:
        chunks, choices = render(replies)
        if choices:
            await self._store("set", f"wechat:choices:{openid}", json.dumps(choices, ensure_ascii=False),
                              CHOICES_TTL)
        return chunks

    async def _send_chunks(self, openid: str, chunks: list[str], delay: float = 0.0) -> bool:
        if delay:
            await asyncio.sleep(delay)
        for chunk in chunks:
            if not await self.api.send_text(openid, chunk):
                return False
        return True

    async def _send_later(self, openid: str, job: asyncio.Future) -> None:
        """The answer that missed the passive reply: pushed through the hub, which keeps it for
        a retry if WeChat does not take it (bot/gateway/deliveries.py)."""
        try:
            direct = await job
        except Exception:
            log.exception("wechat message from a citizen could not be handled")
            direct = [{"author": "system", "text": citizen_texts.WECHAT_UNSUPPORTED}]
        if direct is None:
            await self.hub.flush(sender_for(openid), CHANNEL)
            return
        chunks = await self._chunks(openid, direct)  # not in the transcript (the database was down)
        if chunks and not await self._send_chunks(openid, chunks):
            log.warning("a late answer could not be sent to a wechat citizen")

    def _window_end(self, openid: str) -> dt.datetime | None:
        """When the citizen's 48-hour window for 客服消息 closes (UTC), if known."""
        last = self.store.get(f"wechat:last:{openid}")
        if last is None:
            return None
        return dt.datetime.fromtimestamp(float(last) + self.config.service_window, dt.timezone.utc).replace(tzinfo=None)

    async def push(self, sender_id: str, replies: Reply) -> bool | Failed:
        """The hub's way to reach a WeChat citizen later (answers too late for the passive
        reply, kept messages, agents, order updates), as 客服消息, reply by reply; a ``Failed``
        says how many replies went out and why the next did not."""
        openid = openid_of(sender_id)
        await self._chunks(openid, replies)
        for sent, reply in enumerate(replies):
            try:
                for chunk in render([reply])[0]:
                    await self.api.send(openid, chunk)
            except SendError as exc:
                return Failed(exc.code, exc.reason, sent=sent, final=exc.final,
                              until=await asyncio.to_thread(self._window_end, openid))
        return True

    # ---------------------------------------------------------------- one message

    async def _say(self, sender: str, citizen_text: str, reply: str | None, data: dict | None = None) -> Reply | None:
        """A message the assistant does not need Rasa for: recorded, answered here (the answer
        kept in the transcript for the passive reply or the push)."""
        await self.hub.record(sender, CHANNEL, "citizen", citizen_text, data)
        if reply is None:
            return []
        await self.hub.record(sender, CHANNEL, "system", reply, delivered=False)
        return None

    async def _to_bot(self, sender: str, text: str, shown: str | None = None,
                      meta: dict[str, Any] | None = None) -> Reply | None:
        return await self.hub.handle(sender, CHANNEL, text, meta, shown=shown, take=False)

    async def process(self, inbound: Inbound) -> Reply | None:
        """Take one message; what to answer at once ([] nothing), or None: the answers are in
        the transcript (the passive reply takes them, or they are pushed when too late)."""
        m = inbound.message
        sender = sender_for(m.source)
        if isinstance(m, wx_messages.TextMessage):
            content = m.content or ""
            choice = pick_choice(content, await self._store("get", f"wechat:choices:{m.source}"))
            if choice is not None:
                return await self._to_bot(sender, choice["payload"], shown=choice["title"])
            return await self._to_bot(sender, content)
        if isinstance(m, wx_messages.VoiceMessage):
            recognition = (m.recognition or "").strip()
            if recognition:
                return await self._to_bot(sender, recognition, shown=f"[语音] {recognition}")
            return await self._say(sender, "[语音]", citizen_texts.WECHAT_VOICE_NOT_UNDERSTOOD)
        if isinstance(m, wx_messages.ImageMessage):
            return await self._image(sender, m)
        if isinstance(m, wx_messages.LocationMessage):
            label = (m.label or "").strip()
            lat, lon = m.location_x, m.location_y
            place = label or f"{lat},{lon}"
            meta = {"location": {"lat": lat, "lon": lon, "label": label, "scale": m.scale}}
            return await self._to_bot(sender, citizen_texts.WECHAT_LOCATION_TEXT.format(label=place),
                                      shown=f"[位置] {place}", meta=meta)
        if isinstance(m, wx_messages.LinkMessage):
            description = f"（{m.description}）" if m.description else ""
            text = citizen_texts.WECHAT_LINK.format(title=m.title or "", description=description, url=m.url or "")
            return await self._to_bot(sender, text[: self.gateway.max_message_chars])
        if isinstance(m, (wx_messages.VideoMessage, wx_messages.ShortVideoMessage)):
            return await self._say(sender, "[视频]", citizen_texts.WECHAT_VIDEO)
        if isinstance(m, (wx_events.SubscribeEvent, wx_events.SubscribeScanEvent)):
            return await self._say(sender, "[关注公众号]", citizen_texts.wechat_welcome(self.hub.profile))
        if isinstance(m, wx_events.UnsubscribeEvent):
            return await self._say(sender, "[取消关注]", None)
        if isinstance(m, wx_events.ClickEvent):
            command = COMMANDS.get(m.key or "")
            if command is None:
                return await self._say(sender, f"[菜单] {m.key}", citizen_texts.WECHAT_UNSUPPORTED)
            name, text = command
            return await self._to_bot(sender, text, shown=f"[菜单] {name}")
        if isinstance(m, wx_events.BaseEvent):
            return []  # menu links (VIEW), scans, template-send receipts: nothing to say
        return await self._say(sender, f"[{m.type}]", citizen_texts.WECHAT_UNSUPPORTED)

    async def _image(self, sender: str, m: Any) -> Reply | None:
        data, why = await self.api.download_media(m.media_id or "", self.gateway.upload_max_bytes)
        kind = await asyncio.to_thread(image_type, data) if data else None
        if data is None or kind is None:
            log.info("wechat image not kept: %s", why if data is None else "not an image")
            return await self._say(sender, "[图片]", citizen_texts.WECHAT_IMAGE_FAILED)
        content_type, ext = kind
        kept = await keep_image(self.gateway.upload_dir, sender, CHANNEL, None, data, content_type, ext)
        return await self._say(sender, "[图片]", kept.reply, {"upload": kept.attachment_id})

    async def close(self) -> None:
        for task in self._background:
            task.cancel()
        self.api.close()
