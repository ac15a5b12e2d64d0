"""The duty desk in the console: emergency alerts live for every agent and supervisor.

Every logged-in agent and supervisor gets the open alerts on the console's websocket
(``{"type": "alerts", ...}``) within a second of an alert being raised anywhere (the action
server, any gateway): the page shows them in a strip above everything else, with a sound and
the page title flashing. An alert is acknowledged (who, when) with a follow-up note; one not
acknowledged within the profile's ``escalate_after_seconds`` is escalated: marked, and sent
again to every console with ``escalated`` so that supervisors' pages call for it. An agent can
take the citizen's conversation over from the alert (it is queued if it was not, and claimed).

    GET  /console/api/alerts?state=open|acknowledged|all
    POST /console/api/alerts/{id}/acknowledge   {note?}
    POST /console/api/alerts/{id}/note          {note}
    POST /console/api/alerts/{id}/take          the conversation, held by this agent
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot import citizen_texts, desk
from bot.console.common import HOTLINE_ROLES
from bot.gateway.api import error, ok, read_json
from bot.gateway.rasa import RasaFailed, RasaUnavailable
from bot.store import alerts, handoffs
from bot.store.models import HandoffStatus, utcnow

if TYPE_CHECKING:
    from bot.console.web import Console

log = logging.getLogger(__name__)

SHOWN_AFTER_ACK = dt.timedelta(minutes=30)  # acknowledged alerts stay in the strip this long (greyed)
MAX_NOTE = 2000
# A conversation is taken from its alert while the emergency is fresh, not months later.
TAKE_WITHIN = dt.timedelta(hours=2)


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.timezone.utc).isoformat()
    return value


def for_page(alert: dict[str, Any]) -> dict[str, Any]:
    out = {k: _iso(v) for k, v in alert.items() if k != "deliveries"}
    out["kind_label"] = citizen_texts.EMERGENCY_KIND_NAMES.get(alert["kind"], "紧急情况")
    out["deliveries"] = [{**d, "delivered_at": _iso(d["delivered_at"])} for d in alert["deliveries"]]
    return out


def strip_items() -> list[dict[str, Any]]:
    """Open alerts, and those acknowledged in the last half hour (so a colleague sees who took it)."""
    now = utcnow()
    items = alerts.listing("open", 100)
    items += [a for a in alerts.listing("acknowledged", 50) if a["acknowledged_at"] >= now - SHOWN_AFTER_ACK]
    items.sort(key=lambda a: (a["acknowledged_at"] is not None, -a["id"]))
    return [for_page(a) for a in items]


class DutyDesk:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.hub = console.hub
        self.escalate_after = desk.escalate_after(self.hub.profile)
        self._signature: Any = None

    async def payload(self, escalated: list[int] | None = None) -> dict[str, Any]:
        return {"type": "alerts", "items": await asyncio.to_thread(strip_items),
                "escalate_after": self.escalate_after, "escalated": escalated or []}

    async def watch_once(self) -> None:
        """Escalate what waited too long; tell the consoles when anything changed."""
        escalated = await asyncio.to_thread(alerts.escalate_due, self.escalate_after)
        for alert_id in escalated:
            log.error("EMERGENCY alert %s not acknowledged within %.0f s: escalated to supervisors",
                      alert_id, self.escalate_after)
        signature = await asyncio.to_thread(alerts.signature)
        if escalated or signature != self._signature:
            self._signature = signature
            if self.console.sockets:
                await self.console.broadcast(await self.payload(escalated))

    async def send_to(self, ws: web.WebSocketResponse) -> None:
        from bot.gateway.api import dumps

        await ws.send_str(dumps(await self.payload()))

    # ---------------------------------------------------------------- endpoints

    async def _alert(self, request: web.Request) -> int:
        alert_id = request.match_info["alert_id"]
        if not alert_id.isdigit() or len(alert_id) > 12:
            raise web.HTTPNotFound(text='{"error": "not_found", "message": "没有这条紧急警情。"}',
                                   content_type="application/json")
        return int(alert_id)

    async def _note(self, request: web.Request, required: bool) -> str | None:
        body = await read_json(request) if request.can_read_body else {}
        note = body.get("note")
        if note is None and not required:
            return None
        if not isinstance(note, str) or not note.strip():
            raise web.HTTPBadRequest(text='{"error": "empty", "message": "请填写处置情况。"}',
                                     content_type="application/json")
        if len(note) > MAX_NOTE:
            raise web.HTTPBadRequest(text=f'{{"error": "too_long", "message": "处置情况不能超过{MAX_NOTE}个字。"}}',
                                     content_type="application/json")
        return note.strip()

    async def listing(self, request: web.Request) -> web.Response:
        await self.console._require(request, roles=HOTLINE_ROLES)
        state = request.query.get("state", "strip")
        if state == "strip":
            items = await asyncio.to_thread(strip_items)
        elif state in alerts.STATES:
            items = [for_page(a) for a in await asyncio.to_thread(alerts.listing, state, 200)]
        else:
            return error(400, "invalid_state", "state 应为 open、acknowledged 或 all。")
        return ok({"items": items, "escalate_after": self.escalate_after})

    async def acknowledge(self, request: web.Request) -> web.Response:
        who = await self.console._require(request, write=True, roles=HOTLINE_ROLES)
        alert_id = await self._alert(request)
        note = await self._note(request, required=False)
        done = await asyncio.to_thread(alerts.acknowledge, alert_id, who.display_name, note)
        if done is None:
            return error(404, "not_found", "没有这条紧急警情。")
        await self.watch_once()
        return ok(for_page(done))

    async def note(self, request: web.Request) -> web.Response:
        who = await self.console._require(request, write=True, roles=HOTLINE_ROLES)
        alert_id = await self._alert(request)
        note = await self._note(request, required=True)
        done = await asyncio.to_thread(alerts.add_note, alert_id, who.display_name, note or "")
        if done is None:
            return error(404, "not_found", "没有这条紧急警情。")
        await self.watch_once()
        return ok(for_page(done))

    async def take(self, request: web.Request) -> web.Response:
        """Take the citizen's conversation over from the alert (and acknowledge it)."""
        who = await self.console._require(request, write=True, roles=HOTLINE_ROLES)
        alert_id = await self._alert(request)
        alert = await asyncio.to_thread(alerts.get, alert_id)
        if alert is None or not alert["sender"]:
            return error(404, "not_found", "没有这条紧急警情。")
        sender_id, channel = alert["sender"], alert["channel"] or "rest"
        if channel == "phone":  # the agent who took the call handles it; there is no chat to take
            return error(409, "phone_call", "这是电话来电的警情，由接听的坐席处理，没有可接管的对话。")
        if alert["last_at"] < utcnow() - TAKE_WITHIN:  # an old alert is no key to a conversation
            return error(409, "too_old", "这条警情已过去两小时以上，不能再从警情接入对话；需要联系市民的，请按工单流程回访。")
        # An emergency outranks the expert queue: whoever is on duty may take it (no expert-only check).
        handoff = await asyncio.to_thread(handoffs.open_handoff, sender_id)
        if handoff is None:
            handoff = await asyncio.to_thread(handoffs.request_handoff, sender_id, channel, "emergency")
            try:  # the bot stays silent while a person holds the conversation
                await self.hub.pause_bot(sender_id)
            except (RasaUnavailable, RasaFailed) as exc:
                log.warning("conversation %s not paused in rasa: %s", sender_id, exc)
        if handoff.status == HandoffStatus.HELD and handoff.agent_id != who.id:
            return error(409, "taken", "这个对话已由其他同事接待。")
        if handoff.status == HandoffStatus.WAITING:
            if not await asyncio.to_thread(handoffs.claim_handoff, handoff.id, who.id):
                return error(409, "taken", "这个对话已被其他同事接入。")
            await self.hub.agent_say(sender_id, channel, who.display_name,
                                     citizen_texts.AGENT_JOINED.format(agent=who.display_name))
        await asyncio.to_thread(alerts.acknowledge, alert_id, who.display_name, None)
        await self.console.broadcast_queue()
        await self.watch_once()
        return ok({"handoff": {"id": handoff.id, "sender_id": sender_id, "status": HandoffStatus.HELD}})

    def routes(self) -> list[web.RouteDef]:
        base = "/console/api/alerts"
        return [
            web.get(base, self.listing),
            web.post(base + "/{alert_id}/acknowledge", self.acknowledge),
            web.post(base + "/{alert_id}/note", self.note),
            web.post(base + "/{alert_id}/take", self.take),
        ]
