"""Work orders for handling units and supervisors (督办), and the audit log."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.analytics import warnings
from bot.console import accounts
from bot.console.common import actor_name
from bot.console.parts import ConsolePart
from bot.gateway import analytics_api, units
from bot.gateway.api import error, ok, read_json
from bot.orders import lifecycle, views

log = logging.getLogger(__name__)


class OrderPages(ConsolePart):
    # ---------------------------------------------------------------- work orders (units, 督办)

    async def _unit_staff(self, request: web.Request, write: bool = False) -> tuple[accounts.Who, str]:
        """A handling unit's staff and their unit (a unit's account always names it: accounts.create_agent)."""
        who = await self._require(request, write=write, roles=("unit",))
        assert who.unit is not None, "a unit's account names its unit"
        return who, who.unit

    async def unit_orders(self, request: web.Request) -> web.Response:
        who, unit = await self._unit_staff(request)
        status = request.query.get("status") or None
        if status is not None and status not in views.STATUSES:
            return error(400, "bad_status", "没有这个工单状态。")
        orders = await asyncio.to_thread(views.unit_orders, unit, status)
        return ok({"orders": orders, "warnings": await asyncio.to_thread(warnings.listing, "open", unit)})

    async def unit_order(self, request: web.Request) -> web.Response:
        who, unit = await self._unit_staff(request)
        view = await asyncio.to_thread(views.order_detail, request.match_info["number"], actor_name(who), unit)
        return ok(view) if view is not None else error(404, "not_found", "本单位没有这个工单。")

    async def unit_act(self, request: web.Request) -> web.Response:
        who, unit = await self._unit_staff(request, write=True)
        body = await read_json(request)
        return await asyncio.to_thread(units.unit_action, unit, actor_name(who), request.match_info["number"],
                                       request.match_info["action"], body, self.hub.profile)

    async def oversight(self, request: web.Request) -> web.Response:
        """The 督办 queues and the 电话回访 list (its names and phones: an audited read)."""
        who = await self._require(request, roles=("supervisor",))

        def read() -> dict:
            return {**views.oversight(self.hub.profile),
                    "callbacks": views.callback_list(actor_name(who), self.hub.profile)}
        return ok(await asyncio.to_thread(read))

    async def order(self, request: web.Request) -> web.Response:
        who = await self._require(request, roles=("supervisor",))
        view = await asyncio.to_thread(views.order_detail, request.match_info["number"], actor_name(who))
        return ok(view) if view is not None else error(404, "not_found", "没有这个工单。")

    async def order_act(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True, roles=("supervisor",))
        body = await read_json(request)
        return await asyncio.to_thread(units.staff_action, actor_name(who), request.match_info["number"],
                                       request.match_info["action"], body, self.hub.profile)

    async def order_topic(self, request: web.Request) -> web.Response:
        """An order as an agent corrects its topic (研判): without the citizen; supervisors too."""
        who = await self._require(request, roles=("agent", "supervisor"))
        view = await asyncio.to_thread(views.topic_view, request.match_info["number"], actor_name(who),
                                       self.hub.profile)
        return ok(view) if view is not None else error(404, "not_found", "没有这个工单。")

    async def set_order_topic(self, request: web.Request) -> web.Response:
        """An agent (or a supervisor) corrects an order's topic; its history keeps who and when."""
        who = await self._require(request, write=True, roles=("agent", "supervisor"))
        body = await read_json(request)
        return await asyncio.to_thread(units.staff_action, actor_name(who), request.match_info["number"], "set-topic",
                                       body, self.hub.profile)

    async def callbacks(self, request: web.Request) -> web.Response:
        """回访 by telephone: for agents and supervisors."""
        who = await self._require(request, roles=("agent", "supervisor"))
        return ok({"orders": await asyncio.to_thread(views.callback_list, actor_name(who), self.hub.profile)})

    async def callback(self, request: web.Request) -> web.Response:
        who = await self._require(request, write=True, roles=("agent", "supervisor"))
        body = await read_json(request)
        return await asyncio.to_thread(units.callback, actor_name(who), request.match_info["number"], body,
                                       self.hub.profile)

    async def analytics(self, request: web.Request) -> web.Response:
        """研判 for supervisors and leaders (bot/gateway/analytics_api.py; each read audited)."""
        who = await self._require(request, roles=("supervisor", "leader"))
        return await asyncio.to_thread(analytics_api.run, request.match_info["what"], request.query, actor_name(who),
                                       self.hub.profile)

    async def warning(self, request: web.Request) -> web.Response:
        """A supervisor acknowledges or closes a hot-spot warning (leaders only read them)."""
        who = await self._require(request, write=True, roles=("supervisor",))
        body = await read_json(request)
        return await asyncio.to_thread(analytics_api.act_on_warning, request.match_info["id"],
                                       request.match_info["action"], body, actor_name(who))

    async def audit(self, request: web.Request) -> web.Response:
        await self._require(request, roles=("supervisor",))
        q = request.query
        return ok({"entries": await asyncio.to_thread(lifecycle.audit_entries, q.get("number"), q.get("actor"),
                                                      units.parse_limit(q.get("limit")), q.get("citizen"))})
