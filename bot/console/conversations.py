"""One conversation: reading it, replying, filing its order, notes, the expert seat, ending it."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from typing import Any

from aiohttp import web

from bot import citizen_texts
from bot.console import accounts
from bot.console.common import (
    HANDLE,
    MAX_REPLY,
    actor_name,
    expert_may_read,
    handle,
    iso,
    order_fields,
)
from bot.console.parts import ConsolePart
from bot.gateway.api import dumps, error, ok, read_json
from bot.gateway.rasa import RasaFailed, RasaUnavailable
from bot.language.extract import MAX_CONTENT_CHARS, REQUEST_TYPES
from bot.orders import lifecycle
from bot.orders.filing import ORDER_FIELDS, file_request
from bot.store import answers, deliveries, handoffs, repository, transcript
from bot.store.models import HandoffStatus, OrderStatus

log = logging.getLogger(__name__)


def delivery_for_page(state: dict[str, Any]) -> dict[str, Any]:
    """A transcript entry's failed push as the console shows it: 「未送达」 with the reason, or
    still being tried."""
    given_up = state["status"] == deliveries.UNDELIVERED
    return {"status": state["status"], "label": "未送达" if given_up else "发送失败，重试中",
            "reason": state["reason"], "code": state["code"], "attempts": state["attempts"]}


class Conversations(ConsolePart):
    # ---------------------------------------------------------------- one conversation

    async def _sender(self, request: web.Request, who: accounts.Who) -> str:
        """The conversation a request names: by its sender id, or by its handoff's handle (h<id>),
        which is all an expert is ever shown (an expert seat is outside the hotline: a citizen's
        WeChat openid or web session is not theirs to see)."""
        named = request.match_info["sender_id"]
        m = HANDLE.fullmatch(named)
        if m:
            handoff = await asyncio.to_thread(handoffs.get_handoff, int(m.group(1)))
            if handoff is not None:
                return handoff.sender_id
        elif who.role != "expert":
            return named
        raise web.HTTPNotFound(text=dumps({"error": "not_found", "message": "没有这个对话，或它现在不在人工服务中。"}),
                               content_type="application/json")

    async def _held(self, sender_id: str, who: accounts.Who):
        handoff = await asyncio.to_thread(handoffs.open_handoff, sender_id)
        if handoff is None or handoff.status != HandoffStatus.HELD:
            raise web.HTTPConflict(text=dumps({"error": "not_held", "message": "这个对话现在没有人工接待。"}),
                                   content_type="application/json")
        if handoff.agent_id != who.id and who.role != "supervisor":
            raise web.HTTPConflict(text=dumps({"error": "not_yours", "message": "这个对话由其他同事接待中。"}),
                                   content_type="application/json")
        return handoff

    @staticmethod
    def may_read(who: accounts.Who, handoff) -> bool:
        """Least privilege (issue 18): supervisors read any conversation; agents those waiting for
        a person or held by one; experts those waiting for an expert seat or held by themselves."""
        if who.role == "supervisor":
            return True
        if handoff is None:
            return False
        if who.role == "expert":
            return expert_may_read(who, handoff.status, handoff.agent_id, handoff.reason)
        return handoff.status in HandoffStatus.OPEN

    async def conversation(self, request: web.Request) -> web.Response:
        who = await self._require(request)
        sender_id = await self._sender(request, who)
        handoff = await asyncio.to_thread(handoffs.open_handoff, sender_id)
        # An agent may also read a conversation put before the agents for its undelivered messages.
        if not self.may_read(who, handoff) and not (
                who.role == "agent" and await asyncio.to_thread(deliveries.has_unseen, sender_id)):
            # The same answer whether or not the conversation exists.
            return error(404, "not_found", "没有这个对话，或它现在不在人工服务中。")
        entries = await asyncio.to_thread(transcript.history, sender_id)
        if not entries and handoff is None:
            return error(404, "not_found", "没有这个对话。")
        await asyncio.to_thread(lifecycle.audit, actor_name(who), "read_conversation", None, sender_id[:200])
        fields: dict[str, Any] = {k: None for k in ORDER_FIELDS}
        fields_error = None
        try:
            fields.update(await self.hub.collected_fields(sender_id))
        except (RasaUnavailable, RasaFailed):
            fields_error = "智能助手暂时连不上，已收集的信息读不到，请根据对话记录填写。"
        orders = await asyncio.to_thread(repository.orders_for_sender, sender_id, 10)
        if fields.get("phone"):
            seen = {o.number for o in orders}
            orders += [o for o in await asyncio.to_thread(repository.orders_for_phone, fields["phone"])
                       if o.number not in seen]
        channel = entries[-1].channel if entries else (handoff.channel if handoff else "rest")
        states = await asyncio.to_thread(deliveries.for_messages, [e.id for e in entries if not e.delivered])
        transcript_out = []
        for e in entries:
            item = e.as_dict()
            item.pop("upload", None)
            state = states.get(e.id)
            if state is not None and state["status"] != deliveries.DELIVERED:
                item["delivery"] = delivery_for_page(state)
            transcript_out.append(item)
        return ok({
            "sender_id": handle(handoff.id) if who.role == "expert" and handoff else sender_id, "channel": channel,
            "handoff": {"id": handoff.id, "status": handoff.status, "agent_id": handoff.agent_id,
                        "agent": await asyncio.to_thread(accounts.display_name, handoff.agent_id),
                        "reason": handoff.reason, "reason_label": citizen_texts.HANDOFF_REASONS.get(handoff.reason)}
            if handoff else None,
            "transcript": transcript_out, "fields": fields, "fields_error": fields_error,
            "orders": [{"number": o.number, "status": o.status, "status_label": o.status_label,
                        "request_type": o.request_type, "content": o.content[:200], "created_at": iso(o.created_at),
                        "deadline": o.deadline.isoformat()} for o in orders],
            "notes": [{**n, "created_at": iso(n["created_at"])}
                      for n in await asyncio.to_thread(handoffs.notes_for, sender_id)],
        })

    async def reply(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True)
        sender_id = await self._sender(request, who)
        body = await read_json(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return error(400, "empty", "回复内容不能为空。")
        if len(text) > MAX_REPLY:
            return error(400, "too_long", f"回复不能超过{MAX_REPLY}个字，请分几条发送。")
        handoff = await self._held(sender_id, who)
        await self.hub.agent_say(sender_id, handoff.channel or "rest", who.display_name, text.strip())
        return ok({"ok": True})

    def _order_request(self, fields: Any, sender_id: str, channel: str, key: str) -> repository.OrderRequest:
        if not isinstance(fields, dict):
            raise ValueError("工单信息格式不对。")
        request_type = fields.get("request_type")
        if request_type not in REQUEST_TYPES:
            raise ValueError("请选择诉求类型（咨询、求助、投诉、举报、意见建议）。")
        content = fields.get("content")
        if not isinstance(content, str) or len(content.strip()) < 2:
            raise ValueError("请填写诉求内容。")
        if len(content) > MAX_CONTENT_CHARS:
            raise ValueError(f"诉求内容不能超过{MAX_CONTENT_CHARS}个字。")

        def text(key_: str, limit: int) -> str | None:
            value = fields.get(key_)
            if value is None or value == "":
                return None
            if not isinstance(value, str) or len(value) > limit:
                raise ValueError(f"{key_} 格式不对或太长。")
            return value.strip() or None

        phone = text("phone", 20)
        if phone and not (phone.replace("-", "").replace(" ", "").isdigit() and 7 <= len(phone) <= 20):
            raise ValueError("联系电话只能是数字（座机可带区号和“-”）。")
        confidential = fields.get("confidential")
        return repository.OrderRequest(
            request_type=request_type, content=content.strip(), address=text("address", 200),
            district=text("district", 32), name=text("name", 64), phone=phone,
            confidential=bool(confidential) if confidential is not None else request_type == "举报",
            wants_reply=bool(fields.get("wants_reply", True)), channel=channel, sender_id=sender_id,
            idempotency_key=key)

    async def _file(self, req: repository.OrderRequest, *, repeat_from_any_conversation: bool) -> dict[str, Any]:
        """An agent's filing (a chat taken over, a phone call) goes the bot's way
        (bot/orders/filing.py): the repeat check, the multi-matter split, an urgent matter at
        once, 智能派单 and 集中反映."""
        filing = await asyncio.to_thread(file_request, req, self.hub.profile,
                                         repeat_from_any_conversation=repeat_from_any_conversation)
        return {**order_fields(filing.order), "repeat": filing.repeat, "follows": filing.follows,
                "result": filing.order.result if filing.repeat else None,
                "others": [{**order_fields(o), "unit": o.unit or unit, "content": o.content} for o, unit in filing.others]}

    async def file(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True)
        sender_id = await self._sender(request, who)
        handoff = await self._held(sender_id, who)
        body = await read_json(request)
        content = str(body.get("content", ""))
        key = f"agent:{handoff.id}:{hashlib.sha256(content.encode()).hexdigest()[:16]}"
        try:
            req = self._order_request(body, sender_id, handoff.channel or "rest", key)
        except ValueError as exc:
            return error(400, "invalid", str(exc))
        order = await self._file(req, repeat_from_any_conversation=False)
        deadline = dt.date.fromisoformat(order["deadline"])
        if order["repeat"] and order["status"] == OrderStatus.CLOSED:
            said = citizen_texts.repeat_closed(order["number"], order["result"])
        else:
            said = (citizen_texts.AGENT_REPEAT if order["repeat"] else citizen_texts.AGENT_FILED).format(
                number=order["number"], status=order["status_label"],
                deadline=f"{deadline.year}年{deadline.month:02d}月{deadline.day:02d}日")
        if order["follows"]:
            said += "\n" + citizen_texts.FOLLOWS_CLOSED.format(number=order["follows"])
        if order["urgent"] and not order["repeat"]:
            said += "\n" + citizen_texts.urgent_filed(order["urgent"], self.hub.profile.urgent_hours, order["unit"])
        if order["others"]:
            said += "\n" + citizen_texts.several_orders([(o["number"], o["content"], o["unit"]) for o in order["others"]])
        await self.hub.agent_say(sender_id, req.channel, who.display_name, said)
        try:  # the matter is dealt with: when the bot resumes, its form does not ask again
            await self.hub.end_form(sender_id)
        except (RasaUnavailable, RasaFailed) as exc:
            log.warning("form of %s not ended after agent filing: %s", sender_id, exc)
        return ok({"order": order}, status=201)

    async def note(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True)
        body = await read_json(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 2000:
            return error(400, "invalid", "备注不能为空，最多2000字。")
        sender_id = await self._sender(request, who)
        await self._held(sender_id, who)  # notes on a conversation one holds
        await asyncio.to_thread(handoffs.add_note, sender_id, who.id, text.strip())
        return ok({"ok": True}, status=201)

    async def _end(self, request: web.Request, status: str) -> web.Response:
        who = await self._require(request, write=True)
        sender_id = await self._sender(request, who)
        handoff = await self._held(sender_id, who)
        ended = await asyncio.to_thread(handoffs.end_handoff, handoff.id, status,
                                        None if who.role == "supervisor" else who.id)
        if not ended:
            return error(409, "not_held", "这个对话已经结束或交还。")
        # 研判: answered by the agent when no order was filed since the conversation came to a person
        await asyncio.to_thread(answers.agent_answered, handoff.id)
        notice = citizen_texts.AGENT_HANDBACK if status == HandoffStatus.RETURNED else citizen_texts.AGENT_CLOSED
        try:
            await self.hub.resume_bot(sender_id, handoff.channel or "rest", end_form=status == HandoffStatus.CLOSED,
                                      notice=notice)
        except (RasaUnavailable, RasaFailed) as exc:
            log.error("rasa not resumed for %s: %s", sender_id, exc)
            await self.hub.system_say(sender_id, handoff.channel or "rest", notice)
        await self.broadcast_queue()
        return ok({"ok": True})

    async def ask_expert(self, request: web.Request) -> web.Response:
        """Ask the citizen whether they agree to be put through to an expert seat (通辽条例
        第十五条: only with their consent)."""
        who = await self._require(request, write=True)
        sender_id = await self._sender(request, who)
        handoff = await self._held(sender_id, who)
        channel = handoff.channel or "rest"
        await self.hub.record(sender_id, channel, "agent", citizen_texts.EXPERT_CONSENT_QUESTION,
                              {"agent": who.display_name, "buttons": [
                                  {"title": t, "payload": t} for t in citizen_texts.EXPERT_CONSENT_CHOICES]},
                              delivered=False)
        await self.hub.flush(sender_id, channel)
        return ok({"ok": True})

    async def transfer_expert(self, request: web.Request) -> web.Response:
        """Put the conversation back in the queue for an expert seat, once the citizen agreed."""
        who = await self._require(request, write=True)
        sender_id = await self._sender(request, who)
        handoff = await self._held(sender_id, who)
        body = await read_json(request)
        if body.get("consent") is not True:
            return error(400, "no_consent", "转接专家坐席需要先征得市民同意。")
        if not await asyncio.to_thread(handoffs.requeue_handoff, handoff.id, "expert"):
            return error(409, "not_held", "这个对话已经结束或交还。")
        await self.hub.system_say(sender_id, handoff.channel or "rest", citizen_texts.EXPERT_TRANSFER)
        await asyncio.to_thread(handoffs.add_note, sender_id, who.id, "市民同意后转专家坐席")
        await self.broadcast_queue()
        return ok({"ok": True})

    async def handback(self, request: web.Request) -> web.Response:
        return await self._end(request, HandoffStatus.RETURNED)

    async def close(self, request: web.Request) -> web.Response:
        return await self._end(request, HandoffStatus.CLOSED)
