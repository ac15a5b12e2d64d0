"""The work-order API for handling units (role ``unit``: the key's name is the unit) and for the
hotline's staff (role ``staff``: dispatch, review returns and terminations, 督办 list).

    GET  /api/units/orders[?status=]             a unit's own orders
    GET  /api/units/orders/{number}              one of them, with its history
    POST /api/units/orders/{number}/accept       签收
    POST /api/units/orders/{number}/return       退回 {reason, complex}
    POST /api/units/orders/{number}/extend       延期 {reason, working_days}
    POST /api/units/orders/{number}/close        办结 {result}
    POST /api/units/orders/{number}/terminate    申请终止 {evidence}
    POST /api/orders/{number}/dispatch           派单 {unit, note}
    POST /api/orders/{number}/review-return      {approve, new_unit, reason}
    POST /api/orders/{number}/review-termination {approve, reason}
    GET  /api/orders/overdue                     overdue and nearly due open orders
    GET  /api/orders/pending                     orders waiting for a dispatcher, with 智能派单's suggestion
    GET  /api/orders/clusters                    集中反映: one matter raised by several citizens

A unit never sees who made a 举报, nor anyone who asked for confidentiality: name, phone and
channel identity are left out of its view. Every view of personal data by staff or a unit, and
every change, is written to the audit log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from aiohttp import web
from sqlalchemy import select

from bot import clusters, lifecycle
from bot.gateway.api import Api, error, ok
from bot.store import repository
from bot.store.db import session_scope
from bot.store.models import WorkOrder

STATUSES = ("pending", "dispatched", "in_progress", "closed", "returned", "terminated")


def protected(order: WorkOrder) -> bool:
    """Orders whose citizen the unit must not be able to identify."""
    return order.confidential or order.request_type == "举报"


def unit_view(order: WorkOrder) -> dict[str, Any]:
    data = repository.order_as_dict(order, personal=not protected(order))
    if protected(order):
        data["channel"] = None
    data["result"] = order.result
    return data


def _orders_of(unit: str, status: str | None) -> list[WorkOrder]:
    with session_scope() as s:
        q = select(WorkOrder).where(WorkOrder.unit == unit)
        if status:
            q = q.where(WorkOrder.status == status)
        return list(s.execute(q.order_by(WorkOrder.deadline, WorkOrder.id).limit(500)).scalars())


class UnitApi:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.profile = api.hub.profile

    async def _run(self, fn: Any, *args: Any, **kwargs: Any) -> web.Response:
        try:
            change = await asyncio.to_thread(fn, *args, **kwargs)
        except lifecycle.LifecycleError as exc:
            status = 404 if exc.code == "not_found" else 403 if exc.code == "not_yours" else 409 \
                if exc.code in ("bad_state", "too_late", "over_cap") else 400
            return error(status, exc.code, exc.message)
        return ok({"number": change.number, "status": change.status, "deadline": change.deadline.isoformat(),
                   "unit": change.unit})

    # ---------------------------------------------------------------- units

    async def list_orders(self, request: web.Request) -> web.Response:
        key = self.api.require(request, "unit")
        status = request.query.get("status") or None
        if status is not None and status not in STATUSES:
            return error(400, "bad_status", f"status 只能是 {'、'.join(STATUSES)}。")
        orders = await asyncio.to_thread(_orders_of, key.name, status)
        views = [await asyncio.to_thread(unit_view, o) for o in orders]
        personal = [o.number for o in orders if not protected(o)]
        if personal:
            await asyncio.to_thread(lifecycle.audit, f"unit:{key.name}", "list_orders", None, ",".join(personal))
        return ok({"orders": views})

    async def get_order(self, request: web.Request) -> web.Response:
        key = self.api.require(request, "unit")
        number = request.match_info["number"]
        order = await asyncio.to_thread(repository.get_order, number)
        if order is None or order.unit != key.name:
            return error(404, "not_found", "本单位没有这个工单。")
        view = await asyncio.to_thread(unit_view, order)
        view["history"] = await asyncio.to_thread(lifecycle.history, order.number)
        if not protected(order):
            await asyncio.to_thread(lifecycle.audit, f"unit:{key.name}", "read_order", order.number)
        return ok(view)

    async def act(self, request: web.Request) -> web.Response:
        key = self.api.require(request, "unit")
        number, action = request.match_info["number"], request.match_info["action"]
        body = await self.api.json_body(request) if request.can_read_body else {}
        unit = key.name
        await asyncio.to_thread(lifecycle.audit, f"unit:{unit}", action, number)
        if action == "accept":
            return await self._run(lifecycle.accept, number, unit)
        if action == "return":
            return await self._run(lifecycle.return_order, number, unit, body.get("reason"),
                                   bool(body.get("complex")))
        if action == "extend":
            return await self._run(lifecycle.extend, number, unit, body.get("reason"), body.get("working_days"),
                                   self.profile)
        if action == "close":
            return await self._run(lifecycle.close, number, unit, body.get("result"))
        if action == "terminate":
            return await self._run(lifecycle.request_termination, number, unit, body.get("evidence"))
        return error(404, "not_found", "没有这个操作。")

    # ---------------------------------------------------------------- the hotline's staff

    async def staff_act(self, request: web.Request) -> web.Response:
        key = self.api.require(request, "staff")
        number, action = request.match_info["number"], request.match_info["action"]
        body = await self.api.json_body(request)
        actor = f"staff:{key.name}"
        await asyncio.to_thread(lifecycle.audit, actor, action, number)
        if action == "dispatch":
            unit = body.get("unit")
            return await self._run(lifecycle.dispatch, number, unit if isinstance(unit, str) else "", actor,
                                   self.profile, body.get("note") if isinstance(body.get("note"), str) else None)
        if action == "review-return":
            return await self._run(lifecycle.review_return, number, actor, body.get("approve") is True,
                                   self.profile, body.get("new_unit"), body.get("reason"))
        if action == "review-termination":
            return await self._run(lifecycle.review_termination, number, actor, body.get("approve") is True,
                                   body.get("reason"))
        return error(404, "not_found", "没有这个操作。")

    async def overdue(self, request: web.Request) -> web.Response:
        self.api.require(request, "staff")
        day = request.query.get("today")
        try:
            today = dt.date.fromisoformat(day) if day else None
        except ValueError:
            return error(400, "bad_date", "today 应为 YYYY-MM-DD。")
        return ok({"orders": await asyncio.to_thread(lifecycle.overdue, today)})

    async def pending(self, request: web.Request) -> web.Response:
        """The supervisor's queue: orders 智能派单 was not sure enough to send, with its suggestions."""
        self.api.require(request, "staff")

        def rows() -> list[dict[str, Any]]:
            with session_scope() as s:
                orders = s.execute(select(WorkOrder).where(WorkOrder.status == "pending")
                                   .order_by(WorkOrder.id).limit(500)).scalars()
                return [{"number": o.number, "type": o.request_type, "content": o.content[:200],
                         "address": o.address, "created_at": o.created_at.isoformat() + "Z",
                         "deadline": o.deadline.isoformat(), "suggested_unit": o.suggested_unit,
                         "confidence": round(o.suggestion_confidence, 3) if o.suggestion_confidence is not None
                         else None} for o in orders]

        return ok({"orders": await asyncio.to_thread(rows)})

    async def clusters(self, request: web.Request) -> web.Response:
        """集中反映: the same matter raised by several citizens in a short time."""
        self.api.require(request, "staff")
        return ok({"clusters": await asyncio.to_thread(clusters.flagged)})

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/units/orders", self.list_orders),
            web.get("/api/units/orders/{number}", self.get_order),
            web.post("/api/units/orders/{number}/{action}", self.act),
            web.get("/api/orders/overdue", self.overdue),
            web.get("/api/orders/pending", self.pending),
            web.get("/api/orders/clusters", self.clusters),
            web.post("/api/orders/{number}/{action}", self.staff_act),
        ]
