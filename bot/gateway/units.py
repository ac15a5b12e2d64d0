"""The work-order API for handling units (role ``unit``: the key's name is the unit) and for the
hotline's staff (role ``staff``: dispatch, review returns and terminations, 督办 list).

    GET  /api/units/orders[?status=]             a unit's own orders
    GET  /api/units/orders/{number}              one of them, with its history
    POST /api/units/orders/{number}/accept       签收
    POST /api/units/orders/{number}/return       退回 {reason, complex}
    POST /api/units/orders/{number}/extend       延期 {reason, working_days}
    POST /api/units/orders/{number}/close        办结 {result}: the order waits for the hotline's review
    POST /api/units/orders/{number}/terminate    申请终止 {evidence}
    POST /api/units/orders/{number}/ask-citizen  补充材料, or a message passed on to the citizen {question, days}
    POST /api/units/orders/{number}/report       a co-unit's part (协办情况) {part}
    POST /api/units/orders/{number}/appeal       不满意 评价复核申请 {explanation, evidence} (天津办法第二十三条)
    POST /api/orders/{number}/dispatch           派单 {unit, note, working_days (where the profile lets the hotline set it)}
    POST /api/orders/{number}/set-topic          主题 {topic} (研判: a correction)
    POST /api/orders/{number}/co-units           协办单位 {units: [...]} (an empty list removes them)
    POST /api/orders/{number}/change-lead        主办单位 {unit, reason}
    POST /api/orders/{number}/ask-citizen        补充材料 {question, days}
    POST /api/orders/{number}/designate          指定承办 after a consultation {unit, record}
    POST /api/orders/{number}/review-extension   延期审核: {approve, reason} (reason required to refuse)
    POST /api/orders/{number}/review-close       办结审核: {approve, reason} (reason required to send back)
    POST /api/orders/{number}/review-return      {approve, new_unit, reason}
    POST /api/orders/{number}/review-termination {approve, reason}
    POST /api/orders/{number}/review-rating      不满意 to review: {reopen, unit, reason}
    POST /api/orders/{number}/review-appeal      a unit's 评价复核: {upheld, reason}
    GET  /api/orders/overdue                     overdue and nearly due open orders
    GET  /api/orders/pending                     orders waiting for a dispatcher, with 智能派单's suggestion
    GET  /api/orders/clusters                    集中反映: one matter raised by several citizens
    GET  /api/orders/oversight                   all of the supervisor's queues at once
    GET  /api/orders/callbacks                   回访 by telephone: closed orders to call now
    POST /api/orders/{number}/callback           one call: {outcome, rating, reason, note}
    GET  /api/audit[?number=&actor=&citizen=&limit=]  the audit log, newest first

The console (bot/console/web.py) serves the same to logged-in unit staff and supervisors.

A unit never sees who made a 举报, nor anyone who asked for confidentiality: name, phone and
channel identity are left out of its view. Every view of personal data by staff or a unit, and
every change, is written to the audit log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from aiohttp import web

from bot.gateway.api import Api, error, ok
from bot.orders import callbacks, clusters, lifecycle, views
from bot.profile import Profile
from bot.store import repository

UNIT_ACTIONS = ("accept", "return", "extend", "close", "terminate", "appeal", "report", "ask-citizen")
STAFF_ACTIONS = ("dispatch", "set-topic", "co-units", "change-lead", "designate", "ask-citizen", "callback", "review-extension", "review-close", "review-return", "review-termination", "review-rating",
                 "review-appeal")


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) else None


def _change(audit: tuple[str, str, str], fn: Any, *args: Any) -> web.Response:
    """Do one step; the audit says what was done, or what was asked and refused (and why)."""
    actor, action, number = audit
    try:
        change = fn(*args)
    except lifecycle.LifecycleError as exc:
        lifecycle.audit(actor, f"refused_{action}", number, exc.code)
        status = 404 if exc.code == "not_found" else 403 if exc.code == "not_yours" else 409 \
            if exc.code in ("bad_state", "too_late", "over_cap", "co_units_pending", "designated", "no_channel") else 400
        return error(status, exc.code, exc.message)
    lifecycle.audit(actor, action, number)
    return ok({"number": change.number, "status": change.status, "deadline": change.deadline.isoformat(),
               "unit": change.unit})


def unit_action(unit: str, actor: str, number: str, action: str, body: dict[str, Any],
                profile: Profile) -> web.Response:
    """A handling unit's step on one of its orders (runs in a worker thread)."""
    if action not in UNIT_ACTIONS:
        return error(404, "not_found", "没有这个操作。")
    if not repository.plausible_number(number):
        return error(404, "not_found", "本单位没有这个工单。")
    done = (actor, action, number)
    if action == "accept":
        return _change(done, lifecycle.accept, number, unit)
    if action == "return":
        return _change(done, lifecycle.return_order, number, unit, _text(body, "reason"), body.get("complex") is True,
                       profile)
    if action == "extend":
        return _change(done, lifecycle.extend, number, unit, _text(body, "reason"), body.get("working_days"), profile)
    if action == "close":
        return _change(done, lifecycle.close, number, unit, _text(body, "result"))
    if action == "report":
        return _change(done, lifecycle.report_part, number, unit, _text(body, "part"))
    if action == "ask-citizen":
        return _change(done, lifecycle.ask_citizen, number, actor, _text(body, "question"), body.get("days"), profile, unit)
    if action == "appeal":
        return _change(done, lifecycle.appeal_rating, number, unit, _text(body, "explanation"), _text(body, "evidence"))
    return _change(done, lifecycle.request_termination, number, unit, _text(body, "evidence"))


def staff_action(actor: str, number: str, action: str, body: dict[str, Any], profile: Profile) -> web.Response:
    """The hotline's decision on an order (runs in a worker thread)."""
    if action not in STAFF_ACTIONS:
        return error(404, "not_found", "没有这个操作。")
    if not repository.plausible_number(number):
        return error(404, "not_found", "没有这个工单。")
    done = (actor, action, number)
    if action == "callback":
        return callback(actor, number, body, profile)
    if action == "dispatch":
        return _change(done, lifecycle.dispatch, number, _text(body, "unit") or "", actor, profile, _text(body, "note"),
                       None, body.get("working_days"), body.get("co_units") or ())
    if action == "set-topic":
        return _change(done, lifecycle.set_topic, number, actor, body.get("topic"), profile)
    if action == "ask-citizen":
        return _change(done, lifecycle.ask_citizen, number, actor, _text(body, "question"), body.get("days"), profile)
    if action == "designate":
        return _change(done, lifecycle.designate, number, actor, _text(body, "unit") or "", _text(body, "record"), profile)
    if action == "co-units":
        return _change(done, lifecycle.set_co_units, number, actor, body.get("units"))
    if action == "change-lead":
        return _change(done, lifecycle.change_lead, number, actor, _text(body, "unit") or "", _text(body, "reason"),
                       profile)
    if action == "review-extension":
        return _change(done, lifecycle.review_extension, number, actor, body.get("approve") is True, profile,
                       _text(body, "reason"))
    if action == "review-close":
        return _change(done, lifecycle.review_close, number, actor, body.get("approve") is True, _text(body, "reason"))
    if action == "review-return":
        return _change(done, lifecycle.review_return, number, actor, body.get("approve") is True, profile,
                       _text(body, "new_unit"), _text(body, "reason"))
    if action == "review-termination":
        return _change(done, lifecycle.review_termination, number, actor, body.get("approve") is True,
                       _text(body, "reason"))
    if action == "review-appeal":
        return _change(done, lifecycle.review_appeal, number, actor, body.get("upheld") is True, _text(body, "reason"))
    return _change(done, lifecycle.review_rating, number, actor, body.get("reopen") is True, profile,
                   _text(body, "unit"), _text(body, "reason"))


def callback(actor: str, number: str, body: dict[str, Any], profile: Profile) -> web.Response:
    """One call of the 回访 and what came of it (runs in a worker thread)."""
    if not repository.plausible_number(number):
        return error(404, "not_found", "没有这个工单。")
    try:
        attempt = callbacks.record(number, actor, _text(body, "outcome") or "", profile, _text(body, "rating"),
                                   _text(body, "reason"), _text(body, "note"))
    except lifecycle.LifecycleError as exc:
        lifecycle.audit(actor, "refused_callback", number, exc.code)
        return error(404 if exc.code == "not_found" else 409 if exc.code == "bad_state" else 400, exc.code, exc.message)
    lifecycle.audit(actor, "callback", number, attempt.outcome)
    return ok({"number": attempt.number, "outcome": attempt.outcome, "attempts": attempt.attempts,
               "finished": attempt.finished, "rating": attempt.rating, "reopened": attempt.reopened})


def parse_limit(value: str | None, default: int = 200) -> int:
    try:
        return max(1, min(1000, int(value))) if value else default
    except ValueError:
        return default


class UnitApi:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.profile = api.hub.profile

    # ---------------------------------------------------------------- units

    async def list_orders(self, request: web.Request) -> web.Response:
        key = self.api.require(request, "unit")
        status = request.query.get("status") or None
        if status is not None and status not in views.STATUSES:
            return error(400, "bad_status", f"status 只能是 {'、'.join(views.STATUSES)}。")
        return ok({"orders": await asyncio.to_thread(views.unit_orders, key.name, status)})

    async def get_order(self, request: web.Request) -> web.Response:
        key = self.api.require(request, "unit")
        view = await asyncio.to_thread(views.order_detail, request.match_info["number"], f"unit:{key.name}", key.name)
        if view is None:
            return error(404, "not_found", "本单位没有这个工单。")
        return ok(view)

    async def act(self, request: web.Request) -> web.Response:
        key = self.api.require(request, "unit")
        body = await self.api.json_body(request) if request.can_read_body else {}
        return await asyncio.to_thread(unit_action, key.name, f"unit:{key.name}", request.match_info["number"],
                                       request.match_info["action"], body, self.profile)

    # ---------------------------------------------------------------- the hotline's staff

    async def staff_act(self, request: web.Request) -> web.Response:
        key = self.api.require(request, "staff")
        body = await self.api.json_body(request)
        return await asyncio.to_thread(staff_action, f"staff:{key.name}", request.match_info["number"],
                                       request.match_info["action"], body, self.profile)

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
        return ok({"orders": await asyncio.to_thread(views.pending_orders, self.profile)})

    async def clusters(self, request: web.Request) -> web.Response:
        """集中反映: the same matter raised by several citizens in a short time."""
        self.api.require(request, "staff")
        return ok({"clusters": await asyncio.to_thread(clusters.flagged)})

    async def oversight(self, request: web.Request) -> web.Response:
        """Every supervisor queue at once: pending, overdue, clusters, returns, terminations,
        dissatisfied ratings, and the units one can dispatch to."""
        self.api.require(request, "staff")
        return ok(await asyncio.to_thread(views.oversight, self.profile))

    async def callbacks(self, request: web.Request) -> web.Response:
        """回访 by telephone: closed orders whose citizen the agents should call now."""
        key = self.api.require(request, "staff")
        return ok({"orders": await asyncio.to_thread(views.callback_list, f"staff:{key.name}", self.profile)})

    async def audit(self, request: web.Request) -> web.Response:
        """The audit log (newest first), by order number and/or actor."""
        self.api.require(request, "staff")
        q = request.query
        return ok({"entries": await asyncio.to_thread(lifecycle.audit_entries, q.get("number"), q.get("actor"),
                                                      parse_limit(q.get("limit")), q.get("citizen"))})

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/units/orders", self.list_orders),
            web.get("/api/units/orders/{number}", self.get_order),
            web.post("/api/units/orders/{number}/{action}", self.act),
            web.get("/api/orders/overdue", self.overdue),
            web.get("/api/orders/pending", self.pending),
            web.get("/api/orders/clusters", self.clusters),
            web.get("/api/orders/oversight", self.oversight),
            web.get("/api/orders/callbacks", self.callbacks),
            web.get("/api/audit", self.audit),
            web.post("/api/orders/{number}/{action}", self.staff_act),
        ]
